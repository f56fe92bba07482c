"""Copy and check a profile database, plain or encrypted, without a page in clear on disk.

A copy under the same key (an automatic backup) is SQLite's online backup (``copy_pages``); a
copy under another key (the passphrase file's body, a restore into the profile) is
``sqlcipher_export`` from a connection on the source into an attached new file (``export``).
Either way the target is written under its key from its first page (``''``: a plain file), so an
encrypted profile's copy is as encrypted as the profile, also while it is being written; each
reads one consistent state of the source.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
from pathlib import Path
from typing import Any

import sqlcipher3

from desktop.durable import fsync_file
from desktop.errors import HomeroomError, StorageError
from desktop.i18n import _
from desktop.models import cipher
from desktop.models.cipher import DatabaseKey
from desktop.models.db import APPLICATION_ID, HEAD_REVISION, LOW_SPACE_BYTES, known_revisions
from desktop.services import backup_file
from desktop.validation_text import os_error_reason


def connect(
    path: Path, key: DatabaseKey | None, *, read_only: bool = False, page_size: int | None = None
) -> Any:
    """A connection to ``path``: through ``cipher`` when it is encrypted with ``key`` (its pages
    of ``page_size`` bytes if given: see ``cipher.connect``)."""
    if key is not None:
        return cipher.connect(path, key, read_only=read_only, page_size=page_size)
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = cipher.sqlcipher_connection(target, uri=True, check_same_thread=False)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def _key_literal(key: DatabaseKey | None) -> str:
    # Hex digits only: nothing of the key can break out of the quoted literal.
    return "''" if key is None else f"\"x'{key.raw.hex()}'\""


def export(
    source: Path, source_key: DatabaseKey | None, target: Path, key: DatabaseKey | None
) -> None:
    """Write the new file ``target``: the whole of ``source``, under ``key``; synced to disk."""
    connection = connect(source, source_key, read_only=True)
    try:
        application_id = int(connection.execute("PRAGMA main.application_id").fetchone()[0])
        connection.execute(f"ATTACH DATABASE ? AS copy KEY {_key_literal(key)}", (str(target),))
        if key is not None:
            cipher.configure(connection, "copy")
        connection.execute("BEGIN")
        connection.execute("SELECT sqlcipher_export('copy')")
        connection.execute("COMMIT")
        connection.execute(f"PRAGMA copy.application_id = {application_id}")
        connection.execute("DETACH DATABASE copy")
    finally:
        connection.close()
    fsync_file(target)


def copy_pages(source: Path, key: DatabaseKey | None, target: Path) -> None:
    """Write the new file ``target``: ``source`` copied page by page with SQLite's online backup
    under the same key (SQLCipher encrypts each page again as it writes it): a twentieth of
    ``export``'s time, which rebuilds every table and index row by row."""
    connection = connect(source, key, read_only=True)
    try:
        # Pages of the source's size: an older profile's may be smaller than this version's.
        size = None if key is None else cipher.page_size_of(connection)
        copy = connect(target, key, page_size=size)
        try:
            connection.backup(copy)
            # One self-contained file: the source's WAL mode would come with its first page.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        connection.close()
    fsync_file(target)


def inspect(path: Path, key: DatabaseKey | None) -> str:
    """The copy's schema revision, once SQLite finds it sound and it is Homeroom's, of a
    revision this version knows (an older one is upgraded when it is opened)."""
    if not _whole_pages(path):
        raise backup_file.not_a_backup()  # no SQLite file, plain or encrypted, has this size
    try:
        connection = connect(path, key, read_only=True)
    except StorageError:
        # Pages no key opens look alike: another profile's copy or any other file.
        raise backup_file.NotABackup(
            _(
                "This file is not a Homeroom backup, or it belongs to another profile "
                "(encrypted with that profile's key)."
            )
        ) from None
    except sqlcipher3.DatabaseError:
        raise backup_file.damaged() from None
    try:
        sound = connection.execute("PRAGMA quick_check").fetchall()
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        row = (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if "alembic_version" in tables
            else None
        )
    except sqlcipher3.DatabaseError:
        raise backup_file.damaged() from None
    finally:
        connection.close()
    if application_id != APPLICATION_ID or row is None:
        raise backup_file.not_a_backup()
    if sound != [("ok",)]:
        raise backup_file.damaged()
    revision = str(row[0])
    if revision != HEAD_REVISION and revision not in known_revisions():
        raise backup_file.newer()
    return revision


def _whole_pages(path: Path) -> bool:
    """Whether the file could be a database: SQLite writes whole pages of at least 512 bytes."""
    try:
        size = path.stat().st_size
    except OSError:
        return True  # the open says why
    return size > 0 and size % 512 == 0


def remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def failure_reason(exc: BaseException, folder: Path) -> str:
    """Why a copy could not be written, in the teacher's words (never SQLite's English)."""
    if isinstance(exc, HomeroomError):
        return exc.message.rstrip(".")
    full = _("the disk is full; free some space")
    if isinstance(exc, OSError):
        return full if exc.errno == errno.ENOSPC else os_error_reason(exc)
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    # ``sqlcipher_export`` reports a full disk as a plain SQLITE_ERROR: the free space decides.
    if code == sqlcipher3.SQLITE_FULL or _nearly_full(folder):
        return full
    if code == sqlcipher3.SQLITE_READONLY:
        return _("the disk is read-only (write-protected?)")
    return _("the disk could not be read or written")


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False
