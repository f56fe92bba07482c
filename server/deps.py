"""FastAPI dependencies: the store, the settings, the signed-in account, the version headers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from desktop.i18n import _
from desktop.sync.protocol import PROTOCOL_VERSION, SCHEMA_VERSION
from server import auth
from server.problems import ApiProblem, unauthorized, version_mismatch
from server.settings import Settings
from server.store import Store
from server.sync import MIN_SCHEMA_VERSION
from server.tables import Account

bearer = HTTPBearer(
    auto_error=False, description="The access token from `auth/login` or `auth/refresh`."
)


async def get_store(request: Request) -> Store:
    # Async, like every dependency here: a sync one costs each request a hop to the thread pool.
    store: Store | None = request.app.state.store
    if store is None:
        raise ApiProblem(503, "no_database", _("The server has no database open."))
    return store


async def get_settings(request: Request) -> Settings:
    # Async: a trivial read needs no hop to the thread pool (ping relies on that).
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def authenticate(store: Store, settings: Settings, token: str) -> Account | None:
    with store.hot() as connection:
        return auth.account_for_token(connection, token, settings)


async def current_account(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Account:
    """The active account of a valid bearer token, else 401 (the client refreshes once).

    A request with a body had its token checked before the body was read (``server.body``);
    that account is reused."""
    checked: Account | None = getattr(request.state, "account", None)
    if checked is not None:
        return checked
    if credentials is None:
        raise unauthorized("missing_token")
    account = await run_in_threadpool(authenticate, store, settings, credentials.credentials)
    if account is None:
        raise unauthorized()
    return account


AccountDep = Annotated[Account, Depends(current_account)]


async def check_version_headers(
    x_homeroom_protocol: Annotated[int | None, Header()] = None,
    x_homeroom_schema: Annotated[int | None, Header()] = None,
) -> None:
    """``426`` when a client announces a protocol or schema this server cannot serve (``async``:
    no I/O, so no hop to the thread pool for every request)."""
    if x_homeroom_protocol is not None and x_homeroom_protocol != PROTOCOL_VERSION:
        raise version_mismatch()
    if x_homeroom_schema is not None and not (
        MIN_SCHEMA_VERSION <= x_homeroom_schema <= SCHEMA_VERSION
    ):
        raise version_mismatch()
