"""A backup from before an upgrade (schema 0001, no outbox yet) restores: the restored copy is
upgraded before the current outbox is carried into it, and the profile opens at head, also when
the profile has been encrypted since (the plain old copy is restored under the profile's key)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.models import profile_key
from desktop.models.cipher import DatabaseKey, connect_file
from desktop.models.db import BACKUP_FOLDER, HEAD_REVISION, Database, open_database
from desktop.models.encryption import encrypt_profile
from desktop.services import backup
from tests.models.test_upgrade import FIRST, counts
from tests.models.test_upgrade import first_release as first_release  # the fixture
from tests.models.test_upgrade import old_profile as old_profile  # the fixture
from tests.sync_faults import harness

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def upgraded(path: Path, *, encrypted: bool) -> Database:
    """The profile opened at head (keeping before-upgrade-0001-….sqlite, plain), then, when
    ``encrypted``, encrypted under a password-kept key as a first start without keyring does."""
    open_database(path).close()
    if not encrypted:
        return open_database(path)
    key = profile_key.keep_under_password(path, "mật khẩu ứng dụng")
    encrypt_profile(path, key)
    assert not path.read_bytes().startswith(b"SQLite format 3")
    return open_database(path, key)


def contents(path: Path, key: DatabaseKey | None) -> tuple[str, dict[str, int]]:
    """The file's revision and its tables' row counts, read with its key."""
    connection = connect_file(path, key)
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return revision, {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }
    finally:
        connection.close()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_backup_taken_before_an_upgrade_restores_at_head_with_the_outbox(
    old_profile: Path, encrypted: bool
) -> None:
    before = counts(old_profile)
    database = upgraded(old_profile, encrypted=encrypted)
    try:
        (older,) = (old_profile.parent / BACKUP_FOLDER).glob(f"before-upgrade-{FIRST}-*.sqlite")
        assert backup.BEFORE_UPGRADE in [b.kind for b in backup.list_backups(database)]
        student = harness.students_of(database)[0]
        queued = harness.roll_call(
            database, student, datetime(2026, 3, 16).date(), "morning", "late"
        )
        assert queued is not None

        restored = backup.restore(database, older, now=NOW)

        assert sum(restored.carried.pending.values()) == 1
        revision, after = contents(old_profile, database.key)
        assert revision == HEAD_REVISION
        # The carried roll call is applied at once: its mark and its audit-log entry.
        applied = {"attendance_mark", "audit_log"}
        assert {t: after[t] for t in before if t not in applied} == {
            t: n for t, n in before.items() if t not in applied
        }
        assert after["audit_log"] == before["audit_log"] + 1
        assert after["outbox"] == 1
    finally:
        database.close()
