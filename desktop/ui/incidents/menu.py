"""Tools ▸ "Ghi nhận sự cố dữ liệu…", beside the retention purge."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow

from desktop.i18n import _
from desktop.models.db import Database
from desktop.ui.tasks import TaskRunner
from desktop.ui.tools_menu import add_to_tools_menu


def add_action(
    window: QMainWindow, database: Database, runner: TaskRunner, class_name: str | None
) -> QAction:
    """The action in the window's Tools menu, before its separator (above the lock)."""
    action = QAction(_("Record a data &incident…"), window)
    action.setObjectName("incidents_action")
    action.triggered.connect(lambda: open_dialog(window, database, runner, class_name))
    add_to_tools_menu(window, action)
    return action


def open_dialog(
    window: QMainWindow, database: Database, runner: TaskRunner, class_name: str | None
) -> QDialog:
    from desktop.ui.incidents.dialog import IncidentsDialog

    dialog = IncidentsDialog(database, runner, class_name, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
