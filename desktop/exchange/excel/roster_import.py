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

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from desktop.domain import roster as rules
from desktop.domain.calendar import format_date
from desktop.domain.guardians import relation_label
from desktop.domain.names import normalize
from desktop.errors import InvalidInput
from desktop.exchange.excel import template
from desktop.exchange.excel.opening import open_workbook
from desktop.exchange.excel.problems import CellProblem, reject
from desktop.i18n import N_, _
from desktop.services import rights, students
from desktop.services.changes import Changes
from desktop.services.intents import perform
from desktop.services.scope import ClassScope
from desktop.services.students import GuardianRow, RosterRow

CLASS_CELL = "B2"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
STUDENT_COLUMNS = 5
GUARDIAN_COLUMNS = 4
"""No., code, name, date of birth, gender; then per guardian: name, relation, phone, the
e-contact-book registration (as ``export_roster`` writes them)."""

_NUMBER, _BORN, _GENDER = N_("No."), N_("Date of birth"), N_("Gender")
_GUARDIAN, _RELATION, _PHONE = N_("Guardian {number}"), N_("Relation"), N_("Phone")
_REGISTERED = N_("Registered for the e-contact book")
_GENDER_WORDS = {"male": N_("Male"), "female": N_("Female")}
_DATE_TEXT = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def _both(message: str) -> set[str]:
    """A header or word as shown now and in English (a list exported on a computer set to
    English imports too), compared case-blind."""
    return {normalize(_(message)).casefold(), normalize(message).casefold()}


def _text(value: object) -> str:
    return normalize(str(value)) if value is not None else ""


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return format_date(value if isinstance(value, date) else value.date())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_roster(workbook: Workbook) -> bool:
    """Whether a sheet of ``workbook`` has the class list's header (the grade-entry template's
    is two rows lower and has no date of birth)."""
    return _roster_sheet(workbook) is not None


def _roster_sheet(workbook: Workbook) -> Worksheet | None:
    for sheet in workbook.worksheets:
        if not isinstance(sheet, Worksheet):
            continue
        code = _text(sheet.cell(row=HEADER_ROW, column=2).value).casefold()
        born = _text(sheet.cell(row=HEADER_ROW, column=4).value).casefold()
        if code in _both(template.code_header()) | {"student code"} and born in _both(_BORN):
            return sheet
    return None


@dataclass(frozen=True)
class PlannedChange:
    """One intent the import will queue, and what it changes in the teacher's words."""

    row: int
    student_code: str
    student_name: str
    what: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class RosterPlan:
    sheet: str
    changes: tuple[PlannedChange, ...]


@dataclass(frozen=True)
class RosterImport:
    plan: RosterPlan
    changes: Changes


class _Checker:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.problems: list[CellProblem] = []

    def add(self, row: int, column: int, value: object, why: str) -> None:
        self.problems.append(
            CellProblem(self.sheet.title, row, get_column_letter(column), _shown(value), why)
        )


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
    checker = _Checker(sheet)
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


def _check_sheet(checker: _Checker, scope: ClassScope) -> None:
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
    if _text(class_name) != scope.class_name:
        checker.add(
            2,
            2,
            class_name,
            _("This list is for another class than {name}.").format(name=scope.class_name),
        )


def _check_header(checker: _Checker) -> int:
    """How many guardians the header has columns for; a missing or misplaced column, or one
    after the last guardian, is a problem."""
    sheet = checker.sheet

    def header(column: int) -> str:
        return _text(sheet.cell(row=HEADER_ROW, column=column).value).casefold()

    expected = [_NUMBER, template.code_header(), template.name_header(), _BORN, _GENDER]
    accepted = [_both(_NUMBER), _both(template.code_header()) | {"student code"}]
    accepted += [_both(template.name_header()) | {"full name"}, _both(_BORN), _both(_GENDER)]
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
            if header(first + offset) not in _both(name):
                value = sheet.cell(row=HEADER_ROW, column=first + offset).value
                checker.add(HEADER_ROW, first + offset, value, _missing(_(name)))
        groups += 1
    width = STUDENT_COLUMNS + groups * GUARDIAN_COLUMNS
    for cell in next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), ()):
        if isinstance(cell, Cell) and cell.column > width and _text(cell.value):
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
    checker: _Checker, roster: dict[str, RosterRow], groups: int, year_starts: date
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
        if all(_text(v) == "" for v in values.values()):
            continue
        for column, value in values.items():
            if column > width and _text(value):
                checker.add(line, column, value, _extra())
        code = _text(values.get(2))
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
        row = _RowChecker(checker, line, student, values, year_starts, reported)
        planned += row.student_change()
        for index in range(groups):
            planned += row.guardian_change(index)
    return planned


class _RowChecker:
    """One student's row: what differs from the record, each difference checked."""

    def __init__(
        self,
        checker: _Checker,
        line: int,
        student: RosterRow,
        values: dict[int, object],
        year_starts: date,
        reported: set[int],
    ) -> None:
        self.checker, self.line, self.student, self.values = checker, line, student, values
        self.year_starts, self.reported = year_starts, reported

    def _planned(self, what: str, name: str, args: dict[str, Any]) -> PlannedChange:
        return PlannedChange(self.line, self.student.code, self.student.full_name, what, name, args)

    def _problem(self, column: int, why: str) -> None:
        if column not in self.reported:
            self.checker.add(self.line, column, self.values.get(column), why)

    def student_change(self) -> list[PlannedChange]:
        student, args = self.student, {}
        parts: list[str] = []
        name = _text(self.values.get(3))
        if name != student.full_name:
            try:
                args["full_name"] = rules.person_name(name)
                parts.append(_("name {old} → {new}").format(old=student.full_name, new=name))
            except InvalidInput as wrong:
                self._problem(3, wrong.message)
        born = self._date(4)
        if born is not None and born != student.date_of_birth:
            try:
                args["date_of_birth"] = rules.birth_date(born, self.year_starts).isoformat()
                parts.append(
                    _("date of birth {old} → {new}").format(
                        old=format_date(student.date_of_birth), new=format_date(born)
                    )
                )
            except InvalidInput as wrong:
                self._problem(4, wrong.message)
        gender = self._gender()
        if gender is not None and gender != student.gender:
            args["gender"] = gender
            parts.append(
                _("gender {old} → {new}").format(
                    old=students.gender_label(student.gender), new=students.gender_label(gender)
                )
            )
        if not args:
            return []
        return [
            self._planned("; ".join(parts), "update_student", {"student_id": student.id, **args})
        ]

    def _date(self, column: int) -> date | None:
        value = self.values.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        found = _DATE_TEXT.fullmatch(_text(value)) if isinstance(value, str) else None
        if found:
            try:
                return date(int(found[3]), int(found[2]), int(found[1]))
            except ValueError:
                self._problem(column, _("This day does not exist."))
                return None
        self._problem(
            column,
            _("The cell does not hold a date: type it as dd/mm/yyyy.")
            if value is not None
            else _("The date of birth is missing."),
        )
        return None

    def _gender(self) -> str | None:
        text = _text(self.values.get(5)).casefold()
        for code, word in _GENDER_WORDS.items():
            if text in _both(word) | {code}:
                return code
        self._problem(
            5,
            _("The gender is {male} or {female}.").format(
                male=_(_GENDER_WORDS["male"]), female=_(_GENDER_WORDS["female"])
            ),
        )
        return None

    def guardian_change(self, index: int) -> list[PlannedChange]:
        first = STUDENT_COLUMNS + index * GUARDIAN_COLUMNS + 1
        name_cell, relation_cell, phone_cell, registered_cell = (
            self.values.get(first + offset) for offset in range(GUARDIAN_COLUMNS)
        )
        known = self.student.guardians
        existing = known[index] if index < len(known) else None
        if all(_text(v) == "" for v in (name_cell, relation_cell, phone_cell, registered_cell)):
            if existing is not None:
                self._problem(
                    first, _("A guardian cannot be removed from a file; the school office does it.")
                )
            return []
        before = len(self.checker.problems)
        self._registration(first + 3, registered_cell, existing)
        name = self._guardian_name(first, name_cell, existing)
        relation = self._relation(first + 1, relation_cell, existing)
        phone = self._phone(first + 2, phone_cell, existing)
        if len(self.checker.problems) > before or name is None or relation is None or phone is None:
            return []
        if existing is not None and (name, relation, phone) == (
            existing.full_name,
            existing.relation,
            existing.phone,
        ):
            return []
        args: dict[str, Any] = {
            "student_id": self.student.id,
            "full_name": name,
            "relation": relation,
            "phone": phone,
        }
        if existing is None:
            return [
                self._planned(
                    _("new guardian {name} ({relation}, {phone})").format(
                        name=name, relation=relation_label(relation), phone=phone
                    ),
                    "set_guardian",
                    args,
                )
            ]
        if existing.id < 0:
            self._problem(
                first,
                _("This guardian was added on this computer and is not synced yet; sync first."),
            )
            return []
        return [
            self._planned(
                _guardian_difference(existing, name, relation, phone),
                "set_guardian",
                {**args, "guardian_id": existing.id},
            )
        ]

    def _registration(self, column: int, value: object, existing: GuardianRow | None) -> None:
        """The registration column is read back only to see that it is as recorded."""
        recorded = existing.econtact_registered_on if existing else None
        if recorded is None:
            same = _text(value) == ""
        elif isinstance(value, datetime | date):
            same = (value.date() if isinstance(value, datetime) else value) == recorded
        else:
            same = _text(value) == format_date(recorded)
        if not same:
            self._problem(column, rights.registration_refusal())

    def _guardian_name(
        self, column: int, value: object, existing: GuardianRow | None
    ) -> str | None:
        name = _text(value)
        if existing is not None and name == existing.full_name:
            return name
        try:
            name = rules.person_name(name)
        except InvalidInput as wrong:
            self._problem(column, wrong.message)
            return None
        others = [g.full_name for g in self.student.guardians if g is not existing]
        if name in others:
            self._problem(
                column,
                _("{name} is already a guardian of {code}.").format(
                    name=name, code=self.student.code
                ),
            )
            return None
        return name

    def _relation(self, column: int, value: object, existing: GuardianRow | None) -> str | None:
        text = _text(value)
        if existing is not None and text.casefold() in {
            existing.relation.casefold(),
            existing.relation_label.casefold(),
        }:
            return existing.relation
        code = rules.relation_code(text)
        if code is None:
            self._problem(
                column,
                _("This is not a relation in the list: {relations}.").format(
                    relations=", ".join(relation_label(c) for c in RELATIONS_SHOWN)
                ),
            )
        return code

    def _phone(self, column: int, value: object, existing: GuardianRow | None) -> str | None:
        text = _phone_text(value)
        if existing is not None and text == existing.phone:
            return text
        try:
            return rules.phone_number(text)
        except InvalidInput as wrong:
            self._problem(column, wrong.message)
            return None


RELATIONS_SHOWN = (
    "father",
    "mother",
    "grandfather",
    "grandmother",
    "uncle",
    "aunt",
    "sibling",
    "guardian",
)


def _phone_text(value: object) -> str:
    """A phone cell as text. Excel turns a typed 0912345678 into the number 912345678: a number
    of 9 or 10 digits gets its leading 0 back."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        digits = str(int(value))
        return "0" + digits if len(digits) in (9, 10) else digits
    return _text(value)


def _guardian_difference(existing: GuardianRow, name: str, relation: str, phone: str) -> str:
    parts = []
    if name != existing.full_name:
        parts.append(_("name {old} → {new}").format(old=existing.full_name, new=name))
    if relation != existing.relation:
        parts.append(
            _("relation {old} → {new}").format(
                old=existing.relation_label, new=relation_label(relation)
            )
        )
    if phone != existing.phone:
        parts.append(_("phone {old} → {new}").format(old=existing.phone, new=phone))
    return _("guardian {name}: {changes}").format(name=existing.full_name, changes="; ".join(parts))
