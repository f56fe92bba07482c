"""For a refused intent: the server's present rows it touched (and deletes for those it would
have created), so the client can undo its optimistic change, and the refusal's code and message
in the domain's words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from desktop.domain.calendar import school_time
from desktop.domain.leave import LeaveStatus
from desktop.errors import (
    IllegalTransition,
    InvalidDate,
    InvalidGrade,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from desktop.i18n import _
from desktop.models import (
    AttendanceMark,
    AuditLogEntry,
    Base,
    ConductRating,
    GradeChange,
    GradeEntry,
    LeaveRequest,
    Student,
    Subject,
    SubjectTerm,
)
from desktop.services import intents
from desktop.sync.protocol import Change
from desktop.sync.rows import encode_row

LEAVE_INTENTS = (
    intents.DecideLeave,
    intents.ReceiveOriginal,
    intents.RecordSignoff,
    intents.SelectForAudit,
    intents.RecordAudit,
)


class NotOwner(InvalidInput):
    """A write to a record this account does not own (another teacher's subject)."""


def _in_class(session: Session, student_id: int, class_id: int) -> bool:
    student = session.get(Student, student_id)
    return student is not None and student.class_id == class_id


def touched(session: Session, class_id: int, name: str, raw: dict[str, Any]) -> list[Base]:
    """The rows of this class an intent reads or writes, as they are now."""
    try:
        args = intents.parse_args(name, raw)
    except InvalidInput:
        return []
    rows: list[Base] = []
    if isinstance(args, LEAVE_INTENTS):
        request = session.get(LeaveRequest, args.request_id)
        if request is None or not _in_class(session, request.student_id, class_id):
            return []
        rows.append(request)
        rows.extend(request.audits)
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
    elif isinstance(args, intents.SetAttendance):
        if _in_class(session, args.student_id, class_id):
            rows.extend(
                session.scalars(
                    select(AttendanceMark).where(
                        AttendanceMark.student_id == args.student_id,
                        AttendanceMark.day == args.day,
                        AttendanceMark.session == args.session,
                    )
                )
            )
    elif isinstance(args, intents.SetGrade | intents.ReviewSubject):
        subject = session.scalars(
            select(Subject).where(
                Subject.class_id == class_id, Subject.code == args.subject_code.strip().upper()
            )
        ).first()
        if subject is None:
            return []
        term = session.get(SubjectTerm, (subject.id, args.semester))
        if isinstance(args, intents.SetGrade) and _in_class(session, args.student_id, class_id):
            rows.extend(
                session.scalars(
                    select(GradeEntry).where(
                        GradeEntry.student_id == args.student_id,
                        GradeEntry.subject_id == subject.id,
                        GradeEntry.semester == args.semester,
                        GradeEntry.kind == args.kind,
                        GradeEntry.slot == args.slot,
                    )
                )
            )
        if term is not None:
            rows.append(term)
    elif isinstance(args, intents.SetConduct):
        if _in_class(session, args.student_id, class_id):
            rating = session.get(ConductRating, (args.student_id, args.term))
            rows += [rating] if rating is not None else []
    elif isinstance(args, intents.CheckGradeChange):
        change = session.get(GradeChange, args.change_id)
        if change is not None:
            entry = session.get_one(GradeEntry, change.entry_id)
            if _in_class(session, entry.student_id, class_id):
                rows += [entry, change]
    return rows


def as_changes(rows: Iterable[Base]) -> list[Change]:
    """Rows encoded like the change feed."""
    found: list[Change] = []
    for row in rows:
        table: Table = row.__table__  # type: ignore[assignment]
        found.append(Change(entity=table.name, op="upsert", data=encode_row(table, row)))
    return found


def absent(session: Session, class_id: int, name: str, raw: dict[str, Any]) -> list[Change]:
    """Deletes for the rows keyed by what they describe that a refused intent would have
    created and the server does not have: a subject's term (subject, semester) and a conduct
    rating (student, term). The client created them optimistically; rows with ids the server
    allocates are provisional there and dropped anyway, but these would stay for ever."""
    try:
        args = intents.parse_args(name, raw)
    except InvalidInput:
        return []
    key: tuple[str, str] | None = None
    if isinstance(args, intents.SetGrade | intents.ReviewSubject):
        subject_id = session.scalar(
            select(Subject.id).where(
                Subject.class_id == class_id, Subject.code == args.subject_code.strip().upper()
            )
        )
        if subject_id is not None and session.get(SubjectTerm, (subject_id, args.semester)) is None:
            key = ("subject_term", f"{subject_id}:{args.semester}")
    elif (
        isinstance(args, intents.SetConduct)
        and _in_class(session, args.student_id, class_id)
        and session.get(ConductRating, (args.student_id, args.term)) is None
    ):
        key = ("conduct_rating", f"{args.student_id}:{args.term}")
    return [] if key is None else [Change(entity=key[0], op="delete", key=key[1])]


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


def refusal(
    session: Session, class_id: int, name: str, raw: dict[str, Any], error: InvalidInput
) -> tuple[str, str, str]:
    """``(status, code, message)`` of a refused intent: ``conflict`` when the record moved on,
    ``rejected`` for data the domain does not accept."""
    status = "conflict" if isinstance(error, IllegalTransition) else "rejected"
    code = generic_code(error)
    message = error.message
    if name == "decide_leave" and isinstance(error, IllegalTransition):
        request_id = raw.get("request_id")
        request = session.get(LeaveRequest, request_id) if isinstance(request_id, int) else None
        if request is not None and _in_class(session, request.student_id, class_id):
            code, message = _leave_conflict(session, request, error, code, message)
    elif name == "set_grade" and isinstance(error, StaleVersion):
        code = "grade_conflict"
    return status, code, message


def _leave_conflict(
    session: Session, request: LeaveRequest, error: InvalidInput, code: str, message: str
) -> tuple[str, str]:
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
            if (request.decided_at)
            else "?"
        )
        return "already_decided", _(
            "Request #{id} was already {decision} by {who} at {time}; your decision was not "
            "applied."
        ).format(
            id=request.id, decision=state.label.lower(), who=request.decided_by or "?", time=decided
        )
    if isinstance(error, StaleVersion):
        return "stale_request", message
    return code, message


def same_decision(session: Session, raw: dict[str, Any]) -> bool:
    """A ``decide_leave`` whose decision the request already carries (another device of the
    same teacher got there first): converged, nothing to undo."""
    request_id = raw.get("request_id")
    request = session.get(LeaveRequest, request_id) if isinstance(request_id, int) else None
    if request is None:
        return False
    wanted = LeaveStatus.APPROVED if raw.get("approve") is True else LeaveStatus.REJECTED
    return request.status == wanted.value


def generic_code(error: InvalidInput) -> str:
    if isinstance(error, NotOwner):
        return "not_owner"
    if isinstance(error, StaleVersion):
        return "stale_version"
    if isinstance(error, IllegalTransition):
        return "illegal_transition"
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, InvalidGrade):
        return "invalid_grade"
    if isinstance(error, InvalidDate):
        return "invalid_date"
    return "invalid_input"
