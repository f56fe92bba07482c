"""Upgrading a profile made by the first released schema (Alembic revision 0001) with the newest
code: backed up first, then migrated to Alembic's head with every row kept; a backup that
cannot be made leaves the database as it was.

The old profile is built here: the 0001 schema by its own migration, then the demo class's
rows (realistic names, requests, marks, grades and the audit chain) copied into it with plain
SQL, column by column as 0001 has them.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from desktop.cli.main import main
from desktop.errors import StorageError
from desktop.models.db import (
    APPLICATION_ID,
    BACKUP_FOLDER,
    DATABASE_FILE,
    alembic_config,
    head_revision,
    open_database,
)
from tests.disk import fill, small_disk
from tests.support.profiles import without_keyring

FIRST = "0001"


def _columns(connection: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in connection.execute(f'PRAGMA {schema}.table_info("{table}")')]


def _tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name"
    )
    return [row[0] for row in rows]


def counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _tables(connection)
        }
    finally:
        connection.close()


def revision_of(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A populated profile database at revision 0001."""
    demo = tmp_path_factory.mktemp("demo-at-head")
    with without_keyring():  # read with bare sqlite3 below: plain
        assert main(["--data-dir", str(demo), "init", "--demo"]) == 0
    path = tmp_path_factory.mktemp("first-release") / DATABASE_FILE
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), FIRST)
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        connection.commit()
    engine.dispose()
    old = sqlite3.connect(path)
    try:
        old.execute("ATTACH DATABASE ? AS demo", (str(demo / DATABASE_FILE),))
        for table in _tables(old):
            wanted = _columns(old, "demo", table)
            shared = ", ".join(f'"{c}"' for c in _columns(old, "main", table) if c in wanted)
            old.execute(
                f'INSERT INTO main."{table}" ({shared}) SELECT {shared} FROM demo."{table}"'
            )
        old.commit()
        old.execute("DETACH DATABASE demo")
    finally:
        old.close()
    return path


@pytest.fixture
def old_profile(first_release: Path, tmp_path: Path) -> Path:
    target = tmp_path / "profile" / DATABASE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(first_release, target)
    return target


def test_revision_0001_is_the_first_released_schema() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_base() == FIRST


def test_the_fixture_is_a_populated_profile_at_0001(first_release: Path) -> None:
    rows = counts(first_release)
    assert revision_of(first_release) == FIRST
    assert "outbox" not in rows  # came with 0002
    assert rows["student"] > 30 and rows["guardian"] > 30
    assert rows["leave_request"] > 50 and rows["attendance_mark"] > 100
    assert rows["grade_entry"] > 100 and rows["audit_log"] > 0


def test_an_old_profile_is_backed_up_then_upgraded_to_head_with_its_rows(
    old_profile: Path,
) -> None:
    before = counts(old_profile)
    database = open_database(old_profile)
    database.close()

    assert revision_of(old_profile) == head_revision()
    after = counts(old_profile)
    assert {table: after[table] for table in before} == before
    backups = list((old_profile.parent / BACKUP_FOLDER).glob(f"before-upgrade-{FIRST}-*.sqlite"))
    assert len(backups) == 1
    (backup,) = backups
    assert len(backup.stem.removeprefix(f"before-upgrade-{FIRST}-")) == len("YYYYMMDD-HHMMSS")
    assert revision_of(backup) == FIRST
    assert counts(backup) == before
    assert not backup.with_name(backup.name + "-wal").exists()


def test_the_upgraded_profile_works_with_the_newest_commands(
    old_profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(old_profile.parent)
    assert main(["--data-dir", folder, "leave", "list", "--status", "approved"]) == 0
    assert main(["--data-dir", folder, "log", "verify"]) == 0
    assert main(["--data-dir", folder, "attendance", "summary"]) == 0
    capsys.readouterr()


def test_a_profile_already_at_head_is_not_backed_up_again(old_profile: Path) -> None:
    open_database(old_profile).close()
    open_database(old_profile).close()
    assert len(list((old_profile.parent / BACKUP_FOLDER).iterdir())) == 1


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_that_cannot_be_made_leaves_the_database_untouched(old_profile: Path) -> None:
    # Something else holds the backup folder's name: the copy cannot be written.
    (old_profile.parent / BACKUP_FOLDER).write_text("not a folder", encoding="utf-8")
    before = _digest(old_profile)
    with pytest.raises(StorageError, match="sao lưu") as refused:
        open_database(old_profile)
    assert "Chưa có gì bị thay đổi" in refused.value.message
    assert _digest(old_profile) == before
    assert revision_of(old_profile) == FIRST


def test_a_full_disk_stops_the_upgrade_before_anything_changes(
    first_release: Path, tmp_path: Path
) -> None:
    size = first_release.stat().st_size
    with small_disk(tmp_path, size=f"{size // 1024 + 512}k") as disk:
        path = disk / DATABASE_FILE
        shutil.copy2(first_release, path)
        before = _digest(path)
        fill(disk)
        with pytest.raises(StorageError, match="sao lưu") as refused:
            open_database(path)
        assert "đầy" in refused.value.message
        assert _digest(path) == before
        assert revision_of(path) == FIRST
        backups = disk / BACKUP_FOLDER
        assert not backups.exists() or list(backups.iterdir()) == []


def test_an_upgrade_that_fails_names_the_backup_that_keeps_the_records(
    old_profile: Path,
) -> None:
    # A stray table in the way of the next migration (a file edited by another tool).
    connection = sqlite3.connect(old_profile)
    connection.execute("CREATE TABLE outbox (note TEXT)")
    connection.commit()
    connection.close()
    before = counts(old_profile)
    with pytest.raises(StorageError, match="không thành công") as failed:
        open_database(old_profile)
    (backup,) = (old_profile.parent / BACKUP_FOLDER).glob(f"before-upgrade-{FIRST}-*.sqlite")
    assert str(backup) in failed.value.message
    assert revision_of(backup) == FIRST
    assert counts(backup) == before
