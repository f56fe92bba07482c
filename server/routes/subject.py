"""Subject teachers: read and enter the grades of the subjects they teach."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.grade_review import ReviewState
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import GradeEntry, SchoolClass, Student, Subject, SubjectTerm
from desktop.models.base import pinned_now
from desktop.services import grades
from server import access
from server.deps import AccountDep, SettingsDep, StoreDep
from server.problems import not_found
from server.routes.common import PREFIX, domain_problem, errors
from server.schemas import GradeSet, GradeView, SubjectReviewView, TaughtSubject
from server.scope import load_scope_by_id

router = APIRouter(prefix=f"{PREFIX}/subject", tags=["subject teacher"])


def _view(entry: GradeEntry, student: Student, subject: Subject) -> GradeView:
    value = grading.format_score(entry.score) if entry.score is not None else entry.comment or ""
    return GradeView(
        entry_id=entry.id,
        student_id=student.id,
        student_code=student.code,
        student_name=student.full_name,
        subject_code=subject.code,
        semester=entry.semester,
        kind=entry.kind,
        slot=entry.slot,
        value=value,
        author=entry.author,
        updated_at=entry.updated_at,
        version=entry.version,
    )


def _subject(session: Session, class_id: int, code: str) -> Subject:
    subject = session.scalars(
        select(Subject).where(Subject.class_id == class_id, Subject.code == code.strip().upper())
    ).first()
    if subject is None:
        raise not_found(_("There is no subject {code} in this class.").format(code=code))
    return subject


@router.get("/subjects", response_model=list[TaughtSubject], responses=errors(401))
def taught(account: AccountDep, store: StoreDep) -> list[TaughtSubject]:
    """The classes and subjects this teacher teaches."""
    if account.teacher_id is None:
        return []
    with store.read() as session:
        rows = session.execute(
            select(Subject, SchoolClass)
            .join(SchoolClass, SchoolClass.id == Subject.class_id)
            .where(Subject.teacher_id == account.teacher_id)
            .order_by(SchoolClass.id, Subject.position)
        ).all()
        return [
            TaughtSubject(
                class_id=c.id,
                class_name=c.name,
                subject_code=s.code,
                subject_name=s.name,
                assessment=s.assessment,
            )
            for s, c in rows
        ]


@router.get(
    "/classes/{class_id}/subjects/{subject_code}/grades",
    response_model=list[GradeView],
    responses=errors(401, 403, 404),
)
def class_grades(
    class_id: int,
    subject_code: str,
    account: AccountDep,
    store: StoreDep,
    semester: Annotated[int | None, Query(ge=1, le=2)] = None,
) -> list[GradeView]:
    """The entered grades of one subject in one class (one semester, or both)."""
    with store.read() as session:
        subject = _subject(session, class_id, subject_code)
        access.require_subject(session, account, subject)
        query = (
            select(GradeEntry, Student)
            .join(Student, Student.id == GradeEntry.student_id)
            .where(GradeEntry.subject_id == subject.id)
            .order_by(Student.sort_key, GradeEntry.semester, GradeEntry.kind, GradeEntry.slot)
        )
        if semester is not None:
            query = query.where(GradeEntry.semester == semester)
        return [_view(entry, student, subject) for entry, student in session.execute(query)]


@router.get(
    "/classes/{class_id}/subjects/{subject_code}/review",
    response_model=list[SubjectReviewView],
    responses=errors(401, 403, 404),
)
def subject_review(
    class_id: int, subject_code: str, account: AccountDep, store: StoreDep
) -> list[SubjectReviewView]:
    """Where the homeroom teacher's review of this subject's entries stands, per semester: a
    subject sent back says in its note what to correct."""
    with store.read() as session:
        subject = _subject(session, class_id, subject_code)
        access.require_subject(session, account, subject)
        terms = session.scalars(
            select(SubjectTerm)
            .where(SubjectTerm.subject_id == subject.id)
            .order_by(SubjectTerm.semester)
        )
        return [
            SubjectReviewView(
                semester=term.semester,
                review_state=ReviewState(term.review_state),
                review_note=term.review_note,
                reviewed_by=term.reviewed_by,
                reviewed_at=term.reviewed_at,
            )
            for term in terms
        ]


@router.put("/grades", response_model=GradeView, responses=errors(401, 403, 404, 409, 422))
def set_grade(
    body: GradeSet, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> GradeView:
    """Enter or change one grade. After publication, lock or the deadline a change is a change
    request and needs a reason; a grade changed meanwhile (``base_version``) is a 409."""
    with store.write() as session:
        subject = _subject(session, body.class_id, body.subject_code)
        access.require_subject(session, account, subject)
        scope = load_scope_by_id(session, body.class_id)
        now = settings.now()
        try:
            with pinned_now(now):
                grades.set_grade(
                    session,
                    scope,
                    student_ref=str(body.student_id),
                    subject_code=subject.code,
                    semester=body.semester,
                    kind=body.kind,
                    slot=body.slot,
                    value=body.value,
                    reason=body.reason,
                    base_version=body.base_version,
                    actor=account.display_name,
                    today=settings.school_today(),
                    now=now,
                )
        except InvalidInput as error:
            raise domain_problem(error) from None
        entry = grades.find_entry(
            session, body.student_id, subject.id, body.semester, body.kind, body.slot
        )
        assert entry is not None
        return _view(entry, session.get_one(Student, body.student_id), subject)
