"""What a printed leave form shows: an approved request with the school, the student and the
decision around it, read in one go for a batch of forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.leave import LeaveStatus
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _
from desktop.models import LeaveRequest, PostAudit, Student
from desktop.services import leave
from desktop.services.leave import LeaveRow
from desktop.services.scope import ClassScope


@dataclass(frozen=True)
class AuditResult:
    """A post-audit whose outcome is recorded."""

    outcome: str
    method: str | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class LeaveForm:
    """One approved request as its paper shows it."""

    request: LeaveRow
    student_date_of_birth: date
    class_name: str
    school_name: str
    governing_body: str
    province: str
    homeroom_teacher: str
    audit: AuditResult | None

    @property
    def decided_by_substitute(self) -> bool:
        """Decided by someone other than the homeroom teacher (a substitute assignment)."""
        decider = self.request.decided_by
        return bool(decider) and decider != self.homeroom_teacher


def _ids_text(ids: Sequence[int]) -> str:
    return ", ".join(f"#{request_id}" for request_id in ids)


def leave_forms(
    session: Session, scope: ClassScope, request_ids: Sequence[int], *, today: date
) -> list[LeaveForm]:
    """The forms of ``request_ids`` in that order (a repeated id prints once); every one must
    be an approved request of the class, else nothing is returned and the error names them."""
    wanted = list(dict.fromkeys(request_ids))
    if not wanted:
        raise InvalidInput(_("Choose at least one approved leave request to print."))
    asked = set(wanted)
    # Only the rows of the students printed for (a row's overlaps are their own requests'):
    # three forms of a class with 150 requests built every row before.
    students = session.scalars(
        select(LeaveRequest.student_id).where(LeaveRequest.id.in_(asked))
    ).all()
    rows = {
        row.id: row
        for row in leave.list_requests(session, scope, today=today, students=students)
        if row.id in asked
    }
    unknown = [request_id for request_id in wanted if request_id not in rows]
    if unknown:
        raise NotFound(
            _("There is no leave request {ids} in this class.").format(ids=_ids_text(unknown))
        )
    refused = [i for i in wanted if rows[i].status != LeaveStatus.APPROVED.value]
    if refused:
        raise InvalidInput(
            _("Only approved requests can be printed; not approved: {ids}.").format(
                ids=_ids_text(refused)
            )
        )
    births: dict[int, date] = {
        student_id: born
        for student_id, born in session.execute(
            select(Student.id, Student.date_of_birth).where(
                Student.id.in_({row.student_id for row in rows.values()})
            )
        )
    }
    # The latest post-audit of each request, in one query (``post_audit.audit_rows`` would
    # load each request's audits on its own, and count its excused marks, for the batch).
    latest: dict[int, PostAudit] = {}
    for audit in session.scalars(
        select(PostAudit).where(PostAudit.request_id.in_(wanted)).order_by(PostAudit.id)
    ):
        latest[audit.request_id] = audit
    audits = {
        request_id: AuditResult(audit.outcome, audit.method, audit.recorded_at)
        for request_id, audit in latest.items()
        if audit.outcome
    }
    return [
        LeaveForm(
            request=rows[request_id],
            student_date_of_birth=births[rows[request_id].student_id],
            class_name=scope.class_name,
            school_name=scope.school_name,
            governing_body=scope.governing_body,
            province=scope.province,
            homeroom_teacher=scope.teacher_name,
            audit=audits.get(request_id),
        )
        for request_id in wanted
    ]
