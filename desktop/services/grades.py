"""Grade-book use cases: enter or change a grade, review a subject, check changes, reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import grade_review as review
from desktop.domain import grading
from desktop.domain.grading import Assessment, CommentResult, GradeKind, Level
from desktop.errors import InvalidInput, NotFound, StaleVersion
from desktop.i18n import _
from desktop.models import (
    ConductRating,
    GradeChange,
    GradeDeadline,
    GradeEntry,
    Student,
    Subject,
    SubjectTerm,
)
from desktop.models.base import utc_now
from desktop.services import audit_log
from desktop.services.attendance import find_student
from desktop.services.changes import Changes
from desktop.services.scope import ClassScope


def find_subject(session: Session, scope: ClassScope, code: str) -> Subject:
    subject = session.scalars(
        select(Subject).where(
            Subject.class_id == scope.class_id, Subject.code == code.strip().upper()
        )
    ).first()
    if subject is None:
        raise NotFound(_("There is no subject {code} in this class.").format(code=code))
    return subject


def subjects_of(session: Session, scope: ClassScope) -> list[Subject]:
    return list(
        session.scalars(
            select(Subject)
            .where(Subject.class_id == scope.class_id)
            .order_by(Subject.position, Subject.id)
        )
    )


def term_of(session: Session, subject_id: int, semester: int) -> SubjectTerm:
    term = session.get(SubjectTerm, (subject_id, semester))
    if term is None:
        term = SubjectTerm(subject_id=subject_id, semester=semester, review_state="pending")
        session.add(term)
    return term


def deadline_of(session: Session, scope: ClassScope, semester: int, kind: GradeKind) -> date | None:
    row = session.get(GradeDeadline, (scope.class_id, semester, kind.value))
    return row.due_on if row else None


def _require_semester(semester: int) -> None:
    if semester not in (1, 2):
        raise InvalidInput(_("The semester must be 1 or 2, not {value}.").format(value=semester))


def _value_text(entry: GradeEntry) -> str:
    if entry.score is not None:
        return grading.format_score(entry.score)
    return entry.comment or ""


def set_grade(
    session: Session,
    scope: ClassScope,
    *,
    student_ref: str,
    subject_code: str,
    semester: int,
    kind: str,
    slot: int,
    value: str,
    reason: str = "",
    base_version: int | None = None,
    actor: str,
    today: date,
    now: datetime | None = None,
) -> Changes:
    """Enter a grade, or change one: after publication, lock or deadline a change request.

    ``base_version`` is the version the user saw (0 for an empty cell); if the grade has since
    been changed to another value elsewhere, the change is refused as a conflict.
    """
    _require_semester(semester)
    student = find_student(session, scope, student_ref)
    subject = find_subject(session, scope, subject_code)
    try:
        grade_kind = GradeKind(kind.strip().upper())
    except ValueError:
        raise InvalidInput(
            _("'{kind}' is not a grade column (use TX, GK or CK).").format(kind=kind)
        ) from None
    assessment = Assessment(subject.assessment)
    if (grade_kind, slot) not in grading.expected_slots(subject.periods_per_year, assessment):
        raise InvalidInput(
            _("{subject} has no column {kind}{slot} in a semester.").format(
                subject=subject.name, kind=grade_kind.value, slot=slot
            )
        )
    score: Decimal | None = None
    comment: str | None = None
    if assessment is Assessment.SCORE:
        score = grading.parse_score(value)
        new_text = grading.format_score(score)
    else:
        comment = grading.parse_comment(value).value
        new_text = comment
    moment = now or utc_now()
    term = term_of(session, subject.id, semester)
    entry = find_entry(session, student.id, subject.id, semester, grade_kind.value, slot)
    where = f"{student.id}:{subject.code}:{semester}:{grade_kind.value}{slot}"
    _check_base_version(entry, base_version, new_text, subject.name)
    if entry is None:
        entry = GradeEntry(
            student_id=student.id,
            subject_id=subject.id,
            semester=semester,
            kind=grade_kind.value,
            slot=slot,
            score=score,
            comment=comment,
            author=actor,
            entered_at=moment,
            updated_at=moment,
        )
        session.add(entry)
        session.flush()
        audit_log.append(
            session,
            actor=actor,
            action="grade.enter",
            entity="grade_entry",
            entity_id=where,
            after={"value": new_text},
            at=moment,
        )
        summary = _("Grade entered.")
    else:
        old_text = _value_text(entry)
        if old_text == new_text:
            return Changes.of(_("The grade is unchanged."))
        deadline = deadline_of(session, scope, semester, grade_kind)
        change_kind = grading.classify_change(
            published=term.published_at is not None,
            locked=term.locked_at is not None,
            deadline_passed=deadline is not None and today > deadline,
        )
        checked_reason = grading.require_change_reason(change_kind, reason) or ""
        listed = review.needs_post_audit(
            moment, term.published_at, deadline, locked_at=term.locked_at
        )
        session.add(
            GradeChange(
                entry_id=entry.id,
                old_value=old_text,
                new_value=new_text,
                changed_by=actor,
                changed_at=moment,
                reason=checked_reason,
                kind=change_kind.value,
                review_state=review.ChangeReviewState.PENDING.value if listed else "not_listed",
            )
        )
        entry.score, entry.comment = score, comment
        entry.updated_at = moment
        entry.version += 1
        audit_log.append(
            session,
            actor=actor,
            action="grade.change",
            entity="grade_entry",
            entity_id=where,
            before={"value": old_text},
            after={"value": new_text, "kind": change_kind.value},
            at=moment,
        )
        summary = (
            _("Change request recorded with its reason.")
            if change_kind is grading.ChangeKind.CHANGE_REQUEST
            else _("Grade changed.")
        )
    term.review_state = review.after_new_entry(review.ReviewState(term.review_state)).value
    session.flush()
    return Changes.of(summary, grade_entry=[entry.id])


def find_entry(
    session: Session, student_id: int, subject_id: int, semester: int, kind: str, slot: int
) -> GradeEntry | None:
    return session.scalars(
        select(GradeEntry).where(
            GradeEntry.student_id == student_id,
            GradeEntry.subject_id == subject_id,
            GradeEntry.semester == semester,
            GradeEntry.kind == kind.strip().upper(),
            GradeEntry.slot == slot,
        )
    ).first()


def _check_base_version(
    entry: GradeEntry | None, base_version: int | None, new_text: str, subject_name: str
) -> None:
    if base_version is None:
        return
    current_version = entry.version if entry is not None else 0
    if current_version == base_version or (entry is not None and _value_text(entry) == new_text):
        return
    theirs = grading.format_value_display(_value_text(entry)) if entry is not None else "–"
    raise StaleVersion(
        _(
            "{subject}: the grade was changed to {value} by {author} meanwhile; yours was not "
            "applied."
        ).format(subject=subject_name, value=theirs, author=entry.author if entry else "?")
    )


def review_subject(
    session: Session,
    scope: ClassScope,
    *,
    subject_code: str,
    semester: int,
    send_back: bool = False,
    note: str = "",
    actor: str,
) -> Changes:
    """The homeroom teacher marks a subject's entries reviewed, or sends them back with a note."""
    _require_semester(semester)
    subject = find_subject(session, scope, subject_code)
    term = term_of(session, subject.id, semester)
    before = term.review_state
    action = review.ReviewAction.SEND_BACK if send_back else review.ReviewAction.MARK_REVIEWED
    new_state = review.review_transition(review.ReviewState(before), action, note)
    term.review_state = new_state.value
    term.review_note = note.strip()
    term.reviewed_by = actor
    term.reviewed_at = utc_now()
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="grade.review",
        entity="subject_term",
        entity_id=f"{subject.code}:{semester}",
        before={"state": before},
        after={"state": new_state.value},
    )
    summary = (
        _("{subject}, semester {semester}: sent back to the subject teacher.")
        if send_back
        else _("{subject}, semester {semester}: entries marked as reviewed.")
    ).format(subject=subject.name, semester=semester)
    return Changes.of(summary, subject_term=[f"{subject.id}:{semester}"])


def set_conduct(
    session: Session, scope: ClassScope, *, student_ref: str, term: int, level: str, actor: str
) -> Changes:
    """The homeroom teacher rates conduct for semester 1 or 2, or sets the year's (term 0)."""
    if term not in (0, 1, 2):
        raise InvalidInput(_("The term must be 1, 2 or year."))
    student = find_student(session, scope, student_ref)
    rating = grading.parse_level(level)
    row = session.get(ConductRating, (student.id, term))
    before = row.level if row else None
    if row is None:
        row = ConductRating(student_id=student.id, term=term)
        session.add(row)
    row.level = rating.value
    row.set_by = actor
    row.set_at = utc_now()
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="conduct.set",
        entity="conduct_rating",
        entity_id=f"{student.id}:{term}",
        before={"level": before},
        after={"level": rating.value},
    )
    return Changes.of(
        _("Conduct of {code} recorded: {level}.").format(code=student.code, level=rating.label),
        conduct_rating=[f"{student.id}:{term}"],
    )


@dataclass(frozen=True)
class ListedChange:
    id: int
    student_code: str
    student_name: str
    subject_code: str
    semester: int
    column: str
    old_value: str
    new_value: str
    changed_by: str
    changed_at: datetime
    reason: str
    kind: str
    review_state: str
    review_note: str


def listed_changes(
    session: Session, scope: ClassScope, *, open_only: bool = True
) -> list[ListedChange]:
    """Changes after publication or deadline, listed until the teacher checks them."""
    query = (
        select(GradeChange, GradeEntry, Student, Subject)
        .join(GradeEntry, GradeEntry.id == GradeChange.entry_id)
        .join(Student, Student.id == GradeEntry.student_id)
        .join(Subject, Subject.id == GradeEntry.subject_id)
        .where(Student.class_id == scope.class_id, GradeChange.review_state != "not_listed")
        .order_by(GradeChange.id)
    )
    if open_only:
        query = query.where(GradeChange.review_state != review.ChangeReviewState.CHECKED.value)
    return [
        ListedChange(
            id=change.id,
            student_code=student.code,
            student_name=student.full_name,
            subject_code=subject.code,
            semester=entry.semester,
            column=grading.column_label(GradeKind(entry.kind), entry.slot),
            old_value=change.old_value,
            new_value=change.new_value,
            changed_by=change.changed_by,
            changed_at=change.changed_at,
            reason=change.reason,
            kind=change.kind,
            review_state=change.review_state,
            review_note=change.review_note,
        )
        for change, entry, student, subject in session.execute(query)
    ]


def check_change(
    session: Session, scope: ClassScope, *, change_id: int, query_note: str | None, actor: str
) -> Changes:
    """Mark a listed change checked, or query it with a question (``query_note``)."""
    change = session.get(GradeChange, change_id)
    ids = {c.id for c in listed_changes(session, scope, open_only=False)}
    if change is None or change_id not in ids:
        raise NotFound(_("There is no listed grade change #{id}.").format(id=change_id))
    action = (
        review.ChangeReviewAction.QUERY
        if query_note is not None
        else review.ChangeReviewAction.CHECK
    )
    before = change.review_state
    state = review.change_review_transition(review.ChangeReviewState(before), action, query_note)
    change.review_state = state.value
    change.review_note = (query_note or "").strip()
    audit_log.append(
        session,
        actor=actor,
        action="grade.change_review",
        entity="grade_change",
        entity_id=change.id,
        before={"state": before},
        after={"state": state.value},
    )
    return Changes.of(
        _("Grade change #{id}: {state}.").format(id=change.id, state=state.label),
        grade_change=[change.id],
    )


def entries_by_student(
    session: Session, scope: ClassScope
) -> dict[int, dict[tuple[int, int, str, int], GradeEntry]]:
    """student → (subject_id, semester, kind, slot) → entry, in one query."""
    result: dict[int, dict[tuple[int, int, str, int], GradeEntry]] = defaultdict(dict)
    query = select(GradeEntry).join(Student).where(Student.class_id == scope.class_id)
    for entry in session.scalars(query):
        result[entry.student_id][(entry.subject_id, entry.semester, entry.kind, entry.slot)] = entry
    return result


def semester_result(
    subject: Subject,
    cells: dict[tuple[int, int, str, int], GradeEntry],
    semester: int,
    *,
    exact: bool = False,
) -> Decimal | CommentResult | object | None:
    """One subject's semester average (scored) or result (comment) for one student."""
    assessment = Assessment(subject.assessment)
    slots = grading.expected_slots(subject.periods_per_year, assessment)

    def cell(kind: GradeKind, slot: int) -> GradeEntry | None:
        return cells.get((subject.id, semester, kind.value, slot))

    if assessment is Assessment.COMMENT:
        results = [
            CommentResult(e.comment) if (e := cell(k, s)) and e.comment else None for k, s in slots
        ]
        return grading.comment_semester_result(results, len(slots))
    tx_count = grading.regular_count(subject.periods_per_year, assessment)
    tx = [e.score if (e := cell(GradeKind.TX, i)) else None for i in range(1, tx_count + 1)]
    gk_entry, ck_entry = cell(GradeKind.GK, 1), cell(GradeKind.CK, 1)
    gk = gk_entry.score if gk_entry else None
    ck = ck_entry.score if ck_entry else None
    if exact:
        return grading.semester_average_exact(tx, gk, ck, tx_count)
    return grading.semester_average(tx, gk, ck, tx_count)


def level_label(level: Level | None) -> str | None:
    return level.value if level is not None else None
