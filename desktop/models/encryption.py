"""The product's way into a profile: encrypted at rest, a plain one encrypted on first open.

``open_profile`` is what the window, the commands, the welcome screen and the self-test call;
``open_database`` stays the low-level opener (plain, or encrypted with a key it is given or its
sidecar keeps in the keyring) that never encrypts anything.

A new profile is made encrypted when the OS has a keyring (the key lives there), or when an app
password is given (the key is wrapped under it). Without either it stays plain until the app
password is set (``encrypt_with_password``). An existing plain profile is encrypted the same
way, after it has opened once as it is (its health checked, its schema upgraded): see
``encrypt_profile`` for the steps, each of which a crash may interrupt without losing anything.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from desktop.durable import fsync_file, fsync_folder
from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models import profile_key
from desktop.models.cipher import DatabaseKey, connect, export_encrypted, sqlcipher_connection
from desktop.models.db import (
    APPLICATION_ID,
    BACKUP_FOLDER,
    Database,
    _has_sqlite_header,
    open_database,
    storage_error_for,
    translate_storage_errors,
)
from desktop.models.profile_key import Password

log = logging.getLogger(__name__)

ENCRYPTING_SUFFIX: Final = ".encrypting"
"""The encrypted copy being made and checked, beside the database."""
PLAIN_SUFFIX: Final = ".plain"
"""A second name of the plain file kept while the encrypted one replaces it, then scrubbed."""
STEPS: Final = ("checkpointed", "backed-up", "exported", "linked", "replaced", "scrubbed")
"""``encrypt_profile``'s steps, in order, as ``on_step`` hears them (the crash tests)."""

Step = Callable[[str], None]


def _no_step(_name: str) -> None:
    return None


def open_profile(
    path: Path, *, password: Password = None, use_keyring: bool | None = None
) -> Database:
    """Open the profile at ``path``, encrypted whenever that is possible.

    ``password``: the app password (or a function asking for it), needed only when the key is
    wrapped under it (``PasswordNeeded`` otherwise; ``WrongPassword`` when it does not unwrap).
    Without a keyring, a new key is wrapped under ``password`` only when it is given as text
    (the password is known); a function is never called to make one.
    ``use_keyring``: whether the OS keyring may keep a new key (default: whether it has a
    usable one; this may talk to D-Bus, so not on the GUI thread)."""
    sidecar = profile_key.read_sidecar(path)
    if sidecar is not None:
        plain = path.exists() and _has_sqlite_header(path)
        if plain and sidecar.custody == "password" and password is None:
            return open_database(path)  # encrypted when the password is at hand
        key = profile_key.unlock(path, sidecar, password)
        if plain and not _encrypt_existing(path, key):
            return open_database(path)  # the last encryption was interrupted: again, later
        with translate_storage_errors(path.parent):
            _scrub_leftovers(path)
        return open_database(path, key)
    if _may_be_encrypted(path):
        # Ciphertext and a foreign file made of whole pages look alike: both are said.
        raise StorageError(
            _("The file is not a Homeroom database, or it is damaged.")
            + " "
            + _(
                "If this profile was encrypted, the file saying where its key is kept ({path}) "
                "is missing: put it back from a backup of the profile folder."
            ).format(path=profile_key.key_file(path))
        )
    if use_keyring is None:
        from desktop.sync.credentials import keyring_available

        use_keyring = keyring_available()
    if not use_keyring and not isinstance(password, str):
        return open_database(path)  # a new key is put under a password known, never asked for
    if not path.exists() or path.stat().st_size == 0:
        return open_database(path, _new_key(path, password, use_keyring=use_keyring))
    open_database(path).close()  # health, file and schema checked (and upgraded) as it is
    if not os.access(path.parent, os.W_OK):
        return open_database(path)  # nowhere to write the encrypted copy: plain, as before
    key = _new_key(path, password, use_keyring=use_keyring)
    return open_database(path, key) if _encrypt_existing(path, key) else open_database(path)


def _may_be_encrypted(path: Path) -> bool:
    """Not SQLite's header, and whole pages of SQLite's smallest size, as SQLCipher writes; any
    other file is refused by ``open_database`` as not Homeroom's."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size > 0 and size % 512 == 0 and not _has_sqlite_header(path)


def encrypt_with_password(path: Path, password: str) -> bool:
    """Encrypt the closed plain profile at ``path`` under the app password just set (a PC
    without a keyring); ``False`` when it is encrypted already or cannot be now (it stays
    plain; the next ``open_profile`` with the password tries again)."""
    if profile_key.read_sidecar(path) is not None or not path.exists():
        return False
    key = profile_key.keep_under_password(path, password)
    return _encrypt_existing(path, key)


def _new_key(path: Path, password: Password, *, use_keyring: bool) -> DatabaseKey:
    if use_keyring:
        return profile_key.keep_in_keyring(path)
    assert isinstance(password, str)
    return profile_key.keep_under_password(path, password)


def _encrypt_existing(path: Path, key: DatabaseKey) -> bool:
    """Encrypt the plain profile; ``False`` when that cannot be done now (another process has
    it open, a full disk, ...): it then opens plain, untouched, and the next open tries again.
    The teacher's work goes on; only the log says why (by kind, nothing of the records)."""
    try:
        with translate_storage_errors(path.parent):
            encrypt_profile(path, key)
    except StorageError as exc:
        log.warning("profile not encrypted this time: %s", type(exc.__cause__ or exc).__name__)
        return False
    log.info("profile encrypted at rest")
    return True


def encrypt_profile(path: Path, key: DatabaseKey, *, on_step: Step = _no_step) -> None:
    """Replace the closed plain database at ``path`` by its copy encrypted with ``key`` (whose
    sidecar is already written). ``on_step`` hears each step's name once it is done.

    1. ``checkpointed``: the WAL is folded into the file and the journal set to DELETE, so the
       file alone holds every row and no plain ``-wal`` is left to be replayed into the new one.
    2. ``backed-up``: an encrypted copy in ``backups/before-encryption-<time>.sqlite``, checked.
    3. ``exported``: the encrypted copy ``<name>.encrypting`` beside it, checked (SQLite finds it
       sound, same application id and revision, the same number of rows in every table) and
       flushed to the disk.
    4. ``linked``: a second name ``<name>.plain`` for the plain file (a hard link; skipped where
       the file system has none), so it can be overwritten once it has been replaced.
    5. ``replaced``: the encrypted copy takes the database's name (one atomic rename).
    6. ``scrubbed``: the plain file is overwritten with zeros, flushed and removed.

    A crash before step 5 leaves the plain profile as it was (the next ``open_profile`` starts
    again); after it, the encrypted one, and the next open finishes step 6.

    What "removed safely" cannot mean: on an SSD or a USB stick the controller writes the zeros
    elsewhere (wear levelling) and the old blocks stay until it erases them; a copy-on-write or
    journalling file system, a shadow copy, a cloud-synced folder or an earlier backup may hold
    the old file too. Overwriting removes it from the file system's view and from a plain disk;
    only full-disk encryption (BitLocker) covers the rest.
    """
    folder = path.parent
    _discard(path.with_name(path.name + ENCRYPTING_SUFFIX))
    _discard(path.with_name(path.name + PLAIN_SUFFIX))  # a link to this very file: unlink only
    guard = _checkpoint(path)
    try:
        on_step("checkpointed")
        expected = _contents(_plain_reader(path))
        backup = _backup_target(folder)
        _export_checked(path, backup, key, expected)
        on_step("backed-up")
        temporary = path.with_name(path.name + ENCRYPTING_SUFFIX)
        try:
            _export_checked(path, temporary, key, expected)
            fsync_file(temporary)
        except BaseException:
            # The plain profile stays as it was and the next open tries again, with a backup
            # of its own: this one would only take the space a full disk lacks, once per try.
            _discard(backup)
            raise
        on_step("exported")
        plain = path.with_name(path.name + PLAIN_SUFFIX)
        try:
            os.link(path, plain)
        except OSError:
            log.info("no hard link for the plain profile; it is replaced without overwriting")
        on_step("linked")
    finally:
        guard.rollback()
        guard.close()  # before the rename: Windows renames no file that is open
    os.replace(temporary, path)
    fsync_folder(folder)
    on_step("replaced")
    _scrub_leftovers(path)
    on_step("scrubbed")


class ProfileInUse(StorageError):
    """Another process has the plain profile open: it cannot be encrypted under it."""


def _checkpoint(path: Path) -> Any:
    """Fold the WAL into the file and leave WAL mode (which SQLite allows only when no other
    connection is open: so no other window or command is using the profile), then hold the
    write lock: nobody writes to the plain file while its copy is made and checked.

    Through SQLCipher's library (a plain file needs no key), as the export reads it: POSIX drops
    a process's locks on a file when any descriptor of it closes, and only one SQLite library
    keeps its connections' locks on one file from undoing each other."""
    connection = sqlcipher_connection(str(path), isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()
        if mode != ("delete",):
            raise ProfileInUse(_("The profile is open in another Homeroom window or command."))
        connection.execute("BEGIN IMMEDIATE")
    except BaseException:
        connection.close()
        raise
    return connection


def _plain_reader(path: Path) -> Any:
    return sqlcipher_connection(f"file:{path}?mode=ro", uri=True)


def _contents(connection: Any) -> dict[str, object]:
    """What a faithful copy keeps: the application id, the revision, every table's rows."""
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        found: dict[str, object] = {
            "application_id": connection.execute("PRAGMA application_id").fetchone()[0],
        }
        for table in tables:
            found[table] = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        if "alembic_version" in tables:
            found["revision"] = connection.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchall()
        return found
    finally:
        connection.close()


def _export_checked(
    plain: Path, target: Path, key: DatabaseKey, expected: dict[str, object]
) -> None:
    """An encrypted copy of ``plain`` at ``target`` that SQLite finds sound and that holds what
    ``plain`` does; removed, and ``StorageError`` raised, when it does not."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        export_encrypted(plain, target, key, APPLICATION_ID)
        copy = connect(target, key, read_only=True)
        sound = copy.execute("PRAGMA quick_check").fetchall()
        if sound != [("ok",)] or _contents(copy) != expected:
            raise StorageError(
                _(
                    "The encrypted copy of the class's records did not match them; the "
                    "profile was left as it was."
                )
            )
    except BaseException as exc:
        # Named before the copy goes: a full disk is told by the space left when it failed.
        translated = (
            exc
            if isinstance(exc, StorageError | KeyboardInterrupt | SystemExit)
            else storage_error_for(exc, target.parent)
        )
        _discard(target)
        if translated is exc:
            raise
        raise translated from exc


def _backup_target(folder: Path) -> Path:
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    target = folder / BACKUP_FOLDER / f"before-encryption-{stamp}.sqlite"
    number = 1
    while target.exists():
        number += 1
        target = folder / BACKUP_FOLDER / f"before-encryption-{stamp}-{number}.sqlite"
    return target


def _scrub_leftovers(path: Path) -> None:
    """Overwrite and remove the plain file's second name once the encrypted file has the
    database's; remove a half-made encrypted copy. Never touches the database's own file."""
    _discard(path.with_name(path.name + ENCRYPTING_SUFFIX))
    plain = path.with_name(path.name + PLAIN_SUFFIX)
    if not plain.exists():
        return
    if path.exists() and os.path.samefile(plain, path):
        _discard(plain)  # the encryption stopped before the rename: the same, live file
        return
    size = plain.stat().st_size
    with plain.open("r+b") as handle:
        zeros = bytes(1 << 20)
        for offset in range(0, size, len(zeros)):
            handle.write(zeros[: size - offset])
        handle.flush()
        os.fsync(handle.fileno())
    plain.unlink()
    fsync_folder(path.parent)


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
