"""Work off the GUI thread, answered on it.

Two lanes: the database lane runs one task at a time (SQLite has one writer, and the teacher's
actions must commit in the order they were made); the network lane runs a few at a time (sync,
later printing). A task's result or its ``HomeroomError`` comes back to the GUI thread through a
queued signal, so callbacks may touch widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.errors import HomeroomError
from desktop.i18n import _

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives in the GUI thread; emitting from a worker queues the call to the GUI thread."""

    finished = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except HomeroomError as error:
            self._relay.failed.emit(error)
        except Exception:
            # The traceback goes to the log (it holds no form data); the teacher gets a sentence.
            log.exception("a background task failed")
            self._relay.failed.emit(
                HomeroomError(_("Something went wrong; the details are in the log file."))
            )
        else:
            self._relay.finished.emit(result)


class TaskRunner(QObject):
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = QThreadPool(self)
        self._database.setMaxThreadCount(1)
        self._network = QThreadPool(self)
        self._network.setMaxThreadCount(2)
        self._relays: set[_Relay] = set()

    def run_database(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        self._start(self._database, work, done, failed)

    def run_network(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        self._start(self._network, work, done, failed)

    @property
    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self, msecs: int = -1) -> bool:
        """Block until both lanes are idle (on quit, so no write is cut short)."""
        return self._database.waitForDone(msecs) and self._network.waitForDone(msecs)

    def _start(
        self,
        pool: QThreadPool,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        relay = _Relay()
        self._relays.add(relay)
        relay.finished.connect(lambda result: self._settle(relay, done, result))
        relay.failed.connect(lambda error: self._settle(relay, failed, error))
        if len(self._relays) == 1:
            self.busy_changed.emit(True)
        pool.start(_Task(work, relay))

    def _settle(self, relay: _Relay, callback: Callable[[Any], None], value: object) -> None:
        self._relays.discard(relay)
        try:
            callback(value)
        finally:
            if not self._relays:
                self.busy_changed.emit(False)
