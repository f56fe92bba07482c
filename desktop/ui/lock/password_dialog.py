"""Set the app password (or PIN), or change it after giving the old one.

The check and the save run scrypt on the database lane; the dialog stays open with the reason
in place until they succeed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models import profile_key
from desktop.models.db import Database
from desktop.security import app_password
from desktop.security.app_password import Rekey
from desktop.ui.tasks import TaskRunner


class PasswordDialog(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        *,
        change: bool,
        rekey: Rekey | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("password_dialog")
        self._database = database
        self._runner = runner
        self._rekey = rekey
        self.setWindowTitle(_("Change the app password") if change else _("Set the app password"))
        intro = QLabel(
            _(
                "The app password or PIN hides the class's data when you step away "
                "(at least 4 characters; a PIN of 4 digits or more will do)."
            )
        )
        intro.setWordWrap(True)
        self.old = self._field() if change else None
        self.new = self._field()
        self.repeat = self._field()
        form = QFormLayout()
        if self.old is not None:
            form.addRow(_("Current password:"), self.old)
        form.addRow(_("New password:"), self.new)
        form.addRow(_("Repeat it:"), self.repeat)
        self.message = QLabel()
        self.message.setObjectName("password_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(420, self.sizeHint().height())

    def _field(self) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def _save(self) -> None:
        new, repeat = self.new.text(), self.repeat.text()
        if new != repeat:
            self.message.setText(_("The two entries of the new password differ."))
            self.repeat.setFocus()
            return
        database, rekey = self._database, self._rekey
        old = self.old.text() if self.old is not None else None

        def save() -> None:
            with database.transaction() as session:
                if old is None:
                    app_password.set_password(session, new)
                else:
                    app_password.change_password(session, old=old, new=new, rekey=rekey)
                    # In the same transaction: a failure leaves both passwords as they were.
                    profile_key.rewrap(database.path, old, new)

        self.message.setText(_("Saving…"))
        self.buttons.setEnabled(False)
        self._runner.run_database(save, self._saved, self._failed)

    def _saved(self, _result: None) -> None:
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, error: HomeroomError) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(error.message)
