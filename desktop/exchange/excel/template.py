"""The grade-entry template of one subject and semester, and where its parts are.

A header names the class, subject (code and name), semester, teacher and school year; under it
one row per student (code, full name, in Vietnamese name order) with the subject's Circular 22
columns (TX1…n, GK, CK) and a last column "reason for the change", which a change after
publication, lock or a column's deadline needs. Scores are numeric cells shown with one decimal
(Excel writes them with the decimal comma of a Vietnamese Windows); comment subjects take Đ or
CĐ as text. Only the grade and reason cells are unlocked (the sheet is protected, without a
password: it guards against slips, not against the teacher); nothing holds a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.exchange.excel.saving import save_workbook
from desktop.i18n import N_, _
from desktop.services import grade_book
from desktop.services.grade_book import GradeBook
from desktop.services.grades import find_subject
from desktop.services.scope import ClassScope

CLASS_CELL = "B1"
SUBJECT_CELL = "B2"
SEMESTER_CELL = "B3"
TEACHER_CELL = "B4"
YEAR_CELL = "B5"
HEADER_ROW = 7
FIRST_ROW = HEADER_ROW + 1
SCORE_FORMAT = "0.0"

_GRADE_FILL = PatternFill("solid", fgColor="FFF8E1")
_BOLD = Font(bold=True)


_CODE, _NAME, _REASON = N_("Student code"), N_("Full name"), N_("Reason for the change")


def code_header() -> str:
    return _(_CODE)


def name_header() -> str:
    return _(_NAME)


def reason_header() -> str:
    return _(_REASON)


@dataclass(frozen=True)
class Layout:
    """The columns of a subject's template: labels as in the header row, left to right."""

    grade_labels: tuple[str, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return (code_header(), name_header(), *self.grade_labels, reason_header())

    def accepted(self, position: int) -> set[str]:
        """The header texts accepted at ``position`` (0-based): in the language shown now or
        in English, so a template made on a computer set to the other language still imports."""
        sources = (_CODE, _NAME, *self.grade_labels, _REASON)
        return {self.headers[position], sources[position]}

    @property
    def reason_column(self) -> int:
        """1-based, as openpyxl counts."""
        return 3 + len(self.grade_labels)


def layout_of(book: GradeBook) -> Layout:
    return Layout(tuple(column.label for column in book.columns))


def read_template_book(
    session: Session, scope: ClassScope, *, subject_code: str, semester: int, today: date
) -> GradeBook:
    subject = find_subject(session, scope, subject_code)
    return grade_book.read_book(
        session, scope, subject_id=subject.id, semester=semester, today=today
    )


def cell_value(book: GradeBook, shown: str) -> Decimal | str | None:
    """A stored grade as the template holds it: a number for a score, Đ/CĐ for a comment."""
    if not shown:
        return None
    if book.comment:
        return shown
    return grading.parse_score(shown)


def build_template(book: GradeBook, scope: ClassScope) -> Workbook:
    """A workbook of one subject's template, its sheet named "Nhập điểm"."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = _("Grade entry")
    fill_sheet(sheet, book, scope)
    return workbook


def fill_sheet(sheet: Worksheet, book: GradeBook, scope: ClassScope) -> None:
    """Draw ``book``'s template on an empty sheet."""
    labels = [_("Class"), _("Subject"), _("Semester"), _("Teacher"), _("School year")]
    values: list[str | int | None] = [
        scope.class_name,
        book.subject.code,
        book.semester,
        book.subject.teacher_name or scope.teacher_name,
        scope.year_name,
    ]
    for line, (label, value) in enumerate(zip(labels, values, strict=True), start=1):
        sheet.cell(row=line, column=1, value=label).font = _BOLD
        sheet.cell(row=line, column=2, value=value)
    sheet.cell(row=2, column=3, value=book.subject.name)
    layout = layout_of(book)
    for place, header in enumerate(layout.headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=place, value=header)
        cell.font = _BOLD
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    unlocked = Protection(locked=False)
    for index, book_row in enumerate(book.rows):
        line = FIRST_ROW + index
        sheet.cell(row=line, column=1, value=book_row.student_code)
        sheet.cell(row=line, column=2, value=book_row.student_name)
        for offset, shown in enumerate(book_row.cells):
            cell = sheet.cell(row=line, column=3 + offset, value=cell_value(book, shown.value))
            cell.protection = unlocked
            cell.fill = _GRADE_FILL
            if not book.comment:
                cell.number_format = SCORE_FORMAT
        sheet.cell(row=line, column=layout.reason_column).protection = unlocked
    last = FIRST_ROW + max(len(book.rows), 1) - 1
    grades = f"C{FIRST_ROW}:{get_column_letter(2 + len(layout.grade_labels))}{last}"
    if book.comment:
        rule = DataValidation(type="list", formula1='"Đ,CĐ"', allow_blank=True)
    else:
        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="10", allow_blank=True
        )
    rule.error = _("A score is a number from 0 to 10 with at most one decimal.")
    rule.showErrorMessage = True
    rule.add(grades)
    sheet.add_data_validation(rule)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 28
    for place in range(3, layout.reason_column):
        sheet.column_dimensions[get_column_letter(place)].width = 7
    sheet.column_dimensions[get_column_letter(layout.reason_column)].width = 30
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True


def export_template(
    session: Session,
    scope: ClassScope,
    *,
    subject_code: str,
    semester: int,
    today: date,
    path: Path,
) -> int:
    """Write the template to ``path``; the number of students listed."""
    book = read_template_book(
        session, scope, subject_code=subject_code, semester=semester, today=today
    )
    save_workbook(build_template(book, scope), path)
    return len(book.rows)


def export_templates(
    session: Session,
    scope: ClassScope,
    *,
    subject_codes: list[str],
    semester: int,
    today: date,
    path: Path,
) -> int:
    """One workbook with a sheet per subject (named by its code); the sheets written."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for code in subject_codes:
        book = read_template_book(session, scope, subject_code=code, semester=semester, today=today)
        fill_sheet(workbook.create_sheet(book.subject.code), book, scope)
    save_workbook(workbook, path)
    return len(subject_codes)
