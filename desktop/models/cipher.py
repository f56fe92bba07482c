"""The profile's SQLCipher key and the encrypted connection it opens.

The key is 32 random bytes handed to SQLCipher as a raw key (``x'…'``): SQLCipher then skips its
own PBKDF2 (256 000 rounds on every open), so an encrypted profile opens about as fast as a plain
one. Where the OS has no keyring the key is derived from the teacher's app password with
``hashlib.scrypt``: memory-hard (32 MiB here, so a guessing rig pays per try in memory, not only
time), OpenSSL's implementation shipped in the standard library, and no new dependency; the
salt is kept beside the database (it is not secret). The key itself is never written anywhere in
clear, nor logged: ``DatabaseKey`` prints as ``DatabaseKey()``.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

from desktop.errors import StorageError
from desktop.i18n import _

KEY_BYTES: Final = 32
SALT_BYTES: Final = 16
# scrypt's cost: N=2**15, r=8 is 32 MiB and about 0.1 s on a school PC; OpenSSL caps memory at
# 32 MiB unless told more, hence ``maxmem``.
SCRYPT_N: Final = 2**15
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
CIPHER_SETTINGS: Final = ("cipher_hmac_algorithm = HMAC_SHA256",)
"""Every encrypted file's settings, given after its key on each connection: SQLCipher keeps them
in no header it could read before the key. SHA-256 for the pages' HMAC rather than SQLCipher's
default SHA-512 because PCs compute it in hardware since about 2017 (AMD Zen; Intel since Goldmont
and Ice Lake), SHA-512 only the newest: checking the 40-class school's 28 MB file on open took
241 ms with SHA-512 and takes 151 ms (plain: 98 ms). Either is sound as a page's MAC, under a key
of 256 random bits."""
PAGE_SIZE: Final = 8192
"""The pages of a file this version encrypts. SQLCipher decrypts and authenticates a page at a
time, and part of that cost is per page whatever its size (the cipher and the HMAC set up under
the key, the page's IV): 8 KiB pages halve it. The 40-class school's check on open: 92 ms with
4 KiB pages, 80 ms with 8 KiB (plain: 70 ms); a decision writes a few more bytes per page."""
EARLIER_PAGE_SIZES: Final = (4096,)
"""The pages of files earlier versions encrypted (profiles, their backups): still opened as
they are, and copied page by page at their own size."""


@dataclass(frozen=True)
class DatabaseKey:
    """The raw key of one profile's database; its bytes never appear in a repr or a log."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise ValueError("a database key is 32 bytes")

    def pragma(self) -> str:
        # Hex digits only: nothing of the key can break out of the quoted literal.
        return f"PRAGMA key = \"x'{self.raw.hex()}'\""


def new_key() -> DatabaseKey:
    return DatabaseKey(secrets.token_bytes(KEY_BYTES))


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def key_from_password(password: str, salt: bytes) -> DatabaseKey:
    """The key derived from the app password (the profile where the OS keeps no keyring)."""
    return DatabaseKey(
        hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=SCRYPT_N,
            r=SCRYPT_R,
            p=SCRYPT_P,
            maxmem=64 * 1024 * 1024,
            dklen=KEY_BYTES,
        )
    )


def sqlcipher_connection(target: str, **options: Any) -> Any:
    """A SQLCipher DB-API connection to ``target`` (a path, or a ``file:`` URI with
    ``uri=True``), not keyed yet: every SQLCipher connection of the app is made here."""
    import sqlcipher3

    _silence_sqlcipher()
    return sqlcipher3.connect(target, **options)


@cache
def _silence_sqlcipher() -> None:
    """Turn SQLCipher's own log off, once per process (the setting is the library's): it wrote
    "ERROR CORE sqlcipher_page_cipher: hmac check failed for pgno=1" to stderr, in English, on
    the teacher's terminal and in the self-test's output, whenever a key did not fit. What went
    wrong reaches the teacher as the error its caller raises."""
    import sqlcipher3

    quiet = sqlcipher3.connect(":memory:")
    try:
        quiet.execute("PRAGMA cipher_log = off")
    finally:
        quiet.close()


_page_sizes_seen: dict[Path, int] = {}
"""The page size each encrypted file opened with, so that the next connection to it (the engine
opens several) goes straight to it rather than trying this version's size first."""


def connect(
    path: Path, key: DatabaseKey, *, read_only: bool = False, page_size: int | None = None
) -> Any:
    """A DB-API connection to the encrypted file at ``path``, checked to open with ``key``; its
    pages of ``page_size`` bytes (a new file that must match the one it is copied from), else of
    the size this version writes or one an earlier version wrote."""
    import sqlcipher3

    if page_size is not None:
        sizes: tuple[int, ...] = (page_size,)
    else:
        first = _page_sizes_seen.get(path, PAGE_SIZE)
        others = (size for size in (PAGE_SIZE, *EARLIER_PAGE_SIZES) if size != first)
        sizes = (first, *others)
    for size in sizes:
        try:
            connection = _keyed(path, key, size, read_only=read_only)
        except sqlcipher3.DatabaseError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) != sqlcipher3.SQLITE_NOTADB:
                raise
            continue  # the key, or these pages' size, does not fit: the next size, if any
        _page_sizes_seen[path] = size
        return connection
    raise StorageError(
        _(
            "This profile is encrypted and the key at hand does not open it: sign in with the "
            "app password this profile was made with."
        )
    )


def _keyed(path: Path, key: DatabaseKey, page_size: int, *, read_only: bool) -> Any:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    connection = sqlcipher_connection(target, uri=True, check_same_thread=False)
    try:
        connection.execute(key.pragma())
        configure(connection, page_size=page_size)
        # SQLCipher reads nothing until asked: a wrong key shows on the first read.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def page_size_of(connection: Any) -> int:
    """The size of the encrypted pages of ``connection``'s main database (a copy page by page
    must be made at the same size: SQLite's backup into pages of another size writes a file
    that no size opens)."""
    return int(connection.execute("PRAGMA cipher_page_size").fetchone()[0])


def configure(connection: Any, schema: str = "main", *, page_size: int = PAGE_SIZE) -> None:
    """Give the encrypted database ``schema`` of ``connection``, once keyed, its settings."""
    connection.execute(f"PRAGMA {schema}.cipher_page_size = {int(page_size)}")
    for setting in CIPHER_SETTINGS:
        connection.execute(f"PRAGMA {schema}.{setting}")


def driver_errors(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """``also`` with the exception classes of ``sqlite3`` and, once it is loaded, of SQLCipher
    (they share SQLite's result codes but not their classes). An error from SQLCipher can only
    exist once it is loaded, so a plain profile never pays for importing it."""
    loaded = sys.modules.get("sqlcipher3")
    return (*also, sqlite3.Error) if loaded is None else (*also, sqlite3.Error, loaded.Error)


def database_errors(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """``also`` with ``DatabaseError`` of ``sqlite3`` and, once loaded, of SQLCipher."""
    loaded = sys.modules.get("sqlcipher3")
    base = sqlite3.DatabaseError
    return (*also, base) if loaded is None else (*also, base, loaded.DatabaseError)


def connect_file(
    path: Path, key: DatabaseKey | None, *, read_only: bool = True, page_size: int | None = None
) -> Any:
    """A DB-API connection to ``path``: plain ``sqlite3`` when ``key`` is None, else SQLCipher
    (``page_size``: see ``connect``)."""
    if key is not None:
        return connect(path, key, read_only=read_only, page_size=page_size)
    return sqlite3.connect(f"file:{path}?mode=ro" if read_only else str(path), uri=read_only)


def export_encrypted(plain: Path, target: Path, key: DatabaseKey, application_id: int) -> None:
    """Write an encrypted copy of the plain database ``plain`` to the new file ``target`` with
    ``sqlcipher_export`` (schema, rows and ``user_version``; ``application_id`` is set here, as
    the export leaves it out). ``plain`` is only read."""
    connection = sqlcipher_connection(f"file:{plain}?mode=ro", uri=True)
    try:
        connection.execute(
            f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.raw.hex()}'\"", (str(target),)
        )
        configure(connection, "encrypted")
        connection.execute("SELECT sqlcipher_export('encrypted')")
        connection.execute(f"PRAGMA encrypted.application_id = {int(application_id)}")
        connection.execute("DETACH DATABASE encrypted")
    finally:
        connection.close()
