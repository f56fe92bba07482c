"""One student's page beside the roster: who they are and who their guardians are, then their
absences, leave requests and grades in three tabs. It only shows a ``StudentPage``; the
screen reads it and follows the links (a request opens in the leave screen)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_date
from desktop.i18n import _
from desktop.services.students import GuardianRow, StudentPage, gender_label
from desktop.ui.students.model import (
    AbsenceColumn,
    AbsencesModel,
    GradeColumn,
    GradesModel,
    RequestColumn,
    RequestsModel,
)

WARNING_COLOUR = "#b00020"


def _table(model: AbsencesModel | RequestsModel | GradesModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class PageView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page: StudentPage | None = None
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals = QLabel()
        self.totals.setWordWrap(True)

        self.absences_model = AbsencesModel(self)
        self.requests_model = RequestsModel(self)
        self.grades_model = GradesModel(self)
        self.absences = _table(self.absences_model, AbsenceColumn.SOURCE)
        self.requests = _table(self.requests_model, RequestColumn.STATE)
        self.grades = _table(self.grades_model, GradeColumn.SUBJECT)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.absences, "")
        self.tabs.addTab(self.requests, "")
        self.tabs.addTab(self.grades, _("Grades"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.totals)
        layout.addWidget(self.tabs, 1)
        self.show_page(None)

    def show_page(self, page: StudentPage | None) -> None:
        self.page = page
        if page is None:
            self.header.setText(escape(_("Choose a student to see their page.")))
            self.totals.clear()
            for model in (self.absences_model, self.requests_model, self.grades_model):
                model.set_rows([])
            self._name_tabs(0, 0)
            return
        self.header.setText(header_html(page))
        totals = page.totals
        line = _(
            "Excused: {excused} · unexcused: {unexcused} · late: {late} · absences counted: {total}"
        ).format(
            excused=totals.excused,
            unexcused=totals.unexcused,
            late=totals.late,
            total=totals.total_absent,
        )
        if page.warning:
            line = (
                f"{escape(line)}<br><b style='color: {WARNING_COLOUR}'>{escape(page.warning)}</b>"
            )
            self.totals.setTextFormat(Qt.TextFormat.RichText)
        else:
            self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.totals.setText(line)
        self.absences_model.set_rows(page.absences)
        self.requests_model.set_rows(page.requests)
        self.grades_model.set_rows(page.grades)
        self._name_tabs(len(page.absences), len(page.requests))

    def _name_tabs(self, absences: int, requests: int) -> None:
        self.tabs.setTabText(0, _("Absences and late arrivals ({count})").format(count=absences))
        self.tabs.setTabText(1, _("Leave requests ({count})").format(count=requests))


def header_html(page: StudentPage) -> str:
    student = page.student
    facts = " · ".join(
        (
            escape(student.code),
            escape(_("born {day}").format(day=format_date(student.date_of_birth))),
            escape(gender_label(student.gender)),
        )
    )
    guardians = "".join(f"<li>{_guardian_html(g)}</li>" for g in student.guardians)
    if not guardians:
        guardians = f"<li>{escape(_('No guardian recorded.'))}</li>"
    return (
        f"<h3 style='margin: 0'>{escape(student.full_name)}</h3>"
        f"<div>{facts}</div>"
        f"<ul style='margin: 4px 0 0 -24px'>{guardians}</ul>"
    )


def _guardian_html(guardian: GuardianRow) -> str:
    who = f"<b>{escape(guardian.full_name)}</b> ({escape(guardian.relation_label)})"
    if guardian.phone:
        who += f" · {escape(guardian.phone)}"
    if guardian.econtact_registered_on is None:
        book = _("not registered for the e-contact book")
    else:
        book = _("e-contact book since {day}").format(
            day=format_date(guardian.econtact_registered_on)
        )
    if guardian.consent_recorded_on is not None:
        book += "; " + _("consent recorded on {day}").format(
            day=format_date(guardian.consent_recorded_on)
        )
    return f"{who}<br><span style='color: #555'>{escape(book)}</span>"
