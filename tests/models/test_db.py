"""Opening, checking, backing up and migrating the class database file."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select

from desktop.errors import StorageError
from desktop.models import Holiday, School, SchoolYear
from desktop.models.db import (
    APPLICATION_ID,
    alembic_config,
    head_revision,
    known_revisions,
    open_database,
)


def test_new_file_gets_wal_foreign_keys_and_the_application_id(tmp_path: Path) -> None:
    """Every connection runs with WAL and foreign keys on; the file is marked as Homeroom's."""
    db = open_database(tmp_path / "class.sqlite3")
    try:
        with db.reading() as session:
            conn = session.connection()
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
    finally:
        db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    """A holiday pointing at a school year that does not exist is refused."""
    db = open_database(tmp_path / "class.sqlite3")
    try:
        with pytest.raises(Exception, match="FOREIGN KEY"), db.transaction() as session:
            session.add(Holiday(school_year_id=999, day=date(2026, 1, 1), name="Tết"))
    finally:
        db.close()


def test_a_file_that_is_not_homerooms_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """Another program's SQLite file is not migrated or written to."""
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="Sổ Chủ Nhiệm"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    """A file that is not SQLite at all gives a clear error, not a traceback."""
    path = tmp_path / "notes.sqlite3"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(StorageError):
        open_database(path)


def test_a_file_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    """A schema revision this app does not know means the file is newer than the app."""
    path = tmp_path / "class.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="mới hơn"):
        open_database(path)


def test_migration_from_the_first_revision_keeps_data_and_makes_a_backup(tmp_path: Path) -> None:
    """A populated file at the first revision is backed up, then upgraded to head intact."""
    path = tmp_path / "class.sqlite3"
    first = sorted(known_revisions())[0]
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), first)
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        conn.exec_driver_sql(
            "INSERT INTO school (id, code, name, governing_body, province, level) "
            "VALUES (1, 'NDC', 'Trường THPT Nguyễn Đình Chiểu', 'SỞ GD&ĐT BẾN TRE', 'Bến Tre', "
            "'upper_secondary')"
        )
        conn.exec_driver_sql(
            "INSERT INTO school_year (id, school_id, name, first_day, semester2_start, last_day) "
            "VALUES (1, 1, '2025-2026', '2025-09-05', '2026-01-12', '2026-05-31')"
        )
        conn.exec_driver_sql(
            "INSERT INTO holiday (school_year_id, day, name) VALUES (1, '2026-04-30', 'Giải phóng')"
        )
        conn.commit()
    engine.dispose()
    db = open_database(path)
    try:
        with db.reading() as session:
            assert session.scalar(select(School.name)) == "Trường THPT Nguyễn Đình Chiểu"
            year = session.scalars(select(SchoolYear)).one()
            assert [h.day for h in year.holidays] == [date(2026, 4, 30)]
            version = session.connection().exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            )
            assert version.scalar() == head_revision()
    finally:
        db.close()
    if first != head_revision():
        assert list((tmp_path / "backups").glob(f"before-upgrade-{first}-*.sqlite"))


def test_the_fast_path_s_head_revision_is_alembic_s_head() -> None:
    """A profile at ``HEAD_REVISION`` opens without Alembic: it must be the newest migration."""
    from desktop.models.db import HEAD_REVISION

    assert head_revision() == HEAD_REVISION
