"""Find a damaged profile when it is opened, before anything is written to it.

``PRAGMA quick_check`` runs on every open (it skips the index-to-table cross-check, so it costs a
read of the file); the full ``integrity_check`` runs when the last one is older than a week. When
it was last done is kept beside the database (``INTEGRITY_STAMP``): the database itself cannot be
trusted to remember, since the check exists because the file may be damaged.

A damaged file raises ``DamagedDatabase``: its message names the newest backup that checks out
and the changes not yet sent to the server that restoring it, or taking a fresh copy from the
server, would lose.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models.cipher import connect_file, database_errors, driver_errors

if TYPE_CHECKING:
    from desktop.models.cipher import DatabaseKey

FULL_CHECK_EVERY: Final = timedelta(days=7)
CHECK_CACHE_CAP_KIB: Final = 256 * 1024
INTEGRITY_STAMP: Final = "integrity-checked"
"""Beside the database: the UTC time of the last full ``integrity_check`` that passed."""


class DamagedDatabase(StorageError):
    """SQLite found the profile's file damaged; ``backup`` is the newest good copy (or None),
    ``pending`` the unsynced intents by name (None when the damage hides them)."""

    def __init__(self, path: Path, backup: Path | None, pending: Counter[str] | None) -> None:
        self.path = path
        self.backup = backup
        self.pending = pending
        super().__init__(damage_message(backup, pending))


def check_health(
    path: Path, *, key: DatabaseKey | None = None, now: datetime | None = None
) -> None:
    """Raise ``DamagedDatabase`` if SQLite finds ``path`` damaged; run the full check weekly.
    ``key`` opens an encrypted profile."""
    moment = now or datetime.now(UTC)
    full = _full_check_due(path, moment)
    if _sound(path, "integrity_check" if full else "quick_check", key):
        if full:
            with contextlib.suppress(OSError):  # not remembered: the next open checks again
                (path.parent / INTEGRITY_STAMP).write_text(moment.isoformat(), encoding="ascii")
        return
    raise DamagedDatabase(path, newest_good_backup(path, key), pending_intents(path, key))


def _full_check_due(path: Path, now: datetime) -> bool:
    try:
        last = datetime.fromisoformat(
            (path.parent / INTEGRITY_STAMP).read_text(encoding="ascii").strip()
        )
    except (OSError, ValueError):
        return True
    if last.tzinfo is None:
        return True
    return now - last >= FULL_CHECK_EVERY or last > now


def _passes(path: Path, pragma: str, key: DatabaseKey | None) -> bool:
    connection = connect_file(path, key)
    try:
        if key is not None:
            # SQLCipher decrypts and authenticates a page each time SQLite reads it from the
            # file, and the check comes back to pages its 2 MiB cache has let go: a cache the
            # size of the file (freed when this connection closes) makes that once per page,
            # the 40-class school's check 160 -> 135 ms. A plain file's rereads are copies from
            # the OS's cache, which a larger cache only slows (82 -> 96 ms).
            kib = min(path.stat().st_size // 1024 + 1024, CHECK_CACHE_CAP_KIB)
            connection.execute(f"PRAGMA cache_size = -{kib}")
        # One row, "ok", when sound; otherwise up to 100 rows naming what is wrong.
        return bool(connection.execute(f"PRAGMA {pragma}").fetchall() == [("ok",)])
    finally:
        connection.close()


def _sound(path: Path, pragma: str, key: DatabaseKey | None) -> bool:
    """Whether SQLite finds the profile sound; a full disk, a lock or a file it cannot open is
    not damage, and raises (``translate_storage_errors`` names it)."""
    try:
        return _passes(path, pragma, key)
    except database_errors() as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_NOTADB:
            # No page SQLite can read as its own, so nothing to restore it *as*: it is not a
            # damaged profile but not one at all, and ``check_file`` refuses it.
            return True
        if code == sqlite3.SQLITE_CORRUPT:  # so damaged the check itself cannot run
            return False
        raise


def _good_copy(path: Path, key: DatabaseKey | None) -> bool:
    """Whether the copy opens (plain, or with the profile's key) and checks out."""
    for candidate in (None, key) if key is not None else (None,):
        try:
            return _passes(path, "quick_check", candidate)
        except driver_errors(StorageError):
            continue
    return False


def newest_good_backup(path: Path, key: DatabaseKey | None = None) -> Path | None:
    """The newest copy in the profile's backups folder that opens (plain, or with ``key``)
    and checks out."""
    from desktop.models.db import BACKUP_FOLDER

    folder = path.parent / BACKUP_FOLDER
    try:
        candidates = sorted(
            (entry for entry in folder.iterdir() if entry.suffix == ".sqlite"),
            key=lambda entry: entry.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return None
    return next((entry for entry in candidates if _good_copy(entry, key)), None)


def pending_intents(path: Path, key: DatabaseKey | None = None) -> Counter[str] | None:
    """The outbox's intents by name, or None when the damage makes them unreadable."""
    try:
        connection = connect_file(path, key)
        try:
            return Counter(name for (name,) in connection.execute("SELECT name FROM outbox"))
        finally:
            connection.close()
    except database_errors(StorageError):
        return None


def _kind_of(name: str) -> str:
    """The area an intent belongs to, as the teacher knows it (its label names one request)."""
    # Lazily: the intents are declared once, by area, in the services.
    from desktop.services.intents import attendance, grades, leave, roster

    for declared, kind in (
        (leave.DECLARED, _("leave requests")),
        (attendance.DECLARED, _("attendance")),
        (grades.DECLARED, _("grades")),
        (roster.DECLARED, _("class list")),
    ):
        if any(intent.name == name for intent in declared):
            return kind
    return _("other changes")


def damage_message(backup: Path | None, pending: Counter[str] | None) -> str:
    lines = [
        _("The class's records in this profile are damaged (SQLite found faults in the file).")
    ]
    if backup is not None:
        lines.append(_("The newest good backup is {path}: it can be restored.").format(path=backup))
    else:
        lines.append(_("No good backup of this profile was found."))
    lines.append(_("Or take a fresh copy of the class from the server by signing in again."))
    if pending is None:
        lines.append(
            _("The changes not yet sent to the server could not be counted; they may be lost.")
        )
    elif pending:
        by_kind: Counter[str] = Counter()
        for name, count in pending.items():
            by_kind[_kind_of(name)] += count
        kinds = "; ".join(f"{kind}: {count}" for kind, count in sorted(by_kind.items()))
        lines.append(
            _("Both lose the {count} changes not yet sent to the server ({kinds}).").format(
                count=sum(pending.values()), kinds=kinds
            )
        )
    else:
        lines.append(_("Every change has reached the server: nothing unsynced is lost."))
    return "\n".join(lines)


def pending_by_kind(pending: Counter[str]) -> Counter[str]:
    """Unsynced intents counted by the area the teacher knows them by (a restore's
    confirmation names them as the damage message does)."""
    by_kind: Counter[str] = Counter()
    for name, count in pending.items():
        by_kind[_kind_of(name)] += count
    return by_kind
