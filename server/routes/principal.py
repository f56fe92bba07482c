"""The principal: sign off special-case leaves, follow completeness and leave statistics."""

from __future__ import annotations

from collections import Counter
from datetime import date

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import LeaveRequest, Student
from desktop.services import attendance, grade_report, leave
from desktop.services.scope import ClassScope
from server import access
from server.deps import AccountDep, SettingsDep, StoreDep
from server.problems import not_found
from server.routes.common import PREFIX, domain_problem, errors
from server.schemas import (
    ClassOverview,
    CompletenessRow,
    CompletenessView,
    LeaveStatistics,
    PendingSignoff,
    SignoffRequest,
    StudentAbsences,
)
from server.scope import load_scope_by_id

router = APIRouter(prefix=f"{PREFIX}/principal", tags=["principal"])


def _pending(rows: list[leave.LeaveRow]) -> list[leave.LeaveRow]:
    return [r for r in rows if r.status == "submitted" and r.special_case]


def _signoff_view(row: leave.LeaveRow, scope: ClassScope) -> PendingSignoff:
    return PendingSignoff.of(
        row, request_id=row.id, class_id=scope.class_id, class_name=scope.class_name
    )


@router.get("/classes", response_model=list[ClassOverview], responses=errors(401, 403))
def classes(account: AccountDep, store: StoreDep, settings: SettingsDep) -> list[ClassOverview]:
    """Every class of the school: size, pending requests, special cases, grade completeness."""
    today = settings.school_today()
    with store.read() as session:
        school = access.require_principal(session, account)
        found = []
        for class_id in access.school_classes(session, school):
            scope = load_scope_by_id(session, class_id)
            rows = leave.list_requests(session, scope, today=today)
            students = session.scalar(
                select(func.count()).select_from(Student).where(Student.class_id == class_id)
            )
            found.append(
                ClassOverview(
                    class_id=class_id,
                    class_name=scope.class_name,
                    homeroom_teacher=scope.teacher_name,
                    students=students or 0,
                    pending_requests=sum(1 for r in rows if r.status == "submitted"),
                    awaiting_signoff=sum(1 for r in _pending(rows) if not r.principal_signoff_on),
                    completeness_percent=grade_report.completeness(
                        session, scope, today=today
                    ).percent,
                )
            )
        return found


@router.get(
    "/classes/{class_id}/completeness",
    response_model=CompletenessView,
    responses=errors(401, 403),
)
def completeness(
    class_id: int, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> CompletenessView:
    """What is missing, overdue or late in the class's grade book, per subject and semester."""
    with store.read() as session:
        access.require_principal(session, account, class_id)
        scope = load_scope_by_id(session, class_id)
        result = grade_report.completeness(session, scope, today=settings.school_today())
        return CompletenessView(
            class_id=class_id,
            class_name=scope.class_name,
            percent=result.percent,
            expected=result.expected,
            entered=result.entered,
            subjects=[CompletenessRow(**vars(row)) for row in result.subjects],
            overdue_cells=list(result.overdue_cells),
            late_cells=list(result.late_cells),
        )


@router.get(
    "/classes/{class_id}/leave-statistics",
    response_model=LeaveStatistics,
    responses=errors(401, 403),
)
def leave_statistics(
    class_id: int, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> LeaveStatistics:
    """Requests by state, special cases, retroactive and audited ones; absences per student."""
    today = settings.school_today()
    with store.read() as session:
        access.require_principal(session, account, class_id)
        scope = load_scope_by_id(session, class_id)
        rows = leave.list_requests(session, scope, today=today)
        absences = attendance.summary(session, scope)
        return LeaveStatistics(
            class_id=class_id,
            class_name=scope.class_name,
            requests_by_status=dict(sorted(Counter(r.status for r in rows).items())),
            special_cases=sum(1 for r in rows if r.special_case),
            awaiting_signoff=sum(1 for r in _pending(rows) if not r.principal_signoff_on),
            retroactive=sum(1 for r in rows if r.retroactive),
            awaiting_original=sum(1 for r in rows if r.original in ("awaiting", "overdue")),
            selected_for_audit=sum(1 for r in rows if r.audit_status != "none"),
            audit_discrepancies=sum(1 for r in rows if r.audit_status == "discrepancy"),
            students_over_limit=sum(1 for a in absences if a.over_limit),
            absences=[StudentAbsences(**vars(a)) for a in absences],
        )


@router.get("/signoffs", response_model=list[PendingSignoff], responses=errors(401, 403))
def signoffs(account: AccountDep, store: StoreDep, settings: SettingsDep) -> list[PendingSignoff]:
    """Special cases still waiting for a decision, across the school (signed off or not)."""
    today = settings.school_today()
    with store.read() as session:
        school = access.require_principal(session, account)
        found = []
        for class_id in access.school_classes(session, school):
            scope = load_scope_by_id(session, class_id)
            found += [
                _signoff_view(r, scope)
                for r in _pending(leave.list_requests(session, scope, today=today))
            ]
        return found


def _class_of_request(session: Session, request_id: int) -> int:
    found = session.execute(
        select(Student.class_id)
        .join(LeaveRequest, LeaveRequest.student_id == Student.id)
        .where(LeaveRequest.id == request_id)
    ).scalar()
    if found is None:
        raise not_found(_("There is no leave request #{id}.").format(id=request_id))
    return found


@router.post(
    "/leave-requests/{request_id}/signoff",
    response_model=PendingSignoff,
    responses=errors(401, 403, 404, 409),
)
def sign_off(
    request_id: int,
    account: AccountDep,
    store: StoreDep,
    settings: SettingsDep,
    body: SignoffRequest | None = None,
) -> PendingSignoff:
    """Sign off a pending special case; the homeroom teacher may then approve it."""
    today = settings.school_today()
    on: date = body.on if body is not None and body.on is not None else today
    with store.write() as session:
        class_id = _class_of_request(session, request_id)
        access.require_principal(session, account, class_id)
        scope = load_scope_by_id(session, class_id)
        try:
            leave.sign_off(
                session,
                scope,
                request_id=request_id,
                by=account.display_name,
                on=on,
                actor=account.display_name,
            )
        except InvalidInput as error:
            raise domain_problem(error) from None
        return _signoff_view(leave.show(session, scope, request_id, today=today), scope)
