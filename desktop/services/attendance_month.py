"""One month of a class's attendance as the grid shows it, read in three queries.

Columns are the month's days that the class's week has sessions on, one per session, within the
school year; a holiday keeps its columns, marked off (greyed, not editable). A day outside the
week with a mark (a make-up day) gets its marked sessions too. Totals are the whole year's (the
limit counts the year), with the policy's warning levels. The follow-up list holds the
roll-call absences that no request explains: neither one awaiting a decision nor one decided
(rejected); a cancelled or withdrawn request explains nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Executable, bindparam, or_, select
from sqlalchemy.orm import Session

from desktop.domain import attendance as ledger
from desktop.domain.calendar import SchoolCalendar, Slot
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.leave import LeaveStatus
from desktop.domain.policy import SchoolPolicy
from desktop.i18n import N_, _
from desktop.models import AttendanceMark, LeaveRequest, Student
from desktop.services.scope import ClassScope

Month = tuple[int, int]
"""``(year, month)``."""

_EXPLAINING = (LeaveStatus.SUBMITTED.value, LeaveStatus.REJECTED.value)
"""Requests that explain a roll-call absence for follow-up: awaiting a decision, or decided."""


class OffReason(StrEnum):
    """Why a column of the grid takes no roll call."""

    HOLIDAY = "holiday"
    NO_SESSION = "no_session"
    """Not a session of the class's week (a make-up day with a mark)."""

    @property
    def label(self) -> str:
        return _(_OFF_LABELS[self])


_OFF_LABELS = {
    OffReason.HOLIDAY: N_("Holiday or day off"),
    OffReason.NO_SESSION: N_("Not a school session of the class"),
}


@dataclass(frozen=True)
class GridColumn:
    day: date
    session: SchoolSession
    off: OffReason | None
    """``None`` for a school session, where roll call is taken."""

    @property
    def slot(self) -> Slot:
        return Slot.of(self.day, self.session)


@dataclass(frozen=True)
class Cell:
    status: ledger.MarkStatus
    source: ledger.MarkSource
    request_id: int | None
    observed: ledger.Observation | None

    @property
    def from_request(self) -> bool:
        """Decided by a leave request (or its post-audit): changed only through the request."""
        return self.source is not ledger.MarkSource.ROLL_CALL


@dataclass(frozen=True)
class StudentMonth:
    student_id: int
    code: str
    name: str
    cells: tuple[Cell | None, ...]
    """One per column of the grid, ``None`` where there is no mark."""
    totals: ledger.StudentTotals
    """The whole year's."""
    warning: str | None


@dataclass(frozen=True)
class RequestBrief:
    """What a tooltip says about the request behind a mark."""

    request_id: int
    status: LeaveStatus
    first: Slot
    last: Slot


@dataclass(frozen=True)
class FollowUp:
    """A roll-call absence that no request explains."""

    student_id: int
    code: str
    name: str
    day: date
    session: SchoolSession


@dataclass(frozen=True)
class MonthGrid:
    month: Month
    months: tuple[Month, ...]
    """The months of the school year, in order (the chooser's range)."""
    columns: tuple[GridColumn, ...]
    students: tuple[StudentMonth, ...]
    """In class-list order; only the students asked for when a few were."""
    requests: dict[int, RequestBrief]
    """The requests behind this month's marks."""
    follow_up: tuple[FollowUp, ...]
    """The year's, the latest first, then in class-list order."""
    policy: SchoolPolicy
    today: date


def newest_first(item: FollowUp) -> tuple[int, int]:
    """The follow-up list's order: the latest session first (the one to ask about now)."""
    return -item.day.toordinal(), -item.session.order


def school_months(calendar: SchoolCalendar) -> tuple[Month, ...]:
    months: list[Month] = []
    year, month = calendar.first_day.year, calendar.first_day.month
    while (year, month) <= (calendar.last_day.year, calendar.last_day.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)


def month_of(calendar: SchoolCalendar, day: date) -> Month:
    """The month of ``day``, brought into the school year (its first or last month)."""
    months = school_months(calendar)
    return min(max((day.year, day.month), months[0]), months[-1])


_STATUSES = {m.value: m for m in ledger.MarkStatus}
_SOURCES = {m.value: m for m in ledger.MarkSource}
_OBSERVATIONS = {m.value: m for m in ledger.Observation}
_LEAVE_STATUSES = {m.value: m for m in LeaveStatus}
_SESSION_ORDER = {m.value: m.order for m in SchoolSession}
_PRESENT = ledger.MarkStatus.PRESENT.value
# Enum lookups by value and slots built from their order: a grid reads a few hundred rows, and
# Enum(value) or Slot.of per column of each made up most of its time.


@cache
def _queries(some: bool) -> tuple[Executable, Executable, Executable]:
    """The grid's three reads, built once (``some``: for the students in ``ids``)."""
    class_id: BindParameter[int] = bindparam("class_id")
    students = (
        select(Student.id, Student.code, Student.full_name)
        .where(Student.class_id == class_id)
        .order_by(Student.sort_key, Student.id)
    )
    marks = (
        select(
            AttendanceMark.student_id,
            AttendanceMark.day,
            AttendanceMark.session,
            AttendanceMark.observed,
            AttendanceMark.status,
            AttendanceMark.source,
            AttendanceMark.leave_request_id,
        )
        .join(Student, Student.id == AttendanceMark.student_id)
        .where(Student.class_id == class_id)
        # This month's marks for the cells, the year's absences and lates for the totals.
        .where(
            or_(
                AttendanceMark.day.between(bindparam("first"), bindparam("last")),
                AttendanceMark.status != _PRESENT,
            )
        )
    )
    requests = (
        select(
            LeaveRequest.id,
            LeaveRequest.student_id,
            LeaveRequest.status,
            LeaveRequest.first_day,
            LeaveRequest.first_session,
            LeaveRequest.last_day,
            LeaveRequest.last_session,
        )
        .join(Student, Student.id == LeaveRequest.student_id)
        .where(Student.class_id == class_id)
    )
    if some:
        ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
        students = students.where(Student.id.in_(ids))
        marks = marks.where(AttendanceMark.student_id.in_(ids))
        requests = requests.where(LeaveRequest.student_id.in_(ids))
    return students, marks, requests


def month_grid(
    session: Session,
    scope: ClassScope,
    *,
    month: Month,
    today: date,
    student_ids: Collection[int] | None = None,
) -> MonthGrid:
    """The grid of ``month``; with ``student_ids``, only those students' rows and follow-ups
    (a refresh after a change)."""
    calendar = scope.calendar
    first = date(month[0], month[1], 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    students_query, marks_query, requests_query = _queries(student_ids is not None)
    params: dict[str, Any] = {"class_id": scope.class_id, "first": first, "last": last}
    if student_ids is not None:
        params["ids"] = sorted(set(student_ids))
    students = session.execute(students_query, params).all()

    month_marks: dict[int, dict[Slot, Cell]] = defaultdict(dict)
    year_marks: dict[int, dict[Slot, ledger.MarkStatus]] = defaultdict(dict)
    absent_by_roll_call: list[tuple[int, Slot]] = []
    roll_call, absent = ledger.MarkSource.ROLL_CALL, ledger.Observation.ABSENT
    for student_id, day, session_name, observed, status, source, request_id in session.execute(
        marks_query, params
    ):
        slot = Slot(day, _SESSION_ORDER[session_name])
        cell = Cell(
            _STATUSES[status],
            _SOURCES[source],
            request_id,
            _OBSERVATIONS[observed] if observed else None,
        )
        year_marks[student_id][slot] = cell.status
        if first <= day <= last:
            month_marks[student_id][slot] = cell
        if cell.source is roll_call and cell.observed is absent:
            absent_by_roll_call.append((student_id, slot))

    referenced = {
        cell.request_id
        for cells in month_marks.values()
        for cell in cells.values()
        if cell.request_id is not None
    }
    requests: dict[int, RequestBrief] = {}
    explaining: dict[int, list[RequestBrief]] = defaultdict(list)
    for row in session.execute(requests_query, params):
        request_id, student_id, status, first_day, first_session, last_day, last_session = row
        if request_id not in referenced and status not in _EXPLAINING:
            continue
        brief = RequestBrief(
            request_id,
            _LEAVE_STATUSES[status],
            Slot(first_day, _SESSION_ORDER[first_session]),
            Slot(last_day, _SESSION_ORDER[last_session]),
        )
        if request_id in referenced:
            requests[request_id] = brief
        if status in _EXPLAINING:
            explaining[student_id].append(brief)

    columns = _columns(calendar, first, last, month_marks.values())
    slots = [column.slot for column in columns]
    unmarked = (None,) * len(slots)
    no_totals = ledger.totals({}, scope.policy)
    names = {student_id: (code, name) for student_id, code, name in students}
    rows = []
    for student_id, code, name in students:
        cells = month_marks.get(student_id)
        marks = year_marks.get(student_id)
        totals = ledger.totals(marks, scope.policy) if marks else no_totals
        rows.append(
            StudentMonth(
                student_id=student_id,
                code=code,
                name=name,
                cells=tuple(map(cells.get, slots)) if cells else unmarked,
                totals=totals,
                warning=ledger.warning_text(totals, scope.policy),
            )
        )
    order = {student_id: number for number, (student_id, _c, _n) in enumerate(students)}
    follow_up = [
        FollowUp(student_id, *names[student_id], slot.day, slot.session)
        for student_id, slot in absent_by_roll_call
        if student_id in names
        and not any(r.first <= slot <= r.last for r in explaining.get(student_id, ()))
    ]
    follow_up.sort(key=lambda item: (*newest_first(item), order[item.student_id]))
    return MonthGrid(
        month=month,
        months=school_months(calendar),
        columns=columns,
        students=tuple(rows),
        requests=requests,
        follow_up=tuple(follow_up),
        policy=scope.policy,
        today=today,
    )


def _columns(
    calendar: SchoolCalendar, first: date, last: date, marked: Iterable[dict[Slot, Cell]]
) -> tuple[GridColumn, ...]:
    slots: dict[Slot, OffReason | None] = {}
    day = max(first, calendar.first_day)
    while day <= min(last, calendar.last_day):
        for school_session in calendar.week.get(day.weekday(), frozenset()):
            off = OffReason.HOLIDAY if day in calendar.holidays else None
            slots[Slot.of(day, school_session)] = off
        day += timedelta(days=1)
    for cells in marked:
        for slot in cells:
            if slot not in slots:
                slots[slot] = None if calendar.is_school_session(slot) else OffReason.NO_SESSION
    return tuple(GridColumn(slot.day, slot.session, slots[slot]) for slot in sorted(slots))


def students_touched(
    session: Session,
    scope: ClassScope,
    *,
    marks: Iterable[str] = (),
    requests: Iterable[str] = (),
    students: Iterable[str] = (),
) -> frozenset[int] | None:
    """The students whose rows a change touched, from the keys ``Changes`` carries: a mark's
    ``student:day:session`` (a service) or row id (a sync), a request's or a student's id.
    ``None`` when that cannot be told (a row gone, a new student): read the whole grid."""
    found = {int(key.split(":", 1)[0]) for key in marks if ":" in key}
    mark_ids = {int(key) for key in marks if ":" not in key}
    request_ids = {int(key) for key in requests}
    student_ids = {int(key) for key in students}
    if mark_ids:
        rows = session.execute(
            select(AttendanceMark.id, AttendanceMark.student_id).where(
                AttendanceMark.id.in_(mark_ids)
            )
        ).all()
        if len(rows) < len(mark_ids):
            return None
        found.update(student_id for _id, student_id in rows)
    if request_ids:
        rows = session.execute(
            select(LeaveRequest.id, LeaveRequest.student_id).where(LeaveRequest.id.in_(request_ids))
        ).all()
        if len(rows) < len(request_ids):
            return None
        found.update(student_id for _id, student_id in rows)
    if student_ids:
        return None
    known = set(
        session.scalars(
            select(Student.id).where(Student.class_id == scope.class_id, Student.id.in_(found))
        )
    )
    return frozenset(known)
