"""The welcome screen: a first start on a profile with no class.

Two ways on: sign in to the school's server (then the first sync brings the class), or open the
demo (its own local server with the demo school). Either way the teacher sets an app password
or PIN before the main window opens on the synced class. Every step runs on the task runner;
the GUI thread only moves between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import settings as keys
from desktop.demo.local_server import LocalDemoServer, server_file
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.models.encryption import open_profile
from desktop.security import app_password
from desktop.security.unlocked import UnlockedKey
from desktop.settings import Settings
from desktop.sync import account
from desktop.sync.signed_in import Connector, sync_signed_in
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.account_flow import AccountFlow, LoggedIn
from desktop.ui.welcome.forms import ERROR_STYLE, AppPasswordForm, SignInForm, UnlockForm

DEMO_PARENTS_RATE = 0.5
DEMO_PARENTS_SECONDS = 86_400.0


@dataclass(frozen=True)
class Opened:
    """A profile with a synced class, ready for the main window."""

    database: Database
    connector: Connector
    demo: LocalDemoServer | None


class _Progress(QWidget):
    retry = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # a first sync does not know its size in advance
        self.again = QPushButton(_("Try again"))
        self.again.clicked.connect(self.retry.emit)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.again, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(2)

    def working(self, text: str) -> None:
        self.label.setStyleSheet("")
        self.label.setText(text)
        self.bar.show()
        self.again.hide()

    def failed(self, text: str) -> None:
        self.label.setStyleSheet(ERROR_STYLE)
        self.label.setText(text)
        self.bar.hide()
        self.again.show()
        self.again.setFocus()


class WelcomeWindow(QWidget):
    ready = Signal(object)
    """An ``Opened``: the main window takes over (this window closes)."""

    def __init__(
        self,
        database_path: Path,
        *,
        runner: TaskRunner,
        key: UnlockedKey,
        settings: Settings,
        demo_parents_s: float = DEMO_PARENTS_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        """``demo_parents_s``: how long the demo's simulated parents and subject teachers work
        (0: none, for tests)."""
        super().__init__(parent)
        self.setWindowTitle(_("Homeroom — welcome"))
        self.demo_parents_s = demo_parents_s
        self.database_path = database_path
        self.runner = runner
        self.key = key
        self.settings = settings
        self.database: Database | None = None
        self.demo: LocalDemoServer | None = None
        self.flow: AccountFlow | None = None
        self._password_set = False
        self._pending: LoggedIn | None = None
        self._connector: Connector | None = None
        self._handed_over = False

        self.stack = QStackedWidget()
        self.choice = self._choice_page()
        self.sign_in = SignInForm()
        self.sign_in.submitted.connect(self._login)
        back = QPushButton(_("Back"))
        back.setAutoDefault(False)
        back.clicked.connect(lambda: self.stack.setCurrentWidget(self.choice))
        self.sign_in.buttons.insertWidget(1, back)
        self.app_password = AppPasswordForm()
        self.app_password.submitted.connect(self._set_password)
        self.unlock = UnlockForm()
        self.unlock.submitted.connect(self._unlock)
        self.progress = _Progress()
        self.progress.retry.connect(self._retry)
        for page in (self.choice, self.sign_in, self.app_password, self.unlock, self.progress):
            self.stack.addWidget(page)
        # A column of readable width in the middle of the screen, as a form should be.
        self.stack.setMaximumWidth(640)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addWidget(self.stack)
        self.demo_button.setFocus()
        self.runner.run_database(self._open, self._opened, self._open_failed)

    # ----------------------------------------------------------------- pages

    def _choice_page(self) -> QWidget:
        page = QWidget()
        title = QLabel(_("Welcome to Homeroom"))
        title.setStyleSheet("font-size: 18pt; font-weight: 600;")
        intro = QLabel(
            _(
                "This computer has no class yet. Sign in to your school's server to bring "
                "your class here, or open the demo to try Homeroom on a sample class (11A1)."
            )
        )
        intro.setWordWrap(True)
        self.sign_in_button = QPushButton(_("&Sign in to the school's server"))
        self.sign_in_button.clicked.connect(self._show_sign_in)
        self.demo_button = QPushButton(_("Open the &demo"))
        self.demo_button.clicked.connect(self._open_demo)
        self.choice_message = QLabel()
        self.choice_message.setWordWrap(True)
        self.choice_message.setStyleSheet(ERROR_STYLE)
        for button in (self.sign_in_button, self.demo_button):
            button.setAutoDefault(True)
            button.setMinimumHeight(44)
            button.setEnabled(False)  # until the profile is open
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(16)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.choice_message)
        layout.addStretch(2)
        return page

    def _show_sign_in(self) -> None:
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.prefill(
            self.settings.get(keys.SERVER_ADDRESS), self.settings.get(keys.USERNAME)
        )

    def _show_progress(self, text: str) -> None:
        self.progress.working(text)
        self.stack.setCurrentWidget(self.progress)

    # ----------------------------------------------------------------- the profile

    def _open(self) -> tuple[Database, bool]:
        database = open_profile(self.database_path)
        with database.reading() as session:
            return database, app_password.is_set(session)

    def _opened(self, opened: tuple[Database, bool]) -> None:
        self.database, self._password_set = opened
        self.flow = AccountFlow(self.database, self.runner, self.key, self)
        self.flow.logged_in.connect(self._logged_in)
        self.flow.kept.connect(lambda _kind: self._first_sync())
        self.flow.failed.connect(self._step_failed)
        for button in (self.sign_in_button, self.demo_button):
            button.setEnabled(True)
        self.demo_button.setFocus()

    def _open_failed(self, error: HomeroomError) -> None:
        self.choice_message.setText(error.message)

    # ----------------------------------------------------------------- sign-in

    def _login(self, address: str, username: str, password: str) -> None:
        assert self.flow is not None
        self.flow.login(address, username, password)

    def _logged_in(self, pending: LoggedIn) -> None:
        self._pending = pending
        self.settings.set(keys.SERVER_ADDRESS, pending.server_url)
        self.settings.set(keys.USERNAME, pending.username)
        self._after_login()

    def _after_login(self) -> None:
        if not self._password_set:
            self.stack.setCurrentWidget(self.app_password)
            self.app_password.password.setFocus()
        elif self.key.get() is None:
            self.stack.setCurrentWidget(self.unlock)
            self.unlock.password.setFocus()
        else:
            self._keep()

    def _keep(self) -> None:
        assert self.flow is not None and self._pending is not None
        self._show_progress(_("Saving the sign-in…"))
        self.flow.keep(self._pending)

    def _step_failed(self, text: str) -> None:
        if self.stack.currentWidget() is self.sign_in:
            self.sign_in.failed(text)
        else:
            self.progress.failed(text)

    # ----------------------------------------------------------------- the demo

    def _open_demo(self) -> None:
        assert self.database is not None
        database, runner, parents_s = self.database, self.runner, self.demo_parents_s
        self.demo = self.demo or LocalDemoServer(server_file(self.database_path.parent))
        demo = self.demo
        self._connector = demo.connector(database, on_database=runner.on_database)
        self._show_progress(_("Starting the demo server and bringing class 11A1 here…"))

        def work() -> None:
            demo.start()
            runner.on_database(lambda: demo.sign_in(database))
            assert self._connector is not None
            sync_signed_in(database, self._connector, on_database=runner.on_database)
            if parents_s > 0 and not demo.parents_started:
                demo.start_parents(rate=DEMO_PARENTS_RATE, duration=parents_s)

        self.runner.run_network(work, lambda _none: self._synced(), self._sync_failed)

    # ----------------------------------------------------------------- app password

    def _set_password(self, password: str) -> None:
        database, key = self.database, self.key
        assert database is not None

        def work() -> None:
            with database.transaction() as session:
                app_password.set_password(session, password)
            with database.reading() as session:
                key.set(app_password.token_key(session, password))

        self.runner.run_database(work, lambda _none: self._password_saved(), self._password_bad)

    def _password_saved(self) -> None:
        self._password_set = True
        self._continue()

    def _password_bad(self, error: HomeroomError) -> None:
        self.app_password.failed(error.message)

    def _unlock(self, password: str) -> None:
        database, key = self.database, self.key
        assert database is not None

        def work() -> None:
            with database.reading() as session:
                key.set(app_password.token_key(session, password))

        self.runner.run_database(
            work, lambda _none: self._continue(), lambda e: self.unlock.failed(e.message)
        )

    def _continue(self) -> None:
        """After the app password: keep a pending sign-in, or hand over a synced demo."""
        if self._pending is not None:
            self._keep()
        else:
            self._hand_over()

    # ----------------------------------------------------------------- first sync

    def _first_sync(self) -> None:
        assert self.database is not None
        database = self.database
        self._pending = None
        self._connector = account.profile_connector(
            database, self.key, on_database=self.runner.on_database
        )
        connector = self._connector
        self._show_progress(_("First sync: bringing your class to this computer…"))
        self.runner.run_network(
            lambda: sync_signed_in(database, connector, on_database=self.runner.on_database),
            lambda _s: self._synced(),
            self._sync_failed,
        )

    def _retry(self) -> None:
        if self._pending is not None:
            self._keep()  # the token was not kept yet
        elif self.demo is not None:
            self._open_demo()
        else:
            self._first_sync()

    def _synced(self) -> None:
        if self._password_set:
            self._hand_over()
        else:
            self.stack.setCurrentWidget(self.app_password)
            self.app_password.password.setFocus()

    def _sync_failed(self, error: HomeroomError) -> None:
        self.progress.failed(error.message)

    def _hand_over(self) -> None:
        assert self.database is not None and self._connector is not None
        self._handed_over = True
        self.ready.emit(Opened(self.database, self._connector, self.demo))
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self._handed_over:
            self.runner.wait()
            if self.demo is not None:
                self.demo.close()
            if self.database is not None:
                self.database.close()
        super().closeEvent(event)
