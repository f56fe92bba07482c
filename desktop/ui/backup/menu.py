"""Tools ▸ "Sao lưu ngay…" and "Khôi phục…", beside the other Tools dialogs, and the window's
automatic backups."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow

from desktop.i18n import _
from desktop.models.db import Database
from desktop.settings import Settings
from desktop.ui.backup.auto import AutoBackup
from desktop.ui.tasks import TaskRunner
from desktop.ui.tools_menu import add_to_tools_menu


def attach(
    window: QMainWindow,
    database: Database,
    runner: TaskRunner,
    settings: Settings,
    *,
    syncing: Callable[[], bool],
    reload: Callable[[], object],
) -> AutoBackup:
    """Add both actions to the Tools menu (before its separator) and start the automatic
    backups; ``reload`` rebuilds the window on the restored records."""
    now_action = QAction(_("&Back up now…"), window)
    now_action.setObjectName("back_up_now_action")
    now_action.triggered.connect(lambda: open_back_up_now(window, database, runner))
    restore_action = QAction(_("Res&tore…"), window)
    restore_action.setObjectName("restore_action")
    restore_action.triggered.connect(
        lambda: open_restore(window, database, runner, syncing=syncing, reload=reload)
    )
    add_to_tools_menu(window, now_action, restore_action)
    return AutoBackup(window, database, runner, settings)


def open_back_up_now(window: QMainWindow, database: Database, runner: TaskRunner) -> QDialog:
    from desktop.ui.backup.dialogs import BackUpNowDialog

    dialog = BackUpNowDialog(database, runner, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def open_restore(
    window: QMainWindow,
    database: Database,
    runner: TaskRunner,
    *,
    syncing: Callable[[], bool],
    reload: Callable[[], object],
) -> QDialog:
    from desktop.ui.backup.dialogs import RestoreDialog

    dialog = RestoreDialog(database, runner, window, syncing=syncing)

    def finished(_result: int) -> None:
        if dialog.restored is not None:
            reload()  # every screen reads the restored records anew
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
