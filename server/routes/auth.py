"""Reachability and sign-in: ``ping``, ``auth/login``, ``auth/refresh``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from desktop.sync.protocol import (
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    LoginRequest,
    Ping,
    RefreshRequest,
    Tokens,
)
from server import access, auth
from server.deps import SettingsDep, StoreDep
from server.routes.common import PREFIX, errors
from server.settings import Settings

router = APIRouter(prefix=PREFIX, tags=["auth"])


@router.get("/ping", response_model=Ping)
def ping(settings: SettingsDep) -> Ping:
    """Reachability and the server's clock; no sign-in needed."""
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


@router.post("/auth/login", response_model=Tokens, responses=errors(401, 422, 429))
def login(body: LoginRequest, request: Request, store: StoreDep, settings: SettingsDep) -> Tokens:
    """Sign in; at most 5 failures per user name (20 per address) in 5 minutes."""
    address = request.client.host if request.client else "unknown"
    with store.write() as session:
        outcome = auth.login(session, body.username, body.password, address, settings)
        tokens = _tokens(session, outcome, settings)
    # The failed attempt is committed first: it is what the rate limit counts.
    if outcome.problem is not None or tokens is None:
        assert outcome.problem is not None
        raise outcome.problem
    return tokens


@router.post("/auth/refresh", response_model=Tokens, responses=errors(401, 422))
def refresh(body: RefreshRequest, store: StoreDep, settings: SettingsDep) -> Tokens:
    """A new access token and a new refresh token; the one sent is used up.

    Safe to repeat: sent again within the grace (5 minutes by default) while the new refresh
    token is unused, the same pair is answered; any other reuse ends the sign-in
    (``refresh_reused``)."""
    with store.write() as session:
        outcome = auth.refresh(session, body.refresh_token, settings)
        tokens = _tokens(session, outcome, settings)
    if outcome.problem is not None or tokens is None:
        assert outcome.problem is not None
        raise outcome.problem
    return tokens
