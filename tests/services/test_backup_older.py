"""A backup from before an upgrade (schema 0001, no outbox yet) restores: the restored copy is
upgraded before the current outbox is carried into it, and the profile opens at head."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.models.db import BACKUP_FOLDER, HEAD_REVISION, open_database
from desktop.services import backup
from tests.models.test_upgrade import FIRST, counts, revision_of
from tests.models.test_upgrade import first_release as first_release  # the fixture
from tests.models.test_upgrade import old_profile as old_profile  # the fixture
from tests.sync_faults import harness

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def test_a_backup_taken_before_an_upgrade_restores_at_head_with_the_outbox(
    old_profile: Path,
) -> None:
    before = counts(old_profile)
    database = open_database(old_profile)  # upgrades, keeping before-upgrade-0001-….sqlite
    try:
        (older,) = (old_profile.parent / BACKUP_FOLDER).glob(f"before-upgrade-{FIRST}-*.sqlite")
        assert [b.kind for b in backup.list_backups(database)] == [backup.BEFORE_UPGRADE]
        student = harness.students_of(database)[0]
        queued = harness.roll_call(
            database, student, datetime(2026, 3, 16).date(), "morning", "late"
        )
        assert queued is not None

        restored = backup.restore(database, older, now=NOW)

        assert sum(restored.carried.pending.values()) == 1
        assert revision_of(old_profile) == HEAD_REVISION
        after = counts(old_profile)
        # The carried roll call is applied at once: its mark and its audit-log entry.
        applied = {"attendance_mark", "audit_log"}
        assert {t: after[t] for t in before if t not in applied} == {
            t: n for t, n in before.items() if t not in applied
        }
        assert after["audit_log"] == before["audit_log"] + 1
        assert after["outbox"] == 1
    finally:
        database.close()
