"""Parents: submit a leave request for their child, follow it, cancel or withdraw it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from sqlalchemy.orm import Session

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import Guardian, LeaveRequest, Student
from desktop.models.base import pinned_now
from desktop.services import leave
from desktop.services.scope import ClassScope
from server import access
from server.deps import AccountDep, SettingsDep, StoreDep
from server.problems import ApiProblem, forbidden, not_found
from server.routes.common import PREFIX, domain_problem, errors
from server.schemas import NewLeave, ParentLeave
from server.scope import load_scope_by_id
from server.tables import Account

router = APIRouter(prefix=f"{PREFIX}/parent", tags=["parent"])


def _child(session: Session, account: Account) -> tuple[Guardian, Student, ClassScope]:
    found = access.child_of(session, account)
    if found is None:
        raise forbidden(_("Only a parent signed in for a student can do this."), "not_parent")
    guardian, student = found
    return guardian, student, load_scope_by_id(session, student.class_id)


def _one(session: Session, scope: ClassScope, request_id: int, today: date) -> ParentLeave:
    return ParentLeave.of(leave.show(session, scope, request_id, today=today))


@router.get("/requests", response_model=list[ParentLeave], responses=errors(401, 403))
def my_requests(account: AccountDep, store: StoreDep, settings: SettingsDep) -> list[ParentLeave]:
    """The child's requests, newest first, with the teacher's decision and its reason."""
    today = settings.school_today()
    with store.read() as session:
        _guardian, student, scope = _child(session, account)
        rows = leave.list_requests(session, scope, today=today)
        return [
            ParentLeave.of(row)
            for row in sorted(rows, key=lambda r: r.id, reverse=True)
            if row.student_id == student.id
        ]


@router.post(
    "/requests",
    response_model=ParentLeave,
    status_code=201,
    responses=errors(401, 403, 422),
)
def submit(
    body: NewLeave, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> ParentLeave:
    """Submit a request; refused when the guardian has not registered for the e-contact book
    or the dates are impossible (outside the school year, backwards, no school session)."""
    today = settings.school_today()
    with store.write() as session:
        guardian, student, scope = _child(session, account)
        if guardian.econtact_registered_on is None:
            raise ApiProblem(
                422,
                "not_registered",
                _(
                    "You have not registered for the e-contact book, so you cannot submit "
                    "online; please contact the homeroom teacher."
                ),
            )
        new = leave.NewRequest(
            student_id=student.id,
            guardian_id=guardian.id,
            first=Slot.of(body.first_day, SchoolSession(body.first_session)),
            last=Slot.of(body.last_day, SchoolSession(body.last_session)),
            reason_category=body.reason_category,
            reason_text=body.reason_text,
            channel=body.channel,
            submitted_at=settings.now(),
        )
        try:
            with pinned_now(new.submitted_at):
                changes = leave.submit(session, scope, new, actor=account.display_name)
        except InvalidInput as error:
            raise domain_problem(error) from None
        request_id = int(next(iter(changes.ids("leave_request"))))
        return _one(session, scope, request_id, today)


@router.post(
    "/requests/{request_id}/cancel",
    response_model=ParentLeave,
    responses=errors(401, 403, 404, 409),
)
def cancel(
    request_id: int, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> ParentLeave:
    """Cancel a pending request, or withdraw an approved one (its absences become unexcused)."""
    with store.write() as session:
        _guardian, student, scope = _child(session, account)
        request = session.get(LeaveRequest, request_id)
        if request is None or request.student_id != student.id:
            raise not_found(_("There is no leave request #{id}.").format(id=request_id))
        try:
            with pinned_now(settings.now()):
                leave.cancel(session, scope, request_id=request_id, actor=account.display_name)
        except InvalidInput as error:
            raise domain_problem(error) from None
        return _one(session, scope, request_id, settings.school_today())
