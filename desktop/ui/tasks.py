"""Work off the GUI thread, answered on it.

Three lanes: the database lane runs one task at a time (SQLite has one writer, and the teacher's
actions must commit in the order they were made); the network lane runs a few at a time (sync);
the printing lane runs one at a time (PDFium, which draws PDF pages, is not thread-safe, and a
print job paints its pages in order; a 300-page batch must hold neither the database nor a sync).
A task's result or its ``HomeroomError`` is handed back on the GUI thread, so callbacks may
touch widgets.

The lanes are plain Python thread pools and results travel through a Python queue; the only
thing crossing threads through Qt is an argument-less signal that says "something is ready".
Marshalling Python objects through queued signals from QRunnables crashed PySide6 6.12 under
load (a refcount error on ``None``, seen in ``bench/ui.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.services.changes import Changes

T = TypeVar("T")
log = logging.getLogger(__name__)


DATABASE_THREAD_PREFIX = "homeroom-db"
PRINTING_THREAD_PREFIX = "homeroom-print"


def _give_way_to_the_gui() -> None:
    """Drawing 300 dpi pages is the heaviest work of the app, and the GUI thread must not wait
    for a processor behind it: on Linux (priorities per thread) the printing lane runs at a
    lower priority. Elsewhere it keeps the normal one."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class TaskRunner(QObject):
    busy_changed = Signal(bool)
    operation_did_execute = Signal(object, object)
    """``(changes, initiator)`` after a change committed (a teacher's action or a sync), on the
    GUI thread: every screen refreshes the rows in ``changes`` and nothing else. ``initiator``
    is the object that asked for it (a screen may skip its own echo), or ``None``."""
    _ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = ThreadPoolExecutor(1, thread_name_prefix=DATABASE_THREAD_PREFIX)
        self._network = ThreadPoolExecutor(2, thread_name_prefix="homeroom-net")
        self._printing = ThreadPoolExecutor(
            1, thread_name_prefix=PRINTING_THREAD_PREFIX, initializer=_give_way_to_the_gui
        )
        self._answers: queue.SimpleQueue[_Task] = queue.SimpleQueue()
        self._running = 0
        self._closed = False
        self._ready.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run_database(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        self._start(self._database, work, done, failed)

    def run_change(
        self,
        work: Callable[[], Changes],
        done: Callable[[Changes], None],
        failed: Callable[[HomeroomError], None],
        *,
        initiator: object | None = None,
    ) -> None:
        """A change on the database lane; once committed, ``operation_did_execute`` tells every
        screen what it touched, then ``done`` gets the same ``Changes``."""

        def announce(changes: Changes) -> None:
            self.announce(changes, initiator)
            done(changes)

        self._start(self._database, work, announce, failed)

    def announce(self, changes: Changes, initiator: object | None = None) -> None:
        """Tell every screen what a committed change touched (GUI thread only)."""
        if changes.touched:
            self.operation_did_execute.emit(changes, initiator)

    def on_database(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the database lane and wait for it, from a worker thread (the sync
        on the network lane): the database lane stays the only writer. Called on the database
        lane itself it just runs (waiting on itself would never end); never call it from the
        GUI thread."""
        if threading.current_thread().name.startswith(DATABASE_THREAD_PREFIX):
            return work()
        return self._database.submit(work).result()

    def run_network(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        self._start(self._network, work, done, failed)

    def run_printing(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        """Draw PDF pages, paint them on a printer or write a PDF file, one task at a time."""
        self._start(self._printing, work, done, failed)

    @property
    def busy(self) -> bool:
        return self._running > 0

    @property
    def accepting(self) -> bool:
        """Whether tasks are still taken (not once ``wait`` has begun)."""
        return not self._closed

    def wait(self) -> None:
        """Finish every task already started (on quit, so no write is cut short); later
        requests, such as a refresh asked for by a late answer, are dropped."""
        self._closed = True
        self._database.shutdown(wait=True)
        self._network.shutdown(wait=True)
        self._printing.shutdown(wait=True)

    def _start(
        self,
        lane: ThreadPoolExecutor,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[HomeroomError], None],
    ) -> None:
        if self._closed:
            return
        self._running += 1
        if self._running == 1:
            self.busy_changed.emit(True)
        lane.submit(self._run, _Task(work, done, failed))

    def _run(self, task: _Task) -> None:
        try:
            task.answer(task.done, task.work())
        except HomeroomError as error:
            task.answer(task.failed, error)
        except Exception as error:
            # The traceback goes to the log (it holds no form data); the teacher gets a sentence.
            log.exception("a background task failed")
            unexpected = HomeroomError(_("Something went wrong; the details are in the log file."))
            task.answer(task.failed, unexpected, error)
        self._answers.put(task)
        self._ready.emit()

    def _deliver(self) -> None:
        while True:
            try:
                task = self._answers.get_nowait()
            except queue.Empty:
                return
            self._running -= 1
            callback, value = task.release()
            try:
                callback(value)
            finally:
                if self._running == 0:
                    self.busy_changed.emit(False)


class _Task:
    """One task of a lane, and its answer. The lane's thread keeps a reference to it after the
    answer has been delivered; the GUI thread empties it first (``release``), so the last
    reference to what the task held (a screen, through its callbacks; a failure's traceback,
    through its frames) is dropped on the GUI thread. A widget whose wrapper dies on another
    thread is destroyed there, and that crashed the test suite (a segfault in a lane's thread
    after a test had let its screen go)."""

    __slots__ = ("done", "failed", "kept", "reply", "value", "work")

    def __init__(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Any], None]
    ) -> None:
        self.work = work
        self.done = done
        self.failed = failed
        self.reply: Callable[[Any], None] = _released
        self.value: object = None
        self.kept: object = None

    def answer(self, reply: Callable[[Any], None], value: object, kept: object = None) -> None:
        """On the lane: the callback and its argument; ``kept``, what must die on the GUI
        thread (a failure, whose traceback holds the task's frames)."""
        self.reply, self.value, self.kept = reply, value, kept

    def release(self) -> tuple[Callable[[Any], None], object]:
        """On the GUI thread: the answer, with every reference the task held let go here."""
        reply, value = self.reply, self.value
        self.work = self.done = self.failed = self.reply = _released
        self.value = self.kept = None
        return reply, value


def _released(*_args: object) -> None:
    """What a released task holds in place of its callables."""
