"""The leave request's intents: the decision, the paper original, the principal's sign-off,
the post-audit's selection and result."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import format_date, school_time
from desktop.domain.leave import AuditMethod, AuditOutcome, LeaveStatus
from desktop.errors import IllegalTransition, InvalidInput, StaleVersion
from desktop.i18n import N_, _
from desktop.models import AttendanceMark, AuditLogEntry, Base, LeaveRequest, Student
from desktop.services import leave, post_audit
from desktop.services.changes import Changes
from desktop.services.conflict_reading import Facts, Told, leave_told
from desktop.services.intents.declaration import (
    Intent,
    IntentArgs,
    creates_nothing,
    never_converged,
    plain_conflict,
)
from desktop.services.scope import ClassScope

TEXT = Field(default="", max_length=500)


class LeaveArgs(IntentArgs):
    request_id: int = Field(gt=0)


class DecideLeave(LeaveArgs):
    NAME = "decide_leave"
    approve: bool
    note: str = TEXT
    base_version: int = Field(ge=1)


class ReceiveOriginal(LeaveArgs):
    NAME = "receive_original"
    received_on: date


class RecordSignoff(LeaveArgs):
    NAME = "record_signoff"
    by: str = Field(min_length=1, max_length=100)
    on: date


class SelectForAudit(LeaveArgs):
    NAME = "select_for_audit"
    reasons: tuple[str, ...] = Field(max_length=8)
    seed: int


class RecordAudit(LeaveArgs):
    NAME = "record_audit"
    method: Literal["phone", "meeting", "document"]
    outcome: Literal["confirmed", "discrepancy"]
    note: str = TEXT


# ------------------------------------------------------------------------------ both sides


def homeroom_teacher_may(
    session: Session, scope: ClassScope, args: LeaveArgs, teacher_id: int | None
) -> None:
    """Every request of the class is its homeroom teacher's (the use case refuses a request of
    another class as one that does not exist)."""


def request_rows(session: Session, class_id: int, args: LeaveArgs) -> list[Base]:
    """The request, its post-audits and the attendance marks of its period."""
    request = session.get(LeaveRequest, args.request_id)
    if request is None:
        return []
    student = session.get(Student, request.student_id)
    if student is None or student.class_id != class_id:
        return []
    rows: list[Base] = [request, *request.audits]
    rows.extend(
        session.scalars(
            select(AttendanceMark)
            .where(
                AttendanceMark.student_id == request.student_id,
                AttendanceMark.day >= request.first_day,
                AttendanceMark.day <= request.last_day,
            )
            .order_by(AttendanceMark.id)
        )
    )
    return rows


# ------------------------------------------------------------------------------ the decision


def _decide(s: Session, scope: ClassScope, a: DecideLeave, actor: str, now: datetime) -> Changes:
    return leave.decide(
        s,
        scope,
        request_id=a.request_id,
        approve=a.approve,
        note=a.note,
        base_version=a.base_version,
        actor=actor,
        now=now,
    )


def _decision_conflict(
    session: Session, class_id: int, args: DecideLeave, error: InvalidInput
) -> tuple[str, str] | None:
    """A decision that came too late says what happened to the request, and when."""
    if not isinstance(error, IllegalTransition) or not request_rows(session, class_id, args):
        return None
    request = session.get_one(LeaveRequest, args.request_id)
    state = LeaveStatus(request.status)
    if state is LeaveStatus.CANCELLED:
        return "leave_cancelled", _(
            "The parent cancelled request #{id} at {time}; your decision was not applied."
        ).format(id=request.id, time=_when(session, request, "leave.cancel"))
    if state is LeaveStatus.WITHDRAWN:
        return "leave_withdrawn", _(
            "The parent withdrew request #{id} at {time}; your decision was not applied."
        ).format(id=request.id, time=_when(session, request, "leave.cancel"))
    if state in (LeaveStatus.APPROVED, LeaveStatus.REJECTED):
        decided = (
            school_time(request.decided_at).strftime("%H:%M %d/%m/%Y")
            if request.decided_at
            else "?"
        )
        return "already_decided", _(
            "Request #{id} was already {decision} by {who} at {time}; your decision was not "
            "applied."
        ).format(
            id=request.id, decision=state.label.lower(), who=request.decided_by or "?", time=decided
        )
    if isinstance(error, StaleVersion):
        return "stale_request", error.message
    return None


def _when(session: Session, request: LeaveRequest, action: str) -> str:
    entry = session.scalars(
        select(AuditLogEntry)
        .where(
            AuditLogEntry.entity == "leave_request",
            AuditLogEntry.entity_id == str(request.id),
            AuditLogEntry.action == action,
        )
        .order_by(AuditLogEntry.id.desc())
        .limit(1)
    ).first()
    return school_time(entry.at).strftime("%H:%M %d/%m/%Y") if entry else "?"


def _same_decision(session: Session, args: DecideLeave) -> bool:
    request = session.get(LeaveRequest, args.request_id)
    if request is None:
        return False
    wanted = LeaveStatus.APPROVED if args.approve else LeaveStatus.REJECTED
    return request.status == wanted.value


def _decision_told(facts: Facts) -> Told:
    if facts.args["approve"] is True:
        mine = _("You approved the request.")
    else:
        note = str(facts.args.get("note") or "").strip()
        mine = (
            _("You rejected the request: “{note}”.").format(note=note)
            if note
            else _("You rejected the request.")
        )
    return leave_told(facts, mine, LeaveStatus.SUBMITTED)


# ------------------------------------------------------------------------------ after approval


def _original(
    s: Session, scope: ClassScope, a: ReceiveOriginal, actor: str, now: datetime
) -> Changes:
    return leave.receive_original(
        s, scope, request_id=a.request_id, received_on=a.received_on, actor=actor
    )


def _original_told(facts: Facts) -> Told:
    day = date.fromisoformat(str(facts.args["received_on"]))
    mine = _("You recorded the paper original as received on {day}.").format(day=format_date(day))
    return leave_told(facts, mine, LeaveStatus.APPROVED)


def _signoff(s: Session, scope: ClassScope, a: RecordSignoff, actor: str, now: datetime) -> Changes:
    return leave.sign_off(s, scope, request_id=a.request_id, by=a.by, on=a.on, actor=actor)


def _signoff_told(facts: Facts) -> Told:
    day = date.fromisoformat(str(facts.args["on"]))
    mine = _("You recorded the principal's sign-off by {by} on {day}.").format(
        by=facts.args["by"], day=format_date(day)
    )
    return leave_told(facts, mine, LeaveStatus.APPROVED)


def _select(s: Session, scope: ClassScope, a: SelectForAudit, actor: str, now: datetime) -> Changes:
    return post_audit.mark_selected(
        s, scope, request_id=a.request_id, reasons=a.reasons, seed=a.seed, actor=actor
    )


def _select_told(facts: Facts) -> Told:
    return leave_told(facts, _("You selected the request for post-audit."), LeaveStatus.APPROVED)


def _audit(s: Session, scope: ClassScope, a: RecordAudit, actor: str, now: datetime) -> Changes:
    return post_audit.record(
        s,
        scope,
        request_id=a.request_id,
        method=a.method,
        outcome=a.outcome,
        note=a.note,
        actor=actor,
    )


def _audit_told(facts: Facts) -> Told:
    mine = _("You recorded its post-audit: {method}, {outcome}.").format(
        method=AuditMethod(facts.args["method"]).label.lower(),
        outcome=AuditOutcome(facts.args["outcome"]).label.lower(),
    )
    return leave_told(facts, mine, LeaveStatus.APPROVED)


DECLARED: tuple[Intent[Any], ...] = (
    Intent(
        DecideLeave,
        N_("Decision on request #{id}"),
        apply=_decide,
        permitted=homeroom_teacher_may,
        touched=request_rows,
        created=creates_nothing,
        conflict=_decision_conflict,
        converged=_same_decision,
        reading=_decision_told,
    ),
    Intent(
        ReceiveOriginal,
        N_("Paper original of request #{id}"),
        apply=_original,
        permitted=homeroom_teacher_may,
        touched=request_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_original_told,
    ),
    Intent(
        RecordSignoff,
        N_("Principal's sign-off of request #{id}"),
        apply=_signoff,
        permitted=homeroom_teacher_may,
        touched=request_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_signoff_told,
    ),
    Intent(
        SelectForAudit,
        N_("Post-audit selection of request #{id}"),
        apply=_select,
        permitted=homeroom_teacher_may,
        touched=request_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_select_told,
    ),
    Intent(
        RecordAudit,
        N_("Post-audit result of request #{id}"),
        apply=_audit,
        permitted=homeroom_teacher_may,
        touched=request_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_audit_told,
    ),
)
