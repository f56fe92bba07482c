"""Tools ▸ "Ghi nhận vướng mắc…" (Ctrl+Alt+N), beside the print centre whose pilot report
lists the notes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow

from desktop.i18n import _
from desktop.models.db import Database
from desktop.ui.tasks import TaskRunner
from desktop.ui.tools_menu import add_to_tools_menu

SHORTCUT = "Ctrl+Alt+N"


def add_action(window: QMainWindow, database: Database, runner: TaskRunner) -> QAction:
    """The action in the window's Tools menu, before its separator (above the lock)."""
    text = _("&Note a problem with the pilot…")
    action = QAction(text, window)
    action.setObjectName("pilot_notes_action")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(f"{text.replace('&', '')} ({QKeySequence(SHORTCUT).toString()})")
    action.triggered.connect(lambda: open_dialog(window, database, runner))
    window.addAction(action)
    add_to_tools_menu(window, action)
    return action


def open_dialog(window: QMainWindow, database: Database, runner: TaskRunner) -> QDialog:
    from desktop.ui.pilot_notes.dialog import PilotNotesDialog

    dialog = PilotNotesDialog(database, runner, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
