"""Open, check, back up and migrate the class database; hand out sessions.

The SQLite file carries ``PRAGMA application_id`` so a file that is not Homeroom's is refused
before anything is written to it; a file migrated by a newer Homeroom is refused too. Migrations
run on their own connection with foreign keys OFF: a batch alter of a parent table with foreign
keys on silently deletes the child rows (architecture.md §2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models.cipher import connect_file, database_errors, driver_errors, page_size_of
from desktop.models.health import check_health
from desktop.paths import DATABASE_FILE as DATABASE_FILE  # re-exported; defined once, in paths
from desktop.validation_text import os_error_reason

if TYPE_CHECKING:
    from alembic.config import Config

    from desktop.models.cipher import DatabaseKey

APPLICATION_ID = 0x484D524D  # "HMRM": marks the file as Homeroom's
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Database:
    """An open class database: its file, its engine and its session factory."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    key: DatabaseKey | None = None
    """The SQLCipher key the file opens with (``None``: a plain file); backups made from this
    database are encrypted with it."""

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with translate_storage_errors(self.path.parent), self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with translate_storage_errors(self.path.parent), self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


LOW_SPACE_BYTES = 256 * 1024


@contextmanager
def translate_storage_errors(folder: Path) -> Iterator[None]:
    """Turn SQLite's disk and file errors into a ``StorageError`` the user can act on."""
    try:
        yield
    except driver_errors(DBAPIError, OSError) as exc:
        translated = storage_error_for(exc, folder)
        if translated is exc:
            raise
        raise translated from exc


def _disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def _sqlite_error(exc: BaseException) -> Exception | None:
    """SQLite's own exception (``sqlite3``'s or SQLCipher's), also when SQLAlchemy wraps it
    (``DBAPIError.orig``)."""
    errors = driver_errors()
    if isinstance(exc, errors):
        return exc
    if isinstance(exc, DBAPIError) and isinstance(exc.orig, errors):
        return exc.orig
    return None


def sqlite_primary_code(exc: BaseException) -> int | None:
    """SQLite's primary result code (``SQLITE_IOERR`` for ``SQLITE_IOERR_WRITE``, …), read from
    the error rather than its English text, which changes between SQLite versions."""
    error = _sqlite_error(exc)
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


_MAY_MEAN_FULL: Final = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_ERROR}
)
"""SQLite reports a full disk as an I/O error when it cannot grow its shared-memory or journal
file, and as "cannot open" when it cannot create one; SQLCipher's ``sqlcipher_export`` reports
any failed write of its copy, a full disk too, with the generic code of a failed function: these
codes are checked against the free space. Other codes (a constraint, a busy file) never mean a
full disk, however little is free."""


def storage_error_for(exc: BaseException, folder: Path) -> BaseException:
    code = sqlite_primary_code(exc)
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC or _disk_nearly_full(folder):
            return StorageError(_("The disk is full: the change was not saved. Free some space."))
        if exc.errno == errno.EROFS:
            return StorageError(_("The database file is read-only: the change was not saved."))
        return StorageError(
            _("Cannot use the profile folder {folder}: {reason}.").format(
                folder=folder, reason=os_error_reason(exc)
            )
        )
    if code is None:
        return exc
    if code == sqlite3.SQLITE_FULL or (code in _MAY_MEAN_FULL and _disk_nearly_full(folder)):
        return StorageError(_("The disk is full: the change was not saved. Free some space."))
    if code == sqlite3.SQLITE_READONLY:
        return StorageError(_("The database file is read-only: the change was not saved."))
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageError(_("The file is not a Homeroom database, or it is damaged."))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(_("The database is busy in another window; try again."))
    if code == sqlite3.SQLITE_IOERR:
        return StorageError(
            _(
                "The disk could not be read or written: the change was not saved. Check the disk "
                "(a USB stick pulled out?) and try again."
            )
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return StorageError(
            _("Cannot open the database file in the profile folder {folder}.").format(folder=folder)
        )
    return exc


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _bare_engine(path: Path, key: DatabaseKey | None) -> Engine:
    if key is None:
        return create_engine(f"sqlite:///{path}")
    import sqlcipher3

    from desktop.models import cipher

    # ``module``: SQLAlchemy then wraps SQLCipher's own exception classes. Not the pysqlcipher
    # dialect: it sends the URL's passphrase through SQLCipher's slow KDF.
    return create_engine("sqlite://", creator=lambda: cipher.connect(path, key), module=sqlcipher3)


def make_engine(path: Path, key: DatabaseKey | None = None) -> Engine:
    """The engine on the plain file at ``path``, or on the encrypted one ``key`` opens."""
    engine = _bare_engine(path, key)
    event.listen(engine, "connect", _set_pragmas)
    return engine


HEAD_REVISION = "0006"
"""The newest migration: a profile already there opens without importing Alembic (a tenth of
the window's start-up); ``tests/models/test_db.py`` checks it is Alembic's head."""


def alembic_config(connection: Any = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _has_sqlite_header(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False  # check_file says why


def check_file(path: Path, key: DatabaseKey | None = None) -> str | None:
    """Refuse a file that is not Homeroom's; return its schema revision (``None`` if new).
    ``key`` opens an encrypted file (whose header is ciphertext, not SQLite's)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(
            _("Cannot read the database file: {error}").format(error=os_error_reason(exc))
        ) from exc
    if header == b"" and path.stat().st_size == 0:
        return None
    if header != SQLITE_HEADER and key is None:
        raise StorageError(_("The file is not a Homeroom database, or it is damaged."))
    try:
        connection = connect_file(path, key)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except driver_errors() as exc:
        translated = storage_error_for(exc, path.parent)
        if isinstance(translated, StorageError):
            raise translated from exc
        # SQLite's own text is English: name the error by its code instead.
        code = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        raise StorageError(_("Cannot read the database file: {error}").format(error=code)) from exc
    if app_id != APPLICATION_ID:
        if app_id == 0 and not tables:
            return None
        raise StorageError(_("The file is not a Homeroom database, or it is damaged."))
    if revision not in (None, HEAD_REVISION) and revision not in known_revisions():
        raise StorageError(
            _("This database was written by a newer version of Homeroom; please update the app.")
        )
    return revision


BACKUP_FOLDER = "backups"
"""Beside the database: the copies taken before each upgrade (kept; the teacher or the IT
contact deletes them)."""


def backup_before_upgrade(
    path: Path, revision: str, *, key: DatabaseKey | None = None, now: datetime | None = None
) -> Path:
    """A consistent, checked copy of the file as it is at ``revision``, made with SQLite's
    online backup into ``backups/before-upgrade-<revision>-<YYYYMMDD-HHMMSS>.sqlite`` (local
    time: the name is read by whoever sits at this computer); encrypted with ``key`` when the
    file is. The database itself is only read; a copy that cannot be made or read back is
    removed and ``StorageError`` says why."""
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    folder = path.parent / BACKUP_FOLDER
    target = folder / f"before-upgrade-{revision}-{stamp}.sqlite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        number = 1
        while target.exists():  # two upgrades within a second: keep both copies
            number += 1
            target = folder / f"before-upgrade-{revision}-{stamp}-{number}.sqlite"
        _copy_database(path, target, key)
        _check_backup(target, revision, key)
    except driver_errors(OSError) as exc:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)
        raise StorageError(
            _(
                "Homeroom must back up the class's records before upgrading them to this "
                "version, and the backup failed: {reason}. Nothing was changed; Homeroom "
                "opens them once the backup can be made."
            ).format(reason=_backup_failure_reason(exc, folder))
        ) from exc
    return target


def _copy_database(source_path: Path, target: Path, key: DatabaseKey | None) -> None:
    source = connect_file(source_path, key)
    try:
        # SQLCipher copies page by page between files under the same key, and pages of the
        # same size (an older profile's may be smaller than this version's).
        size = None if key is None else page_size_of(source)
        destination = connect_file(target, key, read_only=False, page_size=size)
        try:
            source.backup(destination)
            # One self-contained file: the source's WAL mode would come with its pages.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        source.close()


def _check_backup(target: Path, revision: str, key: DatabaseKey | None) -> None:
    """The copy opens, SQLite finds it sound, and it is still at ``revision``."""
    copy = connect_file(target, key)
    try:
        sound = copy.execute("PRAGMA quick_check").fetchone()
        kept = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        copy.close()
    if sound != ("ok",) or kept != (revision,):
        raise sqlite3.DatabaseError("backup check failed")


def _backup_failure_reason(exc: BaseException, folder: Path) -> str:
    if isinstance(exc, OSError):
        return os_error_reason(exc)
    code = sqlite_primary_code(exc)
    if code == sqlite3.SQLITE_FULL or (code in _MAY_MEAN_FULL and _disk_nearly_full(folder)):
        return _("the disk is full; free some space")
    if code == sqlite3.SQLITE_READONLY:
        return _("the disk is read-only (write-protected?)")
    return _("the copy could not be read back")


def migrate(path: Path, key: DatabaseKey | None = None) -> None:
    """Bring the file's schema to head with foreign keys off, then check the keys still hold."""
    engine = _bare_engine(path, key)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            from alembic import command

            command.upgrade(alembic_config(connection), "head")
            connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
            connection.commit()
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StorageError(
                    _("The database upgrade found broken links; the backup copy was kept.")
                )
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def sidecar_key(path: Path) -> DatabaseKey | None:
    """The key an encrypted profile's sidecar gives without asking (the keyring's), or
    ``PasswordNeeded``; ``None`` for a plain profile. A plain file beside a sidecar is one whose
    encryption was interrupted: it is still the profile, and opens plain."""
    from desktop.models import profile_key

    sidecar = profile_key.read_sidecar(path)
    if sidecar is None or _has_sqlite_header(path):
        return None
    return profile_key.unlock(path, sidecar, None)


def open_database(path: Path, key: DatabaseKey | None = None) -> Database:
    """Open (creating or upgrading as needed) the class database at ``path``: plain, or
    encrypted with ``key`` (by default the key its sidecar keeps in the keyring, if it has one).
    It never encrypts a plain profile: ``desktop.models.profile.open_profile`` does."""
    with translate_storage_errors(path.parent):
        # A new profile's folder is its owner's alone: other accounts on a shared PC cannot
        # list or copy the database, its logs or its backups (Windows does so for AppData).
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = key or sidecar_key(path)
        existed = path.exists()
        if existed and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise StorageError(_("The database file is read-only: the change was not saved."))
        if existed and (key is not None or _has_sqlite_header(path)):
            # Before anything reads the schema: a damaged file gets the offer of a backup.
            check_health(path, key=key)
        revision = check_file(path, key) if existed else None
        if revision != HEAD_REVISION:
            # The one place a profile is upgraded: the window, every command and the welcome
            # screen open it here, so no path migrates without the backup first.
            backup = (
                backup_before_upgrade(path, revision, key=key)
                if existed and revision is not None
                else None
            )
            try:
                migrate(path, key)
            except database_errors(DBAPIError) as exc:
                if backup is None:
                    raise
                # The file may be half upgraded (SQLite's DDL is not all in one transaction):
                # the copy is what the teacher's records are now.
                raise StorageError(
                    _(
                        "Upgrading the class's records to this version failed. They are kept "
                        "as they were in {path}; ask the school's IT contact before using "
                        "Homeroom on this profile again."
                    ).format(path=backup)
                ) from exc
        engine = make_engine(path, key)
    return Database(
        path=path, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False), key=key
    )
