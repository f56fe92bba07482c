"""Sign-in and its limits, built so that attackers are slowed without locking teachers out.

- Failures are counted three ways, each in ``Settings.login_window``: per user name (since that
  name's last good sign-in), per address (a good sign-in clears nothing there: one valid account
  must not buy unlimited tries at the others), and per device key.
- Past a limit the next try waits ``login_delay`` after the last failure, doubled by each further
  failure (at most the window); meanwhile the answer is ``429`` with ``Retry-After`` at once, not
  counted. A locked name cannot be probed: the limit is checked before the password.
- A device that signed in to the account before (its key, ``X-Homeroom-Device``, came with a good
  sign-in) is limited by its own failures only: five strangers' tries do not lock the principal
  out of their own computer.
- The password check (scrypt, tens of milliseconds) runs outside any transaction: the read
  snapshot decides, the KDF runs, then a short write transaction checks the limit again (a
  burst of concurrent guesses cannot overrun it) and records the attempt.
- At most ``PASSWORD_CHECKS_AT_ONCE`` checks run at once in a server process, in a worker
  process at the lowest CPU priority (``server.password_worker``): a dozen concurrent scrypt
  runs would take every core from the teachers' syncs. A sign-in that waits
  longer than ``CHECK_WAIT_S`` for its turn gets ``503`` with ``Retry-After``.
"""

from __future__ import annotations

import ipaddress
import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from desktop.i18n import _
from server import auth, password_worker
from server.problems import ApiProblem
from server.settings import Settings
from server.tables import AccessToken, Account, KnownDevice, LoginAttempt

DEVICE_HEADER = "X-Homeroom-Device"
DEVICE_KEY_LENGTH = range(16, 201)
ADDRESS_LENGTH = 64
PASSWORD_CHECKS_AT_ONCE = 1
CHECK_WAIT_S = 5.0
_password_checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)


# --- The client's address -------------------------------------------------------------------


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)
    except ValueError:
        return False


def client_address(peer: str | None, forwarded_for: str | None, settings: Settings) -> str:
    """The address the limits count: the peer, or, when the peer is a proxy the operator named,
    the nearest ``X-Forwarded-For`` hop that is not one (the hops left of it are the client's
    word, which anybody can write)."""
    if peer is None:
        return "unknown"
    if not forwarded_for or not _in(peer, settings.trusted_proxies):
        return peer[:ADDRESS_LENGTH]
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(hop, settings.trusted_proxies):
            return hop[:ADDRESS_LENGTH]
    return peer[:ADDRESS_LENGTH]


# --- The limits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What the read snapshot found for one sign-in, before the password is checked."""

    username: str
    address: str
    device: str | None
    """The device key's hash."""
    account_id: int | None
    password_hash: str
    active: bool
    known_device: bool


def _device_hash(key: str | None) -> str | None:
    if key is None or len(key) not in DEVICE_KEY_LENGTH:
        return None
    return auth.token_hash(key)


def _wait(session: Session, settings: Settings, limit: int, *where: ColumnElement[bool]) -> int:
    """Seconds until the next try is allowed (0: now) given the failures matching ``where``."""
    now = settings.clock()
    failures = list(
        session.scalars(
            select(LoginAttempt.at)
            .where(
                LoginAttempt.ok.is_(False), LoginAttempt.at > now - settings.login_window, *where
            )
            .order_by(LoginAttempt.at)
        )
    )
    if len(failures) < limit:
        return 0
    delay: timedelta = min(
        settings.login_delay * 2 ** (len(failures) - limit), settings.login_window
    )
    return max(0, math.ceil((failures[-1] + delay - now).total_seconds()))


def _wait_for(session: Session, attempt: Attempt, settings: Settings) -> int:
    if attempt.known_device:
        return _wait(
            session, settings, settings.max_failures_per_user, LoginAttempt.device == attempt.device
        )
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == attempt.username, LoginAttempt.ok.is_(True)
        )
    )
    since = [LoginAttempt.at > last_ok] if last_ok is not None else []
    per_user = _wait(
        session,
        settings,
        settings.max_failures_per_user,
        LoginAttempt.username == attempt.username,
        *since,
    )
    per_address = _wait(
        session,
        settings,
        settings.max_failures_per_address,
        LoginAttempt.address == attempt.address,
    )
    return max(per_user, per_address)


def _too_many(seconds: int) -> ApiProblem:
    return ApiProblem(
        429,
        "too_many_attempts",
        _("Too many failed sign-ins; try again in {seconds} seconds.").format(seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


def _bad_credentials() -> ApiProblem:
    return ApiProblem(
        401,
        "bad_credentials",
        _("Wrong user name or password."),
        headers={"WWW-Authenticate": "Bearer"},
    )


# --- Sign-in, in three steps ----------------------------------------------------------------


def prepare(
    session: Session, username: str, device_key: str | None, address: str, settings: Settings
) -> Attempt | ApiProblem:
    """In a read snapshot: the account's hash, or the ``429`` when a limit holds."""
    username = username.strip().lower()
    account = session.scalars(select(Account).where(Account.username == username)).first()
    device = _device_hash(device_key)
    known = (
        account is not None
        and device is not None
        and session.scalar(select(KnownDevice.account_id).where(KnownDevice.key_hash == device))
        == account.id
    )
    attempt = Attempt(
        username=username,
        address=address,
        device=device,
        account_id=account.id if account else None,
        # Hash even for an unknown name, so the answer's timing does not tell which names exist.
        password_hash=account.password_hash if account else auth.dummy_hash(),
        active=account is not None and account.active,
        known_device=known,
    )
    wait = _wait_for(session, attempt, settings)
    return _too_many(wait) if wait else attempt


def password_matches(attempt: Attempt, password: str) -> bool:
    """The slow part; call it outside any transaction. ``ApiProblem`` 503 when the checks
    already running keep it waiting too long."""
    if not _password_checks.acquire(timeout=CHECK_WAIT_S):
        raise ApiProblem(
            503, "busy", _("The server is busy; try again shortly."), headers={"Retry-After": "5"}
        )
    try:
        matches = password_worker.verify(password, attempt.password_hash)
    finally:
        _password_checks.release()
    return matches and attempt.account_id is not None and attempt.active


def settle(session: Session, attempt: Attempt, ok: bool, settings: Settings) -> auth.LoginOutcome:
    """In the write transaction: the limit again (concurrent failures may have reached it
    meanwhile; then nothing is recorded), the attempt, and on success the tokens."""
    wait = _wait_for(session, attempt, settings)
    if wait:
        return auth.LoginOutcome(None, None, _too_many(wait))
    now = settings.clock()
    session.add(
        LoginAttempt(
            username=attempt.username,
            address=attempt.address,
            device=attempt.device,
            at=now,
            ok=ok,
        )
    )
    _prune(session, settings)
    account = session.get(Account, attempt.account_id) if ok else None
    if account is None or not account.active:
        return auth.LoginOutcome(None, None, _bad_credentials())
    if attempt.device is not None:
        _remember_device(session, attempt.device, account.id, now)
    return auth.LoginOutcome(account, auth.issue(session, account, settings), None)


def _remember_device(session: Session, device: str, account_id: int, now: datetime) -> None:
    row = session.get(KnownDevice, device)
    if row is None:
        session.add(
            KnownDevice(key_hash=device, account_id=account_id, first_seen=now, last_seen=now)
        )
        return
    # A key moved to another account (a shared PC) vouches for the newest sign-in only.
    row.account_id = account_id
    row.last_seen = now


def seen(session: Session, device_key: str | None, account_id: int, now: datetime) -> None:
    """A refresh from a known device keeps it known (``Settings.known_device_keep``); it
    never makes a device known: only a good password does."""
    device = _device_hash(device_key)
    row = session.get(KnownDevice, device) if device is not None else None
    if row is not None and row.account_id == account_id:
        row.last_seen = now


def _prune(session: Session, settings: Settings) -> None:
    """Forget old attempts, expired access tokens and long-unseen devices, so no table grows
    for ever."""
    now = settings.clock()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * settings.login_window))
    session.execute(
        delete(KnownDevice).where(KnownDevice.last_seen < now - settings.known_device_keep)
    )
    session.execute(delete(AccessToken).where(AccessToken.expires_at < now))
