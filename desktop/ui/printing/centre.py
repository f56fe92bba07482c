"""The print centre (Trung tâm in): the reports of ``desktop.reports.catalogue`` with their
options, and "Preview and print…" opening the print preview with the chosen report.

The months offered are the school year's, read on the database lane when the dialog opens;
the report itself is made on the database lane by the preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import shiboken6
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.reports.catalogue import REPORTS, Option, render_report
from desktop.reports.leaflet import remember_address
from desktop.services import workspace
from desktop.services.attendance_month import Month, month_of, school_months
from desktop.services.profile import registration_address
from desktop.ui.printing.preview import PrintPreview
from desktop.ui.tasks import TaskRunner

NAME_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class _Year:
    months: tuple[Month, ...]
    current: Month
    first_day: date
    today: date
    address: str


class PrintCentre(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        class_name: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Print centre"))
        self._database = database
        self._runner = runner
        self._class_name = class_name
        self.preview: PrintPreview | None = None

        self.model = QStandardItemModel(self)
        for report in REPORTS.values():
            item = QStandardItem(report.title)
            item.setData(report.name, NAME_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName(_("Reports"))
        self.list.selectionModel().currentChanged.connect(self._chosen)
        self.list.activated.connect(lambda _index: self.open_preview())

        self.month = QComboBox()
        self.month.setAccessibleName(_("Month"))
        self.semester = QComboBox()
        self.semester.setAccessibleName(_("Semester"))
        for label, value in (
            (_("Semester 1"), "1"),
            (_("Semester 2"), "2"),
            (_("Whole year"), "year"),
        ):
            self.semester.addItem(label, value)
        self.semester.setCurrentIndex(2)
        self.first = _date_field(_("From"))
        self.last = _date_field(_("To"))
        self.address = QLineEdit()
        self.address.setAccessibleName(_("Registration address"))
        self.address.setPlaceholderText("https://…")
        form = QFormLayout()
        form.addRow(_("&Month:"), self.month)
        form.addRow(_("&Semester:"), self.semester)
        form.addRow(_("&From:"), self.first)
        form.addRow(_("T&o:"), self.last)
        form.addRow(_("Registration &address:"), self.address)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.preview_button = QPushButton(_("Preview and print…"))
        self.preview_button.setDefault(True)
        self.preview_button.setShortcut(QKeySequence("Ctrl+P"))
        self.preview_button.setToolTip(_("Preview and print…") + " (Ctrl+P)")
        self.preview_button.clicked.connect(self.open_preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Choose a report:")))
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(520, 420)
        self.list.setCurrentIndex(self.model.index(0, 0))
        self.list.setFocus()
        self._read_year()

    def _read_year(self) -> None:
        database, class_name = self._database, self._class_name

        def read() -> _Year:
            with workspace.work(database, class_name, write=False) as unit:
                calendar = unit.scope.calendar
                return _Year(
                    school_months(calendar),
                    month_of(calendar, unit.today),
                    calendar.first_day,
                    unit.today,
                    registration_address(unit.session),
                )

        self._runner.run_database(read, self._show_year, self._failed)

    def _show_year(self, year: _Year) -> None:
        if not shiboken6.isValid(self):
            return
        self.month.clear()
        for number, (y, m) in enumerate(year.months):
            self.month.addItem(f"{m:02d}/{y}", f"{m:02d}/{y}")
            if (y, m) == year.current:
                self.month.setCurrentIndex(number)
        self.first.setDate(QDate(year.first_day.year, year.first_day.month, year.first_day.day))
        self.last.setDate(QDate(year.today.year, year.today.month, year.today.day))
        if not self.address.text():
            self.address.setText(year.address)

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self):
            self.message.setText(error.message)

    def chosen_name(self) -> str:
        return str(self.list.currentIndex().data(NAME_ROLE) or next(iter(REPORTS)))

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        options = REPORTS[self.chosen_name()].options
        self.month.setEnabled(Option.MONTH in options)
        self.semester.setEnabled(Option.SEMESTER in options)
        self.first.setEnabled(Option.FIRST in options)
        self.last.setEnabled(Option.LAST in options)
        self.address.setEnabled(Option.ADDRESS in options)

    def done(self, result: int) -> None:
        # The preview goes with the centre, its document freed: closed, not left open behind
        # a window the teacher has closed.
        if self.preview is not None and shiboken6.isValid(self.preview):
            self.preview.reject()
        super().done(result)

    def open_preview(self) -> PrintPreview:
        report = REPORTS[self.chosen_name()]
        options = {
            Option.MONTH.value: str(self.month.currentData() or ""),
            Option.SEMESTER.value: str(self.semester.currentData() or ""),
            Option.FIRST.value: self.first.date().toString("dd/MM/yyyy"),
            Option.LAST.value: self.last.date().toString("dd/MM/yyyy"),
            Option.ADDRESS.value: self.address.text().strip(),
        }
        database, class_name = self._database, self._class_name

        address = options[Option.ADDRESS.value] if Option.ADDRESS in report.options else ""

        def make() -> bytes:
            # The leaflet's address typed here is remembered, as ``--address`` is.
            with workspace.work(database, class_name, write=bool(address)) as unit:
                if address and address != registration_address(unit.session):
                    remember_address(unit.session, address)
                return render_report(unit.session, unit.scope, report.name, **options)

        if self.preview is not None and shiboken6.isValid(self.preview):
            self.preview.close()
        self.preview = PrintPreview(
            self._runner,
            make,
            title=report.title,
            file_name=f"{report.name}.pdf",
            parent=self,
        )
        self.preview.open()
        return self.preview


def _date_field(name: str) -> QDateEdit:
    field = QDateEdit()
    field.setDisplayFormat("dd/MM/yyyy")
    field.setCalendarPopup(True)
    field.setAccessibleName(name)
    return field
