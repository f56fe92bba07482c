"""Where an encrypted profile's key is kept: the sidecar file beside the database.

``homeroom.key.json`` (beside ``homeroom.sqlite3``) never holds the key in clear. It names the
profile (a random id) and how its key is kept:

* ``keyring``: the raw key in the OS password store (service ``homeroom``, user
  ``database|<profile id>``); a plaintext backend is refused, as for the sign-in.
* ``password``: the raw key wrapped with AES-GCM under a key derived from the app password by
  scrypt, whose salt and cost are in the sidecar. Changing the app password wraps the same key
  again (``rewrap``): the database file is not re-encrypted.

The sidecar is not secret (a salt, a wrapped key); without the keyring entry or the password it
opens nothing. It is written whole to a temporary file and renamed, so a crash leaves the old
or the new one, never half of one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from desktop.durable import fsync_folder
from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models.cipher import (
    KEY_BYTES,
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    DatabaseKey,
    new_key,
    new_salt,
)

KEY_FILE_SUFFIX: Final = ".key.json"
FORMAT: Final = 1
NONCE_BYTES: Final = 12
KEYRING_USER_PREFIX: Final = "database|"

Custody = Literal["keyring", "password"]
Password = str | Callable[[], str] | None
"""The app password, or a function asking for it (called only when the key is wrapped)."""


class PasswordNeeded(StorageError):
    """The profile's key is wrapped under the app password, and none was given."""


class WrongPassword(StorageError):
    """The app password given does not unwrap the profile's key."""


class KeyMissing(StorageError):
    """The profile's key is not in this computer's keyring: the file at ``path`` cannot be read
    here, ever (its backups beside it neither: they are under the same key)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            _(
                "This profile is encrypted and its key is not in this computer's password store "
                "(keyring): it was made under another user account or computer, or the entry "
                "was deleted. Open it under the account where it was made, or take a fresh copy "
                "of the class from the server."
            )
        )


@dataclass(frozen=True)
class Sidecar:
    profile: str
    custody: Custody
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P
    salt: bytes = b""
    nonce: bytes = b""
    wrapped: bytes = b""

    def text(self) -> str:
        fields: dict[str, object] = {
            "format": FORMAT,
            "profile": self.profile,
            "custody": self.custody,
        }
        if self.custody == "password":
            fields |= {
                "kdf": "scrypt",
                "n": self.n,
                "r": self.r,
                "p": self.p,
                "salt": _encode(self.salt),
                "nonce": _encode(self.nonce),
                "wrapped": _encode(self.wrapped),
            }
        return json.dumps(fields, indent=1) + "\n"


def key_file(database: Path) -> Path:
    """The sidecar of the database at ``database`` (``homeroom.key.json``)."""
    return database.with_name(database.stem + KEY_FILE_SUFFIX)


def read_sidecar(database: Path) -> Sidecar | None:
    """The sidecar of ``database``; ``None`` when there is none (a plain profile)."""
    path = key_file(database)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None  # no sidecar (or no profile folder: opening it says why)
    except OSError as exc:
        raise StorageError(_damaged_message(path)) from exc
    try:
        raw = json.loads(text)
        if raw["format"] != FORMAT or raw["custody"] not in ("keyring", "password"):
            raise ValueError("unknown sidecar")
        profile = str(uuid.UUID(raw["profile"]))
        if raw["custody"] == "keyring":
            return Sidecar(profile=profile, custody="keyring")
        if raw["kdf"] != "scrypt":
            raise ValueError("unknown kdf")
        return Sidecar(
            profile=profile,
            custody="password",
            n=int(raw["n"]),
            r=int(raw["r"]),
            p=int(raw["p"]),
            salt=_decode(raw["salt"]),
            nonce=_decode(raw["nonce"]),
            wrapped=_decode(raw["wrapped"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise StorageError(_damaged_message(path)) from None


def _damaged_message(path: Path) -> str:
    return _(
        "The file that says where this profile's encryption key is kept ({path}) is damaged "
        "or unreadable, so the class's records cannot be opened. Restore it from a backup of "
        "the profile folder, or ask the school's IT contact."
    ).format(path=path)


def unlock(database: Path, sidecar: Sidecar, password: Password) -> DatabaseKey:
    """The key of the profile at ``database`` as its sidecar says it is kept."""
    if sidecar.custody == "keyring":
        return _from_keyring(database, sidecar.profile)
    if password is None:
        raise PasswordNeeded(
            _("This profile is encrypted with the app password: enter it to open the profile.")
        )
    return _unwrap(sidecar, password() if callable(password) else password)


def keep_in_keyring(database: Path) -> DatabaseKey:
    """A new key for ``database``, stored in the OS keyring, and the sidecar saying so."""
    from desktop.sync.credentials import SERVICE, _keyring_errors

    sidecar = Sidecar(profile=str(uuid.uuid4()), custody="keyring")
    key = new_key()
    with _storage_errors(), _keyring_errors("database key") as backend:
        backend.set_password(SERVICE, KEYRING_USER_PREFIX + sidecar.profile, key.raw.hex())
    _write(database, sidecar)
    return key


def keep_under_password(database: Path, password: str) -> DatabaseKey:
    """A new key for ``database``, wrapped under ``password`` in the sidecar."""
    key = new_key()
    _write(database, _wrap(str(uuid.uuid4()), key, password))
    return key


def rewrap(database: Path, old: str, new: str) -> None:
    """Wrap the profile's key under the new app password (after checking the old one); the
    database itself is untouched. Nothing to do when the key is not kept under a password."""
    sidecar = read_sidecar(database)
    if sidecar is None or sidecar.custody != "password":
        return
    key = _unwrap(sidecar, old)
    _write(database, _wrap(sidecar.profile, key, new))


def forget(database: Path) -> None:
    """Remove the sidecar and the keyring entry of a throwaway profile (the temporary demo,
    the self-test's) being deleted: nothing of it stays in the OS password store."""
    sidecar = read_sidecar(database)
    key_file(database).unlink(missing_ok=True)
    if sidecar is None or sidecar.custody != "keyring":
        return
    from desktop.sync.credentials import SERVICE, _keyring_errors

    with contextlib.suppress(StorageError), _storage_errors(), _keyring_errors("forget") as backend:
        backend.delete_password(SERVICE, KEYRING_USER_PREFIX + sidecar.profile)


# --------------------------------------------------------------------------- the keyring


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """The keyring's failures (already translated for the sign-in) as a storage error: the
    profile, not the sync, is what cannot be used."""
    from desktop.sync.errors import CredentialsError

    try:
        yield
    except CredentialsError as exc:
        raise StorageError(exc.message) from exc


def _from_keyring(database: Path, profile: str) -> DatabaseKey:
    from desktop.sync.credentials import SERVICE, _keyring_errors

    with _storage_errors(), _keyring_errors("database key") as backend:
        stored = backend.get_password(SERVICE, KEYRING_USER_PREFIX + profile)
    if not isinstance(stored, str):
        raise KeyMissing(database)
    try:
        return DatabaseKey(bytes.fromhex(stored))
    except ValueError:
        raise KeyMissing(database) from None


# --------------------------------------------------------------------------- the password


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: "ệ" typed on one keyboard may be one code point and on another three.
    clean = unicodedata.normalize("NFC", password)
    return hashlib.scrypt(
        clean.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p, dklen=KEY_BYTES
    )


def _bound(profile: str) -> bytes:
    """The associated data: a wrapped key copied into another profile's sidecar does not open."""
    return f"homeroom database key|{profile}".encode()


def _wrap(profile: str, key: DatabaseKey, password: str) -> Sidecar:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = new_salt(), secrets.token_bytes(NONCE_BYTES)
    wrapping = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    wrapped = AESGCM(wrapping).encrypt(nonce, key.raw, _bound(profile))
    return Sidecar(profile, "password", SCRYPT_N, SCRYPT_R, SCRYPT_P, salt, nonce, wrapped)


def _unwrap(sidecar: Sidecar, password: str) -> DatabaseKey:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    wrapping = _derive(password, sidecar.salt, sidecar.n, sidecar.r, sidecar.p)
    try:
        raw = AESGCM(wrapping).decrypt(sidecar.nonce, sidecar.wrapped, _bound(sidecar.profile))
        return DatabaseKey(raw)
    except (InvalidTag, ValueError):
        raise WrongPassword(_("The app password is not right.")) from None


# --------------------------------------------------------------------------- the file


def _write(database: Path, sidecar: Sidecar) -> None:
    target = key_file(database)
    temporary = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8", newline="\n") as stream:
            stream.write(sidecar.text())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        fsync_folder(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        from desktop.models.db import storage_error_for

        raise storage_error_for(exc, target.parent) from exc


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _decode(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
