"""The sign-in and unlock dialogs of a window already open on a class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.security import app_password
from desktop.security.unlocked import UnlockedKey
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.account_flow import AccountFlow, LoggedIn
from desktop.ui.welcome.forms import SignInForm, UnlockForm


class SignInDialog(QDialog):
    """Sign in (again, or to another server); accepted once the token is kept and the account
    recorded."""

    def __init__(
        self,
        flow: AccountFlow,
        address: str,
        username: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Sign in to the school's server"))
        self.flow = flow
        self.form = SignInForm()
        self.form.submitted.connect(flow.login)
        flow.logged_in.connect(self._logged_in)
        flow.kept.connect(self._kept)
        flow.failed.connect(self.form.failed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        # Enter signs in, never cancels: the dialog's default is the form's button.
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        self.form.button.setDefault(True)
        self.form.prefill(address, username)
        self.resize(560, 380)

    def _logged_in(self, pending: LoggedIn) -> None:
        self.logged_in_as = pending
        self.form.show_note(_("Saving the sign-in…"))
        self.flow.keep(pending)

    def _kept(self, _kind: str) -> None:
        self.accept()

    def done(self, result: int) -> None:
        for signal, slot in (
            (self.flow.logged_in, self._logged_in),
            (self.flow.kept, self._kept),
            (self.flow.failed, self.form.failed),
        ):
            signal.disconnect(slot)
        super().done(result)


class UnlockDialog(QDialog):
    """Asks for the app password to open the sign-in sealed in the profile; accepted once the
    key is in memory."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        key: UnlockedKey,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Open the stored sign-in"))
        self.database = database
        self.runner = runner
        self.key = key
        self.form = UnlockForm()
        self.form.submitted.connect(self._unlock)
        buttons = QDialogButtonBox()
        later = buttons.addButton(_("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        later.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.form.button.setDefault(True)
        self.form.password.setFocus()

    def _unlock(self, password: str) -> None:
        database, key = self.database, self.key

        def work() -> None:
            with database.reading() as session:
                key.set(app_password.token_key(session, password))

        self.runner.run_database(work, lambda _none: self.accept(), self._failed)

    def _failed(self, error: HomeroomError) -> None:
        self.form.failed(error.message)


class OpenProfileDialog(QDialog):
    """Asks for the app password before the profile opens, where its key is kept under it (a
    PC without a keyring). ``open_with(password)`` runs on the database lane; what it returns
    is ``opened``'s; a wrong password is said in the form, which asks again."""

    opened = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        open_with: Callable[[str], Any],
        parent: QWidget | None = None,
        *,
        intro: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Open the class's records"))
        self.runner = runner
        self.open_with = open_with
        self.form = UnlockForm()
        self.form.title.setText(_("Open the class's records"))
        self.form.intro.setText(
            intro
            or _(
                "The class's records in this profile are encrypted with the app password. "
                "Enter it to open them."
            )
        )
        self.form.button.setText(_("Open"))
        self.form.submitted.connect(self._open)
        buttons = QDialogButtonBox()
        close = buttons.addButton(_("Close Homeroom"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.form.button.setDefault(True)
        self.form.password.setFocus()

    def _open(self, password: str) -> None:
        open_with = self.open_with
        self.runner.run_database(lambda: open_with(password), self._opened, self._failed)

    def _opened(self, result: object) -> None:
        self.opened.emit(result)
        self.accept()

    def _failed(self, error: HomeroomError) -> None:
        self.form.failed(error.message)
