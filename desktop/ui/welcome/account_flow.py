"""Signing in and out from the window, off the GUI thread.

A sign-in is two steps: ``login`` (the network lane: the server checks the password; the
refresh token is held in memory) and ``keep`` (the token goes to the OS keyring, or sealed in
the profile under the app password's key when there is no keyring; the account is recorded on
the database lane). Between the two the welcome screen may ask for the app password.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.errors import HomeroomError, InvalidInput
from desktop.i18n import _
from desktop.models.db import Database
from desktop.security.unlocked import UnlockedKey
from desktop.sync import account, state
from desktop.sync.credentials import (
    Identity,
    MemoryStore,
    StoredTokenSource,
    connect,
)
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class LoggedIn:
    """A sign-in the server accepted, its token not kept yet."""

    server_url: str
    username: str
    identity: Identity
    source: StoredTokenSource


class AccountFlow(QObject):
    logged_in = Signal(object)
    """A ``LoggedIn``."""
    kept = Signal(str)
    """The token is stored and the account recorded; the store's kind."""
    signed_out = Signal(bool)
    """Signed out here; whether the server was told too."""
    failed = Signal(str)
    """Why a step failed, in the teacher's words."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        key: UnlockedKey,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.key = key

    def login(self, server_url: str, username: str, password: str) -> None:
        address, user = server_url.strip(), username.strip()

        def work() -> LoggedIn:
            if not address or not user or not password:
                raise InvalidInput(_("Enter the server's address, your user name and password."))
            transport, source = connect(address, user, store=MemoryStore())
            try:
                identity = source.login(password)
            finally:
                transport.close()
            if not identity.class_ids:
                raise InvalidInput(_("This account has no class to sync."))
            return LoggedIn(transport.base_url, user, identity, source)

        self.runner.run_network(work, self.logged_in.emit, self._failed)

    def keep(self, pending: LoggedIn) -> None:
        database, runner, key = self.database, self.runner, self.key

        def work() -> str:
            store = account.choose_store(
                pending.server_url,
                pending.username,
                database=database,
                key=key,
                on_database=runner.on_database,
            )
            pending.source.move_to(store)
            signed_in = state.SignedIn(
                pending.server_url, pending.username, pending.identity.class_ids[0]
            )

            def record() -> None:
                with database.transaction() as session:
                    account.sign_in(session, signed_in, store.kind)

            runner.on_database(record)
            return store.kind

        self.runner.run_network(work, self.kept.emit, self._failed)

    def sign_out(self) -> None:
        """End the sign-in on the server when it can be reached, and forget the token and the
        account here in any case; the outbox stays. ``signed_out`` carries whether the server
        was told."""
        database, runner, key = self.database, self.runner, self.key

        def work() -> bool:
            return account.sign_out_everywhere(database, key, on_database=runner.on_database)

        self.runner.run_network(work, self.signed_out.emit, self._failed)

    def _failed(self, error: HomeroomError) -> None:
        self.failed.emit(error.message)
