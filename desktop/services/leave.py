"""Leave-request use cases: submit, decide, sign off, receive the original, cancel."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from desktop.domain import leave as rules
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, format_date, school_time
from desktop.domain.names import normalize
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import Guardian, LeaveRequest, Student, SyncConflict
from desktop.models.base import utc_now
from desktop.services import attendance, audit_log, direct_writes
from desktop.services.attendance import RequestRow, StoredRequest
from desktop.services.changes import Changes
from desktop.services.direct_writes import table_of
from desktop.services.scope import ClassScope


def first_slot(request: StoredRequest) -> Slot:
    return Slot.of(request.first_day, SchoolSession(request.first_session))


def last_slot(request: StoredRequest) -> Slot:
    return Slot.of(request.last_day, SchoolSession(request.last_session))


def facts_of(request: StoredRequest, scope: ClassScope) -> rules.LeaveFacts:
    first, last = first_slot(request), last_slot(request)
    sessions = rules.count_sessions(first, last, scope.calendar)
    return rules.LeaveFacts(
        request_id=request.id,
        student_id=request.student_id,
        status=rules.LeaveStatus(request.status),
        channel=rules.Channel(request.channel),
        first=first,
        last=last,
        submitted_at=school_time(request.submitted_at),
        version=request.version,
        principal_signoff=request.principal_signoff_on is not None,
        original_received_on=request.original_received_on,
        audit_status=rules.AuditStatus(request.audit_status),
        special_case=rules.is_special_case(sessions, scope.policy),
    )


def snapshot(request: StoredRequest) -> dict[str, object]:
    """The audit-log view of a request: state fields only, no names or reason text."""
    return {
        "status": request.status,
        "version": request.version,
        "decided_by": request.decided_by,
        "original_received_on": request.original_received_on,
        "principal_signoff_on": request.principal_signoff_on,
        "audit_status": request.audit_status,
    }


def get_request(session: Session, scope: ClassScope, request_id: int) -> LeaveRequest:
    request = session.get(LeaveRequest, request_id)
    if request is None or session.get_one(Student, request.student_id).class_id != scope.class_id:
        raise NotFound(_("There is no leave request #{id}.").format(id=request_id))
    return request


def _touch(request: LeaveRequest) -> None:
    request.version += 1


def _log(
    session: Session, actor: str, action: str, request: LeaveRequest, before: dict[str, object]
) -> None:
    audit_log.append(
        session,
        actor=actor,
        action=action,
        entity="leave_request",
        entity_id=request.id,
        before=before,
        after=snapshot(request),
    )


_REQUESTS = table_of(LeaveRequest)
_STUDENTS = table_of(Student)
_REQUEST_IN_CLASS = (
    select(_REQUESTS)
    .join(_STUDENTS, _STUDENTS.c.id == _REQUESTS.c.student_id)
    .where(
        _REQUESTS.c.id == bindparam("request_id"),
        _STUDENTS.c.class_id == bindparam("class_id"),
    )
)
_SAVE_DECISION = update(_REQUESTS).where(_REQUESTS.c.id == bindparam("request_id"))


def _request_to_decide(session: Session, scope: ClassScope, request_id: int) -> StoredRequest:
    """The request as one query reads it, which ``_save_decision`` writes with one UPDATE; the
    session's own object where it holds one or its flushes are watched (``direct_writes``)."""
    if not direct_writes.direct(session) or direct_writes.held(session, LeaveRequest, request_id):
        return get_request(session, scope, request_id)
    session.flush()  # the query sees what the session holds, as an autoflush would
    found = session.connection().execute(
        _REQUEST_IN_CLASS, {"request_id": request_id, "class_id": scope.class_id}
    )
    row = found.first()
    if row is None:
        raise NotFound(_("There is no leave request #{id}.").format(id=request_id))
    return RequestRow(*row)


def _save_decision(session: Session, request: StoredRequest, decision: dict[str, Any]) -> None:
    if isinstance(request, LeaveRequest):
        for column, value in decision.items():
            setattr(request, column, value)  # the unit of work writes it
    else:
        session.connection().execute(_SAVE_DECISION, {"request_id": request.id, **decision})


def decide(
    session: Session,
    scope: ClassScope,
    *,
    request_id: int,
    approve: bool,
    note: str = "",
    base_version: int | None = None,
    actor: str,
    now: datetime | None = None,
) -> Changes:
    """Approve or reject; the ledger follows in the same transaction."""
    request = _request_to_decide(session, scope, request_id)
    facts = facts_of(request, scope)
    version = request.version if base_version is None else base_version
    note = normalize(note)
    before = snapshot(request)
    stood = attendance.cover_of(request)
    if approve:
        status = rules.approve(facts, base_version=version)
    else:
        status = rules.reject(facts, reason=note, base_version=version)
    decision = {
        "status": status.value,
        "decision_note": note,
        "decided_by": actor,
        "decided_at": now or utc_now(),
        "version": request.version + 1,
    }
    _save_decision(session, request, decision)
    marks = attendance.recompute_decided(session, scope, request, was=stood, status=status)
    audit_log.append(
        session,
        actor=actor,
        action="leave.approve" if approve else "leave.reject",
        entity="leave_request",
        entity_id=request.id,
        before=before,
        after={key: decision.get(key, value) for key, value in before.items()},
    )
    summary = (_("Request #{id} approved.") if approve else _("Request #{id} rejected.")).format(
        id=request.id
    )
    return Changes.of(summary, leave_request=[request.id], attendance_mark=marks)


def receive_original(
    session: Session, scope: ClassScope, *, request_id: int, received_on: date, actor: str
) -> Changes:
    request = get_request(session, scope, request_id)
    before = snapshot(request)
    rules.receive_original(facts_of(request, scope), received_on, scope.calendar)
    request.original_received_on = received_on
    _touch(request)
    _log(session, actor, "leave.original_received", request, before)
    return Changes.of(
        _("Paper original of request #{id} received on {day}.").format(
            id=request.id, day=format_date(received_on)
        ),
        leave_request=[request.id],
    )


def sign_off(
    session: Session, scope: ClassScope, *, request_id: int, by: str, on: date, actor: str
) -> Changes:
    request = get_request(session, scope, request_id)
    by = normalize(by)
    if not by:
        raise InvalidInput(_("The principal's name is required for a sign-off."))
    before = snapshot(request)
    rules.sign_off(facts_of(request, scope))
    request.principal_signoff_by = by
    request.principal_signoff_on = on
    _touch(request)
    _log(session, actor, "leave.signoff", request, before)
    return Changes.of(
        _("Principal's sign-off recorded for request #{id}.").format(id=request.id),
        leave_request=[request.id],
    )


def cancel(session: Session, scope: ClassScope, *, request_id: int, actor: str) -> Changes:
    """The parent cancels a pending request or withdraws an approved one."""
    request = get_request(session, scope, request_id)
    before = snapshot(request)
    request.status = rules.cancel(facts_of(request, scope)).value
    _touch(request)
    marks = attendance.recompute_request(session, scope, request)
    _log(session, actor, "leave.cancel", request, before)
    return Changes.of(
        _("Request #{id} cancelled by the parent.").format(id=request.id),
        leave_request=[request.id],
        attendance_mark=marks,
    )


@dataclass(frozen=True)
class NewRequest:
    student_id: int
    guardian_id: int
    first: Slot
    last: Slot
    reason_category: str
    reason_text: str
    channel: int
    submitted_at: datetime


def submit(session: Session, scope: ClassScope, new: NewRequest, *, actor: str) -> Changes:
    """Record a parent's request (from sync, an import or a paper form typed in)."""
    student = session.get(Student, new.student_id)
    if student is None or student.class_id != scope.class_id:
        raise NotFound(_("There is no student #{id} in this class.").format(id=new.student_id))
    guardian = session.get(Guardian, new.guardian_id)
    if guardian is None or guardian.student_id != student.id:
        raise InvalidInput(_("This guardian is not a guardian of the student."))
    if guardian.econtact_registered_on is None:
        raise InvalidInput(
            _("The guardian has not registered for the e-contact book and cannot submit online.")
        )
    rules.validate_range(new.first, new.last, scope.calendar)
    request = LeaveRequest(
        student_id=student.id,
        guardian_id=guardian.id,
        submitted_at=new.submitted_at,
        first_day=new.first.day,
        first_session=new.first.session.value,
        last_day=new.last.day,
        last_session=new.last.session.value,
        reason_category=rules.ReasonCategory(new.reason_category).value,
        reason_text=normalize(new.reason_text),
        channel=rules.Channel(new.channel).value,
        status=rules.LeaveStatus.SUBMITTED.value,
    )
    session.add(request)
    session.flush()
    _log(session, actor, "leave.submit", request, {})
    return Changes.of(
        _("Request #{id} received.").format(id=request.id), leave_request=[request.id]
    )


@dataclass(frozen=True)
class LeaveRow:
    """One request as lists and the CLI show it (field names are the CLI's JSON keys)."""

    id: int
    student_id: int
    student_code: str
    student_name: str
    guardian_name: str
    guardian_relation: str
    submitted_at: datetime
    first_day: date
    first_session: str
    last_day: date
    last_session: str
    sessions: int
    reason_category: str
    reason_text: str
    channel: int
    status: str
    state_label: str
    special_case: bool
    retroactive: bool
    retroactive_school_days: int
    overlaps_with: tuple[int, ...]
    original: str
    original_received_on: date | None
    principal_signoff_by: str
    principal_signoff_on: date | None
    decision_note: str
    decided_by: str
    decided_at: datetime | None
    audit_status: str
    version: int


def list_requests(
    session: Session,
    scope: ClassScope,
    *,
    status: str | None = None,
    today: date,
    students: Collection[int] | None = None,
) -> list[LeaveRow]:
    """The class's requests (``students``: only theirs, which is all a row's overlaps depend
    on)."""
    query = (
        select(LeaveRequest, Student)
        .join(Student, Student.id == LeaveRequest.student_id)
        .where(Student.class_id == scope.class_id)
        .order_by(LeaveRequest.id)
    )
    if students is not None:
        query = query.where(Student.id.in_(set(students)))
    pairs = session.execute(query).all()
    guardians_query = select(Guardian).join(Student).where(Student.class_id == scope.class_id)
    if students is not None:
        # Some students' rows (a decision reads its rows back): only the guardians they name.
        named = {req.guardian_id for req, _student in pairs if req.guardian_id is not None}
        guardians_query = guardians_query.where(Guardian.id.in_(named))
    guardians = {g.id: g for g in session.scalars(guardians_query)}
    facts = {req.id: facts_of(req, scope) for req, _student in pairs}
    by_student: dict[int, list[rules.LeaveFacts]] = {}
    for f in facts.values():
        by_student.setdefault(f.student_id, []).append(f)
    rows = [
        _row(req, student, guardians.get(req.guardian_id or -1), facts, by_student, scope, today)
        for req, student in pairs
    ]
    if status is not None:
        rows = [row for row in rows if row.status == status]
    return rows


def _row(
    request: LeaveRequest,
    student: Student,
    guardian: Guardian | None,
    facts: dict[int, rules.LeaveFacts],
    by_student: dict[int, list[rules.LeaveFacts]],
    scope: ClassScope,
    today: date,
) -> LeaveRow:
    own = facts[request.id]
    others: Sequence[rules.LeaveFacts] = [
        f for f in by_student[student.id] if f.request_id != request.id
    ]
    late_days = rules.retroactive_days(own.submitted_at, own.first, scope.calendar)
    retro = scope.policy.flag_retroactive and rules.is_retroactive(
        own.submitted_at, own.first, scope.calendar
    )
    overlaps = rules.find_overlaps(own, others) if scope.policy.flag_overlaps else []
    return LeaveRow(
        id=request.id,
        student_id=student.id,
        student_code=student.code,
        student_name=student.full_name,
        guardian_name=guardian.full_name if guardian else "",
        guardian_relation=guardian.relation if guardian else "",
        submitted_at=request.submitted_at,
        first_day=request.first_day,
        first_session=request.first_session,
        last_day=request.last_day,
        last_session=request.last_session,
        sessions=rules.count_sessions(own.first, own.last, scope.calendar),
        reason_category=request.reason_category,
        reason_text=request.reason_text,
        channel=request.channel,
        status=request.status,
        state_label=rules.display_state(own, today, scope.calendar, scope.policy),
        special_case=own.special_case,
        retroactive=retro,
        retroactive_school_days=late_days,
        overlaps_with=tuple(sorted(overlaps)),
        original=rules.original_state(own, today, scope.calendar, scope.policy).value,
        original_received_on=request.original_received_on,
        principal_signoff_by=request.principal_signoff_by,
        principal_signoff_on=request.principal_signoff_on,
        decision_note=request.decision_note,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        audit_status=request.audit_status,
        version=request.version,
    )


def show(session: Session, scope: ClassScope, request_id: int, *, today: date) -> LeaveRow:
    request = get_request(session, scope, request_id)
    for row in list_requests(session, scope, today=today, students={request.student_id}):
        if row.id == request_id:
            return row
    raise NotFound(_("There is no leave request #{id}.").format(id=request_id))


def rows_by_ids(
    session: Session, scope: ClassScope, ids: Iterable[int], *, today: date
) -> list[LeaveRow]:
    """The rows of ``ids`` that still exist in the class, and every other request of their
    students (a change to one request can start or end another's overlap); an id missing from
    the answer was removed."""
    wanted = set(ids)
    if not wanted:
        return []
    students = set(
        session.scalars(
            select(LeaveRequest.student_id)
            .join(Student, Student.id == LeaveRequest.student_id)
            .where(LeaveRequest.id.in_(wanted), Student.class_id == scope.class_id)
        )
    )
    return [
        row
        for student_id in sorted(students)
        for row in list_requests(session, scope, today=today, students={student_id})
    ]


def decision_conflicts(session: Session, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Request id → the server's words on the teacher's decision it did not apply (the latest
    one per request, unless the request was decided again since); ``ids`` narrows the answer."""
    wanted = None if ids is None else set(ids)
    found: dict[int, SyncConflict] = {}
    rows = session.scalars(
        select(SyncConflict)
        .where(SyncConflict.intent_name == "decide_leave")
        .order_by(SyncConflict.id)
    )
    for conflict in rows:
        request_id = json.loads(conflict.mine).get("request_id")
        if isinstance(request_id, int) and (wanted is None or request_id in wanted):
            found[request_id] = conflict
    decided: dict[int, datetime | None] = {
        request_id: when
        for request_id, when in session.execute(
            select(LeaveRequest.id, LeaveRequest.decided_at).where(LeaveRequest.id.in_(found))
        )
    }
    return {
        request_id: conflict.message
        for request_id, conflict in found.items()
        if (when := decided.get(request_id)) is None or when <= conflict.created_at
    }
