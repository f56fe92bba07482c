"""Grade-book use cases: enter or change a grade (one, or a batch in bulk), review a subject,
check changes, reports."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func, insert, select, update
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


class _Recorded(Protocol):
    """What a change is checked against: a stored entry, or one as a batch has left it."""

    @property
    def score(self) -> Decimal | None: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def version(self) -> int: ...
    @property
    def author(self) -> str: ...


def _value_text(entry: _Recorded) -> str:
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
    entry: _Recorded | None, base_version: int | None, new_text: str, subject_name: str
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


@dataclass(frozen=True)
class GradeOrder:
    """The arguments of one ``set_grade``, for ``set_grades``."""

    student_id: int
    subject_code: str
    semester: int
    kind: str
    slot: int
    value: str
    reason: str = ""
    base_version: int | None = None


@dataclass
class _Cell:
    """A grade entry as the batch has left it so far."""

    id: int
    score: Decimal | None
    comment: str | None
    author: str
    version: int
    updated_at: datetime | None = None
    """Set once the batch has changed a stored entry."""


def set_grades(
    session: Session,
    scope: ClassScope,
    orders: Sequence[GradeOrder],
    *,
    actor: str,
    today: date,
    now: datetime,
) -> Changes:
    """``set_grade`` of each order in turn, at ``now``, in bulk: the same checks and errors (the
    first order refused raises, before anything is written), the same rows (entries, their
    history, the audit chain, each subject's review back to pending), with one query to read
    the entries of the subjects and one statement per table to write them.

    Only for the client's batch of intents (``intents.batch``): new entries and changes take
    provisional ids, in the order ``perform`` one by one would give them."""
    students = set(session.scalars(select(Student.id).where(Student.class_id == scope.class_id)))
    subjects = {subject.code: subject for subject in subjects_of(session, scope)}
    deadlines = {
        (row.semester, row.kind): row.due_on
        for row in session.scalars(
            select(GradeDeadline).where(GradeDeadline.class_id == scope.class_id)
        )
    }
    cells = _stored_cells(session, [subjects[code] for code in _codes(orders) if code in subjects])
    new_entries: dict[int, dict[str, object]] = {}
    new_changes: list[dict[str, object]] = []
    records: list[audit_log.Record] = []
    entry_ids, change_ids = (
        _provisional_ids(session, GradeEntry),
        _provisional_ids(session, GradeChange),
    )
    changed: dict[int, _Cell] = {}
    terms: dict[tuple[int, int], SubjectTerm] = {}
    columns = _Columns()
    reviewed_again: dict[tuple[int, int], SubjectTerm] = {}
    touched: list[int] = []
    for order in orders:
        _require_semester(order.semester)
        if order.student_id not in students:
            raise NotFound(
                _("There is no student {ref} in this class.").format(ref=order.student_id)
            )
        subject = subjects.get(order.subject_code.strip().upper())
        if subject is None:
            raise NotFound(
                _("There is no subject {code} in this class.").format(code=order.subject_code)
            )
        grade_kind, score, comment, new_text = columns.checked(subject, order)
        term = terms.get((subject.id, order.semester))
        if term is None:
            term = terms[(subject.id, order.semester)] = term_of(
                session, subject.id, order.semester
            )
        key = (order.student_id, subject.id, order.semester, grade_kind.value, order.slot)
        cell = cells.get(key)
        where = f"{order.student_id}:{subject.code}:{order.semester}:{grade_kind.value}{order.slot}"
        _check_base_version(cell, order.base_version, new_text, subject.name)
        if cell is None:
            cell = cells[key] = _Cell(next(entry_ids), score, comment, actor, 1)
            new_entries[cell.id] = {
                "id": cell.id,
                "student_id": order.student_id,
                "subject_id": subject.id,
                "semester": order.semester,
                "kind": grade_kind.value,
                "slot": order.slot,
                "author": actor,
                "entered_at": now,
            }
            records.append(
                audit_log.Record(
                    actor, "grade.enter", "grade_entry", where, after={"value": new_text}, at=now
                )
            )
        else:
            old_text = _value_text(cell)
            if old_text == new_text:
                continue
            deadline = deadlines.get((order.semester, grade_kind.value))
            change_kind = grading.classify_change(
                published=term.published_at is not None,
                locked=term.locked_at is not None,
                deadline_passed=deadline is not None and today > deadline,
            )
            checked_reason = grading.require_change_reason(change_kind, order.reason) or ""
            listed = review.needs_post_audit(
                now, term.published_at, deadline, locked_at=term.locked_at
            )
            new_changes.append(
                {
                    "id": next(change_ids),
                    "entry_id": cell.id,
                    "old_value": old_text,
                    "new_value": new_text,
                    "changed_by": actor,
                    "changed_at": now,
                    "reason": checked_reason,
                    "kind": change_kind.value,
                    "review_state": (
                        review.ChangeReviewState.PENDING.value if listed else "not_listed"
                    ),
                }
            )
            cell.score, cell.comment, cell.version = score, comment, cell.version + 1
            if cell.id not in new_entries:
                cell.updated_at = now
                changed[cell.id] = cell
            records.append(
                audit_log.Record(
                    actor,
                    "grade.change",
                    "grade_entry",
                    where,
                    before={"value": old_text},
                    after={"value": new_text, "kind": change_kind.value},
                    at=now,
                )
            )
        reviewed_again[(subject.id, order.semester)] = term
        touched.append(cell.id)
    # Once per subject: the rule sends a review back to pending whatever it was, so applying
    # it after each grade gives the same.
    for term in reviewed_again.values():
        term.review_state = review.after_new_entry(review.ReviewState(term.review_state)).value
    _write(session, new_entries, cells, changed, new_changes, now)
    audit_log.append_many(session, records)
    return Changes.of(
        _("{count} grade(s) entered or changed.").format(count=len(touched)),
        grade_entry=touched,
    )


def _codes(orders: Sequence[GradeOrder]) -> list[str]:
    return list(dict.fromkeys(order.subject_code.strip().upper() for order in orders))


_KINDS = {kind.value: kind for kind in GradeKind}


class _Columns:
    """``set_grade``'s checks of the column and the value, with each subject's columns worked
    out once for the batch."""

    def __init__(self) -> None:
        self._subjects: dict[int, tuple[Assessment, frozenset[tuple[GradeKind, int]]]] = {}

    def checked(
        self, subject: Subject, order: GradeOrder
    ) -> tuple[GradeKind, Decimal | None, str | None, str]:
        """The column's kind, the score or the comment, and the value's stored text."""
        grade_kind = _KINDS.get(order.kind.strip().upper())
        if grade_kind is None:
            raise InvalidInput(
                _("'{kind}' is not a grade column (use TX, GK or CK).").format(kind=order.kind)
            )
        known = self._subjects.get(subject.id)
        if known is None:
            assessment = Assessment(subject.assessment)
            slots = frozenset(grading.expected_slots(subject.periods_per_year, assessment))
            known = self._subjects[subject.id] = (assessment, slots)
        assessment, slots = known
        if (grade_kind, order.slot) not in slots:
            raise InvalidInput(
                _("{subject} has no column {kind}{slot} in a semester.").format(
                    subject=subject.name, kind=grade_kind.value, slot=order.slot
                )
            )
        if assessment is Assessment.SCORE:
            score = grading.parse_score(order.value)
            return grade_kind, score, None, grading.format_score(score)
        comment = grading.parse_comment(order.value).value
        return grade_kind, None, comment, comment


def _stored_cells(
    session: Session, subjects: Sequence[Subject]
) -> dict[tuple[int, int, int, str, int], _Cell]:
    """The stored entries of ``subjects``, by (student, subject, semester, kind, slot)."""
    if not subjects:
        return {}
    rows = session.execute(
        select(
            GradeEntry.student_id,
            GradeEntry.subject_id,
            GradeEntry.semester,
            GradeEntry.kind,
            GradeEntry.slot,
            GradeEntry.id,
            GradeEntry.score,
            GradeEntry.comment,
            GradeEntry.author,
            GradeEntry.version,
        ).where(GradeEntry.subject_id.in_([subject.id for subject in subjects]))
    )
    return {
        (student, subject, semester, kind, slot): _Cell(id_, score, comment, author, version)
        for student, subject, semester, kind, slot, id_, score, comment, author, version in rows
    }


def _provisional_ids(session: Session, model: type[GradeEntry | GradeChange]) -> Iterator[int]:
    """The ids ``provisional`` gives new rows one flush after another (bulk statements do not
    pass through the flush): below the lowest, and below zero."""
    lowest = session.scalar(select(func.min(model.id))) or 0
    return itertools.count(min(lowest, 0) - 1, -1)


def _write(
    session: Session,
    new_entries: dict[int, dict[str, object]],
    cells: dict[tuple[int, int, int, str, int], _Cell],
    changed: dict[int, _Cell],
    new_changes: list[dict[str, object]],
    now: datetime,
) -> None:
    final = {cell.id: cell for cell in cells.values()}
    connection = session.connection()
    if new_entries:
        connection.execute(
            insert(GradeEntry),
            [
                row
                | {
                    "score": final[entry_id].score,
                    "comment": final[entry_id].comment,
                    "version": final[entry_id].version,
                    "updated_at": now,
                }
                for entry_id, row in new_entries.items()
            ],
        )
    if changed:
        session.execute(
            update(GradeEntry),
            [
                {
                    "id": cell.id,
                    "score": cell.score,
                    "comment": cell.comment,
                    "version": cell.version,
                    "updated_at": cell.updated_at,
                }
                for cell in changed.values()
            ],
        )
    if new_changes:
        connection.execute(insert(GradeChange), new_changes)
    # The statements bypassed the identity map: entries loaded before (a grade book read) would
    # show their old values and history.
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, GradeEntry) and loaded.id in changed:
            session.expire(loaded)


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
