"""Preferences: language, how often to sync, when to lock, the server and the app password.

Nothing is saved until every field is valid; a wrong entry gets its reason beside it. The
values go through ``desktop.settings``, whose ``changed`` signal makes the window follow (the
language at once).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import InvalidInput
from desktop.i18n import _, current_language
from desktop.settings import (
    IDLE_LOCK_MINUTES,
    LANGUAGE,
    SERVER_ADDRESS,
    SYNC_INTERVAL_MINUTES,
    Setting,
    Settings,
)

LANGUAGES = (("vi", "Tiếng Việt"), ("en", "English"))
"""Each language by its own name, so a teacher can find theirs whatever is shown now."""


def parse_minutes(text: str, setting: Setting[int]) -> int:
    """A whole number of minutes within the setting's bounds (raises ``InvalidInput``)."""
    low, high = setting.minimum or 1, setting.maximum or 1440
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is None or not setting.accepts(value):
        raise InvalidInput(
            _("Enter a whole number of minutes from {low} to {high}.").format(low=low, high=high)
        )
    return value


class _MinutesField(QWidget):
    def __init__(self, setting: Setting[int], value: int) -> None:
        super().__init__()
        self.setting = setting
        self.edit = QLineEdit(str(value))
        self.edit.setMaximumWidth(80)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.edit.textEdited.connect(lambda _text: self.message.clear())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(QLabel(_("minutes")))
        layout.addWidget(self.message, 1)

    def value(self) -> int | None:
        """The entered minutes, or ``None`` after showing why they are not valid."""
        try:
            return parse_minutes(self.edit.text(), self.setting)
        except InvalidInput as error:
            self.message.setText(error.message)
            return None


class PreferencesDialog(QDialog):
    change_server_requested = Signal()
    change_password_requested = Signal()
    language_chosen = Signal(str)
    """The language saved, which may differ from the one in force (``HOMEROOM_LANG``)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle(_("Preferences"))
        self._settings = settings
        self.language = QComboBox()
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(current_language()))
        self.sync_minutes = _MinutesField(
            SYNC_INTERVAL_MINUTES, settings.get(SYNC_INTERVAL_MINUTES)
        )
        self.lock_minutes = _MinutesField(IDLE_LOCK_MINUTES, settings.get(IDLE_LOCK_MINUTES))
        self.server = QLabel(settings.get(SERVER_ADDRESS) or _("(not signed in)"))
        self.server.setObjectName("server_address")
        self.change_server_button = QPushButton(_("Change server…"))
        self.change_server_button.clicked.connect(self._change_server)
        server_row = QHBoxLayout()
        server_row.addWidget(self.server, 1)
        server_row.addWidget(self.change_server_button)
        self.password_button = QPushButton(_("Change the app password…"))
        self.password_button.clicked.connect(self.change_password_requested)

        form = QFormLayout()
        form.addRow(_("&Language:"), self.language)
        form.addRow(_("&Sync every:"), self.sync_minutes)
        form.addRow(_("Lock after &idle:"), self.lock_minutes)
        form.addRow(_("Server:"), server_row)
        form.addRow(_("App password:"), self.password_button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def show_server(self, server_url: str, username: str) -> None:
        """The server this profile syncs with, as the profile records it."""
        self.server.setText(_("{server} (as {user})").format(server=server_url, user=username))

    def save(self) -> None:
        """Save every value if all are valid, else say what is wrong beside it."""
        sync_minutes = self.sync_minutes.value()
        lock_minutes = self.lock_minutes.value()
        if sync_minutes is None or lock_minutes is None:
            field = self.sync_minutes if sync_minutes is None else self.lock_minutes
            field.edit.setFocus()
            field.edit.selectAll()
            return
        self._settings.set(SYNC_INTERVAL_MINUTES, sync_minutes)
        self._settings.set(IDLE_LOCK_MINUTES, lock_minutes)
        language = str(self.language.currentData())
        self._settings.set(LANGUAGE, language)
        self.accept()
        # Last: the window rebuilds itself in another language.
        self.language_chosen.emit(language)

    def _change_server(self) -> None:
        self.reject()
        self.change_server_requested.emit()
