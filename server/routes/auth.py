"""Reachability and sign-in: ``ping``, ``auth/login``, ``auth/refresh``, ``auth/logout``, and
the principal ending a staff account's sign-ins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.i18n import _
from desktop.sync.protocol import (
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    LoginRequest,
    Ping,
    RefreshRequest,
    Tokens,
)
from server import access, auth, signin
from server.deps import AccountDep, SettingsDep, StoreDep
from server.problems import ApiProblem, not_found
from server.routes.common import PREFIX, errors
from server.settings import Settings
from server.tables import Account

router = APIRouter(prefix=PREFIX, tags=["auth"])


@router.get("/ping", response_model=Ping)
async def ping(settings: SettingsDep) -> Ping:
    """Reachability and the server's clock; no sign-in needed."""
    # On the event loop, not in the thread pool: a pool full of waiting requests (sign-ins
    # queued for the password check, hostile bodies) must not hold up the health check.
    return Ping(
        protocol=PROTOCOL_VERSION,
        schema_version=SCHEMA_VERSION,
        server_time=settings.clock(),
        school_today=settings.school_today(),
    )


def _tokens(session: Session, outcome: auth.LoginOutcome, settings: Settings) -> Tokens | None:
    if outcome.account is None or outcome.tokens is None:
        return None
    account = outcome.account
    return Tokens(
        access_token=outcome.tokens.access_token,
        refresh_token=outcome.tokens.refresh_token,
        expires_in=outcome.tokens.expires_in,
        role=account.role,  # type: ignore[arg-type]
        class_ids=access.class_ids_of(session, account, settings.school_today()),
        display_name=account.display_name,
    )


@router.post("/auth/login", response_model=Tokens, responses=errors(401, 422, 429, 503))
def login(body: LoginRequest, request: Request, store: StoreDep, settings: SettingsDep) -> Tokens:
    """Sign in. Past 5 failures per user name (20 per address) in 5 minutes, each try waits
    longer (``429`` with ``Retry-After``); a device that signed in to the account before, named
    by its key in ``X-Homeroom-Device``, counts only its own failures."""
    address = signin.client_address(
        request.client.host if request.client else None,
        request.headers.get("X-Forwarded-For"),
        settings,
    )
    with store.read() as session:
        attempt = signin.prepare(
            session, body.username, request.headers.get(signin.DEVICE_HEADER), address, settings
        )
    if isinstance(attempt, ApiProblem):
        raise attempt
    ok = signin.password_matches(attempt, body.password)
    with store.write() as session:
        outcome = signin.settle(session, attempt, ok, settings)
        tokens = _tokens(session, outcome, settings)
    # The failed attempt is committed first: it is what the rate limit counts.
    if outcome.problem is not None or tokens is None:
        assert outcome.problem is not None
        raise outcome.problem
    return tokens


@router.post("/auth/refresh", response_model=Tokens, responses=errors(401, 422))
def refresh(
    body: RefreshRequest, request: Request, store: StoreDep, settings: SettingsDep
) -> Tokens:
    """A new access token and a new refresh token; the one sent is used up.

    Safe to repeat: sent again within the grace (5 minutes by default) while the new refresh
    token is unused, the same pair is answered; any other reuse ends the sign-in
    (``refresh_reused``)."""
    with store.write() as session:
        outcome = auth.refresh(session, body.refresh_token, settings)
        tokens = _tokens(session, outcome, settings)
        if outcome.account is not None and tokens is not None:
            signin.seen(
                session,
                request.headers.get(signin.DEVICE_HEADER),
                outcome.account.id,
                settings.clock(),
            )
    if outcome.problem is not None or tokens is None:
        assert outcome.problem is not None
        raise outcome.problem
    return tokens


@router.post("/auth/logout", status_code=204, responses=errors(422))
def logout(body: RefreshRequest, store: StoreDep, settings: SettingsDep) -> Response:
    """Sign out on the server: the refresh token's sign-in ends, with its access tokens (sync
    answers them ``401``, refresh ``refresh_invalid``). Holding the refresh token is the
    authority; an unknown or already ended one is answered the same, so a resend is harmless."""
    with store.write() as session:
        auth.end_sign_in(session, body.refresh_token, settings.clock())
    return Response(status_code=204)


@router.post(
    "/principal/accounts/{username}/sign-out",
    status_code=204,
    responses=errors(401, 403, 404, 422),
    tags=["principal"],
)
def sign_out_account(
    username: Annotated[str, Path(min_length=1, max_length=100)],
    account: AccountDep,
    store: StoreDep,
    settings: SettingsDep,
) -> Response:
    """The principal ends every sign-in of a staff account of the school (a lost or stolen
    PC): its access tokens stop at once, its refresh tokens no longer refresh, and its devices
    must sign in again with the password."""
    with store.write() as session:
        school = access.require_principal(session, account)
        target = session.scalars(
            select(Account).where(Account.username == username.strip().lower())
        ).first()
        if target is None or target.role == "parent" or access.school_of(session, target) != school:
            raise not_found(
                _("There is no staff account {name} in your school.").format(name=username)
            )
        auth.revoke_account(session, target.id, settings.clock())
    return Response(status_code=204)
