"""A date box that may be empty ("any day"): a bound of the leave list's date range.

Empty is the edit's minimum date shown as a special text. A QDateEdit showing that text ignores
typed digits, so the first digit typed fills the box with the school's today first and then
overwrites its day: "16032026" typed into an empty box gives 16/03/2026.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateTimeEdit, QWidget

from desktop.ui.leave.dialogs import DATE_FORMAT, to_date

NO_DATE = QDate(2000, 1, 1)


class OptionalDateEdit(QDateTimeEdit):
    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(NO_DATE, parent)
        self.setDisplayFormat(DATE_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText(empty_text)
        self._advanced = False
        self.today: date | None = None
        """The day a first typed digit starts from: the school's today, set by the screen when
        its rows arrive (never this computer's clock: the demo lives on its own day)."""

    def value(self) -> date | None:
        return None if self.date() == NO_DATE else to_date(self.date())

    def clear_value(self) -> None:
        self.setDate(NO_DATE)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        typed = event.text()
        if typed and typed in "/.-" and self._advanced:
            # Two digits already moved on to the next part: this separator is the teacher's
            # way of saying the same, not a move to the part after ("16/03/2026" as typed).
            self._advanced = False
            event.accept()
            return
        if self.date() == NO_DATE and typed.isdigit() and self.today is not None:
            self.setDate(QDate(self.today.year, self.today.month, self.today.day))
            self.setSelectedSection(QDateTimeEdit.Section.DaySection)
        before = self.currentSection()
        super().keyPressEvent(event)
        self._advanced = typed.isdigit() and self.currentSection() != before
