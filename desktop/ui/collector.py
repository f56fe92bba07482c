"""Python's cyclic garbage is collected on the GUI thread, at the top of its event loop.

Qt objects often sit in reference cycles (a helper QObject that keeps the screen it serves, a
lambda that keeps its widget), and such a cycle dies when the collector finds it: whenever
some thread's allocations make a collection due. Found on a lane, PySide6 has the C++ object
destroyed on the GUI thread at the next moment that thread runs Python (measured: inside a
lock wait), which may be in the middle of Qt's work (an event filter, a paint override) on
the very widgets being torn down. The test suite died of a segfault in CI that way, as far as
its traceback tells: the database lane was compiling a query, a reference cycle held the
previous test's students screen. So while the window runs CPython collects nothing by itself,
and a timer on the GUI thread collects what its thresholds say is due
(``desktop.heap.collect_due``): the pattern of pyqtgraph's and OpenCue's ``GarbageCollector``.
Objects outside cycles are freed by their reference counts as before.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer

from desktop import heap

COLLECT_EVERY_MS = 1_000
_TIMER_NAME = "homeroom-gui-collector"


def collect_on_the_gui_thread(app: QCoreApplication) -> None:
    """Hand every collection to a timer of ``app``'s thread (call it on that thread; once is
    enough, a second call changes nothing)."""
    if app.findChild(QTimer, _TIMER_NAME) is not None:
        return
    heap.collect_only_when_asked()
    timer = QTimer(app)
    timer.setObjectName(_TIMER_NAME)
    timer.setInterval(COLLECT_EVERY_MS)
    timer.timeout.connect(heap.collect_due)
    timer.start()
