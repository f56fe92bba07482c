"""What a profile that fails its check on open (``health.DamagedDatabase``) still allows: to be
opened without its checks, only so that a backup is restored over it; or to be set aside, so that
the teacher signs in again and the class comes fresh from the server (also the way out of a
profile whose key the keyring no longer has, ``profile_key.KeyMissing``).

Both keep the damaged file for the school's IT contact: a restore as ``backups/damaged-…``
(``backup.restore(..., damaged=True)``), setting aside by moving it there with its key record.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from desktop.durable import fsync_folder
from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models import profile_key
from desktop.models.db import BACKUP_FOLDER, SQLITE_HEADER, Database, make_engine
from desktop.services.backup import DAMAGED, free_name
from desktop.services.backup_copy import failure_reason


def open_damaged(path: Path, password: profile_key.Password) -> Database | None:
    """The damaged profile opened without its checks, only to be restored over: plain, or with
    the key its custody gives (the keyring's, or unwrapped with ``password``: ``PasswordNeeded``
    when it is None, ``WrongPassword`` when it does not unwrap); ``None`` when there is no key to
    open it with. The restored file is written under that same key, so the file and its key
    record keep agreeing."""
    try:
        with path.open("rb") as handle:
            plain = handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return None
    key = None
    if not plain:
        sidecar = profile_key.read_sidecar(path)
        if sidecar is None:
            return None
        key = profile_key.unlock(path, sidecar, password)
    engine = make_engine(path, key)
    return Database(path, engine, sessionmaker(engine, expire_on_commit=False), key)


def set_aside(path: Path, *, now: datetime) -> Path:
    """Move the damaged (or unreadable) profile at ``path``, with its write-ahead log and its key
    record, into the backups folder as ``damaged-…``, leaving no profile: the next start is a
    first start, where the teacher signs in and the class comes from the server. Returns the
    kept file.
    ``StorageError`` when it cannot be moved; the profile is then as it was."""
    folder = path.parent / BACKUP_FOLDER
    moves: list[tuple[Path, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = free_name(folder, DAMAGED, now)
        companions = [
            (Path(f"{path}{suffix}"), Path(f"{target}{suffix}")) for suffix in ("-wal", "-shm")
        ]
        # Its key record goes with it, named as its own: without it, nothing reads an encrypted
        # copy again (it says where the key is kept, or holds it wrapped under the password).
        record = (profile_key.key_file(path), profile_key.key_file(target))
        # The database first: a process killed after it leaves a first start, whose new profile
        # takes the key record left behind (the same key, which reads the kept copy too).
        for source, destination in [(path, target), *companions, record]:
            if source.exists():
                os.replace(source, destination)
                moves.append((source, destination))
        fsync_folder(folder)
        fsync_folder(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            for source, destination in reversed(moves):
                os.replace(destination, source)
        raise StorageError(
            _("The profile could not be set aside: {reason}.").format(
                reason=failure_reason(exc, folder)
            )
        ) from exc
    return target
