"""Post-audit (hậu kiểm) use cases: draw the sample, record what the check found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.domain import leave as rules
from desktop.domain import post_audit as sampling
from desktop.domain.attendance import MarkStatus
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date
from desktop.errors import InvalidInput
from desktop.i18n import N_, _
from desktop.models import AttendanceMark, LeaveRequest, PostAudit, Student
from desktop.models.base import utc_now
from desktop.services import attendance, audit_log
from desktop.services import leave as leave_service
from desktop.services.attendance import session_label
from desktop.services.changes import Changes
from desktop.services.leave import facts_of, get_request, snapshot
from desktop.services.scope import ClassScope


@dataclass(frozen=True)
class SelectedRequest:
    request_id: int
    student_code: str
    student_name: str
    reasons: tuple[str, ...]
    reason_labels: tuple[str, ...]


def _class_requests(session: Session, scope: ClassScope) -> list[LeaveRequest]:
    return list(
        session.scalars(
            select(LeaveRequest)
            .join(Student)
            .where(Student.class_id == scope.class_id)
            .order_by(LeaveRequest.id)
        )
    )


def draw_sample(session: Session, scope: ClassScope, *, seed: int) -> list[SelectedRequest]:
    """Which approved requests the post-audit sample takes, and why (nothing is recorded)."""
    requests = _class_requests(session, scope)
    candidates = []
    for request in requests:
        if request.status != rules.LeaveStatus.APPROVED.value:
            continue
        facts = facts_of(request, scope)
        candidates.append(
            sampling.AuditCandidate(
                request_id=request.id,
                student_id=request.student_id,
                submitted_at=request.submitted_at,
                special_case=facts.special_case,
                retroactive_days=rules.retroactive_days(
                    facts.submitted_at, facts.first, scope.calendar
                ),
                audit_status=rules.AuditStatus(request.audit_status),
            )
        )
    history = [(r.student_id, r.submitted_at) for r in requests]
    by_id = {r.id: r for r in requests}
    students = {
        s.id: s for s in session.scalars(select(Student).where(Student.class_id == scope.class_id))
    }
    result = []
    for selection in sampling.select(candidates, history, scope.policy, seed):
        student = students[by_id[selection.request_id].student_id]
        result.append(
            SelectedRequest(
                request_id=selection.request_id,
                student_code=student.code,
                student_name=student.full_name,
                reasons=tuple(reason.value for reason in selection.reasons),
                reason_labels=tuple(reason.label for reason in selection.reasons),
            )
        )
    return result


def mark_selected(
    session: Session,
    scope: ClassScope,
    *,
    request_id: int,
    reasons: tuple[str, ...],
    seed: int,
    actor: str,
) -> Changes:
    """Record that a request was drawn for post-audit, and why."""
    request = get_request(session, scope, request_id)
    try:
        labels = [sampling.SelectionReason(reason) for reason in reasons]
    except ValueError as exc:
        raise InvalidInput(_("Unknown reason for a post-audit selection.")) from exc
    before = snapshot(request)
    request.audit_status = rules.select_for_audit(facts_of(request, scope)).value
    request.version += 1
    session.add(
        PostAudit(
            request_id=request.id,
            selected_because=",".join(label.value for label in labels),
            selection_seed=seed,
            selected_at=utc_now(),
        )
    )
    audit_log.append(
        session,
        actor=actor,
        action="audit.select",
        entity="leave_request",
        entity_id=request.id,
        before=before,
        after=snapshot(request),
    )
    session.flush()
    return Changes.of(
        _("Request #{id} selected for post-audit.").format(id=request.id),
        leave_request=[request.id],
    )


def record(
    session: Session,
    scope: ClassScope,
    *,
    request_id: int,
    method: str,
    outcome: str,
    note: str = "",
    actor: str,
) -> Changes:
    """Record the audit's method and outcome; a discrepancy turns its excused marks unexcused."""
    request = get_request(session, scope, request_id)
    try:
        audit_method = rules.AuditMethod(method)
        audit_outcome = rules.AuditOutcome(outcome)
    except ValueError as exc:
        raise InvalidInput(_("Unknown audit method or outcome.")) from exc
    before = snapshot(request)
    new_status = rules.record_audit(facts_of(request, scope), audit_outcome)
    audit = next((a for a in reversed(request.audits) if a.outcome is None), None)
    if audit is None:
        audit = PostAudit(request_id=request.id, selected_because="manual", selected_at=utc_now())
        session.add(audit)
    audit.method = audit_method.value
    audit.outcome = audit_outcome.value
    audit.note = note.strip()
    audit.auditor = actor
    audit.recorded_at = utc_now()
    request.audit_status = new_status.value
    request.version += 1
    session.flush()
    marks = attendance.recompute_request(session, scope, request)
    audit_log.append(
        session,
        actor=actor,
        action="audit.record",
        entity="leave_request",
        entity_id=request.id,
        before=before,
        after={**snapshot(request), "outcome": audit_outcome.value, "marks_changed": len(marks)},
    )
    summary = _("Post-audit of request #{id} recorded: {outcome}.").format(
        id=request.id, outcome=audit_outcome.label
    )
    return Changes.of(summary, leave_request=[request.id], attendance_mark=marks)


# --------------------------------------------------------------------------- for the window


@dataclass(frozen=True)
class AuditRow:
    """A request that post-audit selected or checked, as the post-audit screen lists it."""

    request_id: int
    student_id: int
    student_code: str
    student_name: str
    first_day: date
    first_session: str
    last_day: date
    last_session: str
    sessions: int
    reason_category: str
    reason_text: str
    audit_status: str
    reasons: tuple[str, ...]
    """Why it was selected (``SelectionReason`` values; ``manual`` for a spot check)."""
    selected_at: datetime | None
    excused_sessions: int
    """Sessions this request excuses now: what a discrepancy turns unexcused."""
    method: str | None
    outcome: str | None
    note: str
    auditor: str
    recorded_at: datetime | None

    @property
    def reason_labels(self) -> tuple[str, ...]:
        return tuple(reason_label(reason) for reason in self.reasons)


def reason_label(reason: str) -> str:
    try:
        return sampling.SelectionReason(reason).label
    except ValueError:
        return _("Chosen by hand")


def audit_rows(
    session: Session, scope: ClassScope, *, request_ids: Iterable[int] | None = None
) -> list[AuditRow]:
    """Every request of the class ever selected or checked (or only ``request_ids`` of them),
    with its latest post-audit."""
    query = (
        select(LeaveRequest, Student)
        .join(Student)
        .where(Student.class_id == scope.class_id)
        .where(
            (LeaveRequest.audit_status != rules.AuditStatus.NONE.value) | LeaveRequest.audits.any()
        )
        .order_by(LeaveRequest.id)
    )
    if request_ids is not None:
        query = query.where(LeaveRequest.id.in_(list(request_ids)))
    found = session.execute(query).all()
    excused: dict[int | None, int] = {
        request_id: count
        for request_id, count in session.execute(
            select(AttendanceMark.leave_request_id, func.count())
            .where(
                AttendanceMark.leave_request_id.in_([request.id for request, _s in found]),
                AttendanceMark.status == MarkStatus.EXCUSED.value,
            )
            .group_by(AttendanceMark.leave_request_id)
        )
    }
    rows = []
    for request, student in found:
        audit = request.audits[-1] if request.audits else None
        rows.append(
            AuditRow(
                request_id=request.id,
                student_id=student.id,
                student_code=student.code,
                student_name=student.full_name,
                first_day=request.first_day,
                first_session=request.first_session,
                last_day=request.last_day,
                last_session=request.last_session,
                sessions=rules.count_sessions(
                    leave_service.first_slot(request),
                    leave_service.last_slot(request),
                    scope.calendar,
                ),
                reason_category=request.reason_category,
                reason_text=request.reason_text,
                audit_status=request.audit_status,
                reasons=tuple(audit.selected_because.split(",")) if audit else (),
                selected_at=audit.selected_at if audit else None,
                excused_sessions=excused.get(request.id, 0),
                method=audit.method if audit else None,
                outcome=audit.outcome if audit else None,
                note=audit.note if audit else "",
                auditor=audit.auditor if audit else "",
                recorded_at=audit.recorded_at if audit else None,
            )
        )
    return rows


@dataclass(frozen=True)
class AuditEvent:
    """One line of the post-audit history: a selection or a recorded check."""

    at: datetime
    request_id: int
    student_name: str
    what: str
    by: str
    note: str


def history(session: Session, scope: ClassScope) -> list[AuditEvent]:
    """What post-audit selected and recorded in this class, newest first."""
    audits = session.execute(
        select(PostAudit, Student.full_name)
        .join(LeaveRequest, PostAudit.request_id == LeaveRequest.id)
        .join(Student, LeaveRequest.student_id == Student.id)
        .where(Student.class_id == scope.class_id)
    )
    events = []
    for audit, name in audits:
        reasons = ", ".join(reason_label(r) for r in audit.selected_because.split(","))
        events.append(
            AuditEvent(
                audit.selected_at,
                audit.request_id,
                name,
                _("Selected: {reasons}").format(reasons=reasons),
                "",
                "",
            )
        )
        if audit.recorded_at is not None and audit.method and audit.outcome:
            events.append(
                AuditEvent(
                    audit.recorded_at,
                    audit.request_id,
                    name,
                    _("Checked ({method}): {outcome}").format(
                        method=rules.AuditMethod(audit.method).label.lower(),
                        outcome=rules.AuditOutcome(audit.outcome).label.lower(),
                    ),
                    audit.auditor,
                    audit.note,
                )
            )
    return sorted(events, key=lambda event: (event.at, event.request_id), reverse=True)


MarkKey = tuple[date, str]
"""``(day, session)`` of one of a request's student's sessions."""


@dataclass(frozen=True)
class MarkChange:
    """One attendance mark a post-audit changed, ``before`` → ``after`` (``MarkStatus`` values,
    ``None`` for no mark)."""

    student_name: str
    day: date
    session: str
    before: str | None
    after: str | None


def request_marks(session: Session, scope: ClassScope, *, request_id: int) -> dict[MarkKey, str]:
    """The stored marks of the request's student over the request's days (read it before a
    change, give it to ``mark_changes`` after)."""
    request = get_request(session, scope, request_id)
    return {
        (mark.day, mark.session): mark.status
        for mark in session.scalars(
            select(AttendanceMark).where(
                AttendanceMark.student_id == request.student_id,
                AttendanceMark.day >= request.first_day,
                AttendanceMark.day <= request.last_day,
            )
        )
    }


def mark_changes(
    session: Session, scope: ClassScope, *, request_id: int, before: dict[MarkKey, str]
) -> tuple[MarkChange, ...]:
    """The marks that differ from ``before``, in day and session order."""
    request = get_request(session, scope, request_id)
    name = session.get_one(Student, request.student_id).full_name
    after = request_marks(session, scope, request_id=request_id)
    order = {SchoolSession.MORNING.value: 0, SchoolSession.AFTERNOON.value: 1}
    keys = sorted(set(before) | set(after), key=lambda key: (key[0], order.get(key[1], 2)))
    return tuple(
        MarkChange(name, day, part, before.get((day, part)), after.get((day, part)))
        for day, part in keys
        if before.get((day, part)) != after.get((day, part))
    )


def mark_change_line(change: MarkChange) -> str:
    """ "Nguyễn Văn An · 12/03/2026 sáng: có phép → không phép"."""
    return _("{student} · {day} {session}: {before} → {after}").format(
        student=change.student_name,
        day=format_date(change.day),
        session=session_label(SchoolSession(change.session)),
        before=_mark_word(change.before),
        after=_mark_word(change.after),
    )


def _mark_word(status: str | None) -> str:
    if status is None:
        return _("no mark")
    return _(_MARK_WORDS[MarkStatus(status)])


_MARK_WORDS = {
    MarkStatus.PRESENT: N_("present"),
    MarkStatus.EXCUSED: N_("excused"),
    MarkStatus.UNEXCUSED: N_("unexcused"),
    MarkStatus.LATE: N_("late"),
}
