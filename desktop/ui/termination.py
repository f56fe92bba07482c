"""SIGTERM (a logout or a shutdown on Linux and macOS, ``kill``, a service manager) closes the
windows as their close buttons do: the backup on close is made, a running sync stops between
rounds, the database is closed with its log folded in. Without this the process ended at once,
leaving the last changes in the write-ahead log and no backup of the day.

Python runs a signal handler only when the interpreter has control, which Qt's event loop does
not give it; so the handler does nothing but have Python write the signal to a socket
(``signal.set_wakeup_fd``) that Qt watches. No polling timer. Windows has no SIGTERM: its
session end reaches the app through Qt's own session management.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier


def _ignore(_signal: int, _frame: FrameType | None) -> None:
    """Python's own handler must exist for the wakeup byte to be written; the work is Qt's."""


class CloseOnTermination(QObject):
    """While installed, SIGTERM calls ``close`` on the GUI thread."""

    def __init__(self, close: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._close = close
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous_handler: Any = signal.signal(signal.SIGTERM, _ignore)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        try:
            received = self._reader.recv(64)
        except OSError:
            return
        if signal.SIGTERM in received:
            self._close()

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        signal.signal(signal.SIGTERM, self._previous_handler)
        signal.set_wakeup_fd(self._previous_fd)
        with contextlib.suppress(OSError):
            self._reader.close()
            self._writer.close()


def close_on_termination(
    close: Callable[[], None], parent: QObject | None = None
) -> CloseOnTermination | None:
    """Install SIGTERM's handling where there is one (not Windows); ``None`` elsewhere."""
    if sys.platform == "win32":
        return None
    return CloseOnTermination(close, parent)
