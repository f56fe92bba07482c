"""The window's Tools menu, where dialogs add their actions: above its separator, so the lock
stays last."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

TOOLS_MENU = "tools_menu"
"""The menu's object name (``desktop.ui.preferences.tools`` makes it)."""


def add_to_tools_menu(window: QMainWindow, *actions: QAction) -> None:
    menu = window.menuBar().findChild(QMenu, TOOLS_MENU)
    if menu is None:
        return
    separator = next((a for a in menu.actions() if a.isSeparator()), None)
    for action in actions:
        menu.insertAction(separator, action)  # type: ignore[arg-type]
