"""The class list's intents: a student's record corrected, a guardian added or corrected.

Both are the homeroom teacher's alone (not a teacher standing in: ``rights``). Adding or
removing a student and a guardian's e-contact-book registration stay the school office's and
have no intent. A new guardian's row gets its id from the server (provisional here until the
sync), so a refusal has nothing keyed by what it describes to delete.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from desktop.domain.calendar import format_date
from desktop.i18n import N_, _
from desktop.models import Base, Guardian, Student
from desktop.services import rights, roster
from desktop.services.changes import Changes
from desktop.services.conflict_reading import Facts, Told, refused
from desktop.services.intents.declaration import (
    Intent,
    IntentArgs,
    creates_nothing,
    plain_conflict,
)
from desktop.services.scope import ClassScope

NAME = Field(min_length=1, max_length=100)


class UpdateStudent(IntentArgs):
    NAME = "update_student"
    student_id: int = Field(gt=0)
    full_name: str | None = Field(default=None, min_length=1, max_length=100)
    date_of_birth: date | None = None
    gender: Literal["male", "female"] | None = None
    """``None``: as it is."""


class SetGuardian(IntentArgs):
    NAME = "set_guardian"
    student_id: int = Field(gt=0)
    guardian_id: int | None = Field(default=None, gt=0)
    """``None`` adds a guardian; a provisional (negative) id never leaves this computer."""
    full_name: str = NAME
    relation: str = Field(min_length=1, max_length=20)
    phone: str = Field(min_length=1, max_length=20)


def _keeper_only(session: Session, scope: ClassScope, args: Any, teacher_id: int | None) -> None:
    rights.require_student_of_class(session, scope.class_id, args.student_id)
    rights.require_roster_keeper(scope, teacher_id)


def _student(session: Session, class_id: int, student_id: int) -> Student | None:
    student = session.get(Student, student_id)
    return student if student is not None and student.class_id == class_id else None


def _theirs(facts: Facts) -> str:
    # The right's own sentence says why (the homeroom teacher's alone) better than the
    # generic "another teacher's".
    if facts.code == "not_owner" and facts.conflict.message:
        return facts.conflict.message
    return refused(facts)


# ------------------------------------------------------------------------------ a student


def _update(s: Session, scope: ClassScope, a: UpdateStudent, actor: str, now: datetime) -> Changes:
    return roster.update_student(
        s,
        scope,
        student_id=a.student_id,
        full_name=a.full_name,
        date_of_birth=a.date_of_birth,
        gender=a.gender,
        actor=actor,
    )


def _student_rows(session: Session, class_id: int, args: UpdateStudent) -> list[Base]:
    student = _student(session, class_id, args.student_id)
    return [] if student is None else [student]


def _same_student(session: Session, args: UpdateStudent) -> bool:
    student = session.get(Student, args.student_id)
    return student is not None and roster.same_student(
        student, args.full_name, args.date_of_birth, args.gender
    )


def _student_told(facts: Facts) -> Told:
    args = facts.args
    parts = []
    if args.get("full_name"):
        parts.append(_("the name “{name}”").format(name=args["full_name"]))
    if args.get("date_of_birth"):
        born = date.fromisoformat(str(args["date_of_birth"]))
        parts.append(_("the date of birth {day}").format(day=format_date(born)))
    if args.get("gender"):
        parts.append(_("the gender"))
    mine = _("You corrected {what}.").format(what=", ".join(parts) or _("the record"))
    return Told(
        student_id=int(args["student_id"]),
        about=_("The student's record"),
        mine=mine,
        theirs=_theirs(facts),
    )


# ------------------------------------------------------------------------------ a guardian


def _set(s: Session, scope: ClassScope, a: SetGuardian, actor: str, now: datetime) -> Changes:
    return roster.set_guardian(
        s,
        scope,
        student_id=a.student_id,
        guardian_id=a.guardian_id,
        full_name=a.full_name,
        relation=a.relation,
        phone=a.phone,
        actor=actor,
    )


def _guardian_rows(session: Session, class_id: int, args: SetGuardian) -> list[Base]:
    """The guardian corrected; for one added, the student's guardians as they are."""
    student = _student(session, class_id, args.student_id)
    if student is None:
        return []
    if args.guardian_id is None:
        return list(student.guardians)
    guardian = session.get(Guardian, args.guardian_id)
    return [guardian] if guardian is not None and guardian.student_id == student.id else []


def _same_guardian(session: Session, args: SetGuardian) -> bool:
    student = session.get(Student, args.student_id)
    return student is not None and roster.holds_guardian(
        student, args.guardian_id, args.full_name, args.phone
    )


def _guardian_told(facts: Facts) -> Told:
    args = facts.args
    mine = (
        _("You added the guardian {name} ({phone}).")
        if args.get("guardian_id") is None
        else _("You corrected the guardian: {name} ({phone}).")
    ).format(name=args["full_name"], phone=args["phone"])
    return Told(
        student_id=int(args["student_id"]),
        about=_("A guardian"),
        mine=mine,
        theirs=_theirs(facts),
    )


DECLARED: tuple[Intent[Any], ...] = (
    Intent(
        UpdateStudent,
        N_("Correction of a student's record"),
        apply=_update,
        permitted=_keeper_only,
        touched=_student_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=_same_student,
        reading=_student_told,
    ),
    Intent(
        SetGuardian,
        N_("A guardian added or corrected"),
        apply=_set,
        permitted=_keeper_only,
        touched=_guardian_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=_same_guardian,
        reading=_guardian_told,
    ),
)
