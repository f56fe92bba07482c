"""One sync of the profile with the server and account it is signed in to: the command line,
the demo and the desktop all go through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models.db import Database
from desktop.sync import state
from desktop.sync.engine import SyncServer, SyncSummary, sync_once


class Connection(SyncServer, Protocol):
    def close(self) -> None: ...


Connector = Callable[[str, str], Connection]
"""``(server_url, username)`` → a transport to sync through (closed after the sync)."""


def keyring_connector(server_url: str, username: str) -> Connection:
    from desktop.sync.credentials import connect

    transport, _source = connect(server_url, username)
    return transport


def require_account(database: Database) -> state.SignedIn:
    with database.reading() as session:
        account = state.signed_in(session)
    if account is None:
        raise InvalidInput(_("This profile is not signed in: run 'homeroom login' first."))
    return account


def sync_signed_in(database: Database, connector: Connector = keyring_connector) -> SyncSummary:
    account = require_account(database)
    server = connector(account.server_url, account.username)
    try:
        return sync_once(database, server, class_id=account.class_id)
    finally:
        server.close()
