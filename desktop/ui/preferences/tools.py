"""The window's Tools menu: preferences (Ctrl+,), the lock (Ctrl+L), and the settings the
window follows while it runs (the idle lock, the language)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

from desktop.i18n import _, current_language
from desktop.models.db import Database
from desktop.settings import LANGUAGE, Settings
from desktop.sync import state
from desktop.ui.lock.controller import WindowLock
from desktop.ui.preferences.dialog import PreferencesDialog
from desktop.ui.qt_translation import apply_language
from desktop.ui.tasks import TaskRunner
from desktop.ui.tools_menu import TOOLS_MENU


class Tools(QObject):
    change_server_requested = Signal()
    """The teacher asked to sign in to another server (from the preferences)."""
    language_changed = Signal()
    """The language was switched: every text on screen must be made again."""

    def __init__(
        self,
        window: QMainWindow,
        database: Database,
        runner: TaskRunner,
        settings: Settings,
        clock: Callable[[], float],
        *,
        keep: Sequence[QAction] = (),
        class_name: str | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._database = database
        self._runner = runner
        self._settings = settings
        # Closing is the same as the window's own close button (its backup, its sync stopped),
        # also while locked: leaving shows nothing of the class.
        self.quit_action = self._action(_("&Quit"), "Ctrl+Q", window.close)
        self.lock = WindowLock(
            window, database, runner, settings, clock, keep=[*keep, self.quit_action]
        )
        self.preferences_action = self._action(_("&Preferences…"), "Ctrl+,", self.open_preferences)
        self.lock_action = self._action(_("&Lock"), "Ctrl+L", self.lock.lock_now)
        self._class_name = class_name
        self.print_centre_action = self._action(
            _("Print &centre…"), "Ctrl+Alt+P", self.open_print_centre
        )
        menu = window.menuBar().addMenu(_("&Tools"))
        menu.setObjectName(TOOLS_MENU)
        menu.addAction(self.preferences_action)
        menu.addAction(self.print_centre_action)
        menu.addSeparator()
        menu.addAction(self.lock_action)
        menu.addAction(self.quit_action)
        settings.changed.connect(self._setting_changed)

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self._settings, self._window)
        dialog.change_server_requested.connect(self.change_server_requested)
        dialog.change_password_requested.connect(self.lock.change_password)
        dialog.language_chosen.connect(self.switch_language)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        database = self._database

        def read() -> state.SignedIn | None:
            with database.reading() as session:
                return state.signed_in(session)

        def show(account: state.SignedIn | None) -> None:
            if account is not None and shiboken6.isValid(dialog):
                dialog.show_server(account.server_url, account.username)

        self._runner.run_database(read, show, lambda _error: None)
        return dialog

    def open_print_centre(self) -> QDialog:
        from desktop.ui.printing.centre import PrintCentre

        centre = PrintCentre(self._database, self._runner, self._class_name, self._window)
        centre.finished.connect(centre.deleteLater)
        centre.open()
        return centre

    def detach(self) -> None:
        """Stop following the settings (the window is being replaced)."""
        self._settings.changed.disconnect(self._setting_changed)
        self.lock.detach()

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{text.replace('&', '')} ({QKeySequence(shortcut).toString()})")
        action.triggered.connect(lambda: slot())
        self._window.addAction(action)
        return action

    def switch_language(self, language: str) -> None:
        """Speak ``language`` from now on, if it is not the one in force."""
        app = QApplication.instance()
        if language == current_language() or app is None:
            return
        apply_language(app, language)
        self.language_changed.emit()

    def _setting_changed(self, key: str) -> None:
        if key == LANGUAGE.key:
            self.switch_language(self._settings.get(LANGUAGE))
