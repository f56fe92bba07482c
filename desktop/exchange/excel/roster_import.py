"""Importing the class list: the layout ``exports.export_roster`` writes (one row per student,
keyed by the student code; each guardian in four columns), corrected in Excel and read back.

Every cell is checked first and each problem reported with its sheet, row, column, value and
why; while one remains nothing is imported. Then only what differs from the record becomes an
intent (``update_student``, ``set_guardian``), so a re-imported unchanged export queues nothing.
Names are compared after NFC. The record's own values are not judged again (the school may have
entered a relation in its own words); a changed value must pass the checks.

What the homeroom teacher may not change from a file is refused as a problem of its cell: a
student not in the class (a transfer is the school office's), a guardian removed, and the
e-contact-book registration (``rights``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop.domain.names import normalize
from desktop.errors import InvalidInput
from desktop.exchange.excel import template
from desktop.exchange.excel.opening import open_workbook
from desktop.exchange.excel.problems import CellProblem, reject
from desktop.exchange.excel.roster_rows import (
    GUARDIAN_COLUMNS,
    STUDENT_COLUMNS,
    Checker,
    PlannedChange,
    RowChecker,
    both,
    cell_text,
)
from desktop.i18n import N_, _
from desktop.services import rights, students
from desktop.services.changes import Changes
from desktop.services.intents import perform
from desktop.services.scope import ClassScope
from desktop.services.students import RosterRow

CLASS_CELL = "B2"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1

_NUMBER, _BORN, _GENDER = N_("No."), N_("Date of birth"), N_("Gender")
_GUARDIAN, _RELATION, _PHONE = N_("Guardian {number}"), N_("Relation"), N_("Phone")
_REGISTERED = N_("Registered for the e-contact book")


def is_roster(workbook: Workbook) -> bool:
    """Whether a sheet of ``workbook`` has the class list's header (the grade-entry template's
    is two rows lower and has no date of birth)."""
    return _roster_sheet(workbook) is not None


def _roster_sheet(workbook: Workbook) -> Worksheet | None:
    for sheet in workbook.worksheets:
        if not isinstance(sheet, Worksheet):
            continue
        code = cell_text(sheet.cell(row=HEADER_ROW, column=2).value).casefold()
        born = cell_text(sheet.cell(row=HEADER_ROW, column=4).value).casefold()
        if code in both(template.code_header()) | {"student code"} and born in both(_BORN):
            return sheet
    return None


@dataclass(frozen=True)
class RosterPlan:
    sheet: str
    changes: tuple[PlannedChange, ...]


@dataclass(frozen=True)
class RosterImport:
    plan: RosterPlan
    changes: Changes


def check_roster(session: Session, scope: ClassScope, workbook: Workbook) -> RosterPlan:
    """Every cell of the class list checked; ``WorkbookRejected`` with every problem, else the
    changes importing it would make."""
    sheet = _roster_sheet(workbook)
    if sheet is None:
        title = workbook.worksheets[0].title if workbook.worksheets else ""
        raise reject(
            [
                CellProblem(
                    title,
                    HEADER_ROW,
                    "",
                    "",
                    _("This is not a class list exported by Homeroom; export the class list."),
                )
            ]
        )
    checker = Checker(sheet)
    _check_sheet(checker, scope)
    groups = _check_header(checker)
    roster = {row.code: row for row in students.roster(session, scope)}
    planned = _check_rows(checker, roster, groups, scope.calendar.first_day)
    if checker.problems:
        raise reject(checker.problems)
    return RosterPlan(sheet.title, tuple(planned))


def import_roster(session: Session, scope: ClassScope, path: Path, *, actor: str) -> RosterImport:
    """``check_roster``, then each change an intent, all in the caller's transaction (a refusal
    rolls them back with it)."""
    plan = check_roster(session, scope, open_workbook(path))
    return perform_plan(session, scope, plan, actor=actor)


def perform_plan(
    session: Session, scope: ClassScope, plan: RosterPlan, *, actor: str
) -> RosterImport:
    touched: dict[str, set[str]] = {"student": set(), "guardian": set()}
    for change in plan.changes:
        try:
            result = perform(session, scope, change.name, change.args, actor=actor)
        except InvalidInput as refusal:
            raise reject(
                [CellProblem(plan.sheet, change.row, "B", change.student_code, refusal.message)]
            ) from None
        for kind in touched:
            touched[kind] |= result.ids(kind)
    count = len(plan.changes)
    summary = (
        Changes.of(
            _("{count} change(s) to the class list imported.").format(count=count),
            **{kind: sorted(ids) for kind, ids in touched.items() if ids},
        )
        if count
        else Changes.of(_("Nothing in the class list changed."))
    )
    return RosterImport(plan, summary)


# ------------------------------------------------------------------------------ the sheet


def _check_sheet(checker: Checker, scope: ClassScope) -> None:
    sheet = checker.sheet
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= HEADER_ROW:
            checker.add(
                merged.min_row,
                merged.min_col,
                merged.coord,
                _("Merged cells are not allowed in the list; unmerge them."),
            )
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell, Cell) and cell.data_type == "f":
                checker.add(
                    cell.row,
                    cell.column,
                    cell.value,
                    _("A formula is not allowed; type the value."),
                )
    class_name = sheet[CLASS_CELL].value
    if cell_text(class_name) != scope.class_name:
        checker.add(
            2,
            2,
            class_name,
            _("This list is for another class than {name}.").format(name=scope.class_name),
        )


def _check_header(checker: Checker) -> int:
    """How many guardians the header has columns for; a missing or misplaced column, or one
    after the last guardian, is a problem."""
    sheet = checker.sheet

    def header(column: int) -> str:
        return cell_text(sheet.cell(row=HEADER_ROW, column=column).value).casefold()

    expected = [_NUMBER, template.code_header(), template.name_header(), _BORN, _GENDER]
    accepted = [both(_NUMBER), both(template.code_header()) | {"student code"}]
    accepted += [both(template.name_header()) | {"full name"}, both(_BORN), both(_GENDER)]
    for column, (name, ok) in enumerate(zip(expected, accepted, strict=True), start=1):
        if header(column) not in ok:
            checker.add(
                HEADER_ROW,
                column,
                sheet.cell(row=HEADER_ROW, column=column).value,
                _missing(_(name)),
            )
    groups = 0
    while True:
        first = STUDENT_COLUMNS + groups * GUARDIAN_COLUMNS + 1
        number = groups + 1
        guardian = {
            normalize(_(_GUARDIAN).format(number=number)).casefold(),
            normalize(_GUARDIAN.format(number=number)).casefold(),
        }
        if header(first) not in guardian:
            break
        for offset, name in enumerate((_RELATION, _PHONE, _REGISTERED), start=1):
            if header(first + offset) not in both(name):
                value = sheet.cell(row=HEADER_ROW, column=first + offset).value
                checker.add(HEADER_ROW, first + offset, value, _missing(_(name)))
        groups += 1
    width = STUDENT_COLUMNS + groups * GUARDIAN_COLUMNS
    for cell in next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), ()):
        if isinstance(cell, Cell) and cell.column > width and cell_text(cell.value):
            checker.add(HEADER_ROW, cell.column, cell.value, _extra())
    return groups


def _missing(name: str) -> str:
    return _("The column “{name}” is missing here; export the class list again.").format(name=name)


def _extra() -> str:
    return _(
        "An extra column is not part of the class list; remove it (a new guardian goes in the "
        "next guardian's columns)."
    )


# ------------------------------------------------------------------------------ the rows


def _check_rows(
    checker: Checker, roster: dict[str, RosterRow], groups: int, year_starts: date
) -> list[PlannedChange]:
    sheet = checker.sheet
    width = STUDENT_COLUMNS + groups * GUARDIAN_COLUMNS
    seen: dict[str, int] = {}
    planned: list[PlannedChange] = []
    for line_cells in sheet.iter_rows(min_row=FIRST_ROW):
        cells = [cell for cell in line_cells if isinstance(cell, Cell)]
        if not cells:
            continue
        line = cells[0].row
        values: dict[int, object] = {c.column: c.value for c in cells if c.data_type != "f"}
        # A formula or a merged cell is reported once as such, not again as a wrong value.
        reported = {c.column for c in cells if c.data_type == "f"}
        reported |= set(range(1, len(line_cells) + 1)) - {c.column for c in cells}
        if all(cell_text(v) == "" for v in values.values()):
            continue
        for column, value in values.items():
            if column > width and cell_text(value):
                checker.add(line, column, value, _extra())
        code = cell_text(values.get(2))
        student = roster.get(code)
        if student is None:
            why = (
                _("The student code is missing.")
                if not code
                else _("No student of the class has this code.") + " " + rights.admission_refusal()
            )
            checker.add(line, 2, values.get(2), why)
            continue
        if code in seen:
            checker.add(
                line, 2, code, _("This student is already on row {row}.").format(row=seen[code])
            )
            continue
        seen[code] = line
        row = RowChecker(checker, line, student, values, year_starts, reported)
        planned += row.student_change()
        for index in range(groups):
            planned += row.guardian_change(index)
    return planned
