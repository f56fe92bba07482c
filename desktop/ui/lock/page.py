"""What the window shows while locked: no data, a password field and the reason to wait."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _


class LockPage(QWidget):
    unlock_requested = Signal(str)
    """The password or PIN the teacher entered."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_page")
        title = QLabel(_("Homeroom is locked"))
        title.setObjectName("lock_title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        explanation = QLabel(
            _("The class's data is hidden. Enter the app password or PIN to continue.")
        )
        explanation.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("lock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("App password or PIN"))
        self.password.setAccessibleName(_("App password or PIN"))
        self.password.returnPressed.connect(self._submit)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        self.message = QLabel()
        self.message.setObjectName("lock_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        entry = QHBoxLayout()
        entry.addWidget(self.password, 1)
        entry.addWidget(self.unlock_button)
        card = QWidget()
        card.setFixedWidth(480)
        card_layout = QVBoxLayout(card)
        card_layout.addWidget(title)
        card_layout.addWidget(explanation)
        card_layout.addSpacing(12)
        card_layout.addLayout(entry)
        card_layout.addWidget(self.message)
        # Stretches rather than an alignment: an aligned widget loses the height its wrapped
        # text needs.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def start(self) -> None:
        """Ready for a password: empty, focused, no message."""
        self.password.clear()
        self.message.clear()
        self.set_input_enabled(True)

    def set_input_enabled(self, enabled: bool) -> None:
        self.password.setEnabled(enabled)
        self.unlock_button.setEnabled(enabled)
        if enabled:
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if self.password.isEnabled() and self.password.text():
            self.unlock_requested.emit(self.password.text())
