"""The main window's "Account" menu: who is signed in and where the token is kept; sign in,
change server, sign out (the outbox is kept, with a warning when it is not empty)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QWidget

from desktop import settings as keys
from desktop.i18n import _
from desktop.models.db import Database
from desktop.settings import Settings
from desktop.sync import account, state
from desktop.sync.credentials import where_stored
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.account_flow import AccountFlow
from desktop.ui.welcome.dialogs import SignInDialog


@dataclass(frozen=True)
class AccountView:
    signed_in: state.SignedIn | None
    kind: str | None
    pending: int


class AccountMenu(QMenu):
    def __init__(
        self,
        flow: AccountFlow,
        sync: SyncController,
        settings: Settings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("&Account"), parent)
        self.flow = flow
        self.sync = sync
        self.settings = settings
        self.view = AccountView(None, None, 0)
        self.dialog: SignInDialog | None = None
        self.confirm: QMessageBox | None = None
        self._then_sign_in = False
        self.who = self.addAction("")
        self.who.setEnabled(False)
        self.where = self.addAction("")
        self.where.setEnabled(False)
        self.addSeparator()
        self.sign_in_action = self._action(_("&Sign in…"), "Ctrl+Shift+I", self.sign_in)
        self.change_action = self._action(_("&Change server…"), "Ctrl+Shift+C", self.change_server)
        self.sign_out_action = self._action(_("Sign &out"), "Ctrl+Shift+O", self.sign_out)
        flow.signed_out.connect(self._signed_out)
        flow.failed.connect(self._failed)
        self.refresh()

    def _action(self, text: str, shortcut: str, slot: object) -> QAction:
        action = self.addAction(text)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        window = self.parentWidget()
        if window is not None:
            window.addAction(action)  # the shortcut works with the menu closed
        return action

    @property
    def database(self) -> Database:
        return self.flow.database

    @property
    def runner(self) -> TaskRunner:
        return self.flow.runner

    def refresh(self) -> None:
        database = self.database

        def read() -> AccountView:
            with database.reading() as session:
                return AccountView(
                    state.signed_in(session),
                    account.store_kind(session),
                    account.pending_changes(session),
                )

        self.runner.run_database(read, self._show, lambda _error: None)

    def _show(self, view: AccountView) -> None:
        self.view = view
        signed = view.signed_in
        if signed is None:
            self.who.setText(_("Not signed in to the school's server."))
            self.where.setVisible(False)
        else:
            self.who.setText(
                _("Signed in as {user} on {server}").format(
                    user=signed.username, server=signed.server_url
                )
            )
            self.where.setText(where_stored(view.kind or "keyring"))
            self.where.setVisible(True)
        # "Change server" stays: signed out, it is the sign-in form with another address.
        self.sign_in_action.setVisible(signed is None)
        self.sign_out_action.setEnabled(signed is not None)

    # ----------------------------------------------------------------- actions

    def sign_in(self) -> None:
        signed = self.view.signed_in
        self.dialog = SignInDialog(
            self.flow,
            signed.server_url if signed else self.settings.get(keys.SERVER_ADDRESS),
            signed.username if signed else self.settings.get(keys.USERNAME),
            self.parentWidget(),
        )
        self.dialog.accepted.connect(self._signed_in)
        self.dialog.open()

    def change_server(self) -> None:
        """Sign out (confirmed when changes wait), then the sign-in form."""
        self.sign_out(then_sign_in=True)

    def sign_out(self, *, then_sign_in: bool = False) -> None:
        if self.view.signed_in is None:
            if then_sign_in:
                self.sign_in()
            return
        self._then_sign_in = then_sign_in
        if self.view.pending == 0:
            self.flow.sign_out()
            return
        self.confirm = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Sign out"),
            _(
                "{count} changes have not reached the server yet. They stay on this computer "
                "and are sent after you sign in again. Sign out now?"
            ).format(count=self.view.pending),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.parentWidget(),
        )
        self.confirm.setDefaultButton(QMessageBox.StandardButton.No)
        self.confirm.finished.connect(self._confirmed)
        self.confirm.open()

    def _confirmed(self, answer: int) -> None:
        if answer == QMessageBox.StandardButton.Yes.value:
            self.flow.sign_out()

    def _signed_out(self, server_told: bool) -> None:
        self.sync.refresh()
        self.refresh()
        window = self.parentWidget()
        if isinstance(window, QMainWindow):
            text = _("Signed out; pending changes stay on this computer.")
            if not server_told:
                text += " " + _(
                    "The server could not be told to end this sign-in; it is forgotten on this "
                    "computer and ends on the server when it expires."
                )
            window.statusBar().showMessage(text, 10_000)
        if self._then_sign_in:
            self.view = AccountView(None, None, self.view.pending)
            self.sign_in()

    def _signed_in(self) -> None:
        self.refresh()
        self.sync.refresh()
        self.sync.sync_now()

    def _failed(self, text: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return  # the dialog says it in place
        QMessageBox.warning(self.parentWidget(), _("Account"), text)
