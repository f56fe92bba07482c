"""The homeroom teacher's review board: each subject's entries per semester, and the grade
changes awaiting the post-audit.

Per subject and semester: entered of expected, which students miss which columns, how many
came late, who teaches it, and where the review stands (``desktop.domain.grade_review``). Then
every change made after publication, lock or deadline, until the teacher checks it.

A change made on this computer and not yet synced has a provisional (negative) id that the sync
replaces with the server's: it is listed as *waiting for sync* and cannot be checked yet, since
a check naming the provisional id could never reach the server's row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.grade_review import ChangeReviewState, ReviewState
from desktop.errors import IllegalTransition, NotFound
from desktop.i18n import _
from desktop.models import GradeChange, GradeEntry, SubjectTerm, Teacher
from desktop.services import grades
from desktop.services.grade_report import completeness_report
from desktop.services.scope import ClassScope
from desktop.services.students import class_list

MISSING_NAMED = 5
"""How many students a warning about missing entries names before "and N more"."""


@dataclass(frozen=True)
class MissingStudent:
    """One student's empty columns in one subject and semester."""

    student_id: int
    student_code: str
    student_name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SubjectReview:
    subject_id: int
    subject_code: str
    subject_name: str
    semester: int
    teacher_name: str
    """The subject teacher; empty when the school assigned nobody."""
    expected: int
    entered: int
    missing: int
    overdue: int
    """Missing cells whose deadline has passed."""
    late: int
    missing_students: tuple[MissingStudent, ...]
    """Class-list order."""
    review_state: str
    review_note: str
    reviewed_by: str
    reviewed_at: datetime | None
    published: bool
    locked: bool

    @property
    def key(self) -> str:
        """The ``subject_term`` key a ``Changes`` names: "subject id:semester"."""
        return f"{self.subject_id}:{self.semester}"

    @property
    def state_label(self) -> str:
        return ReviewState(self.review_state).label


def board(
    session: Session,
    scope: ClassScope,
    *,
    today: date,
    keys: Iterable[str] | None = None,
) -> list[SubjectReview]:
    """Every subject of the class in each semester (``keys``: only these "subject id:semester"
    pairs), by semester then the school's subject order."""
    subjects = grades.subjects_of(session, scope)
    students = class_list(session, scope)
    report = completeness_report(
        session, scope, today=today, subjects=subjects, student_ids=[s.id for s in students]
    )
    wanted = set(keys) if keys is not None else None
    assigned = [s.teacher_id for s in subjects if s.teacher_id is not None]
    teachers = {
        teacher_id: name
        for teacher_id, name in session.execute(
            select(Teacher.id, Teacher.full_name).where(Teacher.id.in_(assigned))
        )
    }
    terms = {
        (term.subject_id, term.semester): term
        for term in session.scalars(
            select(SubjectTerm).where(SubjectTerm.subject_id.in_([s.id for s in subjects]))
        )
    }
    counts = {(c.subject_code, c.semester): c for c in report.counts}
    empty: dict[tuple[str, int], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in report.missing:
        cell = item.entry
        empty[(cell.subject_code, cell.semester)][cell.student_id].append(
            grading.column_label(cell.kind, cell.slot)
        )
    rows: list[SubjectReview] = []
    for semester in (1, 2):
        for subject in subjects:
            if wanted is not None and f"{subject.id}:{semester}" not in wanted:
                continue
            count = counts.get((subject.code, semester))
            term = terms.get((subject.id, semester))
            by_student = empty.get((subject.code, semester), {})
            rows.append(
                SubjectReview(
                    subject_id=subject.id,
                    subject_code=subject.code,
                    subject_name=subject.name,
                    semester=semester,
                    teacher_name=teachers.get(subject.teacher_id or 0, ""),
                    expected=count.expected if count else 0,
                    entered=count.entered if count else 0,
                    missing=count.missing if count else 0,
                    overdue=count.overdue if count else 0,
                    late=count.late if count else 0,
                    missing_students=tuple(
                        MissingStudent(s.id, s.code, s.full_name, tuple(by_student[s.id]))
                        for s in students
                        if s.id in by_student
                    ),
                    review_state=term.review_state if term else ReviewState.PENDING.value,
                    review_note=term.review_note if term else "",
                    reviewed_by=term.reviewed_by if term else "",
                    reviewed_at=term.reviewed_at if term else None,
                    published=term is not None and term.published_at is not None,
                    locked=term is not None and term.locked_at is not None,
                )
            )
    return rows


def subject_review(
    session: Session, scope: ClassScope, *, subject_code: str, semester: int, today: date
) -> SubjectReview:
    """One subject's row of the board (``NotFound`` for a subject the class does not have)."""
    subject = grades.find_subject(session, scope, subject_code)
    (row,) = board(session, scope, today=today, keys=[f"{subject.id}:{semester}"])
    return row


def keys_of_entries(session: Session, entry_ids: Iterable[str]) -> set[str] | None:
    """The board rows grade entries belong to; ``None`` when one of them is gone (a sync
    replaced the provisional rows) and the whole board must be read again."""
    ids = {int(i) for i in entry_ids}
    found = session.execute(
        select(GradeEntry.id, GradeEntry.subject_id, GradeEntry.semester).where(
            GradeEntry.id.in_(ids)
        )
    ).all()
    if len(found) < len(ids):
        return None
    return {f"{subject_id}:{semester}" for _id, subject_id, semester in found}


def missing_text(row: SubjectReview, *, named: int = MISSING_NAMED) -> str:
    """The missing entries in one sentence: how many, of how many students, the first few
    names with their columns."""
    if not row.missing:
        return ""
    shown = "; ".join(
        _("{name} ({columns})").format(
            name=student.student_name, columns=", ".join(student.columns)
        )
        for student in row.missing_students[:named]
    )
    more = len(row.missing_students) - named
    text = _(
        "{subject}, semester {semester}: {missing} of {expected} entries are missing, for "
        "{students} students: {names}"
    ).format(
        subject=row.subject_name,
        semester=row.semester,
        missing=row.missing,
        expected=row.expected,
        students=len(row.missing_students),
        names=shown,
    )
    if more > 0:
        text += _("; and {count} more students").format(count=more)
    return text + "."


# --------------------------------------------------------------------------------------------
# Grade changes awaiting the post-audit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeToCheck:
    """One listed change; the values and the column in their data form ("6.5", "GK1": the
    command line's JSON), ``shown_*`` as the teacher reads them."""

    id: int
    waiting_for_sync: bool
    """Made on this computer, not synced yet: its id is provisional, it cannot be checked."""
    student_code: str
    student_name: str
    subject_code: str
    subject_name: str
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

    @property
    def state_label(self) -> str:
        if self.waiting_for_sync:
            return _("Waiting for sync")
        return ChangeReviewState(self.review_state).label

    @property
    def checkable(self) -> bool:
        return not self.waiting_for_sync and self.review_state != ChangeReviewState.CHECKED.value

    @property
    def shown_old(self) -> str:
        return grading.format_value_display(self.old_value)

    @property
    def shown_new(self) -> str:
        return grading.format_value_display(self.new_value)


def changes_to_check(
    session: Session,
    scope: ClassScope,
    *,
    open_only: bool = True,
    ids: Iterable[int] | None = None,
) -> list[ChangeToCheck]:
    """The listed changes (``open_only``: not checked yet; ``ids``: only these), oldest
    first, the unsynced ones last."""
    wanted = set(ids) if ids is not None else None
    names = {s.code: s.name for s in grades.subjects_of(session, scope)}
    rows = [
        ChangeToCheck(
            id=change.id,
            waiting_for_sync=change.id < 0,
            student_code=change.student_code,
            student_name=change.student_name,
            subject_code=change.subject_code,
            subject_name=names.get(change.subject_code, change.subject_code),
            semester=change.semester,
            column=change.column,
            old_value=change.old_value,
            new_value=change.new_value,
            changed_by=change.changed_by,
            changed_at=change.changed_at,
            reason=change.reason,
            kind=change.kind,
            review_state=change.review_state,
            review_note=change.review_note,
        )
        for change in grades.listed_changes(session, scope, open_only=open_only)
        if wanted is None or change.id in wanted
    ]
    return sorted(rows, key=lambda row: (row.waiting_for_sync, abs(row.id)))


def require_checkable(session: Session, scope: ClassScope, *, change_id: int) -> None:
    """Refuse, with a sentence the teacher understands, a check the server could not apply:
    a change not synced yet, or no listed change with that id."""
    if change_id < 0 and session.get(GradeChange, change_id) is not None:
        raise IllegalTransition(
            _(
                "Grade change {id} was made on this computer and has not reached the school's "
                "server yet. Sync first: it then gets its number in the list and can be checked."
            ).format(id=change_id)
        )
    listed = {row.id for row in changes_to_check(session, scope, open_only=False)}
    if change_id not in listed:
        raise NotFound(_("There is no listed grade change #{id}.").format(id=change_id))
