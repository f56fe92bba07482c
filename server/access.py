"""Who may reach what: a teacher only their classes, a subject teacher only their subjects, a
parent only their own child, the principal only their school."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.i18n import _
from desktop.models import Guardian, SchoolClass, SchoolYear, Student, Subject, Teacher
from server.problems import forbidden
from server.tables import Account, SubstituteGrant


def homeroom_classes(session: Session, account: Account, today: date) -> list[int]:
    """Classes the account is the homeroom teacher of, or stands in for today."""
    found: set[int] = set()
    if account.teacher_id is not None:
        found.update(
            session.scalars(
                select(SchoolClass.id).where(SchoolClass.homeroom_teacher_id == account.teacher_id)
            )
        )
    found.update(
        session.scalars(
            select(SubstituteGrant.class_id).where(
                SubstituteGrant.account_id == account.id, SubstituteGrant.until >= today
            )
        )
    )
    return sorted(found)


def subject_classes(session: Session, account: Account) -> list[int]:
    if account.teacher_id is None:
        return []
    return sorted(
        set(
            session.scalars(
                select(Subject.class_id).where(Subject.teacher_id == account.teacher_id)
            )
        )
    )


def school_of(session: Session, account: Account) -> int | None:
    if account.teacher_id is None:
        return None
    teacher = session.get(Teacher, account.teacher_id)
    return teacher.school_id if teacher else None


def school_classes(session: Session, school_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SchoolClass.id)
            .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
            .where(SchoolYear.school_id == school_id)
            .order_by(SchoolClass.id)
        )
    )


def child_of(session: Session, account: Account) -> tuple[Guardian, Student] | None:
    if account.role != "parent" or account.guardian_id is None:
        return None
    guardian = session.get(Guardian, account.guardian_id)
    if guardian is None:
        return None
    return guardian, session.get_one(Student, guardian.student_id)


def class_ids_of(session: Session, account: Account, today: date) -> list[int]:
    """The classes an account works with, as the sign-in answer lists them."""
    if account.role == "homeroom":
        return homeroom_classes(session, account, today)
    if account.role == "subject":
        return sorted(
            set(subject_classes(session, account)) | set(homeroom_classes(session, account, today))
        )
    if account.role == "principal":
        school = school_of(session, account)
        return [] if school is None else school_classes(session, school)
    child = child_of(session, account)
    return [] if child is None else [child[1].class_id]


def require_principal(session: Session, account: Account, class_id: int | None = None) -> int:
    """The principal's school id; with ``class_id``, that class must be of the school."""
    school = school_of(session, account) if account.role == "principal" else None
    if school is None:
        raise forbidden(_("Only the principal can do this."), code="not_principal")
    if class_id is not None and class_id not in school_classes(session, school):
        raise forbidden(_("This class is not of your school."), code="not_your_school")
    return school


def require_subject(session: Session, account: Account, subject: Subject) -> None:
    """A grade of a subject only by the teacher who teaches it."""
    if account.teacher_id is None or subject.teacher_id != account.teacher_id:
        raise forbidden(
            _("You do not teach {subject} in this class.").format(subject=subject.name),
            code="not_your_subject",
        )
