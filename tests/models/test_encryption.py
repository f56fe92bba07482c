"""The profile encrypted at rest through ``open_profile``: new profiles, a plain one migrated on
first open (killed at every step), the key kept in the keyring or under the app password."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from desktop.demo.generator import generate_demo_class
from desktop.errors import StorageError
from desktop.models import Guardian, Student, profile_key
from desktop.models.cipher import connect, export_encrypted, new_key
from desktop.models.db import (
    APPLICATION_ID,
    alembic_config,
    head_revision,
    known_revisions,
    open_database,
    sqlite_primary_code,
    storage_error_for,
)
from desktop.models.encryption import STEPS, encrypt_profile, encrypt_with_password, open_profile
from desktop.models.health import DamagedDatabase
from desktop.sync.memory_keyring import MemoryKeyring
from tests import disk

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Mật khẩu 2026"


@pytest.fixture(scope="module")
def demo_plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "homeroom.sqlite3"
    database = open_database(path)
    with database.transaction() as session:
        generate_demo_class(session, seed=2025)
    database.close()
    return path


@pytest.fixture
def plain(demo_plain: Path, tmp_path: Path) -> Path:
    path = tmp_path / "profile" / "homeroom.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(demo_plain, path)
    return path


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def names_in(path: Path) -> list[bytes]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            f"SELECT full_name FROM {Student.__tablename__} "
            f"UNION SELECT full_name FROM {Guardian.__tablename__}"
        ).fetchall()
    finally:
        connection.close()
    return [name.encode("utf-8") for (name,) in rows]


def counts_of(database_path: Path, **open_options: object) -> dict[str, int]:
    database = open_profile(database_path, **open_options)  # type: ignore[arg-type]
    try:
        with database.reading() as session:
            tables = session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).all()
            return {t: session.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0 for t in tables}
    finally:
        database.close()


def plain_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def leaked(folder: Path, names: list[bytes]) -> list[str]:
    """Every file under ``folder`` that holds one of ``names`` in clear."""
    found = []
    for entry in folder.rglob("*"):
        if entry.is_file():
            data = entry.read_bytes()
            if any(name in data for name in names):
                found.append(entry.name)
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_plain_profile_is_encrypted_on_first_open_with_its_key_in_the_keyring(
    plain: Path, memory_keyring: MemoryKeyring
) -> None:
    names, before = names_in(plain), plain_counts(plain)
    assert len(names) > 40 and leaked(plain.parent, names) == ["homeroom.sqlite3"]

    database = open_profile(plain, use_keyring=True)
    try:
        assert database.key is not None
        with database.reading() as session:
            assert session.scalar(select(func.count()).select_from(Student)) == before["student"]
    finally:
        database.close()

    assert not plain.read_bytes().startswith(b"SQLite format 3")
    assert leaked(plain.parent, names) == []  # the file, its backup, the sidecar, any leftover
    assert sorted(p.name for p in plain.parent.iterdir()) == [
        "backups",
        "homeroom.key.json",
        "homeroom.sqlite3",
        "integrity-checked",
    ]
    sidecar = profile_key.read_sidecar(plain)
    assert sidecar is not None and sidecar.custody == "keyring"
    stored = memory_keyring.get_password("homeroom", f"database|{sidecar.profile}")
    assert stored == database.key.raw.hex()
    assert stored not in profile_key.key_file(plain).read_text(encoding="utf-8")
    assert counts_of(plain) == before
    # The low-level opener (the suite's) opens it too, with the key the keyring keeps.
    again = open_database(plain)
    assert again.key == database.key
    again.close()


def test_a_disk_too_full_for_the_encrypted_copy_leaves_the_profile_plain_and_in_use(
    demo_plain: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """The disk holds the profile and its encrypted backup, then fills up in the middle of the
    encrypted copy: the profile opens plain and whole (the next open tries again), and neither
    the half copy nor that attempt's backup is left to take the space a full disk lacks.
    SQLCipher's export said so only as "database or disk is full" with a generic code, and the
    teacher got "something went wrong" instead of the profile."""
    probe = tmp_path / "probe.sqlite3"
    export_encrypted(demo_plain, probe, new_key(), APPLICATION_ID)
    room = demo_plain.stat().st_size + probe.stat().st_size * 3 // 2
    with disk.small_disk(tmp_path, size=f"{room // 1024}k") as mount:
        path = mount / "profile" / "homeroom.sqlite3"
        path.parent.mkdir()
        shutil.copyfile(demo_plain, path)
        before = plain_counts(path)

        database = open_profile(path, use_keyring=True)
        try:
            assert database.key is None
            with database.reading() as session:
                assert (
                    session.scalar(select(func.count()).select_from(Student)) == before["student"]
                )
        finally:
            database.close()

        assert path.read_bytes().startswith(b"SQLite format 3")
        assert plain_counts(path) == before
        assert list((path.parent / "backups").glob("before-encryption-*")) == []
        assert not path.with_name(path.name + ".encrypting").exists()


def test_a_new_profile_is_made_encrypted_when_the_os_has_a_keyring(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "new" / "homeroom.sqlite3"
    database = open_profile(path, use_keyring=True)
    with database.transaction() as session:
        generate_demo_class(session, seed=7)
    database.close()
    data = path.read_bytes()
    assert not data.startswith(b"SQLite format 3")
    reopened = open_profile(path)
    with reopened.reading() as session:
        name = session.scalars(select(Student.full_name)).first()
    reopened.close()
    assert name is not None and name.encode("utf-8") not in path.read_bytes()


def test_without_a_keyring_or_a_password_the_profile_stays_plain(plain: Path) -> None:
    database = open_profile(plain, use_keyring=False)
    assert database.key is None
    database.close()
    assert plain.read_bytes().startswith(b"SQLite format 3")
    assert profile_key.read_sidecar(plain) is None

    assert encrypt_with_password(plain, PASSWORD)  # the app password is set: encrypted now
    assert not plain.read_bytes().startswith(b"SQLite format 3")
    assert counts_of(plain, password=PASSWORD) == plain_counts_from_backup(plain)


def plain_counts_from_backup(path: Path) -> dict[str, int]:
    """The counts of the encrypted pre-encryption backup, read with the profile's key."""
    sidecar = profile_key.read_sidecar(path)
    assert sidecar is not None
    key = profile_key.unlock(path, sidecar, PASSWORD)
    (backup,) = (path.parent / "backups").glob("before-encryption-*.sqlite")
    database = open_database(backup, key)
    try:
        with database.reading() as session:
            tables = session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).all()
            return {t: session.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0 for t in tables}
    finally:
        database.close()


def test_the_wrong_password_says_so_and_leaves_the_file_untouched(plain: Path) -> None:
    open_profile(plain, password=PASSWORD, use_keyring=False).close()
    untouched, sidecar = digest(plain), profile_key.key_file(plain).read_bytes()

    with pytest.raises(profile_key.WrongPassword, match="Mật khẩu ứng dụng không đúng"):
        open_profile(plain, password="Mật khẩu 2025")
    with pytest.raises(profile_key.PasswordNeeded, match="được mã hóa bằng mật khẩu ứng dụng"):
        open_profile(plain)
    with pytest.raises(StorageError, match="đã được mã hóa và khóa hiện có không mở được"):
        open_database(plain, new_key())

    assert digest(plain) == untouched
    assert profile_key.key_file(plain).read_bytes() == sidecar
    open_profile(plain, password=PASSWORD).close()


def test_a_password_change_rewraps_the_key_and_leaves_the_database_as_it_is(
    plain: Path,
) -> None:
    open_profile(plain, password=PASSWORD, use_keyring=False).close()
    untouched = digest(plain)

    with pytest.raises(profile_key.WrongPassword):
        profile_key.rewrap(plain, "not it", "1234")
    profile_key.rewrap(plain, PASSWORD, "1234")

    assert digest(plain) == untouched
    with pytest.raises(profile_key.WrongPassword):
        open_profile(plain, password=PASSWORD)
    open_profile(plain, password="1234").close()


def test_a_key_missing_from_the_keyring_or_a_damaged_sidecar_is_named(
    plain: Path, memory_keyring: MemoryKeyring
) -> None:
    open_profile(plain, use_keyring=True).close()
    sidecar = profile_key.read_sidecar(plain)
    assert sidecar is not None
    untouched = digest(plain)
    memory_keyring.delete_password("homeroom", f"database|{sidecar.profile}")
    with pytest.raises(StorageError, match="khóa của nó không có trong kho mật khẩu"):
        open_profile(plain)

    profile_key.key_file(plain).write_text('{"format": 1, "custody": "keyring"', encoding="utf-8")
    with pytest.raises(StorageError, match="bị hỏng hoặc không đọc được"):
        open_profile(plain)
    profile_key.key_file(plain).unlink()
    with pytest.raises(StorageError, match="đang thiếu tệp cho biết khóa của nó được giữ ở đâu"):
        open_profile(plain)
    assert digest(plain) == untouched


def test_a_plaintext_keyring_is_refused(plain: Path) -> None:
    class PlaintextKeyring(MemoryKeyring):
        """Named as ``keyrings.alt``'s backend that writes secrets in clear."""

    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        with pytest.raises(StorageError, match="kho mật khẩu an toàn"):
            profile_key.keep_in_keyring(plain)
    finally:
        keyring.set_keyring(previous)
    assert profile_key.read_sidecar(plain) is None


def test_an_encrypted_profile_at_an_old_revision_is_backed_up_encrypted_then_upgraded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old" / "homeroom.sqlite3"
    path.parent.mkdir()
    first = sorted(known_revisions())[0]
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), first)
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        connection.exec_driver_sql(
            "INSERT INTO school (id, code, name, governing_body, province, level) "
            "VALUES (1, 'NDC', 'Trường THPT Nguyễn Đình Chiểu', 'SỞ GD&ĐT BẾN TRE', 'Bến Tre', "
            "'upper_secondary')"
        )
        connection.commit()
    engine.dispose()
    key = profile_key.keep_under_password(path, PASSWORD)
    encrypt_profile(path, key)

    database = open_profile(path, password=PASSWORD)
    try:
        with database.reading() as session:
            revision = session.scalar(text("SELECT version_num FROM alembic_version"))
            school = session.scalar(text("SELECT name FROM school"))
    finally:
        database.close()
    assert (revision, school) == (head_revision(), "Trường THPT Nguyễn Đình Chiểu")
    (backup,) = (path.parent / "backups").glob(f"before-upgrade-{first}-*.sqlite")
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    assert "Nguyễn Đình Chiểu".encode() not in backup.read_bytes()
    copy = connect(backup, key, read_only=True)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(first,)]
    finally:
        copy.close()


def test_damage_in_an_encrypted_profile_is_found_on_open(plain: Path) -> None:
    open_profile(plain, password=PASSWORD, use_keyring=False).close()
    data = bytearray(plain.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    middle = (len(data) // page // 2) * page
    data[middle + 100 : middle + 164] = bytes(64)  # a page whose authentication no longer holds
    plain.write_bytes(bytes(data))

    with pytest.raises(DamagedDatabase, match="bị hỏng"):
        open_profile(plain, password=PASSWORD)


def test_sqlciphers_errors_are_classified_as_sqlites(plain: Path) -> None:
    import sqlcipher3

    key = new_key()
    target = plain.with_name("encrypted.sqlite3")
    export_encrypted(plain, target, key, APPLICATION_ID)
    connection = connect(target, key, read_only=True)
    try:
        with pytest.raises(sqlcipher3.Error) as raised:
            connection.execute("DELETE FROM student")
    finally:
        connection.close()
    assert sqlite_primary_code(raised.value) == sqlite3.SQLITE_READONLY
    translated = storage_error_for(raised.value, plain.parent)
    assert isinstance(translated, StorageError) and "chỉ cho phép đọc" in translated.message


@pytest.mark.parametrize("step", ["sidecar", *STEPS])
def test_a_kill_at_any_step_of_the_encryption_loses_nothing(plain: Path, step: str) -> None:
    """SIGKILL once the child reports the step done (no timing: it waits at that step)."""
    names, before = names_in(plain), plain_counts(plain)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.models.encryption_worker", str(plain), PASSWORD, step],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None and worker.stderr is not None
    heard = []
    while not heard or heard[-1] != step:
        line = worker.stdout.readline().strip()
        assert line, f"the worker stopped after {heard}: {worker.stderr.read()}"
        heard.append(line)
    if step in ("checkpointed", "backed-up", "exported", "linked"):
        # Meanwhile nobody else may write to the plain file (a change would be lost).
        other = sqlite3.connect(plain, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL

    # Whatever the step, the profile opens, holds every row, and ends up encrypted.
    assert counts_of(plain, password=PASSWORD) == before
    assert not plain.read_bytes().startswith(b"SQLite format 3")
    assert leaked(plain.parent, names) == []
    leftovers = [p.name for p in plain.parent.iterdir() if p.suffix in (".plain", ".encrypting")]
    assert leftovers == []
