"""Workbooks to read, not to fill: the grade book of a subject and semester, an attendance month
(students × days × sessions) and the roster with the guardians. Numbers are numeric cells with
one decimal, dates real dates shown dd/mm/yyyy, so a teacher can sort and sum them in Excel."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop.domain import attendance as ledger
from desktop.domain.calendar import Session as SchoolSession
from desktop.exchange.excel import template
from desktop.exchange.excel.saving import save_workbook
from desktop.i18n import _
from desktop.services import attendance_month, students
from desktop.services.attendance_month import Month
from desktop.services.scope import ClassScope

DATE_FORMAT = "dd/mm/yyyy"
_BOLD = Font(bold=True)
_OFF = PatternFill("solid", fgColor="E0E0E0")


def _sheet(workbook: Workbook, title: str) -> Worksheet:
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = title
    return sheet


def _header_row(sheet: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = _BOLD
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _title(sheet: Worksheet, scope: ClassScope, text: str) -> None:
    sheet.cell(row=1, column=1, value=text).font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=_("Class"))
    sheet.cell(row=2, column=2, value=scope.class_name)
    sheet.cell(row=3, column=1, value=_("School year"))
    sheet.cell(row=3, column=2, value=scope.year_name)


# ------------------------------------------------------------------------------ grade book


def export_gradebook(
    session: Session,
    scope: ClassScope,
    *,
    subject_code: str,
    semester: int,
    today: date,
    path: Path,
) -> int:
    """The subject's grade book with the semester average (or result); rows written."""
    book = template.read_template_book(
        session, scope, subject_code=subject_code, semester=semester, today=today
    )
    workbook = Workbook()
    sheet = _sheet(workbook, _("Grade book"))
    _title(sheet, scope, f"{book.subject.name} — {_('Semester')} {semester}")
    sheet.cell(row=4, column=1, value=_("Teacher"))
    sheet.cell(row=4, column=2, value=book.subject.teacher_name or scope.teacher_name)
    headers = [
        _("No."),
        template.code_header(),
        template.name_header(),
        *(c.label for c in book.columns),
        _("Average") if not book.comment else _("Result"),
    ]
    _header_row(sheet, 6, headers)
    for index, row in enumerate(book.rows, start=1):
        line = 6 + index
        sheet.cell(row=line, column=1, value=index)
        sheet.cell(row=line, column=2, value=row.student_code)
        sheet.cell(row=line, column=3, value=row.student_name)
        shown = [*(c.value for c in row.cells), row.summary]
        for offset, value in enumerate(shown):
            cell = sheet.cell(row=line, column=4 + offset, value=template.cell_value(book, value))
            if not book.comment:
                cell.number_format = template.SCORE_FORMAT
    sheet.column_dimensions["C"].width = 28
    sheet.freeze_panes = "D7"
    save_workbook(workbook, path)
    return len(book.rows)


# ------------------------------------------------------------------------------ attendance


def export_attendance(
    session: Session, scope: ClassScope, *, month: Month, today: date, path: Path
) -> int:
    """The month's register: a column per school session (S/C under each day), P, K or M in
    the cells, days off greyed, then the month's totals; rows written."""
    grid = attendance_month.month_grid(session, scope, month=month, today=today)
    workbook = Workbook()
    sheet = _sheet(workbook, _("Attendance"))
    _title(sheet, scope, _("Attendance {month:02d}/{year}").format(month=month[1], year=month[0]))
    first = 3
    sheet.cell(row=5, column=1, value=template.code_header()).font = _BOLD
    sheet.cell(row=5, column=2, value=template.name_header()).font = _BOLD
    for offset, column in enumerate(grid.columns):
        place = first + offset
        sheet.cell(row=5, column=place, value=column.day.strftime("%d/%m")).font = _BOLD
        short = _("AM") if column.session is SchoolSession.MORNING else _("PM")
        sheet.cell(row=6, column=place, value=short).font = _BOLD
        sheet.column_dimensions[get_column_letter(place)].width = 5
    totals = first + len(grid.columns)
    for offset, text in enumerate([_("Excused"), _("Unexcused"), _("Late")]):
        sheet.cell(row=6, column=totals + offset, value=text).font = _BOLD
    for index, student in enumerate(grid.students):
        line = 7 + index
        sheet.cell(row=line, column=1, value=student.code)
        sheet.cell(row=line, column=2, value=student.name)
        counted: Counter[ledger.MarkStatus] = Counter()
        for offset, (column, mark) in enumerate(zip(grid.columns, student.cells, strict=True)):
            cell = sheet.cell(row=line, column=first + offset)
            if column.off is not None:
                cell.fill = _OFF
            elif mark is not None and mark.status is not ledger.MarkStatus.PRESENT:
                cell.value = mark.status.code
                counted[mark.status] += 1
        for offset, status in enumerate(
            [ledger.MarkStatus.EXCUSED, ledger.MarkStatus.UNEXCUSED, ledger.MarkStatus.LATE]
        ):
            sheet.cell(row=line, column=totals + offset, value=counted[status])
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "C7"
    save_workbook(workbook, path)
    return len(grid.students)


# ------------------------------------------------------------------------------ roster


def export_roster(session: Session, scope: ClassScope, *, path: Path) -> int:
    """The class list with each student's guardians side by side, and the columns of one
    guardian more, empty, where a corrected list adds one (``roster_import``); rows written."""
    rows = students.roster(session, scope)
    most = max((len(r.guardians) for r in rows), default=0) + 1
    workbook = Workbook()
    sheet = _sheet(workbook, _("Class list"))
    _title(sheet, scope, _("Class list"))
    headers = [
        _("No."),
        template.code_header(),
        template.name_header(),
        _("Date of birth"),
        _("Gender"),
    ]
    for number in range(1, most + 1):
        headers += [
            _("Guardian {number}").format(number=number),
            _("Relation"),
            _("Phone"),
            _("Registered for the e-contact book"),
        ]
    _header_row(sheet, 5, headers)
    for index, row in enumerate(rows, start=1):
        line = 5 + index
        values: list[str | int | date | None] = [
            index,
            row.code,
            row.full_name,
            row.date_of_birth,
            students.gender_label(row.gender),
        ]
        for guardian in row.guardians:
            values += [
                guardian.full_name,
                guardian.relation_label,
                guardian.phone,
                guardian.econtact_registered_on,
            ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=column, value=value)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
    for column in range(1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.column_dimensions["C"].width = 28
    sheet.freeze_panes = "D6"
    save_workbook(workbook, path)
    return len(rows)
