"""The class's own rules, checked on the rows of an exchange file before anything is imported.

A JSON Schema cannot say that a leave lies inside its student's school year or that a subject
with 30 periods a year has no column TX3; these checks can, using the same domain rules as the
app (``desktop.domain``), so a file can hold nothing the app itself would refuse to record.
Each check looks only at rows that passed the schema and whose related rows did too: a broken
row is reported once, where it is, and not again by everything that depends on it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from desktop.domain import grading
from desktop.domain.calendar import SchoolCalendar, Slot, format_date
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.leave import format_slot
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.exchange.problems import Problem, pointer, row_pointer
from desktop.i18n import _

Row = dict[str, Any]
DecodedTables = dict[str, dict[int, Row]]
Check = Callable[["_Class"], list[Problem]]

WEEKDAYS = {str(day) for day in range(7)}


class _Class:
    """The decoded rows with the look-ups the checks share (only rows that passed, by id)."""

    def __init__(self, tables: DecodedTables) -> None:
        self.tables = tables
        self.teachers = _by_id(tables["teacher"])
        self.years = _by_id(tables["school_year"])
        self.classes = _by_id(tables["school_class"])
        self.students = _by_id(tables["student"])
        self.guardians = _by_id(tables["guardian"])
        self.subjects = _by_id(tables["subject"])
        self.requests = _by_id(tables["leave_request"])
        self.calendars: dict[int, SchoolCalendar] = {}
        for year in self.years.values():
            # A year whose dates are out of order is reported by _years; nothing can be
            # checked against it.
            with suppress(InvalidInput):
                self.calendars[year["id"]] = SchoolCalendar(
                    first_day=year["first_day"],
                    last_day=year["last_day"],
                    semester2_start=year["semester2_start"],
                )

    def rows(self, table: str) -> list[tuple[int, Row]]:
        return list(self.tables[table].items())

    def calendar_of_class(self, class_id: int) -> SchoolCalendar | None:
        school_class = self.classes.get(class_id)
        return None if school_class is None else self.calendars.get(school_class["school_year_id"])

    def calendar_of_student(self, student_id: int) -> SchoolCalendar | None:
        student = self.students.get(student_id)
        return None if student is None else self.calendar_of_class(student["class_id"])

    def school_of_class(self, class_id: int) -> int | None:
        school_class = self.classes.get(class_id)
        year = None if school_class is None else self.years.get(school_class["school_year_id"])
        return None if year is None else int(year["school_id"])


def _by_id(rows: dict[int, Row]) -> dict[int, Row]:
    return {row["id"]: row for row in rows.values()}


def _outside(where: str, day: Any, calendar: SchoolCalendar | None) -> list[Problem]:
    if calendar is None or calendar.contains(day):
        return []
    return [
        Problem(
            where,
            _("{day} is outside the school year ({first} – {last}).").format(
                day=format_date(day),
                first=format_date(calendar.first_day),
                last=format_date(calendar.last_day),
            ),
        )
    ]


def _years(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, year in data.rows("school_year"):
        if year["last_day"] < year["first_day"]:
            problems.append(
                Problem(
                    row_pointer("school_year", index, "last_day"),
                    _("the year ends ({last}) before it begins ({first})").format(
                        last=format_date(year["last_day"]), first=format_date(year["first_day"])
                    ),
                )
            )
        elif not year["first_day"] < year["semester2_start"] <= year["last_day"]:
            problems.append(
                Problem(
                    row_pointer("school_year", index, "semester2_start"),
                    _(
                        "semester II must begin after the first day of the year and not after "
                        "its last day"
                    ),
                )
            )
    for index, holiday in data.rows("holiday"):
        calendar = data.calendars.get(holiday["school_year_id"])
        problems += _outside(row_pointer("holiday", index, "day"), holiday["day"], calendar)
    return problems


def _policy(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    by_school: dict[int, dict[str, str]] = defaultdict(dict)
    failed: set[int] = set()
    for index, setting in data.rows("policy_setting"):
        by_school[setting["school_id"]][setting["key"]] = setting["value"]
        try:
            # One setting alone (the others at their defaults) finds the setting at fault.
            SchoolPolicy.from_strings({setting["key"]: setting["value"]})
        except InvalidInput as error:
            problems.append(Problem(row_pointer("policy_setting", index, "value"), error.message))
            failed.add(setting["school_id"])
    for school_id, values in by_school.items():
        if school_id in failed:
            continue
        try:
            SchoolPolicy.from_strings(values)
        except InvalidInput as error:
            # Settings that are fine one by one but not together (warnings out of order).
            problems.append(
                Problem(
                    pointer("tables", "policy_setting"),
                    _("school {school}: {problem}").format(school=school_id, problem=error.message),
                )
            )
    return problems


def _week_is_valid(text: str) -> bool:
    try:
        week = json.loads(text)
    except (ValueError, RecursionError):
        return False
    if not isinstance(week, dict):
        return False
    sessions = {s.value for s in SchoolSession}
    return all(
        day in WEEKDAYS
        and isinstance(listed, list)
        and all(isinstance(s, str) and s in sessions for s in listed)
        and len(set(listed)) == len(listed)
        for day, listed in week.items()
    )


def _classes(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, school_class in data.rows("school_class"):
        if not _week_is_valid(school_class["week"]):
            problems.append(
                Problem(
                    row_pointer("school_class", index, "week"),
                    _(
                        'the week must be JSON text mapping weekdays "0" (Monday) to "6" to '
                        'lists of "morning" and "afternoon"'
                    ),
                )
            )
        problems += _teacher_of_school(
            data,
            row_pointer("school_class", index, "homeroom_teacher_id"),
            school_class["homeroom_teacher_id"],
            data.school_of_class(school_class["id"]),
        )
    for index, subject in data.rows("subject"):
        if subject["teacher_id"] is not None:
            problems += _teacher_of_school(
                data,
                row_pointer("subject", index, "teacher_id"),
                subject["teacher_id"],
                data.school_of_class(subject["class_id"]),
            )
    return problems


def _teacher_of_school(
    data: _Class, where: str, teacher_id: int, school_id: int | None
) -> list[Problem]:
    teacher = data.teachers.get(teacher_id)
    if teacher is None or school_id is None or teacher["school_id"] == school_id:
        return []
    return [
        Problem(
            where,
            _("teacher {teacher} teaches at another school").format(teacher=teacher_id),
        )
    ]


def _students(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, student in data.rows("student"):
        calendar = data.calendar_of_class(student["class_id"])
        if calendar is not None and student["date_of_birth"] >= calendar.first_day:
            problems.append(
                Problem(
                    row_pointer("student", index, "date_of_birth"),
                    _("the date of birth {day} is not before the school year").format(
                        day=format_date(student["date_of_birth"])
                    ),
                )
            )
    return problems


def _grades(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, entry in data.rows("grade_entry"):
        subject = data.subjects.get(entry["subject_id"])
        student = data.students.get(entry["student_id"])
        if subject is None:
            continue  # reported as a missing reference, or where the subject is
        if student is not None and student["class_id"] != subject["class_id"]:
            problems.append(
                Problem(
                    row_pointer("grade_entry", index, "subject_id"),
                    _("subject {subject} is not taught in the student's class").format(
                        subject=subject["code"]
                    ),
                )
            )
        problems += _grade_value_problems(index, entry, subject)
    return problems


def _grade_value_problems(index: int, entry: Row, subject: Row) -> list[Problem]:
    def at(column: str) -> str:
        return row_pointer("grade_entry", index, column)

    problems: list[Problem] = []
    assessment = grading.Assessment(subject["assessment"])
    column = (grading.GradeKind(entry["kind"]), entry["slot"])
    if column not in grading.expected_slots(subject["periods_per_year"], assessment):
        problems.append(
            Problem(
                at("slot"),
                _("{subject} has no column {kind}{slot} in a semester.").format(
                    subject=subject["code"], kind=entry["kind"], slot=entry["slot"]
                ),
            )
        )
    if assessment is grading.Assessment.SCORE:
        if entry["score"] is None:
            problems.append(Problem(at("score"), _("a scored subject needs a score")))
        else:
            try:
                grading.validate_score(entry["score"])
            except InvalidInput as error:  # the schema's pattern already says so; kept as a guard
                problems.append(Problem(at("score"), error.message))
        if entry["comment"] is not None:
            problems.append(Problem(at("comment"), _("a scored subject has no comment result")))
    else:
        if entry["comment"] is None:
            problems.append(Problem(at("comment"), _("a comment subject needs Đ or CĐ")))
        if entry["score"] is not None:
            problems.append(Problem(at("score"), _("a comment subject has no score")))
    return problems


def _leaves(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, request in data.rows("leave_request"):
        guardian = data.guardians.get(request["guardian_id"])
        student_known = request["student_id"] in data.students
        if student_known and guardian and guardian["student_id"] != request["student_id"]:
            problems.append(
                Problem(
                    row_pointer("leave_request", index, "guardian_id"),
                    _("guardian {guardian} is not a guardian of student {student}").format(
                        guardian=guardian["id"], student=request["student_id"]
                    ),
                )
            )
        calendar = data.calendar_of_student(request["student_id"])
        for field in ("first_day", "last_day"):
            problems += _outside(
                row_pointer("leave_request", index, field), request[field], calendar
            )
        first = Slot.of(request["first_day"], SchoolSession(request["first_session"]))
        last = Slot.of(request["last_day"], SchoolSession(request["last_session"]))
        if last < first:
            field = "last_session" if last.day == first.day else "last_day"
            problems.append(
                Problem(
                    row_pointer("leave_request", index, field),
                    _("The leave ends ({last}) before it begins ({first}).").format(
                        last=format_slot(last), first=format_slot(first)
                    ),
                )
            )
    return problems


def _attendance(data: _Class) -> list[Problem]:
    problems: list[Problem] = []
    for index, mark in data.rows("attendance_mark"):
        calendar = data.calendar_of_student(mark["student_id"])
        problems += _outside(row_pointer("attendance_mark", index, "day"), mark["day"], calendar)
        request = data.requests.get(mark["leave_request_id"])
        student_known = mark["student_id"] in data.students
        if student_known and request and request["student_id"] != mark["student_id"]:
            problems.append(
                Problem(
                    row_pointer("attendance_mark", index, "leave_request_id"),
                    _("leave request {request} is for another student").format(
                        request=request["id"]
                    ),
                )
            )
    return problems


CHECKS: tuple[Check, ...] = (
    _years,
    _policy,
    _classes,
    _students,
    _grades,
    _leaves,
    _attendance,
)


def rule_problems(tables: DecodedTables) -> list[Problem]:
    """Every rule broken by the decoded rows (``tables``: per table, index → row)."""
    data = _Class(tables)
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(data)
    return problems
