"""The forms of the welcome screen and the account menu: sign-in, the app password, unlock.

Each validates what it can in place and says what is wrong next to its fields; the slow or
remote work (the server, scrypt) is the caller's, on the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _

ERROR_STYLE = "color: #b00020;"


class _Form(QWidget):
    """A titled form with a line for messages and one main button."""

    def __init__(self, title: str, intro: str, button: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.fields = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(button)
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.button)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addSpacing(8)
        layout.addLayout(self.fields)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        layout.addStretch(1)

    def _line(self, label: str, *, secret: bool = False) -> QLineEdit:
        line = QLineEdit()
        if secret:
            line.setEchoMode(QLineEdit.EchoMode.Password)
        line.returnPressed.connect(self.button.click)
        self.fields.addRow(label, line)
        return line

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)
        self.set_busy(False)

    def show_note(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)


class SignInForm(_Form):
    submitted = Signal(str, str, str)
    """``(server address, user name, password)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Sign in to the school's server"),
            _(
                "Your class comes from the school's server. The password is sent to the server "
                "only; this computer keeps a sign-in token, never the password."
            ),
            _("Sign in"),
            parent,
        )
        self.address = self._line(_("Server address"))
        self.address.setPlaceholderText("https://homeroom.truong.edu.vn")
        self.username = self._line(_("User name"))
        self.password = self._line(_("Password"), secret=True)
        self.button.clicked.connect(self._submit)

    def prefill(self, address: str, username: str) -> None:
        self.address.setText(address)
        self.username.setText(username)
        first_empty = next(
            (line for line in (self.address, self.username) if not line.text()), self.password
        )
        first_empty.setFocus()

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        if not self.address.text().strip():
            self.show_error(_("Enter the server's address, for example https://truong.edu.vn."))
            self.address.setFocus()
            return
        if not self.username.text().strip() or not self.password.text():
            self.show_error(_("Enter your user name and password."))
            (self.password if self.username.text().strip() else self.username).setFocus()
            return
        self.set_busy(True)
        self.show_note(_("Signing in…"))
        self.submitted.emit(self.address.text(), self.username.text(), self.password.text())

    def failed(self, text: str) -> None:
        self.show_error(text)
        self.password.clear()
        self.password.setFocus()


class AppPasswordForm(_Form):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Set an app password or PIN"),
            _(
                "It hides the students' data when you step away from this computer (Ctrl+L "
                "and after some idle minutes) and, on a computer without a password store, "
                "opens the sign-in kept encrypted in the profile. At least 4 characters."
            ),
            _("Save the app password"),
            parent,
        )
        self.password = self._line(_("App password or PIN"), secret=True)
        self.repeat = self._line(_("The same again"), secret=True)
        self.password.returnPressed.disconnect()
        self.password.returnPressed.connect(self.repeat.setFocus)
        self.button.clicked.connect(self._submit)

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        if self.password.text() != self.repeat.text():
            self.show_error(_("The two entries differ; type the app password again."))
            self.repeat.clear()
            self.repeat.setFocus()
            return
        self.set_busy(True)
        self.show_note(_("Saving…"))
        self.submitted.emit(self.password.text())

    def failed(self, text: str) -> None:
        self.show_error(text)
        self.password.clear()
        self.repeat.clear()
        self.password.setFocus()


class UnlockForm(_Form):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            _("Open the stored sign-in"),
            _(
                "The sign-in to the school's server is stored encrypted in this profile. Enter "
                "the app password to sync."
            ),
            _("Unlock"),
            parent,
        )
        self.password = self._line(_("App password or PIN"), secret=True)
        self.button.clicked.connect(self._submit)

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        self.set_busy(True)
        self.show_note(_("Checking…"))
        self.submitted.emit(self.password.text())

    def failed(self, text: str) -> None:
        self.show_error(text)
        self.password.clear()
        self.password.setFocus()
