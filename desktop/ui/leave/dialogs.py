"""Small forms the leave screen asks before recording a paper original or a sign-off.

Each opens window-modal with ``open()`` (never a nested event loop) and hands its answer to
a callback when accepted; Enter accepts, Escape closes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from desktop.i18n import _

DATE_FORMAT = "dd/MM/yyyy"


def date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class _Form(QDialog):
    def __init__(self, title: str, intro: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        self.form.addRow(label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)


class OriginalDialog(_Form):
    """The day the paper original of a level-3 request arrived (default: the school's today)."""

    def __init__(
        self, request_id: int, today: date, done: Callable[[date], None], parent: QWidget | None
    ) -> None:
        super().__init__(
            _("Paper original received"),
            _("Request #{id}: the day its paper original arrived.").format(id=request_id),
            parent,
        )
        self.day = date_edit(today)
        self.form.addRow(_("Received on"), self.day)
        self.finish()
        self.accepted.connect(lambda: done(to_date(self.day.date())))


class SignoffDialog(_Form):
    """Who signed the special case off for the principal, and on which day."""

    def __init__(
        self,
        request_id: int,
        today: date,
        done: Callable[[str, date], None],
        parent: QWidget | None,
    ) -> None:
        super().__init__(
            _("Principal's sign-off received"),
            _("Request #{id} is a special case: record who signed it off, and when.").format(
                id=request_id
            ),
            parent,
        )
        self.by = QLineEdit()
        self.by.setPlaceholderText(_("The principal's name"))
        self.day = date_edit(today)
        self.form.addRow(_("Signed by"), self.by)
        self.form.addRow(_("Signed on"), self.day)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.form.addRow(self.error)
        self.finish()
        self._done = done

    def accept(self) -> None:
        # Checked here, in place: an empty name would only come back as an error afterwards.
        if not self.by.text().strip():
            self.error.setText(_("The principal's name is required for a sign-off."))
            self.by.setFocus()
            return
        super().accept()
        self._done(self.by.text().strip(), to_date(self.day.date()))
