"""Syncing from the desktop: on demand and on a timer, never on the GUI thread, one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.domain.calendar import format_moment
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.sync import state
from desktop.sync.signed_in import Connector, keyring_connector, sync_signed_in
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class SyncLine:
    """The status bar's sync state in the teacher's words."""

    text: str
    signed_in: bool
    has_error: bool


def describe(
    status: state.SyncStatus, account: state.SignedIn | None, failure: str | None = None
) -> SyncLine:
    """``failure``: why the last attempt failed before the engine could record it (no token in
    the keyring, say)."""
    if account is None:
        return SyncLine(_("Not signed in to the school's server."), False, False)
    parts = [
        _("Waiting to be sent: {count}").format(count=status.pending_intents),
        _("Last sync: {when}").format(
            when=format_moment(datetime.fromisoformat(status.last_success))
            if status.last_success
            else _("never")
        ),
    ]
    unseen = sum(1 for c in status.conflicts if not c.seen)
    if unseen:
        parts.append(_("Not applied by the server: {count}").format(count=unseen))
    error = status.last_error or failure
    if error:
        parts.append(error)
    return SyncLine(" · ".join(parts), True, bool(error))


class SyncController(QObject):
    state_changed = Signal(object)
    """A ``SyncLine``."""
    synced = Signal(str)
    """A sync finished; the data on screen may have changed (its summary)."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        connector: Connector = keyring_connector,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._connector = connector
        self._running = False
        self._failure: str | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)

    @property
    def running(self) -> bool:
        return self._running

    def every(self, seconds: float) -> None:
        self.timer.start(int(seconds * 1000))

    def refresh(self) -> None:
        database, failure = self._database, self._failure

        def read() -> SyncLine:
            with database.reading() as session:
                return describe(state.status(session), state.signed_in(session), failure)

        self._runner.run_database(read, self.state_changed.emit, self._unreadable)

    def sync_now(self) -> None:
        if self._running:
            return
        self._running = True
        database, connector = self._database, self._connector

        self._runner.run_network(
            lambda: sync_signed_in(database, connector).describe(), self._done, self._failed
        )
        self.refresh()

    def _done(self, summary: str) -> None:
        self._running = False
        self._failure = None
        self.synced.emit(summary)
        self.refresh()

    def _failed(self, error: HomeroomError) -> None:
        self._running = False
        self._failure = error.message
        self.refresh()

    def _unreadable(self, error: HomeroomError) -> None:
        self.state_changed.emit(SyncLine(error.message, False, True))
