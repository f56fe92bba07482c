"""The grade book's intents: a grade, a subject's review, the check of a late change, conduct."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import school_time
from desktop.domain.grading import GradeKind, column_label
from desktop.errors import InvalidInput, StaleVersion
from desktop.i18n import N_, _
from desktop.models import (
    Base,
    ConductRating,
    GradeChange,
    GradeEntry,
    Student,
    Subject,
    SubjectTerm,
)
from desktop.services import grades, rights
from desktop.services.changes import Changes
from desktop.services.conflict_reading import (
    Facts,
    Told,
    grade_value,
    moment_of,
    refused,
    subject_name,
)
from desktop.services.intents.declaration import (
    Intent,
    IntentArgs,
    creates_nothing,
    never_converged,
    plain_conflict,
)
from desktop.services.scope import ClassScope

TEXT = Field(default="", max_length=500)


SUBJECT_CODE = Field(min_length=1, max_length=20)


class SetGrade(IntentArgs):
    NAME = "set_grade"
    student_id: int = Field(gt=0)
    subject_code: str = SUBJECT_CODE
    semester: Literal[1, 2]
    kind: Literal["TX", "GK", "CK"]
    slot: int = Field(ge=1, le=4)
    value: str = Field(min_length=1, max_length=8)
    reason: str = TEXT
    base_version: int = Field(ge=0)
    """0 when the cell was empty here; a different server version is a conflict."""


class ReviewSubject(IntentArgs):
    NAME = "review_subject"
    subject_code: str = SUBJECT_CODE
    semester: Literal[1, 2]
    send_back: bool = False
    note: str = TEXT


class CheckGradeChange(IntentArgs):
    NAME = "check_grade_change"
    change_id: int = Field(gt=0)
    query_note: str | None = Field(default=None, max_length=500)


class SetConduct(IntentArgs):
    NAME = "set_conduct"
    student_id: int = Field(gt=0)
    term: Literal[0, 1, 2]
    level: Literal["Tốt", "Khá", "Đạt", "Chưa đạt"]


def _in_class(session: Session, student_id: int, class_id: int) -> bool:
    student = session.get(Student, student_id)
    return student is not None and student.class_id == class_id


def _subject(session: Session, class_id: int, code: str) -> Subject | None:
    return session.scalars(
        select(Subject).where(Subject.class_id == class_id, Subject.code == code.strip().upper())
    ).first()


def homeroom_teacher_may(
    session: Session, scope: ClassScope, args: IntentArgs, teacher_id: int | None
) -> None:
    """The homeroom teacher reviews every subject and rates every student's conduct (the use
    cases refuse students and changes of other classes as ones that do not exist)."""


def _term_created(
    session: Session, class_id: int, args: SetGrade | ReviewSubject
) -> tuple[str, str] | None:
    """The subject's term, which the client created optimistically with its first grade or
    review; the server's would have the same key."""
    subject = _subject(session, class_id, args.subject_code)
    if subject is None or session.get(SubjectTerm, (subject.id, args.semester)) is not None:
        return None
    return "subject_term", f"{subject.id}:{args.semester}"


# ------------------------------------------------------------------------------ a grade


def _set_grade(s: Session, scope: ClassScope, a: SetGrade, actor: str, now: datetime) -> Changes:
    return grades.set_grade(
        s,
        scope,
        student_ref=str(a.student_id),
        subject_code=a.subject_code,
        semester=a.semester,
        kind=a.kind,
        slot=a.slot,
        value=a.value,
        reason=a.reason,
        base_version=a.base_version,
        actor=actor,
        today=school_time(now).date(),
        now=now,
    )


def _grade_permitted(
    session: Session, scope: ClassScope, args: SetGrade, teacher_id: int | None
) -> None:
    rights.require_grade_entry(session, scope.class_id, args.subject_code, teacher_id)


def _grade_rows(session: Session, class_id: int, args: SetGrade) -> list[Base]:
    subject = _subject(session, class_id, args.subject_code)
    if subject is None:
        return []
    rows: list[Base] = []
    if _in_class(session, args.student_id, class_id):
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
    term = session.get(SubjectTerm, (subject.id, args.semester))
    return rows + ([term] if term is not None else [])


def _grade_conflict(
    session: Session, class_id: int, args: SetGrade, error: InvalidInput
) -> tuple[str, str] | None:
    return ("grade_conflict", error.message) if isinstance(error, StaleVersion) else None


def _grade_told(facts: Facts) -> Told:
    args = facts.args
    about = _("{subject}, column {column}, semester {semester}").format(
        subject=subject_name(facts, str(args["subject_code"])),
        column=column_label(GradeKind(args["kind"]), int(args["slot"])),
        semester=args["semester"],
    )
    mine = _("You entered {value}.").format(value=grade_value(args["value"]))
    theirs = refused(facts)
    entry = facts.server_row(
        "subject_id",
        student_id=int(args["student_id"]),
        semester=args["semester"],
        kind=args["kind"],
        slot=args["slot"],
    )
    if facts.code == "grade_conflict" and entry is not None:
        value = entry.get("score") if entry.get("score") is not None else entry.get("comment")
        at = moment_of(entry.get("updated_at"))
        author = str(entry.get("author") or "") or _("someone else")
        theirs = (
            _("{who} had entered {value} at {time}; the server kept it.")
            if at
            else _("{who} had entered {value}; the server kept it.")
        ).format(who=author, value=grade_value(value), time=at)
    elif facts.code == "grade_conflict":
        theirs = _("The grade changed on the server before your change arrived.")
    elif facts.code == "not_owner" and entry is not None:
        value = entry.get("score") if entry.get("score") is not None else entry.get("comment")
        theirs = _(
            "Only the subject's teacher can enter its grades; the server kept {value}."
        ).format(value=grade_value(value))
    elif facts.code == "not_owner":
        theirs = _("Only the subject's teacher can enter its grades; the cell stays empty.")
    return Told(student_id=int(args["student_id"]), about=about, mine=mine, theirs=theirs)


# ------------------------------------------------------------------------------ a subject's review


def _review(s: Session, scope: ClassScope, a: ReviewSubject, actor: str, now: datetime) -> Changes:
    return grades.review_subject(
        s,
        scope,
        subject_code=a.subject_code,
        semester=a.semester,
        send_back=a.send_back,
        note=a.note,
        actor=actor,
    )


def _term_rows(session: Session, class_id: int, args: ReviewSubject) -> list[Base]:
    subject = _subject(session, class_id, args.subject_code)
    term = None if subject is None else session.get(SubjectTerm, (subject.id, args.semester))
    return [] if term is None else [term]


def _review_told(facts: Facts) -> Told:
    about = _("{subject}, semester {semester}").format(
        subject=subject_name(facts, str(facts.args["subject_code"])),
        semester=facts.args["semester"],
    )
    mine = (
        _("You sent the subject's grades back to its teacher.")
        if facts.args.get("send_back")
        else _("You approved the subject's grades.")
    )
    return Told(student_id=None, about=about, mine=mine, theirs=refused(facts))


# ------------------------------------------------------------------------------ a change's check


def _check(
    s: Session, scope: ClassScope, a: CheckGradeChange, actor: str, now: datetime
) -> Changes:
    return grades.check_change(
        s, scope, change_id=a.change_id, query_note=a.query_note, actor=actor
    )


def _change_rows(session: Session, class_id: int, args: CheckGradeChange) -> list[Base]:
    change = session.get(GradeChange, args.change_id)
    if change is None:
        return []
    entry = session.get_one(GradeEntry, change.entry_id)
    return [entry, change] if _in_class(session, entry.student_id, class_id) else []


def _check_told(facts: Facts) -> Told:
    return Told(
        student_id=None,
        about=_("Grade change #{id}").format(id=facts.args["change_id"]),
        mine=_("You checked a change of grade."),
        theirs=refused(facts),
    )


# ------------------------------------------------------------------------------ conduct


def _conduct(s: Session, scope: ClassScope, a: SetConduct, actor: str, now: datetime) -> Changes:
    return grades.set_conduct(
        s, scope, student_ref=str(a.student_id), term=a.term, level=a.level, actor=actor
    )


def _rating_rows(session: Session, class_id: int, args: SetConduct) -> list[Base]:
    if not _in_class(session, args.student_id, class_id):
        return []
    rating = session.get(ConductRating, (args.student_id, args.term))
    return [] if rating is None else [rating]


def _rating_created(session: Session, class_id: int, args: SetConduct) -> tuple[str, str] | None:
    if not _in_class(session, args.student_id, class_id):
        return None
    if session.get(ConductRating, (args.student_id, args.term)) is not None:
        return None
    return "conduct_rating", f"{args.student_id}:{args.term}"


def _conduct_told(facts: Facts) -> Told:
    term = int(facts.args["term"])
    about = (
        _("Conduct, whole year")
        if term == 0
        else _("Conduct, semester {semester}").format(semester=term)
    )
    return Told(
        student_id=int(facts.args["student_id"]),
        about=about,
        mine=_("You rated conduct “{level}”.").format(level=facts.args["level"]),
        theirs=refused(facts),
    )


DECLARED: tuple[Intent[Any], ...] = (
    Intent(
        SetGrade,
        N_("Grade entry"),
        apply=_set_grade,
        permitted=_grade_permitted,
        touched=_grade_rows,
        created=_term_created,
        conflict=_grade_conflict,
        converged=never_converged,
        reading=_grade_told,
    ),
    Intent(
        ReviewSubject,
        N_("Review of a subject's grades"),
        apply=_review,
        permitted=homeroom_teacher_may,
        touched=_term_rows,
        created=_term_created,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_review_told,
    ),
    Intent(
        CheckGradeChange,
        N_("Check of a grade change"),
        apply=_check,
        permitted=homeroom_teacher_may,
        touched=_change_rows,
        created=creates_nothing,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_check_told,
    ),
    Intent(
        SetConduct,
        N_("Conduct rating"),
        apply=_conduct,
        permitted=homeroom_teacher_may,
        touched=_rating_rows,
        created=_rating_created,
        conflict=plain_conflict,
        converged=never_converged,
        reading=_conduct_told,
    ),
)
