"""A profile whose bytes were really overwritten is found damaged when it is opened.

The file is made by ``open_database``, filled through SQLite, closed (the WAL checkpointed into
the file), and then pages of one table are overwritten on disk, as a failing disk or a copy cut
short would leave them.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.models.db import HEAD_REVISION, backup_before_upgrade, open_database
from desktop.models.health import INTEGRITY_STAMP, DamagedDatabase, check_health
from tests.damage import overwrite_pages_of

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def make_profile(path: Path, *, leave_decisions: int) -> None:
    open_database(path).close()
    connection = sqlite3.connect(path)
    try:
        connection.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
        connection.executemany(
            "INSERT INTO filler (body) VALUES (?)", [("x" * 300,) for _ in range(400)]
        )
        connection.executemany(
            "INSERT INTO outbox (id, name, args, actor, created_at, attempts) "
            "VALUES (?, ?, '{}', 'gv', '2026-12-01 08:00:00.000000', 0)",
            [(str(uuid.UUID(int=n)), "decide_leave") for n in range(leave_decisions)]
            + [(str(uuid.UUID(int=1000)), "set_grade")],
        )
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def test_a_damaged_file_names_the_newest_good_backup_and_the_unsynced_work(
    tmp_path: Path,
) -> None:
    path = tmp_path / "homeroom.sqlite3"
    make_profile(path, leave_decisions=3)
    older = backup_before_upgrade(path, HEAD_REVISION, now=datetime(2026, 11, 1, 7, 0))
    newest = backup_before_upgrade(path, HEAD_REVISION, now=datetime(2026, 12, 1, 7, 0))
    damaged_copy = path.parent / "backups" / "before-upgrade-damaged.sqlite"
    damaged_copy.write_bytes(newest.read_bytes())
    overwrite_pages_of(damaged_copy, "filler")  # newer by mtime, but not good
    (path.parent / "backups" / "foreign.sqlite").write_bytes(b"SQLite format 3\x00" + b"?" * 4096)

    os.utime(older, (1, 1))
    overwrite_pages_of(path, "filler")

    with pytest.raises(DamagedDatabase) as refused:
        open_database(path)

    assert refused.value.backup == newest
    assert refused.value.pending == {"decide_leave": 3, "set_grade": 1}
    message = refused.value.message
    assert "bị hỏng" in message
    assert str(newest) in message
    assert "4 thay đổi" in message
    assert "đơn xin nghỉ: 3" in message and "điểm: 1" in message
    assert "máy chủ" in message


def test_a_damaged_outbox_says_the_unsynced_work_cannot_be_counted(tmp_path: Path) -> None:
    path = tmp_path / "homeroom.sqlite3"
    make_profile(path, leave_decisions=300)
    overwrite_pages_of(path, "outbox")

    with pytest.raises(DamagedDatabase) as refused:
        open_database(path)

    assert refused.value.backup is None
    assert refused.value.pending is None


def test_the_full_check_runs_weekly_and_is_remembered(tmp_path: Path) -> None:
    path = tmp_path / "homeroom.sqlite3"
    make_profile(path, leave_decisions=1)
    stamp = path.parent / INTEGRITY_STAMP
    stamp.unlink(missing_ok=True)

    check_health(path, now=NOW)
    assert datetime.fromisoformat(stamp.read_text(encoding="ascii")) == NOW
    check_health(path, now=NOW + timedelta(days=6))
    assert datetime.fromisoformat(stamp.read_text(encoding="ascii")) == NOW
    check_health(path, now=NOW + timedelta(days=7))
    assert datetime.fromisoformat(stamp.read_text(encoding="ascii")) == NOW + timedelta(days=7)
