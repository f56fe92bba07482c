"""Everything this profile holds about one student, for a guardian's request to see it (Law
91/2025/QH15: the data subject's right to access): identity, guardians, leave requests with
their reasons, decisions and post-audits, attendance marks, grades with their changes, conduct
ratings, and the audit-log entries about any of these. Machine-readable JSON, every column of
every row, so nothing held is left out by a choice of fields.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from desktop.errors import NotFound
from desktop.i18n import _
from desktop.models import (
    AttendanceMark,
    AuditLogEntry,
    Base,
    ConductRating,
    GradeChange,
    GradeEntry,
    Guardian,
    LeaveRequest,
    PostAudit,
    Student,
)
from desktop.services.scope import ClassScope


def _row(row: Base) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def collect(session: Session, scope: ClassScope, code: str) -> dict[str, Any]:
    """The student of ``code`` in the scope's class and every row about them."""
    student = session.scalars(
        select(Student).where(Student.class_id == scope.class_id, Student.code == code.strip())
    ).first()
    if student is None:
        raise NotFound(_("There is no student with code {code} in this class.").format(code=code))
    guardians = session.scalars(select(Guardian).where(Guardian.student_id == student.id)).all()
    requests = session.scalars(
        select(LeaveRequest).where(LeaveRequest.student_id == student.id).order_by(LeaveRequest.id)
    ).all()
    request_ids = [r.id for r in requests]
    audits = session.scalars(
        select(PostAudit).where(PostAudit.request_id.in_(request_ids)).order_by(PostAudit.id)
    ).all()
    marks = session.scalars(
        select(AttendanceMark)
        .where(AttendanceMark.student_id == student.id)
        .order_by(AttendanceMark.day, AttendanceMark.session)
    ).all()
    grades = session.scalars(
        select(GradeEntry).where(GradeEntry.student_id == student.id).order_by(GradeEntry.id)
    ).all()
    grade_ids = [g.id for g in grades]
    ratings = session.scalars(
        select(ConductRating)
        .where(ConductRating.student_id == student.id)
        .order_by(ConductRating.term)
    ).all()
    changes = session.scalars(
        select(GradeChange).where(GradeChange.entry_id.in_(grade_ids)).order_by(GradeChange.id)
    ).all()
    about = [
        (AuditLogEntry.entity == "student") & (AuditLogEntry.entity_id == str(student.id)),
        (AuditLogEntry.entity == "leave_request")
        & AuditLogEntry.entity_id.in_([str(i) for i in request_ids]),
        (AuditLogEntry.entity == "grade_entry")
        & AuditLogEntry.entity_id.in_([str(i) for i in grade_ids]),
        (AuditLogEntry.entity == "guardian")
        & AuditLogEntry.entity_id.in_([str(g.id) for g in guardians]),
        (AuditLogEntry.entity == "grade_change")
        & AuditLogEntry.entity_id.in_([str(c.id) for c in changes]),
        # Marks and conduct are keyed "student:…" (attendance.py, grades.py).
        AuditLogEntry.entity.in_(["attendance_mark", "conduct_rating"])
        & AuditLogEntry.entity_id.startswith(f"{student.id}:"),
    ]
    entries = session.scalars(
        select(AuditLogEntry).where(or_(*about)).order_by(AuditLogEntry.id)
    ).all()
    return {
        "class": scope.class_name,
        "student": _row(student),
        "guardians": [_row(g) for g in guardians],
        "leave_requests": [_row(r) for r in requests],
        "post_audits": [_row(a) for a in audits],
        "attendance_marks": [_row(m) for m in marks],
        "grades": [_row(g) for g in grades],
        "grade_changes": [_row(c) for c in changes],
        "conduct_ratings": [_row(r) for r in ratings],
        "audit_log": [_row(e) for e in entries],
    }


def to_json(held: dict[str, Any]) -> str:
    return json.dumps(held, ensure_ascii=False, indent=2, default=_plain)
