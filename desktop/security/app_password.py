"""The app password (or PIN) that unlocks the window, and the key it gives for secrets kept
in the profile where the OS has no keyring.

Stored in the profile's ``profile_setting`` table as one JSON value: the scrypt parameters,
a random salt and the hash that ``verify`` compares, and a second, independent salt from which
``token_key`` derives an encryption key. The parameters travel with the value, so they can be
raised later without locking out a teacher whose hash used the old ones. The password itself
is never stored.

Every call here runs scrypt (tens of milliseconds, on purpose): call it on a worker thread,
never on the GUI thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.services.profile import get_setting, set_setting

SETTING_KEY = "security.app_password"
MINIMUM_LENGTH = 4
KEY_BYTES = 32
SALT_BYTES = 16

# scrypt's cost: 2**14 with r=8 needs 16 MiB and about 0.1 s on a school's PC.
COST = 2**14
BLOCK_SIZE = 8
PARALLELISM = 1


@dataclass(frozen=True)
class KeyChange:
    """The token key before and after a password change: what it protected must be decrypted
    with ``old`` and encrypted again with ``new``, in the same transaction."""

    old: bytes
    new: bytes


Rekey = Callable[[Session, KeyChange], None]
"""Re-encrypts, in the given session, whatever ``token_key`` protected."""


@dataclass(frozen=True)
class _Stored:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes
    token_salt: bytes

    def text(self) -> str:
        return json.dumps(
            {
                "kdf": "scrypt",
                "n": self.n,
                "r": self.r,
                "p": self.p,
                "salt": _encode(self.salt),
                "hash": _encode(self.digest),
                "token_salt": _encode(self.token_salt),
            },
            separators=(",", ":"),
        )


def is_set(session: Session) -> bool:
    """Whether this profile has an app password."""
    return _load(session) is not None


def set_password(session: Session, password: str) -> None:
    """Set (or replace) the app password: at least 4 characters, a PIN of 4 digits or more
    will do. Replacing it loses what ``token_key`` protected: use ``change_password`` when
    there may be such a secret."""
    clean = _checked(password)
    salt = secrets.token_bytes(SALT_BYTES)
    stored = _Stored(
        n=COST,
        r=BLOCK_SIZE,
        p=PARALLELISM,
        salt=salt,
        digest=_scrypt(clean, salt, COST, BLOCK_SIZE, PARALLELISM),
        token_salt=secrets.token_bytes(SALT_BYTES),
    )
    set_setting(session, SETTING_KEY, stored.text())


def verify(session: Session, password: str) -> bool:
    """Whether ``password`` is this profile's app password (``False`` when none is set)."""
    stored = _load(session)
    return stored is not None and _matches(stored, _normalised(password))


def token_key(session: Session, password: str) -> bytes:
    """A 32-byte key for secrets kept in this profile, derived from the app password under its
    own salt (it cannot be computed from the stored hash). Raises ``InvalidInput`` when the
    password is wrong or none is set."""
    stored = _load(session)
    clean = _normalised(password)
    if stored is None or not _matches(stored, clean):
        raise InvalidInput(_("The app password is not right."))
    return _scrypt(clean, stored.token_salt, stored.n, stored.r, stored.p)


def change_password(
    session: Session, *, old: str, new: str, rekey: Rekey | None = None
) -> KeyChange:
    """Replace the app password after checking the old one; ``rekey`` (if given) re-encrypts
    in the same session what the old key protected, so a failure leaves both as they were."""
    old_key = token_key(session, old)
    set_password(session, new)
    change = KeyChange(old=old_key, new=token_key(session, new))
    if rekey is not None:
        rekey(session, change)
    return change


def _checked(password: str) -> str:
    clean = _normalised(password)
    if len(clean) < MINIMUM_LENGTH:
        raise InvalidInput(
            _("The app password needs at least {count} characters (a PIN: {count} digits).").format(
                count=MINIMUM_LENGTH
            )
        )
    return clean


def _normalised(password: str) -> str:
    # "ệ" typed on one keyboard may be one code point and on another three: NFC makes them one.
    return unicodedata.normalize("NFC", password)


def _matches(stored: _Stored, clean: str) -> bool:
    candidate = _scrypt(clean, stored.salt, stored.n, stored.r, stored.p)
    return hmac.compare_digest(candidate, stored.digest)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r * p,
        dklen=KEY_BYTES,
    )


def _load(session: Session) -> _Stored | None:
    text = get_setting(session, SETTING_KEY)
    if not text:
        return None
    try:
        raw = json.loads(text)
        return _Stored(
            n=int(raw["n"]),
            r=int(raw["r"]),
            p=int(raw["p"]),
            salt=_decode(raw["salt"]),
            digest=_decode(raw["hash"]),
            token_salt=_decode(raw["token_salt"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        # A damaged value is not "no password": that would let anyone set a new one.
        raise InvalidInput(
            _("The app password stored in this profile is damaged; ask for help.")
        ) from None


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
