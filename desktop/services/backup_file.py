"""The "Back up now" file: one file a teacher carries on a USB stick, opened with a passphrase.

Layout: ``MAGIC`` · header length (4 bytes, big-endian) · header (UTF-8 JSON) · wrapped key
(48 bytes) · body. The body is a copy of the profile made by ``sqlcipher_export`` under a random
32-byte file key, so no page of it is ever written in clear, not even to a temporary file; the
file key is wrapped with AES-256-GCM under a key scrypt derives from the passphrase, with
everything before the wrapped key (magic, length, header) as associated data: a changed header
does not open. The header names the body's size and SHA-256, so a truncated or damaged body is
found before anything is restored.

scrypt (RFC 7914, OpenSSL's, in the standard library) is memory-hard: at N=2**16, r=8 each
guess costs 64 MiB, which is what makes a lost stick expensive to attack offline; its cost is
in the header, so a later version can raise it and still open older files.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.errors import InvalidInput, StorageError
from desktop.i18n import _
from desktop.models.cipher import KEY_BYTES, DatabaseKey
from desktop.validation_text import os_error_reason

MAGIC: Final = b"HOMEROOM-BACKUP\n"
FORMAT_VERSION: Final = 1
SUFFIX: Final = ".hmbak"
NONCE_BYTES: Final = 12
WRAPPED_BYTES: Final = KEY_BYTES + 16
MAX_HEADER: Final = 64 * 1024
SCRYPT_N: Final = 2**16
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
# A header may ask for more (a later version's); not for a cost that would exhaust the PC.
MAX_SCRYPT_MEMORY: Final = 256 * 1024 * 1024
MAX_SCRYPT_P: Final = 4
MIN_PASSPHRASE: Final = 8
CHUNK: Final = 1024 * 1024


class NotABackup(InvalidInput):
    """The file is not a Homeroom backup at all."""


class DamagedBackup(InvalidInput):
    """A Homeroom backup that is truncated or damaged."""


class WrongPassphrase(InvalidInput):
    """The passphrase does not open the backup."""


class NewerBackup(InvalidInput):
    """A backup written by a newer Homeroom (its format or its schema is unknown here)."""


def not_a_backup() -> NotABackup:
    return NotABackup(_("This file is not a Homeroom backup."))


def damaged() -> DamagedBackup:
    return DamagedBackup(
        _("The backup file is incomplete or damaged (cut short while copying?); it cannot be used.")
    )


def newer() -> NewerBackup:
    return NewerBackup(
        _("This backup was made by a newer version of Homeroom; update the app to restore it.")
    )


@dataclass(frozen=True)
class Header:
    """What the file says about itself (authenticated with the passphrase)."""

    app_version: str
    schema_revision: str
    created: datetime
    school: str
    classes: tuple[str, ...]
    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    body_size: int
    body_sha256: str

    def to_bytes(self) -> bytes:
        fields = {
            "format": FORMAT_VERSION,
            "app_version": self.app_version,
            "schema_revision": self.schema_revision,
            "created": self.created.isoformat(),
            "school": self.school,
            "classes": list(self.classes),
            "kdf": {
                "name": "scrypt",
                "salt": self.salt.hex(),
                "n": self.n,
                "r": self.r,
                "p": self.p,
            },
            "nonce": self.nonce.hex(),
            "body_size": self.body_size,
            "body_sha256": self.body_sha256,
        }
        return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _parse_header(raw: bytes) -> Header:
    try:
        fields: dict[str, Any] = json.loads(raw.decode("utf-8"))
        if not isinstance(fields, dict) or not isinstance(fields.get("format"), int):
            raise damaged()
        if fields["format"] > FORMAT_VERSION:
            raise newer()
        kdf = fields["kdf"]
        header = Header(
            app_version=str(fields["app_version"]),
            schema_revision=str(fields["schema_revision"]),
            created=datetime.fromisoformat(fields["created"]),
            school=str(fields["school"]),
            classes=tuple(str(name) for name in fields["classes"]),
            salt=bytes.fromhex(kdf["salt"]),
            n=int(kdf["n"]),
            r=int(kdf["r"]),
            p=int(kdf["p"]),
            nonce=bytes.fromhex(fields["nonce"]),
            body_size=int(fields["body_size"]),
            body_sha256=str(fields["body_sha256"]),
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise damaged() from None
    if (
        kdf.get("name") != "scrypt"
        or header.n < 2
        or header.n & (header.n - 1)
        or header.r < 1
        or not 1 <= header.p <= MAX_SCRYPT_P
        or _memory(header.n, header.r, header.p) > MAX_SCRYPT_MEMORY
        or len(header.nonce) != NONCE_BYTES
        or header.body_size < 0
        or header.created.tzinfo is None
    ):
        raise damaged()
    return header


def _memory(n: int, r: int, p: int) -> int:
    """What scrypt needs at this cost (RFC 7914: 128·r·N for V, 128·r·p for B)."""
    return 128 * r * (n + p + 2)


def _derive(passphrase: str, header: Header) -> AESGCM:
    # NFC: "ệ" typed on one keyboard may be one code point and on another three.
    key = hashlib.scrypt(
        unicodedata.normalize("NFC", passphrase).encode("utf-8"),
        salt=header.salt,
        n=header.n,
        r=header.r,
        p=header.p,
        maxmem=_memory(header.n, header.r, header.p) + 1024 * 1024,
        dklen=32,
    )
    return AESGCM(key)


def check_passphrase(passphrase: str) -> None:
    if len(unicodedata.normalize("NFC", passphrase)) < MIN_PASSPHRASE:
        raise InvalidInput(
            _("The passphrase must have at least {count} characters.").format(count=MIN_PASSPHRASE)
        )


def _prefix(header_bytes: bytes) -> bytes:
    return MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def write(
    target: BinaryIO,
    body: Path,
    file_key: DatabaseKey,
    passphrase: str,
    *,
    app_version: str,
    schema_revision: str,
    created: datetime,
    school: str,
    classes: tuple[str, ...],
) -> None:
    """Write the backup of ``body`` (an encrypted database that ``file_key`` opens)."""
    digest = hashlib.sha256()
    with body.open("rb") as handle:
        for chunk in _chunks(handle):
            digest.update(chunk)
    header = Header(
        app_version=app_version,
        schema_revision=schema_revision,
        created=created,
        school=school,
        classes=classes,
        salt=secrets.token_bytes(16),
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        nonce=secrets.token_bytes(NONCE_BYTES),
        body_size=body.stat().st_size,
        body_sha256=digest.hexdigest(),
    )
    prefix = _prefix(header.to_bytes())
    wrapped = _derive(passphrase, header).encrypt(header.nonce, file_key.raw, prefix)
    target.write(prefix)
    target.write(wrapped)
    with body.open("rb") as handle:
        for chunk in _chunks(handle):
            target.write(chunk)


@dataclass(frozen=True)
class Opened:
    header: Header
    body_offset: int


def read_header(path: Path) -> Opened:
    """The file's header, refusing a file that is not a backup, a newer one or a short one."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(MAGIC))
            if magic != MAGIC:
                raise not_a_backup()
            length_bytes = handle.read(4)
            if len(length_bytes) != 4:
                raise damaged()
            (length,) = struct.unpack(">I", length_bytes)
            if length > MAX_HEADER:
                raise damaged()
            raw = handle.read(length)
            if len(raw) != length:
                raise damaged()
        size = path.stat().st_size
    except OSError as exc:
        raise StorageError(
            _("Cannot read the backup file: {reason}.").format(reason=os_error_reason(exc))
        ) from exc
    header = _parse_header(raw)
    offset = len(MAGIC) + 4 + length + WRAPPED_BYTES
    if size != offset + header.body_size:
        raise damaged()
    return Opened(header, offset)


def unwrap(path: Path, opened: Opened, passphrase: str) -> DatabaseKey:
    """The file key, or ``WrongPassphrase``."""
    prefix_length = opened.body_offset - WRAPPED_BYTES
    with path.open("rb") as handle:
        prefix = handle.read(prefix_length)
        wrapped = handle.read(WRAPPED_BYTES)
    try:
        raw = _derive(passphrase, opened.header).decrypt(opened.header.nonce, wrapped, prefix)
    except InvalidTag:
        raise WrongPassphrase(
            _("The passphrase does not open this backup. Check it (capital letters, accents).")
        ) from None
    if len(raw) != KEY_BYTES:
        raise damaged()
    return DatabaseKey(raw)


def copy_body(path: Path, opened: Opened, target: BinaryIO | None) -> None:
    """Copy the body to ``target`` (``None``: only check it), checking its SHA-256 against the
    header's."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        handle.seek(opened.body_offset)
        for chunk in _chunks(handle):
            digest.update(chunk)
            if target is not None:
                target.write(chunk)
    if digest.hexdigest() != opened.header.body_sha256:
        raise damaged()
