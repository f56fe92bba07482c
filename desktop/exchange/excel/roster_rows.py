"""One student's row of a corrected class list: what differs from the record, each difference
checked against the rules of ``domain.roster``, and the cell helpers the class list's import
shares. A problem goes to the ``Checker`` with its row and column; a row with one plans
nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop.domain import roster as rules
from desktop.domain.calendar import format_date
from desktop.domain.guardians import relation_label
from desktop.domain.names import normalize
from desktop.errors import InvalidInput
from desktop.exchange.excel.problems import CellProblem
from desktop.i18n import N_, _
from desktop.services import rights, students
from desktop.services.students import GuardianRow, RosterRow

STUDENT_COLUMNS = 5
GUARDIAN_COLUMNS = 4
"""No., code, name, date of birth, gender; then per guardian: name, relation, phone, the
e-contact-book registration (as ``export_roster`` writes them)."""

_GENDER_WORDS = {"male": N_("Male"), "female": N_("Female")}
_DATE_TEXT = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def both(message: str) -> set[str]:
    """A header or word as shown now and in English (a list exported on a computer set to
    English imports too), compared case-blind."""
    return {normalize(_(message)).casefold(), normalize(message).casefold()}


def cell_text(value: object) -> str:
    return normalize(str(value)) if value is not None else ""


def shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # a datetime too: Excel's dates are read as datetimes
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class PlannedChange:
    """One intent the import will queue, and what it changes in the teacher's words."""

    row: int
    student_code: str
    student_name: str
    what: str
    name: str
    args: dict[str, Any]


class Checker:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.problems: list[CellProblem] = []

    def add(self, row: int, column: int, value: object, why: str) -> None:
        self.problems.append(
            CellProblem(self.sheet.title, row, get_column_letter(column), shown(value), why)
        )


class RowChecker:
    """One student's row: what differs from the record, each difference checked."""

    def __init__(
        self,
        checker: Checker,
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
        name = cell_text(self.values.get(3))
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
        found = _DATE_TEXT.fullmatch(cell_text(value)) if isinstance(value, str) else None
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
        text = cell_text(self.values.get(5)).casefold()
        for code, word in _GENDER_WORDS.items():
            if text in both(word) | {code}:
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
        if all(cell_text(v) == "" for v in (name_cell, relation_cell, phone_cell, registered_cell)):
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
            same = cell_text(value) == ""
        elif isinstance(value, datetime | date):
            same = (value.date() if isinstance(value, datetime) else value) == recorded
        else:
            same = cell_text(value) == format_date(recorded)
        if not same:
            self._problem(column, rights.registration_refusal())

    def _guardian_name(
        self, column: int, value: object, existing: GuardianRow | None
    ) -> str | None:
        name = cell_text(value)
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
        text = cell_text(value)
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
    return cell_text(value)


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
