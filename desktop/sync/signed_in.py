"""One sync of the profile with the server and account it is signed in to: the command line,
the demo and the desktop all go through here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models.db import Database
from desktop.sync import state
from desktop.sync.cycle import (
    Cancellation,
    OnDatabase,
    Progress,
    SyncServer,
    SyncSummary,
    in_place,
)

if TYPE_CHECKING:
    from desktop.sync.protocol import SyncRequest, SyncResponse


class Connection(SyncServer, Protocol):
    def close(self) -> None: ...


Connector = Callable[[str, str], Connection]
"""``(server_url, username)`` → a transport to sync through (closed after the sync)."""


def keyring_connector(server_url: str, username: str) -> Connection:
    from desktop.sync.credentials import connect

    transport, _source = connect(server_url, username)
    return transport


LOGOUT_PATH = "/api/v1/auth/logout"
LOGOUT_TIMEOUT_S = 10.0
"""Signing out must not hang on a dead link: the token is forgotten here either way."""


def tell_server_signed_out(server_url: str, refresh_token: str) -> bool:
    """Ask the server to end this sign-in (``auth/logout``); ``False`` when it could not be
    told. One attempt: the local sign-out does not wait for a link to come back."""
    import httpx

    from desktop.sync.transport import USER_AGENT, make_ssl_context

    try:
        answer = httpx.post(
            server_url.rstrip("/") + LOGOUT_PATH,
            json={"refresh_token": refresh_token},
            headers={"User-Agent": USER_AGENT},
            verify=make_ssl_context(),
            timeout=LOGOUT_TIMEOUT_S,
            follow_redirects=False,
        )
    except httpx.HTTPError:
        return False
    return answer.is_success


def require_account(database: Database) -> state.SignedIn:
    with database.reading() as session:
        account = state.signed_in(session)
    if account is None:
        raise InvalidInput(_("This profile is not signed in: run 'homeroom login' first."))
    return account


def sync_signed_in(
    database: Database,
    connector: Connector = keyring_connector,
    *,
    on_database: OnDatabase = in_place,
    cancel: Cancellation | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> SyncSummary:
    """Sync once; with ``cancel``, a cancellation also stops waiting for the round trip in
    flight (its answer, if one comes, is dropped unrecorded: the server is idempotent)."""
    # The engine (and pydantic with its protocol) loads with the first sync, not at start-up.
    from desktop.sync.engine import sync_once

    account = on_database(partial(require_account, database))
    connection = connector(account.server_url, account.username)
    server = connection if cancel is None else _Abandonable(connection, cancel)
    try:
        return sync_once(
            database,
            server,
            class_id=account.class_id,
            on_database=on_database,
            cancel=cancel,
            progress=progress,
        )
    finally:
        server.close()


class _Abandonable:
    """A connection whose round trips run on their own thread, so that a cancellation need not
    wait for a slow answer; the connection is closed once no round trip is in flight (closing
    it under a request in flight could cut a token refresh halfway)."""

    def __init__(self, connection: Connection, cancel: Cancellation) -> None:
        self._connection = connection
        self._cancel = cancel
        self._lock = threading.Lock()
        self._in_flight = False
        self._close_pending = False

    def sync(self, request: SyncRequest) -> SyncResponse:
        self._cancel.check()
        answer: list[SyncResponse] = []
        failure: list[BaseException] = []
        finished = threading.Event()

        def call() -> None:
            try:
                answer.append(self._connection.sync(request))
            except BaseException as error:  # handed to the waiting thread below
                failure.append(error)
            finally:
                finished.set()
                self._settled()

        with self._lock:
            self._in_flight = True
        threading.Thread(target=call, name="homeroom-sync-call", daemon=True).start()
        while not finished.wait(0.05):
            self._cancel.check()
        if failure:
            raise failure[0]
        return answer[0]

    def close(self) -> None:
        with self._lock:
            if self._in_flight:
                self._close_pending = True
                return
        self._connection.close()

    def _settled(self) -> None:
        with self._lock:
            self._in_flight = False
            close = self._close_pending
        if close:
            self._connection.close()
