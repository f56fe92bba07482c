"""The app password (or PIN) of a profile: set, checked, and the key it unlocks.

Stored in the profile's ``profile_setting`` table, never in clear: a scrypt verifier under its
own random salt, and a second random salt for ``token_key``, the key that encrypts the refresh
token when the OS has no keyring. The two derivations use different salts, so the stored
verifier says nothing about the key. scrypt is slow on purpose (a stolen profile must not give
up a 4-digit PIN in seconds); call these off the GUI thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.services.profile import get_setting, set_setting

MIN_LENGTH: Final = 4
VERIFIER_KEY: Final = "security.app_password"
TOKEN_SALT_KEY: Final = "security.token_salt"
SALT_BYTES: Final = 16
KEY_BYTES: Final = 32


@dataclass(frozen=True)
class Cost:
    """scrypt's parameters, stored with each verifier so they can be raised later."""

    n: int = 2**14
    r: int = 8
    p: int = 1


def _derive(password: str, salt: bytes, cost: Cost) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=256 * cost.r * (cost.n + cost.p + 2),
        dklen=KEY_BYTES,
    )


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def is_set(session: Session) -> bool:
    return bool(get_setting(session, VERIFIER_KEY))


def set_password(session: Session, password: str) -> None:
    """Set (or replace) the app password; new salts each time, so a key derived from an older
    password no longer opens anything sealed afterwards."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            _("The app password or PIN needs at least {count} characters.").format(count=MIN_LENGTH)
        )
    cost = Cost()
    salt = secrets.token_bytes(SALT_BYTES)
    verifier = _derive(password, salt, cost)
    set_setting(
        session,
        VERIFIER_KEY,
        f"scrypt:{cost.n}:{cost.r}:{cost.p}:{_encode(salt)}:{_encode(verifier)}",
    )
    set_setting(session, TOKEN_SALT_KEY, _encode(secrets.token_bytes(SALT_BYTES)))


def verify(session: Session, password: str) -> bool:
    """Whether ``password`` is the app password (``False`` when none is set)."""
    stored = get_setting(session, VERIFIER_KEY)
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, verifier = stored.split(":")
        cost = Cost(int(n), int(r), int(p))
        expected = base64.b64decode(verifier, validate=True)
        salt_bytes = base64.b64decode(salt, validate=True)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(_derive(password, salt_bytes, cost), expected)


def token_key(session: Session, password: str) -> bytes:
    """The 32-byte key that seals the refresh token in this profile; ``InvalidInput`` when the
    password is wrong (or none is set)."""
    if not verify(session, password):
        raise InvalidInput(_("The app password is not correct."))
    salt = get_setting(session, TOKEN_SALT_KEY)
    if not salt:
        raise InvalidInput(_("The app password is not correct."))
    return _derive(password, base64.b64decode(salt), Cost())
