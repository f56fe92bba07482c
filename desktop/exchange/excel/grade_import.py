"""Importing a filled grade-entry template: every cell is checked first, each problem reported
with its sheet, row, column, value and why, and nothing is imported while one remains; then each
changed grade is a ``set_grade`` intent, like one typed in the grade book, with its rights; the
intents are performed together (``intents.batch``), as fast as the workbook is read.

An empty cell leaves the grade as it is only if there was none (a file cannot erase a grade). A
change that needs a reason (after publication, lock or the column's deadline) takes it from the
template's last column; without one the change is refused as a problem of that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop.domain import grading, names
from desktop.errors import InvalidGrade, NotFound, NotPermitted
from desktop.exchange.excel import template
from desktop.exchange.excel.opening import open_workbook
from desktop.exchange.excel.problems import CellProblem, WorkbookRejected, reject
from desktop.i18n import _
from desktop.services import rights
from desktop.services.changes import Changes
from desktop.services.grade_book import GradeBook
from desktop.services.intents.batch import perform_many
from desktop.services.scope import ClassScope

MAX_REASON = 500


@dataclass(frozen=True)
class GradeImport:
    subjects: tuple[tuple[str, int], ...]
    """The (subject code, semester) of each sheet."""
    changed: int
    """Grades entered or changed (each one intent)."""
    changes: Changes


@dataclass(frozen=True)
class _Planned:
    raw: dict[str, Any]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return str(value)


class _Checker:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.problems: list[CellProblem] = []

    def add(self, row: int, column: int | str, value: object, why: str) -> None:
        letter = get_column_letter(column) if isinstance(column, int) else column
        self.problems.append(CellProblem(self.sheet.title, row, letter, _shown(value), why))


@dataclass(frozen=True)
class Plan:
    """A checked workbook: the intents it will queue, sheet by sheet."""

    sheets: tuple[tuple[str, str, int, tuple[_Planned, ...]], ...]
    """(sheet title, subject code, semester, the planned grades)."""

    @property
    def count(self) -> int:
        return sum(len(planned) for *_head, planned in self.sheets)


def check_workbook(
    session: Session, scope: ClassScope, source: Path | Workbook, *, today: date
) -> Plan:
    """Every cell of the workbook (at a path, or already opened safely by ``open_workbook``;
    each sheet a subject's template) checked; ``WorkbookRejected`` with every problem of every
    sheet, else what importing it would do."""
    workbook = source if isinstance(source, Workbook) else open_workbook(source)
    problems: list[CellProblem] = []
    planned: list[tuple[str, str, int, tuple[_Planned, ...]]] = []
    subjects: dict[tuple[str, int], str] = {}
    for sheet in workbook.worksheets:
        if not isinstance(sheet, Worksheet):
            continue  # a chart sheet holds no cells
        try:
            book, subject_code, semester = _header(session, scope, sheet, today)
            if (subject_code, semester) in subjects:
                raise reject(
                    [
                        CellProblem(
                            sheet.title,
                            2,
                            "B",
                            subject_code,
                            _(
                                "The sheet “{sheet}” already holds this subject and semester."
                            ).format(sheet=subjects[(subject_code, semester)]),
                        )
                    ]
                )
            subjects[(subject_code, semester)] = sheet.title
            planned.append((sheet.title, subject_code, semester, tuple(_check_cells(sheet, book))))
        except WorkbookRejected as rejected:
            problems += rejected.cells
    if problems:
        raise reject(problems)
    return Plan(tuple(planned))


def import_template(
    session: Session,
    scope: ClassScope,
    source: Path | Workbook,
    *,
    actor: str,
    today: date,
    now: datetime | None = None,
) -> GradeImport:
    """``check_workbook``, then every changed grade a ``set_grade`` intent, performed together
    as one action at ``now`` (by default the profile's) in the caller's transaction: a refusal
    rolls them all back with it."""
    plan = check_workbook(session, scope, source, today=today)
    raws = [grade.raw for *_head, planned in plan.sheets for grade in planned]
    try:
        changes = perform_many(session, scope, "set_grade", raws, actor=actor, now=now)
    except NotPermitted as refusal:
        raise reject([_refused_sheet(session, scope, plan, refusal)]) from None
    count = len(raws)
    summary = (
        Changes.of(
            _("{count} grade(s) imported from the workbook.").format(count=count),
            grade_entry=sorted(changes.ids("grade_entry")),
        )
        if count
        else Changes.of(_("No grade changed."))
    )
    return GradeImport(
        tuple((code, semester) for _t, code, semester, _p in plan.sheets), count, summary
    )


def _refused_sheet(
    session: Session, scope: ClassScope, plan: Plan, refusal: NotPermitted
) -> CellProblem:
    """The refusal at the subject cell of the first sheet whose subject the teacher may not
    enter (the batch refuses the first such subject, in the sheets' order)."""
    for title, subject_code, _semester, planned in plan.sheets:
        try:
            if planned:
                rights.require_grade_entry(session, scope.class_id, subject_code, scope.teacher_id)
        except NotPermitted:
            return CellProblem(title, 2, "B", subject_code, refusal.message)
    raise refusal


def _header(
    session: Session, scope: ClassScope, sheet: Worksheet, today: date
) -> tuple[GradeBook, str, int]:
    """The grade book the header names; every header problem at once, since the cells below
    cannot be read without it."""
    checker = _Checker(sheet)
    for name in (template.CLASS_CELL, template.SUBJECT_CELL, template.SEMESTER_CELL):
        cell = sheet[name]
        if cell.data_type == "f":
            checker.add(
                cell.row,
                cell.column_letter,
                cell.value,
                _("A formula is not allowed; type the value."),
            )
    if checker.problems:
        raise reject(checker.problems)
    class_name = sheet[template.CLASS_CELL].value
    if str(class_name or "").strip() != scope.class_name:
        checker.add(
            1,
            "B",
            class_name,
            _("This template is for another class than {name}.").format(name=scope.class_name),
        )
    code = str(sheet[template.SUBJECT_CELL].value or "").strip()
    semester_value = sheet[template.SEMESTER_CELL].value
    semester = semester_value if semester_value in (1, 2) else None
    if semester is None:
        checker.add(3, "B", semester_value, _("The semester must be 1 or 2."))
    book: GradeBook | None = None
    if not code:
        checker.add(2, "B", code, _("The subject code is missing; export a new template."))
    elif semester is not None:
        try:
            book = template.read_template_book(
                session, scope, subject_code=code, semester=int(semester), today=today
            )
        except NotFound as missing:
            checker.add(2, "B", code, missing.message)
    if book is not None and book.read_only:
        checker.add(2, "B", code, book.refusal)
    if checker.problems or book is None or semester is None:
        raise reject(checker.problems)
    return book, book.subject.code, int(semester)


def _check_cells(sheet: Worksheet, book: GradeBook) -> list[_Planned]:
    checker = _Checker(sheet)
    layout = template.layout_of(book)
    width = len(layout.headers)
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= template.HEADER_ROW:
            checker.add(
                merged.min_row,
                merged.min_col,
                merged.coord,
                _("Merged cells are not allowed in the table; unmerge them."),
            )
    for place, expected in enumerate(layout.headers, start=1):
        found = sheet.cell(row=template.HEADER_ROW, column=place).value
        if str(found or "").strip() not in layout.accepted(place - 1):
            checker.add(
                template.HEADER_ROW,
                place,
                found,
                _("The column “{name}” is missing here; export a new template.").format(
                    name=expected
                ),
            )
    for sheet_row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, 1)):
        for cell in sheet_row:
            if cell.value is None:
                continue
            if cell.data_type == "f":
                checker.add(
                    cell.row,
                    cell.column_letter,
                    cell.value,
                    _("A formula is not allowed; type the value."),
                )
            elif cell.row >= template.HEADER_ROW and cell.column > width:
                checker.add(
                    cell.row,
                    cell.column_letter,
                    cell.value,
                    _("An extra column is not part of the template; remove it."),
                )
    students = {row.student_code: row for row in book.rows}
    seen: dict[str, int] = {}
    planned: list[_Planned] = []
    for line in range(template.FIRST_ROW, sheet.max_row + 1):
        values = [sheet.cell(row=line, column=c).value for c in range(1, width + 1)]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        code = str(values[0] or "").strip()
        student = students.get(code)
        if student is None:
            checker.add(line, 1, values[0], _("No student of the class has this code."))
            continue
        if code in seen:
            checker.add(
                line, 1, code, _("This student is already on row {row}.").format(row=seen[code])
            )
            continue
        seen[code] = line
        if names.normalize(str(values[1] or "")) != names.normalize(student.student_name):
            checker.add(
                line,
                2,
                values[1],
                _("The code {code} is {name}'s; the row is for another student.").format(
                    code=code, name=student.student_name
                ),
            )
            continue
        reason = str(values[-1] or "").strip()
        if len(reason) > MAX_REASON:
            checker.add(
                line,
                width,
                reason[:40] + "…",
                _("The reason is longer than {count} characters.").format(count=MAX_REASON),
            )
        for index, column in enumerate(book.columns):
            current = student.cells[index]
            raw_value = values[2 + index]
            if sheet.cell(row=line, column=3 + index).data_type == "f":
                continue  # reported above
            new = _value(checker, line, 3 + index, raw_value, comment=book.comment)
            if new is None:
                if raw_value is None and not current.missing:
                    checker.add(
                        line,
                        3 + index,
                        "",
                        _(
                            "A grade cannot be erased from a file; type the grade ({value}) back."
                        ).format(value=cell.value),
                    )
                continue
            if not current.missing and _same(book, current.value, new):
                continue
            if book.needs_reason(index, current) and not reason:
                checker.add(
                    line,
                    width,
                    "",
                    _(
                        "{column} changes after publication, lock or "
                        "its deadline: write the reason for the change here."
                    ).format(column=column.label),
                )
                continue
            planned.append(
                _Planned(
                    {
                        "student_id": student.student_id,
                        "subject_code": book.subject.code,
                        "semester": book.semester,
                        "kind": column.kind,
                        "slot": column.slot,
                        "value": new,
                        "reason": reason if book.needs_reason(index, current) else "",
                        "base_version": current.version,
                    }
                )
            )
    if checker.problems:
        raise reject(checker.problems)
    return planned


def _same(book: GradeBook, shown: str, new: str) -> bool:
    if book.comment:
        return shown == new
    return grading.parse_score(shown) == Decimal(new)


def _value(checker: _Checker, row: int, column: int, value: object, *, comment: bool) -> str | None:
    """The stored form of a cell's grade ("7.5", "Đ"); ``None`` when empty or wrong (then
    the problem is noted)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if comment:
        if not isinstance(value, str):
            checker.add(
                row,
                column,
                value,
                _("This subject is assessed by comment: type Đ (pass) or CĐ (not yet passed)."),
            )
            return None
        try:
            return grading.parse_comment(value).value
        except InvalidGrade as wrong:
            checker.add(row, column, value, wrong.message)
            return None
    if isinstance(value, str):
        checker.add(
            row,
            column,
            value,
            _("The cell holds text, not a number: type the score as a number (e.g. 7,5)."),
        )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        why = (
            _("The cell holds a date, not a score.")
            if isinstance(value, datetime | date)
            else _("The cell does not hold a score.")
        )
        checker.add(row, column, value, why)
        return None
    try:
        score = Decimal(str(value))
    except InvalidOperation:
        score = Decimal("NaN")
    if not score.is_finite() or not grading.SCORE_MIN <= score <= grading.SCORE_MAX:
        checker.add(row, column, value, _("A score is from 0 to 10."))
        return None
    if score != score.quantize(Decimal("0.1")):
        checker.add(row, column, value, _("A score has at most one decimal."))
        return None
    return grading.format_score(score.quantize(Decimal("0.1")))
