"""Post-audit (hậu kiểm) use cases: draw the sample, record what the check found."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import leave as rules
from desktop.domain import post_audit as sampling
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import LeaveRequest, PostAudit, Student
from desktop.models.base import utc_now
from desktop.services import attendance, audit_log
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
