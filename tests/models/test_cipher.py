"""The encrypted profile: a real SQLCipher file made from the demo class by ``sqlcipher_export``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.demo.generator import generate_demo_class
from desktop.errors import StorageError
from desktop.models import Guardian, Student
from desktop.models.cipher import (
    EARLIER_PAGE_SIZES,
    PAGE_SIZE,
    DatabaseKey,
    connect,
    export_encrypted,
    key_from_password,
    new_key,
    new_salt,
    page_size_of,
)
from desktop.models.db import (
    APPLICATION_ID,
    HEAD_REVISION,
    backup_before_upgrade,
    make_engine,
    open_database,
)


@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "homeroom.sqlite3"
    database = open_database(path)
    with database.transaction() as session:
        generate_demo_class(session, seed=2025)
    database.close()
    return path


def names_in(path: Path) -> list[bytes]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            f"SELECT full_name FROM {Student.__tablename__} "
            f"UNION SELECT full_name FROM {Guardian.__tablename__}"
        ).fetchall()
    finally:
        connection.close()
    return [name.encode("utf-8") for (name,) in rows]


def row_counts(connection: object) -> dict[str, int]:
    execute = connection.execute  # type: ignore[attr-defined]
    tables = [
        name for (name,) in execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
    ]
    return {t: execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def test_the_encrypted_file_holds_none_of_the_demos_names_and_every_row(
    demo_plain: Path, tmp_path: Path
) -> None:
    names = names_in(demo_plain)
    plain_bytes = demo_plain.read_bytes()
    assert len(names) > 40 and all(name in plain_bytes for name in names)
    target = tmp_path / "homeroom.sqlite3"
    key = new_key()

    export_encrypted(demo_plain, target, key, APPLICATION_ID)

    encrypted_bytes = target.read_bytes()
    assert not encrypted_bytes.startswith(b"SQLite format 3")
    assert [name for name in names if name in encrypted_bytes] == []
    plain_engine, encrypted_engine = make_engine(demo_plain), make_engine(target, key)
    try:
        with plain_engine.connect() as plain, encrypted_engine.connect() as encrypted:
            assert row_counts(encrypted) == row_counts(plain)
            assert encrypted.execute(text("PRAGMA application_id")).scalar() == APPLICATION_ID
            assert encrypted.execute(text("PRAGMA quick_check")).scalar() == "ok"
            assert encrypted.scalars(select(Student.full_name)).all()
    finally:
        plain_engine.dispose()
        encrypted_engine.dispose()


def test_opening_without_the_key_fails_clearly(demo_plain: Path, tmp_path: Path) -> None:
    target = tmp_path / "homeroom.sqlite3"
    export_encrypted(demo_plain, target, new_key(), APPLICATION_ID)

    engine = make_engine(target, new_key())
    try:
        with pytest.raises(StorageError, match="đã được mã hóa và khóa hiện có không mở được"):
            engine.connect()
    finally:
        engine.dispose()
    bare = sqlite3.connect(target)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            bare.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        bare.close()


WRONG_KEY_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from desktop.errors import StorageError
from desktop.models.cipher import connect, new_key
try:
    connect(Path(sys.argv[1]), new_key())
except StorageError as refused:
    print(refused.message)
"""


def test_a_key_that_does_not_fit_leaves_nothing_from_sqlcipher_on_stderr(
    demo_plain: Path, tmp_path: Path
) -> None:
    """SQLCipher's own log ("ERROR CORE sqlcipher_page_cipher: hmac check failed …", English)
    reached the terminal; a new process, since the log's switch is the library's, once."""
    target = tmp_path / "homeroom.sqlite3"
    export_encrypted(demo_plain, target, new_key(), APPLICATION_ID)
    done = subprocess.run(
        [sys.executable, "-c", WRONG_KEY_IN_A_FRESH_PROCESS, str(target)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert "đã được mã hóa" in done.stdout
    assert done.stderr == ""


def test_every_encrypted_file_is_made_and_opened_with_the_profiles_settings(
    demo_plain: Path, tmp_path: Path
) -> None:
    """The profile (``export_encrypted``) and a backup's body (``backup_copy.export``) carry the
    HMAC the openers expect: SQLCipher's defaults with the right key no longer read them."""
    import sqlcipher3

    from desktop.services import backup_copy

    key = new_key()
    profile, backup = tmp_path / "homeroom.sqlite3", tmp_path / "copy.sqlite3"
    export_encrypted(demo_plain, profile, key, APPLICATION_ID)
    backup_copy.export(profile, key, backup, key)
    for made in (profile, backup):
        defaults = sqlcipher3.connect(str(made))
        try:
            defaults.execute(key.pragma())
            with pytest.raises(sqlcipher3.DatabaseError):
                defaults.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            defaults.close()
        opened = connect(made, key, read_only=True)
        try:
            assert opened.execute("PRAGMA quick_check").fetchall() == [("ok",)]
            assert opened.execute("PRAGMA cipher_hmac_algorithm").fetchone() == ("HMAC_SHA256",)
            assert page_size_of(opened) == PAGE_SIZE
        finally:
            opened.close()


def encrypt_as_earlier_versions_did(plain: Path, target: Path, key: DatabaseKey) -> None:
    """``export_encrypted`` as it was before 8 KiB pages: SQLCipher's 4 KiB, the same HMAC."""
    import sqlcipher3

    connection = sqlcipher3.connect(f"file:{plain}?mode=ro", uri=True)
    try:
        connection.execute(
            f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.raw.hex()}'\"", (str(target),)
        )
        connection.execute("PRAGMA encrypted.cipher_hmac_algorithm = HMAC_SHA256")
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute(f"PRAGMA encrypted.application_id = {APPLICATION_ID}")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()


NOTE = {"note": "đã gọi phụ huynh"}


def test_a_profile_an_earlier_version_encrypted_opens_and_its_copies_keep_its_pages(
    demo_plain: Path, tmp_path: Path
) -> None:
    """A profile of 4 KiB pages opens as before, through every opener; its copies page by page
    (the automatic backups, the copy before an upgrade) are made at 4 KiB too: SQLite's backup
    into pages of another size wrote a file that no page size opened."""
    from desktop.models.health import check_health
    from desktop.services import backup_copy

    assert EARLIER_PAGE_SIZES == (4096,)
    key = new_key()
    profile = tmp_path / "profile" / "homeroom.sqlite3"
    profile.parent.mkdir()
    encrypt_as_earlier_versions_did(demo_plain, profile, key)

    check_health(profile, key=key)
    database = open_database(profile, key)
    try:
        with database.transaction() as session:
            names = session.scalars(select(Student.full_name)).all()
            session.execute(text("UPDATE guardian SET consent_note = :note WHERE id = 1"), NOTE)
    finally:
        database.close()
    assert len(names) > 30

    automatic = tmp_path / "automatic.sqlite"
    backup_copy.copy_pages(profile, key, automatic)
    before_upgrade = backup_before_upgrade(profile, HEAD_REVISION, key=key)
    for copy in (profile, automatic, before_upgrade):
        opened = connect(copy, key, read_only=True)
        try:
            assert page_size_of(opened) == 4096
            assert opened.execute("PRAGMA quick_check").fetchall() == [("ok",)]
            kept = opened.execute("SELECT consent_note FROM guardian WHERE id = 1").fetchone()
            assert kept == (NOTE["note"],)
        finally:
            opened.close()
    assert backup_copy.inspect(automatic, key) == HEAD_REVISION
    with pytest.raises(StorageError, match="đã được mã hóa và khóa hiện có không mở được"):
        connect(profile, new_key())


def test_the_password_key_is_the_same_for_the_same_salt_only() -> None:
    salt = new_salt()
    key = key_from_password("Mật khẩu 2026", salt)
    assert key == key_from_password("Mật khẩu 2026", salt)
    assert key != key_from_password("Mật khẩu 2026", new_salt())
    assert key != key_from_password("Mật khẩu 2027", salt)
    assert key.raw.hex() not in repr(key)


def test_a_key_is_thirty_two_bytes() -> None:
    with pytest.raises(ValueError):
        DatabaseKey(b"short")
