"""Locks the main window: after idle minutes or on request, every student's data is put away
and a lock page asks for the app password; the right one puts everything back as it was.

Locked means: the window's central widget (the side list and every screen) is taken off the
window and kept hidden, toolbars and docks are hidden, the window's other top-level windows
(dialogs, popups) are hidden, and every action but the few kept (sync) is disabled, so no menu
or shortcut reaches the data. The title loses everything but the app's name. Sync keeps
running: it does not need the screens.

The password is checked with scrypt on the database lane; wrong tries slow down as
``desktop.security.throttle`` says, and the page counts the wait down without blocking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QToolBar, QWidget

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.security import app_password
from desktop.security.app_password import Rekey
from desktop.security.throttle import Throttle
from desktop.settings import IDLE_LOCK_MINUTES, Settings
from desktop.ui.lock.idle import IdleWatcher
from desktop.ui.lock.page import LockPage
from desktop.ui.lock.password_dialog import PasswordDialog
from desktop.ui.tasks import TaskRunner

COUNTDOWN_MS = 250


class WindowLock(QObject):
    locked_changed = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        database: Database,
        runner: TaskRunner,
        settings: Settings,
        clock: Callable[[], float],
        *,
        keep: Sequence[QAction] = (),
    ) -> None:
        super().__init__(window)
        self._window = window
        self._database = database
        self._runner = runner
        self._settings = settings
        self._keep = set(keep)
        self.rekey: Rekey | None = None
        """Re-encrypts what the app password's key protects when the password changes (the
        refresh token kept in the profile where the OS has no keyring)."""
        self.throttle = Throttle(clock)
        # Whatever is not on the window sits here, hidden, still owned by the window.
        self._shelf = QWidget(window)
        self._shelf.hide()
        self.page = LockPage(self._shelf)
        self.page.unlock_requested.connect(self._try)
        self.idle = IdleWatcher(clock, settings.get(IDLE_LOCK_MINUTES), self)
        self.idle.idle.connect(self._idle)
        settings.changed.connect(self._setting_changed)
        self._countdown = QTimer(self)
        self._countdown.setInterval(COUNTDOWN_MS)
        self._countdown.timeout.connect(self.tick)
        self._locked = False
        self._body: QWidget | None = None
        self._focus: QWidget | None = None
        self._title = ""
        self._disabled: list[QAction] = []
        self._hidden: list[QWidget] = []

    @property
    def locked(self) -> bool:
        return self._locked

    def lock_now(self) -> None:
        """Ctrl+L: lock, or first offer to set an app password when there is none."""
        if not self._locked:
            self._when_password_known(self._lock_or_offer)

    def lock(self) -> None:
        """Hide every student's data now (call only when an app password is set)."""
        if self._locked:
            return
        self._locked = True
        window = self._window
        self._title = window.windowTitle()
        window.setWindowTitle(_("Homeroom — locked"))
        self._focus = QApplication.focusWidget()
        self._hidden = []
        for widget in QApplication.topLevelWidgets():
            if widget is window or not widget.isVisible():
                continue
            if widget.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
                widget.close()  # an open menu or a tooltip has no reason to come back
            else:
                widget.hide()
                self._hidden.append(widget)
        self._disabled = [
            action
            for action in window.findChildren(QAction)
            if action.isEnabled() and action not in self._keep and not self._on_page(action)
        ]
        for action in self._disabled:
            action.setEnabled(False)
        # An action enabled again while locked (a screen refreshed by sync) still gets no
        # shortcut through.
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        bars: list[QWidget] = [*window.findChildren(QToolBar), *window.findChildren(QDockWidget)]
        self._hidden += [bar for bar in bars if bar.isVisible()]
        for bar in bars:
            bar.hide()
        window.statusBar().clearMessage()
        body = window.takeCentralWidget()
        if body is not None:
            body.setParent(self._shelf)
        self._body = body
        window.setCentralWidget(self.page)
        self.page.show()
        self.page.start()
        self.tick()
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        """Put everything back as it was when the window was locked."""
        if not self._locked:
            return
        window = self._window
        page = window.takeCentralWidget()
        if page is not None:
            page.setParent(self._shelf)
        if self._body is not None:
            window.setCentralWidget(self._body)
            self._body.show()
        self._body = None
        for widget in self._hidden:
            widget.show()
        for action in self._disabled:
            action.setEnabled(True)
        self._hidden, self._disabled = [], []
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        window.setWindowTitle(self._title)
        if self._focus is not None and self._focus.isVisible():
            self._focus.setFocus()
        self._focus = None
        self._locked = False
        self._countdown.stop()
        self.idle.reset()
        self.locked_changed.emit(False)

    def offer_password(self, *, then_lock: bool = False) -> PasswordDialog:
        """The dialog that sets an app password; ``then_lock`` locks once it is saved."""
        dialog = PasswordDialog(self._database, self._runner, change=False, parent=self._window)
        if then_lock:
            dialog.accepted.connect(self.lock)
        dialog.open()
        return dialog

    def change_password(self) -> None:
        """Set the app password, or change it after giving the current one."""

        def ask(is_set: bool) -> None:
            dialog = PasswordDialog(
                self._database, self._runner, change=is_set, rekey=self.rekey, parent=self._window
            )
            dialog.open()

        self._when_password_known(ask)

    def tick(self) -> None:
        """Show how long the next try must wait, and allow it once the wait is over."""
        wait = self.throttle.seconds_to_show()
        if wait > 0:
            self.page.set_input_enabled(False)
            self.page.message.setText(
                _("Wrong password. Try again in {seconds} s.").format(seconds=wait)
            )
            if not self._countdown.isActive():
                self._countdown.start()
            return
        self._countdown.stop()
        if not self.page.password.isEnabled():
            self.page.set_input_enabled(True)
            self.page.message.setText(_("Wrong password.") if self.throttle.wrong_tries else "")

    def _lock_or_offer(self, is_set: bool) -> None:
        if is_set:
            self.lock()
        else:
            self.offer_password(then_lock=True)

    def _idle(self) -> None:
        # Without an app password the lock could not be undone: idle time locks nothing then.
        self._when_password_known(lambda is_set: self.lock() if is_set else None)

    def _when_password_known(self, then: Callable[[bool], None]) -> None:
        # The welcome screen may have set the password since: ask the profile every time.
        database = self._database

        def read() -> bool:
            with database.reading() as session:
                return app_password.is_set(session)

        self._runner.run_database(read, then, self._show_error)

    def _try(self, password: str) -> None:
        if self.throttle.wait_left() > 0:
            return
        database = self._database

        def check() -> bool:
            with database.reading() as session:
                return app_password.verify(session, password)

        self.page.set_input_enabled(False)
        self.page.message.setText(_("Checking…"))
        self._runner.run_database(check, self._checked, self._check_failed)

    def _checked(self, right: bool) -> None:
        self.page.password.clear()
        if right:
            self.throttle.succeeded()
            self.unlock()
            return
        self.throttle.failed()
        self.page.message.setText(_("Wrong password."))
        self.tick()

    def _check_failed(self, error: HomeroomError) -> None:
        self.page.set_input_enabled(True)
        self.page.message.setText(error.message)

    def _show_error(self, error: HomeroomError) -> None:
        self._window.statusBar().showMessage(error.message, 10_000)

    def _setting_changed(self, key: str) -> None:
        if key == IDLE_LOCK_MINUTES.key:
            self.idle.set_minutes(self._settings.get(IDLE_LOCK_MINUTES))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """While locked, swallow the shortcuts of every action but the kept ones."""
        return (
            self._locked
            and event.type() == QEvent.Type.Shortcut
            and isinstance(watched, QAction)
            and watched not in self._keep
            and not self._on_page(watched)
        )

    def _on_page(self, action: QAction) -> bool:
        owner = action.parent()
        return isinstance(owner, QWidget) and (owner is self.page or self.page.isAncestorOf(owner))

    def detach(self) -> None:
        """Stop following the settings and the clock (the window is being replaced)."""
        self._settings.changed.disconnect(self._setting_changed)
        self.idle.stop()
