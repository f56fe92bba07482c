"""Notices when nobody has used the app for a while.

An application-wide event filter notes the time of a key press or mouse or touch input; a timer
compares it with the allowed idle time every few seconds. The clock is injected (monotonic
seconds), so tests move time on instead of waiting for it.

The filter sees every event of every object, each a call into Python that must take the
interpreter's lock from the database lane: while the lane worked on an approval, those calls
made it a fifth slower (``bench/ui.py``). So the filter notes the first input after each check
and then steps aside until the next one: the idle time is counted from at most one check
interval (5 s) before the last input, and the lock may come that much early.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
CHECK_EVERY_MS = 5_000


class IdleWatcher(QObject):
    idle = Signal()
    """Nobody has touched the keyboard or the mouse for the allowed time (once per idle spell)."""

    def __init__(
        self, clock: Callable[[], float], minutes: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._limit_s = minutes * 60.0
        self._last_input = clock()
        self._reported = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self._watching = False
        self._watch()
        self.timer.start()

    @property
    def minutes(self) -> float:
        return self._limit_s / 60

    def set_minutes(self, minutes: int) -> None:
        self._limit_s = minutes * 60.0
        self.check()

    def reset(self) -> None:
        """Count idle time from now (after unlocking, say)."""
        self._last_input = self._clock()
        self._reported = False

    @property
    def watching(self) -> bool:
        """Whether the filter waits for the next input (else one came since the last check)."""
        return self._watching

    def stop(self) -> None:
        """Watch no more (the window is going)."""
        self.timer.stop()
        self._step_aside()

    def check(self) -> None:
        self._watch()
        if not self._reported and self._clock() - self._last_input >= self._limit_s:
            self._reported = True
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in INPUT_EVENTS:
            self._last_input = self._clock()
            self._reported = False
            self._step_aside()  # Qt allows it from within the filter
        return False

    def _watch(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True

    def _step_aside(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
            self._watching = False
