"""Real profiles for the backup tests: the demo class in a plain file, or in one SQLCipher file
made from it with ``export_encrypted`` (the key as the keyring would hand it over)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from desktop.demo.generator import generate_demo_class
from desktop.models import Guardian, Student
from desktop.models.cipher import DatabaseKey, export_encrypted
from desktop.models.db import APPLICATION_ID, Database, make_engine, open_database

KEY = DatabaseKey(bytes(range(32)))


def make_template(folder: Path) -> Path:
    path = folder / "homeroom.sqlite3"
    database = open_database(path)
    with database.transaction() as session:
        generate_demo_class(session, seed=2025)
    database.close()
    return path


def place(template: Path, folder: Path, *, encrypted: bool) -> Path:
    """A profile made from ``template`` at ``folder/homeroom.sqlite3``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "homeroom.sqlite3"
    if encrypted:
        export_encrypted(template, path, KEY, APPLICATION_ID)
    else:
        shutil.copyfile(template, path)
    return path


def open_profile(path: Path, *, encrypted: bool) -> Database:
    if not encrypted:
        return open_database(path)
    engine = make_engine(path, KEY)
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False), KEY)


def students(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Student)) or 0


def demo_names(database: Database) -> list[bytes]:
    with database.reading() as session:
        names = session.scalars(select(Student.full_name).union(select(Guardian.full_name))).all()
    return [name.encode("utf-8") for name in names]


def first_name(database: Database) -> str:
    with database.reading() as session:
        name = session.scalars(select(Student.full_name).order_by(Student.id)).first()
    assert name is not None
    return name


def rename_first(database: Database, name: str) -> None:
    """A change after the backup: the restore must undo it."""
    with database.transaction() as session:
        student = session.scalars(select(Student).order_by(Student.id)).first()
        assert student is not None
        student.full_name = name
