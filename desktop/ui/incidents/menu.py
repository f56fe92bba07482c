"""Tools ▸ "Ghi nhận sự cố dữ liệu…", beside the retention purge."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu

from desktop.i18n import _
from desktop.models.db import Database
from desktop.ui.tasks import TaskRunner


def add_action(
    window: QMainWindow, database: Database, runner: TaskRunner, class_name: str | None
) -> QAction:
    """The action in the window's Tools menu, before its separator (above the lock)."""
    action = QAction(_("Record a data &incident…"), window)
    action.setObjectName("incidents_action")
    action.triggered.connect(lambda: open_dialog(window, database, runner, class_name))
    menu = window.menuBar().findChild(QMenu, "tools_menu")
    if menu is not None:
        separator = next((a for a in menu.actions() if a.isSeparator()), None)
        menu.insertAction(separator, action)  # type: ignore[arg-type]
    return action


def open_dialog(
    window: QMainWindow, database: Database, runner: TaskRunner, class_name: str | None
) -> QDialog:
    from desktop.ui.incidents.dialog import IncidentsDialog

    dialog = IncidentsDialog(database, runner, class_name, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
