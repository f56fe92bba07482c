"""Passwords, bearer tokens and the sign-in rate limit.

- Passwords: ``hashlib.scrypt`` (n=2**14, r=8, p=1, 16-byte salt per account), a slow KDF, so a
  stolen database does not give the passwords away cheaply.
- Access tokens: opaque random 32 bytes (URL-safe base64), valid 15 minutes, stored as SHA-256
  only. Opaque rather than signed: the server looks every token up anyway (to check the account
  is still active), revoking is a DELETE, and the header stays small (43 characters).
- Refresh tokens: opaque too, SHA-256 only, rotated on every use within a *family* (one sign-in
  on one device). A rotated token used again means it was copied: the whole family is revoked
  and the device must sign in again.
- Refresh is safe to repeat: an answer lost on a poor link (or a client killed before it stored
  the new token) must not end the sign-in. The rotated token is answered again with *the same*
  new pair while ``Settings.refresh_grace`` lasts and that pair's refresh token is unused; any
  other use of it is reuse, as above. To give the pair again without keeping it in clear, the
  rotated row keeps it *sealed under the token that was presented*: XOR with a keystream of
  HMAC-SHA256 keyed by that token (a PRF; each key seals once). The database alone opens
  nothing, and a seal is erased once its grace is over, so an old token plus the database does
  not lead to later tokens either.
- Sign-in attempts and their limits: ``server.signin``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from desktop.i18n import _
from server import hot
from server.problems import ApiProblem
from server.settings import Settings
from server.tables import AccessToken, Account, KnownDevice, RefreshToken

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=64 * 2**20
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@cache
def dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


TOKEN_BYTES = 32
PAIR_BYTES = 2 * TOKEN_BYTES
_SEAL_LABELS = (b"homeroom successor 1", b"homeroom successor 2")


def _encode_token(raw: bytes) -> str:
    """A token's text form: URL-safe base64 without padding (43 characters)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _keystream(token: str) -> bytes:
    key = token.encode("ascii", "replace")
    return b"".join(hmac.digest(key, label, "sha256") for label in _SEAL_LABELS)


def seal_pair(presented: str, pair: bytes) -> str:
    """The new pair's random bytes, sealed under the token presented to get them."""
    sealed = bytes(a ^ b for a, b in zip(pair, _keystream(presented), strict=True))
    return _b64(sealed)


def open_pair(presented: str, sealed: str) -> bytes | None:
    try:
        data = base64.b64decode(sealed, validate=True)
    except ValueError:
        return None
    if len(data) != PAIR_BYTES:
        return None
    return bytes(a ^ b for a, b in zip(data, _keystream(presented), strict=True))


@dataclass(frozen=True)
class LoginOutcome:
    """What a sign-in or a refresh settled; the caller commits, then answers ``problem`` if any."""

    account: Account | None
    tokens: Issued | None
    problem: ApiProblem | None


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int


def issue(
    session: Session,
    account: Account,
    settings: Settings,
    *,
    family: str | None = None,
    pair: bytes | None = None,
) -> Issued:
    """A new access token and refresh token (a new family at sign-in, the same on refresh),
    made from the random bytes ``pair`` when given (``PAIR_BYTES``: refresh, then access)."""
    now = settings.clock()
    family = family or str(uuid.uuid4())
    pair = pair or secrets.token_bytes(PAIR_BYTES)
    refresh, access = _encode_token(pair[:TOKEN_BYTES]), _encode_token(pair[TOKEN_BYTES:])
    session.add(
        AccessToken(
            token_hash=token_hash(access),
            account_id=account.id,
            family=family,
            expires_at=now + settings.access_ttl,
        )
    )
    session.add(
        RefreshToken(
            token_hash=token_hash(refresh),
            account_id=account.id,
            family=family,
            created_at=now,
            expires_at=now + settings.refresh_ttl,
        )
    )
    session.flush()
    return Issued(access, refresh, int(settings.access_ttl.total_seconds()))


def account_for_token(connection: Connection, token: str, settings: Settings) -> Account | None:
    """The active account an unexpired access token belongs to (one statement, detached)."""
    return hot.account_for_token(connection, token_hash(token), settings.clock())


# --- Refresh ------------------------------------------------------------------------------------


def refresh(session: Session, token: str, settings: Settings) -> LoginOutcome:
    """Rotate a refresh token; a rotated one presented again within the grace, while its
    successor is unused, gets the same new pair; any other reuse revokes its family (committed
    by the caller)."""
    now = settings.clock()
    _forget_seals(session, now, settings)
    row = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
    ).first()
    expired = ApiProblem(
        401,
        "refresh_invalid",
        _("Your sign-in has expired; please sign in again."),
        headers={"WWW-Authenticate": "Bearer"},
    )
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return LoginOutcome(None, None, expired)
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return LoginOutcome(None, None, expired)
    if row.rotated_at is not None:
        again = _issued_again(session, row, token, now, settings)
        if again is not None:
            return LoginOutcome(account, again, None)
        revoke_family(session, row.family, now)
        reused = ApiProblem(
            401,
            "refresh_reused",
            _(
                "This sign-in was used from another place; for safety it was ended. "
                "Please sign in again."
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
        return LoginOutcome(None, None, reused)
    pair = secrets.token_bytes(PAIR_BYTES)
    row.rotated_at = now
    row.successor_seal = seal_pair(token, pair)
    return LoginOutcome(
        account, issue(session, account, settings, family=row.family, pair=pair), None
    )


def _issued_again(
    session: Session, row: RefreshToken, token: str, now: datetime, settings: Settings
) -> Issued | None:
    """The pair ``row``'s rotation gave, if it may be given again: within the grace, and
    neither of its tokens used up or withdrawn since."""
    assert row.rotated_at is not None
    if row.successor_seal is None or now - row.rotated_at > settings.refresh_grace:
        return None
    pair = open_pair(token, row.successor_seal)
    if pair is None:
        return None
    refresh, access = _encode_token(pair[:TOKEN_BYTES]), _encode_token(pair[TOKEN_BYTES:])
    successor = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(refresh))
    ).first()
    if (
        successor is None
        or successor.family != row.family
        or successor.rotated_at is not None
        or successor.revoked_at is not None
    ):
        return None
    access_row = session.get(AccessToken, token_hash(access))
    if access_row is None or access_row.expires_at <= now:
        return None
    return Issued(access, refresh, int((access_row.expires_at - now).total_seconds()))


def _forget_seals(session: Session, now: datetime, settings: Settings) -> None:
    """Erase the seals whose grace is over: they can never be used again."""
    session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.successor_seal.is_not(None),
            RefreshToken.rotated_at < now - settings.refresh_grace,
        )
        .values(successor_seal=None)
    )


def end_sign_in(session: Session, refresh_token: str, now: datetime) -> None:
    """Server-side logout: the refresh token's family ends, with its access tokens. An unknown
    or already ended token changes nothing (a resent logout is answered the same)."""
    family = session.scalar(
        select(RefreshToken.family).where(RefreshToken.token_hash == token_hash(refresh_token))
    )
    if family is not None:
        revoke_family(session, family, now)


def revoke_account(session: Session, account_id: int, now: datetime) -> None:
    """Every sign-in of the account ends, and its devices no longer vouch for it (a lost PC):
    each must sign in again with the password, under the strangers' limits."""
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now, successor_seal=None)
    )
    session.execute(delete(AccessToken).where(AccessToken.account_id == account_id))
    session.execute(delete(KnownDevice).where(KnownDevice.account_id == account_id))


def revoke_family(session: Session, family: str, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now, successor_seal=None)
    )
    session.execute(delete(AccessToken).where(AccessToken.family == family))
