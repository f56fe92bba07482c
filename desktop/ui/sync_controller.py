"""Syncing from the desktop, in the background: at start, shortly after an edit, every few
minutes (the setting), soon again when the network comes back, and on demand; never on the GUI
thread, one at a time.

The sync loop waits for the network on the network lane and does every database step on the
database lane (``TaskRunner.on_database``), so a teacher's decision never queues behind a sync
commit for long. What the status bar and tray say is decided in ``sync_status``.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop.errors import HomeroomError
from desktop.models.db import Database
from desktop.services.changes import Changes
from desktop.settings import SYNC_INTERVAL_MINUTES, Settings
from desktop.sync import state
from desktop.sync.cycle import Cancellation, Progress, SyncCancelled, SyncSummary
from desktop.sync.signed_in import Connector, keyring_connector, sync_signed_in
from desktop.ui import sync_status
from desktop.ui.sync_status import Backoff, SyncLine
from desktop.ui.tasks import TaskRunner

T = TypeVar("T")
log = logging.getLogger(__name__)

EDIT_DELAY_MS = 3_000
"""How long after an edit the sync starts: a burst of decisions goes in one sync."""
STATUS_AFTER_EDIT_MS = 150
"""How long after an edit the status line reads its count again: by then the screens have
redrawn the change, without sharing the GIL with that read; a burst costs one read."""

__all__ = ["SyncController", "SyncLine"]


@dataclass(frozen=True)
class _Outcome:
    summary: SyncSummary
    new_requests: int


class SyncController(QObject):
    state_changed = Signal(object)
    """A ``SyncLine``."""
    synced = Signal(str)
    """A sync finished (its summary); what it changed went out through ``runner.announce``."""
    progressed = Signal(object)
    """A ``Progress`` after each round trip of a long pull, then ``None`` when the sync ends."""
    new_requests = Signal(int)
    """How many new leave requests waiting for a decision the last sync brought (never 0)."""
    _progress_ready = Signal()

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        connector: Connector = keyring_connector,
        parent: QObject | None = None,
        *,
        settings: Settings | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._connector = connector
        self._backoff = backoff or Backoff()
        self._running = False
        self._again = False
        self._closed = False
        self._cancel = Cancellation()
        self._failure: str | None = None
        self._online: bool | None = None
        self._offline_failures = 0
        self._progress: queue.SimpleQueue[Progress] = queue.SimpleQueue()
        self._progress_ready.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self._reading = False
        self._read_again = False
        self.timer = QTimer(self)
        """Every N minutes."""
        self.timer.timeout.connect(self.sync_now)
        self.edit_timer = QTimer(self)
        """Shortly after an edit (restarted by each one)."""
        self.edit_timer.setSingleShot(True)
        self.edit_timer.setInterval(EDIT_DELAY_MS)
        self.status_timer = QTimer(self)
        self.status_timer.setSingleShot(True)
        self.status_timer.setInterval(STATUS_AFTER_EDIT_MS)
        self.status_timer.timeout.connect(self.refresh)
        self.edit_timer.timeout.connect(self.sync_now)
        self.retry_timer = QTimer(self)
        """Soon after a sync found no network, then less often (``backoff``)."""
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self.sync_now)
        runner.operation_did_execute.connect(self._edited)
        self._settings = settings  # kept alive: the interval follows its ``changed``
        self._watching_network = False
        if settings is not None:
            self._follow_settings(settings)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def online(self) -> bool | None:
        """Whether the last attempt reached the server; ``None`` before the first."""
        return self._online

    def every(self, seconds: float) -> None:
        self.timer.start(int(seconds * 1000))

    def refresh(self) -> None:
        """Read the status line again; while a read is on its way, one more is queued, so a
        burst of changes (a big sync's thousands of rows) costs two reads, not thousands."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        database, failure = self._database, self._failure
        online, syncing = self._online, self._running

        def read() -> SyncLine:
            with database.reading() as session:
                return sync_status.describe(
                    state.status(session),
                    state.signed_in(session),
                    failure,
                    online=online,
                    syncing=syncing,
                )

        self._runner.run_database(read, self._read, self._unreadable)

    def _read(self, line: SyncLine) -> None:
        self._reading = False
        self.state_changed.emit(line)
        if self._read_again:
            self._read_again = False
            self.refresh()

    def sync_now(self) -> None:
        if self._closed:
            return
        if self._running:
            self._again = True  # an edit made during this sync goes in the next one
            return
        self._running = True
        self._again = False
        self.edit_timer.stop()
        self.retry_timer.stop()
        self._runner.run_network(self._sync, self._done, self._failed)
        self.refresh()

    def cancel(self) -> None:
        """Stop for good (the window is closing): no new sync, and the one in flight stops at
        its next step without waiting for the server's answer; a database write already
        started finishes (``TaskRunner.wait``)."""
        self._closed = True
        for timer in (self.timer, self.edit_timer, self.retry_timer, self.status_timer):
            timer.stop()
        self._cancel.cancel()

    # --------------------------------------------------------------- on the network lane

    def _sync(self) -> _Outcome:
        database = self._database
        known = self._on_database(partial(self._known_if_synced_before, database))
        summary = sync_signed_in(
            database,
            self._connector,
            on_database=self._on_database,
            cancel=self._cancel,
            progress=self._report,
        )
        fresh = 0
        if known is not None:
            touched = summary.changes.ids(sync_status.LEAVE_REQUESTS)
            fresh = self._on_database(
                partial(self._count_new, database, touched, known),
            )
        return _Outcome(summary, fresh)

    def _on_database(self, work: Callable[[], T]) -> T:
        self._cancel.check()
        try:
            return self._runner.on_database(work)
        except RuntimeError:
            # The database lane was shut down under us: only on closing, after ``cancel``.
            self._cancel.check()
            raise

    def _report(self, progress: Progress) -> None:
        self._progress.put(progress)
        self._progress_ready.emit()

    @staticmethod
    def _known_if_synced_before(database: Database) -> frozenset[str] | None:
        """The requests already here, or ``None`` on a first sync (everything is new then, and
        the tray stays quiet)."""
        with database.reading() as session:
            if not state.status(session).last_success:
                return None
            return sync_status.known_leave_requests(session)

    @staticmethod
    def _count_new(database: Database, touched: frozenset[str], known: frozenset[str]) -> int:
        with database.reading() as session:
            return sync_status.new_pending_requests(session, touched, known)

    # --------------------------------------------------------------- on the GUI thread

    def _done(self, outcome: _Outcome) -> None:
        self._running = False
        self._failure = None
        self._online = True
        self._offline_failures = 0
        self.progressed.emit(None)
        self._runner.announce(outcome.summary.changes, initiator=self)
        self.synced.emit(outcome.summary.describe())
        if outcome.new_requests:
            self.new_requests.emit(outcome.new_requests)
        self._finished()

    def _failed(self, error: HomeroomError) -> None:
        self._running = False
        self.progressed.emit(None)
        if isinstance(error, SyncCancelled):
            return
        self._failure = error.message
        self._online = sync_status.reached_server(error)
        if not self._online:
            self._watch_network()
            self._offline_failures += 1
            delay = self._backoff.delay(self._offline_failures)
            self.retry_timer.start(int(delay * 1000))
        self._finished()

    def _finished(self) -> None:
        self.refresh()
        if self._again and not self._closed:
            self.edit_timer.start()

    def _edited(self, _changes: Changes, initiator: object | None) -> None:
        if initiator is self or self._closed:
            return
        if self._running:
            self._again = True
        else:
            self.edit_timer.start()
        if not self.status_timer.isActive():
            self.status_timer.start()

    def _deliver_progress(self) -> None:
        while True:
            try:
                progress = self._progress.get_nowait()
            except queue.Empty:
                return
            if self._running and progress.more:
                self.progressed.emit(progress)

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = self._read_again = False
        self.state_changed.emit(SyncLine(error.message, False, True))

    # --------------------------------------------------------------- triggers

    def _follow_settings(self, settings: Settings) -> None:
        def apply(key: str = SYNC_INTERVAL_MINUTES.key) -> None:
            if key == SYNC_INTERVAL_MINUTES.key:
                self.every(settings.get(SYNC_INTERVAL_MINUTES) * 60)
                self._backoff = Backoff(
                    self._backoff.first, self._backoff.factor, self.timer.interval() / 1000
                )

        settings.changed.connect(apply)
        apply()

    def _watch_network(self) -> None:
        """Sync as soon as the OS says the network is back, where Qt has a backend for it;
        without one, the retry timer finds out. Loaded at the first time offline, not at
        start-up (the window's first paint does not wait for it)."""
        if self._watching_network:
            return
        self._watching_network = True
        from PySide6.QtNetwork import QNetworkInformation

        try:
            if not QNetworkInformation.loadDefaultBackend():
                return
            information = QNetworkInformation.instance()
        except (RuntimeError, AttributeError):
            return
        if information is None:
            return
        information.reachabilityChanged.connect(self._reachability)

    def _reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online and self._online is False:
            self.sync_now()
