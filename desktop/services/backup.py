"""The profile's backups: automatic copies beside it, "Back up now" files, and restore.

Automatic backups go into the profile's ``backups`` folder as ``auto-<YYYYMMDD-HHMMSS>.sqlite``
(local time, as the copies taken before an upgrade), encrypted with the profile's key when it
has one: when the window closes after a change and once a day (``due``), newest ``kept`` kept.
A copy is written as ``….part`` and renamed once it checks out, so a process killed mid-copy
leaves no file that looks like a backup, and rotation deletes old copies only after a new one
checked out: the only good backup is never the one deleted.

Restore builds the restored profile as a new file beside the current one, checks it, carries
the current outbox into it (``backup_outbox``), keeps a copy of the current profile
(``before-restore-…``), and only then swaps it in with one atomic rename: until that rename the
current profile is untouched and open, whatever fails.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import sqlcipher3
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from desktop import __version__
from desktop.durable import fsync_file, fsync_folder
from desktop.errors import HomeroomError, StorageError
from desktop.i18n import _
from desktop.models import School, SchoolClass, cipher
from desktop.models.db import BACKUP_FOLDER, HEAD_REVISION, SQLITE_HEADER, Database, migrate
from desktop.services import backup_copy, backup_file, backup_outbox
from desktop.services.backup_copy import failure_reason, remove

DEFAULT_KEPT: Final = 7
DAILY: Final = timedelta(days=1)
AUTO: Final = "auto"
BEFORE_RESTORE: Final = "before-restore"
BEFORE_UPGRADE: Final = "before-upgrade"
BEFORE_ENCRYPTION: Final = "before-encryption"
DAMAGED: Final = "damaged"
SUFFIX: Final = ".sqlite"
PART: Final = ".part"
FINGERPRINT: Final = "last-auto-backup"
"""In the backups folder: the profile file's size and time when the last automatic backup was
made, so closing the window backs up only after a change."""
_NAME = re.compile(
    r"^(auto|before-restore|before-encryption|damaged|before-upgrade-\w+)-(\d{8}-\d{6})"
    r"(?:-\d+)?\.sqlite$"
)

Step = Callable[[str], None]


def _no_step(_name: str) -> None:
    """A named point of a backup or restore (tests stop a child process there)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str
    created: datetime
    size: int


def folder_of(database: Database) -> Path:
    return database.path.parent / BACKUP_FOLDER


def list_backups(database: Database) -> list[Backup]:
    """The copies in the profile's backups folder, newest first."""
    return backups_beside(database.path)


def backups_beside(profile: Path) -> list[Backup]:
    """The same, from the profile's path alone (a damaged profile is not opened to list them)."""
    try:
        entries = list((profile.parent / BACKUP_FOLDER).iterdir())
    except OSError:
        return []
    found: list[Backup] = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None:
            continue
        prefix = match.group(1)
        kind = BEFORE_UPGRADE if prefix.startswith(BEFORE_UPGRADE) else prefix
        try:
            created = datetime.strptime(match.group(2), "%Y%m%d-%H%M%S").astimezone()
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(Backup(entry, kind, created, size))
    return sorted(found, key=lambda item: (item.created, item.path.name), reverse=True)


def _fingerprint(database: Database) -> str:
    parts = []
    for suffix in ("", "-wal"):
        try:
            status = os.stat(f"{database.path}{suffix}")
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{status.st_size}:{status.st_mtime_ns}")
    return " ".join(parts)


def due(database: Database, *, now: datetime, closing: bool = False) -> bool:
    """Whether an automatic backup is due: none yet, the newest a day old (or from a clock set
    ahead since), or, on closing, a change since the last one."""
    newest = next((b for b in list_backups(database) if b.kind == AUTO), None)
    if newest is None:
        return True
    age = now.astimezone() - newest.created
    if age >= DAILY or age < timedelta(0):
        return True
    if not closing:
        return False
    try:
        remembered = (folder_of(database) / FINGERPRINT).read_text(encoding="ascii").strip()
    except OSError:
        return True
    return remembered != _fingerprint(database)


def back_up(
    database: Database,
    *,
    now: datetime,
    kept: int = DEFAULT_KEPT,
    kind: str = AUTO,
    step: Step = _no_step,
) -> Backup:
    """Make a checked copy in the backups folder, then delete the automatic ones past ``kept``."""
    folder = folder_of(database)
    fingerprint = _fingerprint(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(folder)
        target = free_name(folder, kind, now)
        part = target.with_name(target.name + PART)
        try:
            backup_copy.copy_pages(database.path, database.key, part)
            backup_copy.inspect(part, database.key)
            step("copied")
            os.replace(part, target)
            fsync_folder(folder)
        finally:
            remove(part)
        if kind == AUTO:
            (folder / FINGERPRINT).write_text(fingerprint, encoding="ascii")
            _rotate(database, kept, target)
    except (OSError, sqlcipher3.Error, HomeroomError) as exc:
        raise StorageError(
            _("The backup could not be made: {reason}. The class's records are unchanged.").format(
                reason=failure_reason(exc, folder)
            )
        ) from exc
    return Backup(target, kind, now.astimezone(), target.stat().st_size)


def back_up_if_due(
    database: Database, *, now: datetime, kept: int = DEFAULT_KEPT, closing: bool = False
) -> Backup | None:
    """The automatic backup of the window's hourly check and of its close."""
    if not due(database, now=now, closing=closing):
        return None
    return back_up(database, now=now, kept=kept)


def free_name(folder: Path, kind: str, now: datetime) -> Path:
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{kind}-{stamp}{SUFFIX}"
    number = 1
    while target.exists():  # two backups within a second: keep both
        number += 1
        target = folder / f"{kind}-{stamp}-{number}{SUFFIX}"
    return target


def _remove_leftovers(folder: Path) -> None:
    """Copies a killed process left half-written (each under the profile's key, or plain as
    a plain profile is, or the passphrase file's body under a key no one has any more)."""
    remove(*(entry for entry in folder.iterdir() if entry.name.endswith(PART)))


def _rotate(database: Database, kept: int, made: Path) -> None:
    """Keep ``made`` (just checked out) and the newest others up to ``kept`` in all; ``made``
    stays even when a clock set back names it older than the rest."""
    others = [b for b in list_backups(database) if b.kind == AUTO and b.path != made]
    remove(*(b.path for b in others[max(kept, 1) - 1 :]))


def back_up_now(
    database: Database, folder: Path, passphrase: str, *, now: datetime, step: Step = _no_step
) -> Path:
    """Write one passphrase-protected backup file into ``folder`` (a USB stick, a share)."""
    backup_file.check_passphrase(passphrase)
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    target = folder / f"homeroom-{stamp}{backup_file.SUFFIX}"
    part = target.with_name(target.name + PART)
    # The body is exported under a fresh random key beside the profile: nothing of it is ever
    # on disk in clear, and a killed run leaves only pages no key opens any more.
    body = folder_of(database) / f"export-{stamp}{PART}"
    file_key = cipher.new_key()
    school, classes = _names(database)
    try:
        folder_of(database).mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise StorageError(_("The folder {folder} does not exist.").format(folder=folder))
        backup_copy.export(database.path, database.key, body, file_key)
        revision = backup_copy.inspect(body, file_key)
        with part.open("xb") as handle:
            backup_file.write(
                handle,
                body,
                file_key,
                passphrase,
                app_version=__version__,
                schema_revision=revision,
                created=now,
                school=school,
                classes=classes,
            )
            handle.flush()
            os.fsync(handle.fileno())
        step("written")
        os.replace(part, target)
        fsync_folder(folder)
    except (OSError, sqlcipher3.Error, HomeroomError) as exc:
        remove(part)
        raise StorageError(
            _("The backup could not be made: {reason}. The class's records are unchanged.").format(
                reason=failure_reason(exc, folder)
            )
        ) from exc
    finally:
        remove(body)
    return target


def _names(database: Database) -> tuple[str, tuple[str, ...]]:
    with database.reading() as session:
        school = session.scalars(select(School.name)).first() or ""
        classes = tuple(session.scalars(select(SchoolClass.name).order_by(SchoolClass.name)))
    return school, classes


@dataclass(frozen=True)
class Preview:
    """What the confirmation says before a restore: the backup's date and classes, and the
    unsynced work of the current profile that is carried into the restored one."""

    source: Path
    created: datetime
    classes: tuple[str, ...]
    pending: Counter[str] | None
    """``None``: the current profile is too damaged to read its outbox."""


@dataclass(frozen=True)
class Restored:
    carried: backup_outbox.Carried
    previous: Backup
    """The copy of the profile as it was just before the restore."""


def is_passphrase_file(source: Path) -> bool:
    try:
        with source.open("rb") as handle:
            return handle.read(len(backup_file.MAGIC)) == backup_file.MAGIC
    except OSError:
        return False


def preview(database: Database, source: Path, passphrase: str | None = None) -> Preview:
    """Check ``source`` as far as it can be without writing anything; refuse a bad one."""
    if is_passphrase_file(source):
        opened = backup_file.read_header(source)
        _check_revision(opened.header.schema_revision)
        backup_file.unwrap(source, opened, passphrase or "")
        backup_file.copy_body(source, opened, None)
        header = opened.header
        return Preview(source, header.created, header.classes, _pending(database))
    key = _key_of(source, database.key)
    backup_copy.inspect(source, key)
    connection = backup_copy.connect(source, key, read_only=True)
    try:
        classes = tuple(
            str(name)
            for (name,) in connection.execute("SELECT name FROM school_class ORDER BY name")
        )
    finally:
        connection.close()
    listed = next((b for b in list_backups(database) if b.path == source), None)
    created = (
        listed.created
        if listed is not None
        else datetime.fromtimestamp(source.stat().st_mtime).astimezone()
    )
    return Preview(source, created, classes, _pending(database))


def _pending(database: Database) -> Counter[str] | None:
    try:
        return backup_outbox.pending_names(database)
    except (DBAPIError, sqlcipher3.DatabaseError):
        return None


def _check_revision(revision: str) -> None:
    from desktop.models.db import known_revisions

    if revision != HEAD_REVISION and revision not in known_revisions():
        raise backup_file.newer()


def _key_of(source: Path, profile_key: cipher.DatabaseKey | None) -> cipher.DatabaseKey | None:
    """A backup beside the profile is plain if it starts as SQLite's files do, else under the
    profile's key; any other file is not a Homeroom backup."""
    try:
        with source.open("rb") as handle:
            start = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(
            _("Cannot read the backup file: {reason}.").format(
                reason=failure_reason(exc, source.parent)
            )
        ) from exc
    if start == SQLITE_HEADER:
        return None
    if profile_key is None or len(start) < len(SQLITE_HEADER):
        raise backup_file.not_a_backup()
    return profile_key


def restore(
    database: Database,
    source: Path,
    passphrase: str | None = None,
    *,
    now: datetime,
    step: Step = _no_step,
    damaged: bool = False,
) -> Restored:
    """Replace the profile's records by the backup's, keeping the unsynced intents; the
    database reopens on the restored file at its next use.

    ``damaged``: the profile failed its check on open (``health.DamagedDatabase``); its outbox
    is carried as far as it can still be read, and the file itself is kept byte for byte
    (``damaged-…``, as encrypted as it was) for the school's IT contact."""
    profile = database.path
    candidate = profile.with_name(profile.name + ".restoring")
    incoming = profile.with_name(profile.name + ".incoming")
    remove(
        candidate, incoming
    )  # a killed restore's leftovers (each under a key, or plain as the profile)
    try:
        source_path, source_key = _unpack(database, source, passphrase, incoming)
        backup_copy.inspect(source_path, source_key)
        step("unpacked")
        if source_key == database.key:  # a copy beside the profile, under its key
            backup_copy.copy_pages(source_path, source_key, candidate)
        else:
            backup_copy.export(source_path, source_key, candidate, database.key)
        remove(incoming)
        revision = backup_copy.inspect(candidate, database.key)
        if revision != HEAD_REVISION:
            migrate(candidate, database.key)
        carried = _carry(database, candidate, damaged=damaged)
        fsync_file(candidate)
        step("checked")
        previous = (
            _keep_damaged(database, now)
            if damaged
            else back_up(database, now=now, kind=BEFORE_RESTORE)
        )
        step("kept")
        _swap(database, candidate, damaged=damaged)
        step("swapped")
    except (OSError, sqlcipher3.Error) as exc:
        raise StorageError(
            _(
                "The backup could not be restored: {reason}. The class's records are unchanged."
            ).format(reason=failure_reason(exc, profile.parent))
        ) from exc
    finally:
        remove(candidate, incoming)
    return Restored(carried, previous)


def _carry(database: Database, candidate: Path, *, damaged: bool) -> backup_outbox.Carried:
    try:
        return backup_outbox.carry(database, candidate, database.key)
    except (DBAPIError, sqlcipher3.DatabaseError):
        if not damaged:
            raise
        # The damage message already said these changes could not be counted, or are lost.
        return backup_outbox.Carried(Counter(), 0)


def _keep_damaged(database: Database, now: datetime) -> Backup:
    folder = folder_of(database)
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, DAMAGED, now)
    shutil.copyfile(database.path, target)
    fsync_file(target)
    return Backup(target, DAMAGED, now.astimezone(), target.stat().st_size)


def _unpack(
    database: Database, source: Path, passphrase: str | None, incoming: Path
) -> tuple[Path, cipher.DatabaseKey | None]:
    """The restored records as a database file and its key: a backup beside the profile as
    it is; a passphrase file's body copied out (under its own key) once the passphrase opens it."""
    if not is_passphrase_file(source):
        return source, _key_of(source, database.key)
    opened = backup_file.read_header(source)
    _check_revision(opened.header.schema_revision)
    file_key = backup_file.unwrap(source, opened, passphrase or "")
    with incoming.open("xb") as handle:
        backup_file.copy_body(source, opened, handle)
        handle.flush()
        os.fsync(handle.fileno())
    return incoming, file_key


def _swap(database: Database, candidate: Path, *, damaged: bool = False) -> None:
    """Rename the checked copy over the profile, with no connection open and no write-ahead log
    left that would be replayed onto the new file (a damaged file's log goes with it)."""
    profile = database.path
    busy = None
    if not damaged:
        with database.engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    database.engine.dispose()
    if damaged:
        remove(Path(f"{profile}-wal"))
    wal = Path(f"{profile}-wal")
    if (busy is not None and busy[0]) or (wal.exists() and wal.stat().st_size > 0):
        raise StorageError(
            _(
                "The profile is open in another Homeroom window or command; close it and "
                "restore again. The class's records are unchanged."
            )
        )
    os.replace(candidate, profile)
    remove(wal, Path(f"{profile}-shm"))
    fsync_folder(profile.parent)
