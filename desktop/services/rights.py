"""Who may do what: the one rule the client applies before queueing an intent and the server
applies before running it, with the same sentence on both sides.

The client asks on behalf of the class's homeroom teacher (the profile's owner); the server on
behalf of the signed-in account's teacher. The homeroom teacher may act on every record of their
class, except grades: those only the subject's teacher enters (or anyone, when the school has
assigned no teacher to the subject); and the class list and guardians only the homeroom teacher
corrects, never a teacher standing in. Who is in the class and a guardian's e-contact-book
registration stay the school office's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import NotPermitted
from desktop.i18n import _
from desktop.models import Student, Subject, Teacher
from desktop.services.scope import ClassScope


def require_student_of_class(session: Session, class_id: int, student_id: int) -> None:
    student = session.get(Student, student_id)
    if student is None or student.class_id != class_id:
        raise NotPermitted(_("There is no student #{id} in this class.").format(id=student_id))


def grade_refusal(subject: Subject, teacher_id: int | None, its_teacher: str | None) -> str | None:
    """Why ``teacher_id`` may not enter ``subject``'s grades, naming ``its_teacher`` (the
    subject's teacher's full name, when known), or ``None``."""
    if subject.teacher_id is None or subject.teacher_id == teacher_id:
        return None
    if its_teacher is None:
        return _("{subject} is taught by another teacher; only they can enter its grades.").format(
            subject=subject.name
        )
    return _("{subject} is taught by {teacher}; only they can enter its grades.").format(
        subject=subject.name, teacher=its_teacher
    )


def require_grade_entry(
    session: Session, class_id: int, subject_code: str, teacher_id: int | None
) -> None:
    subject = session.scalars(
        select(Subject).where(
            Subject.class_id == class_id, Subject.code == subject_code.strip().upper()
        )
    ).first()
    if subject is None:
        return
    teacher = session.get(Teacher, subject.teacher_id) if subject.teacher_id else None
    refusal = grade_refusal(subject, teacher_id, teacher.full_name if teacher else None)
    if refusal is not None:
        raise NotPermitted(refusal)


def require_roster_keeper(scope: ClassScope, teacher_id: int | None) -> None:
    """The class list and the guardians are personal data of minors: only the class's own
    homeroom teacher corrects them. A teacher standing in decides leave requests meanwhile;
    the records wait for the homeroom teacher's return."""
    if teacher_id != scope.teacher_id:
        raise NotPermitted(
            _(
                "Only the class's homeroom teacher corrects its class list and guardians; a "
                "teacher standing in cannot."
            )
        )


def admission_refusal() -> str:
    """A student joins or leaves a class (a transfer) only through the school office, which
    keeps the student records; the class list then reaches Homeroom at the next sync."""
    return _(
        "Only the school office adds a student to the class or removes one (a transfer); "
        "ask it, then sync."
    )


def registration_refusal() -> str:
    """The e-contact-book registration is the parent's own voluntary act with explicit consent
    (silence is not consent), recorded by the school: a teacher's file cannot make it."""
    return _(
        "The e-contact-book registration and consent are recorded by the school when the "
        "parent registers; they cannot be changed here."
    )
