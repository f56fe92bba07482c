"""The idle watcher notes the first input after each check and then stops filtering events
until the next check: while the teacher works, the app's events do not each call into Python
(and take the interpreter from the database lane); the idle time stays right to within one
check interval."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop.ui.lock.idle import CHECK_EVERY_MS, IdleWatcher


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FilterCalls(IdleWatcher):
    """The watcher, counting the events its filter is asked about."""

    calls = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        self.calls += 1
        return super().eventFilter(watched, event)


def test_after_an_input_the_filter_steps_aside_until_the_next_check(qtbot: QtBot) -> None:
    clock = Clock()
    watcher = FilterCalls(clock, minutes=10)
    field = QLineEdit()
    qtbot.addWidget(field)
    try:
        assert watcher.watching
        clock.now += 30
        qtbot.keyClick(field, Qt.Key.Key_A)
        assert not watcher.watching
        seen = watcher.calls
        qtbot.keyClicks(field, "more typing")
        field.repaint()
        assert watcher.calls == seen  # no event reached the filter meanwhile
        watcher.check()
        assert watcher.watching
    finally:
        watcher.stop()


def test_the_idle_time_counts_from_the_input_noted(qtbot: QtBot) -> None:
    """Input that came while the filter stood aside falls within one check interval of the
    input it noted: the lock may come that much early, never late."""
    clock = Clock()
    watcher = IdleWatcher(clock, minutes=10)
    field = QLineEdit()
    qtbot.addWidget(field)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    try:
        qtbot.keyClick(field, Qt.Key.Key_A)  # noted
        clock.now += CHECK_EVERY_MS / 1000 - 1
        qtbot.keyClick(field, Qt.Key.Key_B)  # not noted: the filter stands aside
        watcher.check()
        clock.now += 10 * 60 - CHECK_EVERY_MS / 1000
        watcher.check()
        assert fired == []
        clock.now += 1
        watcher.check()
        assert fired == [True]
        qtbot.keyClick(field, Qt.Key.Key_C)  # noted again: the check watches again
        clock.now += 9 * 60
        watcher.check()
        assert fired == [True]
    finally:
        watcher.stop()
