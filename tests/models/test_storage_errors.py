"""Storage errors are named by SQLite's result codes, not by its English text.

Each test makes the failure happen for real (a read-only connection, a file that is not a
database, a lock held by another connection, a constraint whose name reads like a disk error);
the full disk and the read-only disk are in ``tests/cli/test_storage_failures.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from desktop.errors import StorageError
from desktop.models.db import (
    Database,
    open_database,
    sqlite_primary_code,
    storage_error_for,
    translate_storage_errors,
)
from tests import disk


def database_on(path: Path, url: str, **connect_args: object) -> Database:
    engine = create_engine(url, connect_args=connect_args)
    return Database(path=path, engine=engine, sessions=sessionmaker(engine))


@pytest.fixture
def class_file(tmp_path: Path) -> Path:
    path = tmp_path / "class.sqlite3"
    open_database(path).close()
    return path


def test_writing_through_a_read_only_connection_says_read_only(class_file: Path) -> None:
    """SQLITE_READONLY (``attempt to write a readonly database``) gives the read-only message."""
    db = database_on(class_file, f"sqlite:///file:{class_file}?mode=ro&uri=true")
    try:
        with (
            pytest.raises(StorageError, match="chỉ cho phép đọc") as refused,
            db.transaction() as session,
        ):
            session.execute(text("CREATE TABLE notes (x TEXT)"))
        assert refused.value.__cause__ is not None
        assert sqlite_primary_code(refused.value.__cause__) == sqlite3.SQLITE_READONLY
    finally:
        db.close()


def test_a_file_with_sqlites_header_and_garbage_after_it_says_damaged(tmp_path: Path) -> None:
    """SQLITE_NOTADB / SQLITE_CORRUPT from a damaged file gives the "not a database" message."""
    path = tmp_path / "class.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    with pytest.raises(StorageError, match="không phải cơ sở dữ liệu"):
        open_database(path)
    connection = sqlite3.connect(path)
    try:
        with (
            pytest.raises(StorageError, match="không phải cơ sở dữ liệu"),
            translate_storage_errors(tmp_path),
        ):
            connection.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        connection.close()


def test_a_database_locked_by_another_connection_says_busy(class_file: Path) -> None:
    """SQLITE_BUSY while another connection holds the write lock gives the busy message."""
    holder = sqlite3.connect(class_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    # No busy wait: the lock is held until the end of the test, so waiting would only slow it.
    db = database_on(class_file, f"sqlite:///{class_file}", timeout=0)
    try:
        with pytest.raises(StorageError, match="đang bận"), db.transaction() as session:
            session.execute(text("CREATE TABLE notes (x TEXT)"))
    finally:
        db.close()
        holder.execute("ROLLBACK")
        holder.close()


def test_a_database_file_that_cannot_be_opened_says_so(tmp_path: Path) -> None:
    """SQLITE_CANTOPEN (the folder is gone) names the profile folder, in Vietnamese."""
    with (
        pytest.raises(StorageError, match="Không mở được tệp cơ sở dữ liệu"),
        translate_storage_errors(tmp_path),
    ):
        sqlite3.connect(tmp_path / "gone" / "class.sqlite3")


def test_a_constraint_whose_name_reads_like_a_disk_error_is_not_one(class_file: Path) -> None:
    """The text "disk is full … readonly … locked" in a CHECK's name is not a storage error: the
    code (SQLITE_CONSTRAINT) decides, so the integrity error reaches its caller unchanged."""
    db = open_database(class_file)
    try:
        with db.transaction() as session:
            session.execute(
                text(
                    "CREATE TABLE notes (x INTEGER, "
                    "CONSTRAINT disk_is_full_readonly_locked_not_a_database CHECK (x > 0))"
                )
            )
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.execute(text("INSERT INTO notes VALUES (-1)"))
    finally:
        db.close()


def test_an_unknown_code_is_left_as_it_is(tmp_path: Path) -> None:
    """An error that is not about storage (a syntax error) is not dressed up as one."""
    connection = sqlite3.connect(tmp_path / "scratch.sqlite3")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            connection.execute("SELEC 1")
    finally:
        connection.close()
    assert storage_error_for(raised.value, tmp_path) is raised.value


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with disk.small_disk(tmp_path) as mount_point:
        yield mount_point


def test_a_full_disk_says_full_by_its_code(small_disk: Path) -> None:
    """Growing the database on a full tmpfs fails with SQLITE_FULL (or an I/O error while
    nothing is free): either way the teacher reads that the disk is full."""
    path = small_disk / "class.sqlite3"
    open_database(path).close()
    disk.fill(small_disk)
    db = open_database(path)
    try:
        with (
            pytest.raises(StorageError, match="Ổ đĩa đã đầy") as refused,
            db.transaction() as session,
        ):
            session.execute(text("CREATE TABLE blobs (x BLOB)"))
            for _ in range(64):
                session.execute(text("INSERT INTO blobs VALUES (zeroblob(65536))"))
        cause = refused.value.__cause__
        assert cause is not None
        assert sqlite_primary_code(cause) in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    finally:
        db.close()
        disk.free(small_disk)
