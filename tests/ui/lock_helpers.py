"""What the lock and preferences tests share: an injected clock, the window on the demo
profile with its own settings file, and every text a person could read in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Student
from desktop.models.db import Database
from desktop.services.scope import load_scope
from desktop.settings import Settings
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


def settings_in(folder: Path) -> Settings:
    return Settings(folder / "config" / "homeroom.ini")


def open_window(
    qtbot: QtBot,
    database: Database,
    runner: TaskRunner,
    settings: Settings,
    clock: Clock,
    *,
    close_after: bool = True,
) -> MainWindow:
    """The window on the demo profile, shown and filled; ``close_after=False`` for a window
    the test replaces (``rebuild``) and closes itself, since pytest-qt would close it after
    its deletion."""
    with database.reading() as session:
        scope = load_scope(session)
    sync = SyncController(database, runner, lambda _url, _user: pytest.fail("no sync expected"))
    shown = MainWindow(database, scope, runner, sync, settings=settings, clock=clock)
    if close_after:
        qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    qtbot.waitUntil(lambda: shown.leave.filter.rowCount() > 100)
    return shown


def student_names(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(Student.full_name)))


def visible_texts(window: QWidget) -> list[str]:
    """The title and every text on a visible label, button, field or list of the window and of
    the app's other visible windows (dialogs)."""
    tops = [window, *(w for w in QApplication.topLevelWidgets() if w is not window)]
    texts: list[str] = []
    for top in tops:
        if not top.isVisible():
            continue
        texts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if not widget.isVisible():
                continue
            if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
                texts.append(widget.text())
            elif isinstance(widget, QTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
                texts += model_texts(widget)
    return texts


def model_texts(view: QAbstractItemView) -> list[str]:
    model, root = view.model(), view.rootIndex()
    role = Qt.ItemDataRole.DisplayRole
    try:
        columns = model.columnCount(root)
    except TypeError:  # a list's model (QListWidget) keeps its columnCount private: one column
        columns = 1
    found = [
        str(model.data(model.index(row, column, root), role))
        for row in range(model.rowCount(root))
        for column in range(columns)
    ]
    return [text for text in found if text != "None"]


def press(qtbot: QtBot, widget: QWidget, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    """A key press where the keyboard focus is (a shortcut reaches its window from there)."""
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus if focus is not None else widget, key, modifier)
