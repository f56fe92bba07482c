"""Attendance use cases: roll call, and keeping the materialised ledger equal to the rules.

``attendance_mark.status`` is a cache of ``desktop.domain.attendance.derive_mark``; every service
that changes an observation or a request recomputes the slots it touched in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from desktop.domain import attendance as ledger
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, format_date
from desktop.domain.leave import AuditStatus, LeaveStatus
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import AttendanceMark, LeaveRequest, Student, provisional
from desktop.models.base import utc_now
from desktop.models.provisional import PROVISIONAL_FLAG
from desktop.services import audit_log, direct_writes
from desktop.services.changes import Changes
from desktop.services.direct_writes import table_of
from desktop.services.scope import ClassScope

MarkKey = tuple[int, date, str]


class RequestRow(NamedTuple):
    """A ``leave_request`` row as a Core query reads it, in the table's column order (a
    SQLAlchemy ``Row`` costs a microsecond per attribute read; the decision reads forty)."""

    id: int
    student_id: int
    guardian_id: int | None
    submitted_at: datetime
    first_day: date
    first_session: str
    last_day: date
    last_session: str
    reason_category: str
    reason_text: str
    channel: int
    status: str
    decision_note: str
    decided_by: str
    decided_at: datetime | None
    original_received_on: date | None
    principal_signoff_by: str
    principal_signoff_on: date | None
    audit_status: str
    version: int


StoredRequest = LeaveRequest | RequestRow
"""A leave request as the ORM holds it or as a Core query read it (the decision's hot path)."""


class CoverRow(NamedTuple):
    """The columns of a request its cover is read from, as ``_COVERS`` reads them."""

    id: int
    student_id: int
    status: str
    audit_status: str
    first_day: date
    first_session: str
    last_day: date
    last_session: str


def cover_of(request: CoverRow | StoredRequest) -> ledger.Cover:
    return ledger.Cover(
        request_id=request.id,
        student_id=request.student_id,
        status=LeaveStatus(request.status),
        audit_status=AuditStatus(request.audit_status),
        first=Slot.of(request.first_day, SchoolSession(request.first_session)),
        last=Slot.of(request.last_day, SchoolSession(request.last_session)),
    )


_REQUESTS = table_of(LeaveRequest)
_MARKS = table_of(AttendanceMark)
_COVERS = select(
    _REQUESTS.c.id,
    _REQUESTS.c.student_id,
    _REQUESTS.c.status,
    _REQUESTS.c.audit_status,
    _REQUESTS.c.first_day,
    _REQUESTS.c.first_session,
    _REQUESTS.c.last_day,
    _REQUESTS.c.last_session,
).where(
    _REQUESTS.c.student_id == bindparam("student_id"),
    _REQUESTS.c.first_day <= bindparam("last"),
    _REQUESTS.c.last_day >= bindparam("first"),
)
_STORED = select(
    _MARKS.c.id,
    _MARKS.c.day,
    _MARKS.c.session,
    _MARKS.c.observed,
    _MARKS.c.status,
    _MARKS.c.source,
    _MARKS.c.leave_request_id,
).where(
    _MARKS.c.student_id == bindparam("student_id"),
    _MARKS.c.day >= bindparam("first"),
    _MARKS.c.day <= bindparam("last"),
)
_INSERT_MARKS = insert(_MARKS)
_INSERT_PROVISIONAL_MARKS = insert(_MARKS).values(id=provisional.next_id(AttendanceMark))
_UPDATE_MARK = update(_MARKS).where(_MARKS.c.id == bindparam("mark_id"))
_DELETE_MARKS = delete(_MARKS).where(_MARKS.c.id.in_(bindparam("mark_ids", expanding=True)))
"""Prepared once (the recompute runs on every decision): the reads see the rows, the writes go
straight to SQL where ``direct_writes`` allows."""


@dataclass
class _Writes:
    """The marks a recompute changes: new rows, changed columns by id, ids removed."""

    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)


def recompute(
    session: Session, scope: ClassScope, student_id: int, slots: Iterable[Slot]
) -> list[str]:
    """Re-derive the marks of ``slots``; return the keys whose stored mark changed."""
    slot_list = sorted(set(slots))
    if not slot_list:
        return []
    session.flush()  # the reads see what the session holds, as an autoflush would
    span = {"student_id": student_id, "first": slot_list[0].day, "last": slot_list[-1].day}
    covers = _covers(session, span)
    existing = {(row.day, row.session): row for row in session.connection().execute(_STORED, span)}
    writes = _Writes()
    changed: list[str] = []
    for slot in slot_list:
        mark = existing.get((slot.day, slot.session.value))
        observed = ledger.Observation(mark.observed) if mark and mark.observed else None
        derived = _derived(observed, covers, slot)
        key = mark_key(student_id, slot)
        if derived is None:
            if mark is not None:
                writes.gone.append(mark.id)
                changed.append(key)
            continue
        values = _stored_values(derived)
        if mark is None:
            writes.new.append(
                {"student_id": student_id, "day": slot.day, "session": slot.session.value}
                | {"observed": None}
                | values
            )
        elif not _differs(mark, values):
            continue
        else:
            writes.changed.append((mark.id, values))
        changed.append(key)
    _write(session, writes)
    return changed


def mark_key(student_id: int, slot: Slot) -> str:
    """A mark's key in ``Changes``: ``<student id>:<day>:<session>``."""
    return f"{student_id}:{slot.day.isoformat()}:{slot.session.value}"


def _covers(session: Session, span: dict[str, Any]) -> list[ledger.Cover]:
    """The student's requests over ``span`` (``student_id``, ``first`` and ``last`` days)."""
    return [cover_of(CoverRow(*row)) for row in session.connection().execute(_COVERS, span)]


def _derived(
    observed: ledger.Observation | None, covers: Iterable[ledger.Cover], slot: Slot
) -> ledger.Mark | None:
    return ledger.derive_mark(observed, [c for c in covers if c.first <= slot <= c.last])


def _stored_values(derived: ledger.Mark) -> dict[str, Any]:
    """The columns of a mark that ``derive_mark`` decides, as stored."""
    status, source, request_id = derived
    return {
        "status": status.value,
        "source": source.value,
        "leave_request_id": request_id,
        "updated_at": utc_now(),
    }


def _differs(mark: Any, values: dict[str, Any]) -> bool:
    """Whether a stored mark (a row or an ``AttendanceMark``) shows other derived values."""
    return (mark.status, mark.source, mark.leave_request_id) != (
        values["status"],
        values["source"],
        values["leave_request_id"],
    )


def _write(session: Session, writes: _Writes) -> None:
    """The marks' changes: straight to SQL where ``direct_writes`` allows, through the unit of
    work for the rows the session holds (so they never go stale) or where flushes are watched."""
    direct = direct_writes.direct(session)
    touched = [mark_id for mark_id, _values in writes.changed] + writes.gone
    held = {
        mark_id: mark
        for mark_id in touched
        if (mark := direct_writes.held(session, AttendanceMark, mark_id)) is not None
    }
    # Where writes go through the unit of work, the marks the session does not hold yet are
    # loaded; where they may go straight to SQL, those are written so.
    missing = [] if direct else [mark_id for mark_id in touched if mark_id not in held]
    if missing:
        query = select(AttendanceMark).where(AttendanceMark.id.in_(missing))
        held.update((mark.id, mark) for mark in session.scalars(query))
    for mark_id, values in writes.changed:
        mark = held.get(mark_id)
        if mark is None:
            session.connection().execute(_UPDATE_MARK, {"mark_id": mark_id, **values})
            continue
        for column, value in values.items():
            setattr(mark, column, value)
    for mark_id in writes.gone:
        if mark_id in held:
            session.delete(held[mark_id])
    gone = [mark_id for mark_id in writes.gone if mark_id not in held]
    if gone:
        session.connection().execute(_DELETE_MARKS, {"mark_ids": gone})
    if direct and writes.new:
        provisional_ids = session.info.get(PROVISIONAL_FLAG)
        inserting = _INSERT_PROVISIONAL_MARKS if provisional_ids else _INSERT_MARKS
        session.connection().execute(inserting, writes.new)
    else:
        session.add_all(AttendanceMark(**row) for row in writes.new)
    session.flush()


def recompute_decided(
    session: Session,
    scope: ClassScope,
    request: StoredRequest,
    *,
    was: ledger.Cover,
    status: LeaveStatus,
) -> list[str]:
    """``recompute_request`` after a decision took a request that stood as ``was`` to
    ``status``: nothing to recompute when its effect on the marks stays as it was (its sessions
    do not change), which spares a rejection two queries."""
    if replace(was, status=status).effect == was.effect:
        return []
    return recompute_request(session, scope, request)


def recompute_request(session: Session, scope: ClassScope, request: StoredRequest) -> list[str]:
    first = Slot.of(request.first_day, SchoolSession(request.first_session))
    last = Slot.of(request.last_day, SchoolSession(request.last_session))
    return recompute(session, scope, request.student_id, scope.calendar.slots_between(first, last))


def find_student(session: Session, scope: ClassScope, ref: str) -> Student:
    """A student by code (``HS2025001``) or by id."""
    query = select(Student).where(Student.class_id == scope.class_id)
    if ref.isdigit():
        student = session.scalars(query.where(Student.id == int(ref))).first()
    else:
        student = session.scalars(query.where(Student.code == ref.strip())).first()
    if student is None:
        raise NotFound(_("There is no student {ref} in this class.").format(ref=ref))
    return student


def mark(
    session: Session,
    scope: ClassScope,
    *,
    student_id: int,
    slot: Slot,
    observed: ledger.Observation | None,
    actor: str,
) -> Changes:
    """Record what roll call saw in one session (``None`` clears the observation)."""
    student = session.get(Student, student_id)
    if student is None or student.class_id != scope.class_id:
        raise NotFound(_("There is no student #{id} in this class.").format(id=student_id))
    scope.calendar.require_in_year(slot.day)
    if not scope.calendar.is_school_session(slot):
        raise InvalidInput(
            _("{day} ({session}) is not a school session of this class.").format(
                day=format_date(slot.day), session=session_label(slot.session)
            )
        )
    existing = session.scalars(
        select(AttendanceMark).where(
            AttendanceMark.student_id == student_id,
            AttendanceMark.day == slot.day,
            AttendanceMark.session == slot.session.value,
        )
    ).first()
    before = existing.observed if existing else None
    # The mark is written once, derived already: the same answer as ``recompute`` after the
    # observation, without writing the observation first and the status after it.
    span = {"student_id": student_id, "first": slot.day, "last": slot.day}
    derived = _derived(observed, _covers(session, span), slot)
    after = observed.value if observed else None
    if derived is None:
        if existing is not None:
            session.delete(existing)
        after = None
    else:
        values = _stored_values(derived)
        if existing is None:
            existing = AttendanceMark(
                student_id=student_id, day=slot.day, session=slot.session.value, **values
            )
            session.add(existing)
        elif _differs(existing, values):
            for column, value in values.items():
                setattr(existing, column, value)
        existing.observed = after
    session.flush()
    key = mark_key(student_id, slot)
    audit_log.append(
        session,
        actor=actor,
        action="attendance.mark",
        entity="attendance_mark",
        entity_id=key,
        before={"observed": before},
        after={"observed": after},
    )
    return Changes.of(
        _("Roll call recorded for {day} ({session}).").format(
            day=format_date(slot.day), session=session_label(slot.session)
        ),
        attendance_mark=[key],
    )


def session_label(value: SchoolSession) -> str:
    return _("morning") if value is SchoolSession.MORNING else _("afternoon")


@dataclass(frozen=True)
class StudentAttendance:
    student_id: int
    student_code: str
    student_name: str
    excused: int
    unexcused: int
    late: int
    total_absences: int
    warning: int | None
    over_limit: bool


def summary(session: Session, scope: ClassScope) -> list[StudentAttendance]:
    """Per-student totals with warnings, in class-list order."""
    from desktop.services.students import class_list

    students = class_list(session, scope)
    marks: dict[int, dict[Slot, ledger.Mark]] = {s.id: {} for s in students}
    rows = session.scalars(
        select(AttendanceMark).join(Student).where(Student.class_id == scope.class_id)
    )
    for row in rows:
        slot = Slot.of(row.day, SchoolSession(row.session))
        marks[row.student_id][slot] = ledger.Mark(
            ledger.MarkStatus(row.status), ledger.MarkSource(row.source), row.leave_request_id
        )
    result = []
    for student in students:
        totals = ledger.totals(marks[student.id], scope.policy)
        result.append(
            StudentAttendance(
                student_id=student.id,
                student_code=student.code,
                student_name=student.full_name,
                excused=totals.excused,
                unexcused=totals.unexcused,
                late=totals.late,
                total_absences=totals.total_absent,
                warning=totals.warning,
                over_limit=totals.over_limit,
            )
        )
    return result


def ledger_differences(session: Session, scope: ClassScope) -> list[str]:
    """Where the stored ledger differs from what the rules derive from its inputs (none, ever)."""
    observations: dict[tuple[int, Slot], ledger.Observation] = {}
    stored: dict[tuple[int, Slot], ledger.Mark] = {}
    rows = session.scalars(
        select(AttendanceMark).join(Student).where(Student.class_id == scope.class_id)
    )
    for row in rows:
        key = (row.student_id, Slot.of(row.day, SchoolSession(row.session)))
        if row.observed:
            observations[key] = ledger.Observation(row.observed)
        stored[key] = ledger.Mark(
            ledger.MarkStatus(row.status), ledger.MarkSource(row.source), row.leave_request_id
        )
    requests = session.scalars(
        select(LeaveRequest).join(Student).where(Student.class_id == scope.class_id)
    )
    expected = ledger.derive_ledger(observations, [cover_of(r) for r in requests], scope.calendar)
    keys = sorted(set(expected) | set(stored))
    return [
        f"{student}:{slot.day}:{slot.session.value}: {stored.get((student, slot))} "
        f"!= {expected.get((student, slot))}"
        for student, slot in keys
        if stored.get((student, slot)) != expected.get((student, slot))
    ]
