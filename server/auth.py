"""Passwords, bearer tokens and the sign-in rate limit.

- Passwords: ``hashlib.scrypt`` (n=2**14, r=8, p=1, 16-byte salt per account), a slow KDF, so a
  stolen database does not give the passwords away cheaply.
- Access tokens: opaque random 32 bytes (URL-safe base64), valid 15 minutes, stored as SHA-256
  only. Opaque rather than signed: the server looks every token up anyway (to check the account
  is still active), revoking is a DELETE, and the header stays small (43 characters).
- Refresh tokens: opaque too, SHA-256 only, rotated on every use within a *family* (one sign-in
  on one device). A rotated token used again means it was copied: the whole family is revoked
  and the device must sign in again.
- Sign-in attempts: at most 5 failures per user name and 20 per address in 5 minutes, then
  ``429`` with ``Retry-After``; checked before the password, so a locked name cannot be probed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.i18n import _
from server.problems import ApiProblem
from server.settings import Settings
from server.tables import AccessToken, Account, LoginAttempt, RefreshToken

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
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int


def issue(
    session: Session, account: Account, settings: Settings, *, family: str | None = None
) -> Issued:
    """A new access token and refresh token (a new family at sign-in, the same on refresh)."""
    now = settings.clock()
    family = family or str(uuid.uuid4())
    access, refresh = new_token(), new_token()
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


def account_for_token(session: Session, token: str, settings: Settings) -> Account | None:
    """The active account an unexpired access token belongs to."""
    row = session.get(AccessToken, token_hash(token))
    if row is None or row.expires_at <= settings.clock():
        return None
    account = session.get(Account, row.account_id)
    return account if account is not None and account.active else None


# --- Sign-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginOutcome:
    """What a sign-in attempt settled; the caller commits, then answers ``problem`` if any."""

    account: Account | None
    tokens: Issued | None
    problem: ApiProblem | None


def _retry_after(oldest: datetime, settings: Settings) -> int:
    wait = (oldest + settings.login_window - settings.clock()).total_seconds()
    return max(1, math.ceil(wait))


def _limited(
    session: Session, column: InstrumentedAttribute[str], value: str, limit: int, settings: Settings
) -> int | None:
    """Seconds to wait when ``value`` has ``limit`` failures in the window, else ``None``."""
    since = settings.clock() - settings.login_window
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok.is_(True))
    )
    start = max(since, last_ok) if last_ok is not None else since
    failures = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.ok.is_(False), LoginAttempt.at > start)
            .order_by(LoginAttempt.at)
        )
    )
    if len(failures) < limit:
        return None
    return _retry_after(failures[-limit], settings)


def login(
    session: Session, username: str, password: str, address: str, settings: Settings
) -> LoginOutcome:
    username = username.strip().lower()
    now = settings.clock()
    wait = _limited(
        session, LoginAttempt.username, username, settings.max_failures_per_user, settings
    ) or _limited(
        session, LoginAttempt.address, address, settings.max_failures_per_address, settings
    )
    if wait is not None:
        problem = ApiProblem(
            429,
            "too_many_attempts",
            _("Too many failed sign-ins; try again in {seconds} seconds.").format(seconds=wait),
            headers={"Retry-After": str(wait)},
        )
        return LoginOutcome(None, None, problem)
    account = session.scalars(select(Account).where(Account.username == username)).first()
    # Hash even for an unknown name, so the answer's timing does not tell which names exist.
    ok = verify_password(password, account.password_hash if account else _dummy_hash())
    ok = ok and account is not None and account.active
    session.add(LoginAttempt(username=username, address=address, at=now, ok=ok))
    _prune(session, settings)
    if not ok or account is None:
        problem = ApiProblem(
            401,
            "bad_credentials",
            _("Wrong user name or password."),
            headers={"WWW-Authenticate": "Bearer"},
        )
        return LoginOutcome(None, None, problem)
    return LoginOutcome(account, issue(session, account, settings), None)


def _prune(session: Session, settings: Settings) -> None:
    """Forget old attempts and expired access tokens, so neither table grows for ever."""
    now = settings.clock()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * settings.login_window))
    session.execute(delete(AccessToken).where(AccessToken.expires_at < now))


# --- Refresh ------------------------------------------------------------------------------------


def refresh(session: Session, token: str, settings: Settings) -> LoginOutcome:
    """Rotate a refresh token; a reused one revokes its family (committed by the caller)."""
    now = settings.clock()
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
    if row.rotated_at is not None:
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
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return LoginOutcome(None, None, expired)
    row.rotated_at = now
    return LoginOutcome(account, issue(session, account, settings, family=row.family), None)


def revoke_family(session: Session, family: str, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(delete(AccessToken).where(AccessToken.family == family))
