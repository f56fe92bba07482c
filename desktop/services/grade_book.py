"""The grade book of one subject for one semester, as the window shows and edits it.

One row per student in Vietnamese name order: the Circular 22 columns of the subject (TX1..n,
GK, CK), each cell with its value in the display form, its version (the ``base_version`` of the
next change) and whether it is missing, overdue or was entered late against the school's
deadlines; then the live semester average (scored subjects) or result (comment subjects).
Whether this teacher may enter the subject, and whether a change needs a reason (published,
locked or past its deadline), come with it. A read costs a handful of queries, whatever the
size of the class; the rows a change touched can be read again alone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.calendar import SCHOOL_TIME_ZONE, format_date, school_time
from desktop.domain.grading import Assessment, CommentResult, GradeKind
from desktop.errors import InvalidInput, NotFound
from desktop.i18n import _, current_language
from desktop.models import (
    GradeChange,
    GradeDeadline,
    GradeEntry,
    SchoolClass,
    Student,
    Subject,
    SubjectTerm,
    Teacher,
)
from desktop.services import rights
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.direct_writes import table_of
from desktop.services.scope import ClassScope

# --------------------------------------------------------------------------------------------
# Who may enter a subject's grades
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# What the window shows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectChoice:
    id: int
    code: str
    name: str
    assessment: str
    teacher_name: str | None
    refusal: str | None
    """Why this class's homeroom teacher may not enter its grades (``rights.grade_refusal``), or
    ``None`` when they may."""

    @property
    def editable(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class BookColumn:
    kind: str
    """``TX``, ``GK`` or ``CK``."""
    slot: int
    label: str
    """TX1…TX4, GK, CK."""
    due: date | None
    past_due: bool
    """Today is after the deadline: changing a value is a change request."""


@dataclass(frozen=True)
class Cell:
    entry_id: int | None
    value: str
    """As shown: "6,5", "Đ"; "" when missing."""
    version: int
    """0 for an empty cell: the ``base_version`` of the next change."""
    overdue: bool
    """Missing and its deadline has passed."""
    late: bool
    """First entered after its deadline."""

    @property
    def missing(self) -> bool:
        return self.entry_id is None


@dataclass(frozen=True)
class BookRow:
    student_id: int
    student_code: str
    student_name: str
    cells: tuple[Cell, ...]
    summary: str
    """The semester average ("7,7") or result ("Đ"); "" while a cell it needs is missing."""


@dataclass(frozen=True)
class GradeBook:
    subject: SubjectChoice
    semester: int
    columns: tuple[BookColumn, ...]
    rows: tuple[BookRow, ...]
    published_on: date | None
    locked_on: date | None
    today: date
    subjects: tuple[SubjectChoice, ...]
    """Every subject of the class, for the chooser."""

    @property
    def read_only(self) -> bool:
        return not self.subject.editable

    @property
    def refusal(self) -> str:
        return self.subject.refusal or ""

    @property
    def comment(self) -> bool:
        return self.subject.assessment == Assessment.COMMENT.value

    def needs_reason(self, column: int, cell: Cell) -> bool:
        """Changing this cell's value is a change request with a reason (Circular 22: after
        publication, lock or the column's deadline); filling an empty cell never is."""
        if cell.missing:
            return False
        kind = grading.classify_change(
            published=self.published_on is not None,
            locked=self.locked_on is not None,
            deadline_passed=self.columns[column].past_due,
        )
        return kind is grading.ChangeKind.CHANGE_REQUEST


@dataclass(frozen=True)
class _Context:
    """What reading rows needs besides the rows: the subject, its columns and deadlines."""

    subject: Subject
    semester: int
    columns: tuple[BookColumn, ...]
    tx_count: int


def _subjects(session: Session, scope: ClassScope) -> list[tuple[Subject, str | None, int]]:
    """Each subject with its teacher's name and the class's homeroom teacher."""
    rows = session.execute(
        select(Subject, Teacher.full_name, SchoolClass.homeroom_teacher_id)
        .join(SchoolClass, SchoolClass.id == Subject.class_id)
        .outerjoin(Teacher, Teacher.id == Subject.teacher_id)
        .where(Subject.class_id == scope.class_id)
        .order_by(Subject.position, Subject.id)
    ).all()
    return [(subject, teacher, homeroom) for subject, teacher, homeroom in rows]


def _choice(
    session: Session, subject: Subject, teacher: str | None, homeroom: int
) -> SubjectChoice:
    return SubjectChoice(
        id=subject.id,
        code=subject.code,
        name=subject.name,
        assessment=subject.assessment,
        teacher_name=teacher,
        refusal=rights.grade_refusal(subject, homeroom, teacher),
    )


def default_semester(scope: ClassScope, today: date) -> int:
    """The semester ``today`` falls in (the first before the year, the second after it)."""
    calendar = scope.calendar
    return calendar.semester_of(min(max(today, calendar.first_day), calendar.last_day))


def read_book(
    session: Session,
    scope: ClassScope,
    *,
    subject_id: int | None,
    semester: int | None,
    today: date,
) -> GradeBook:
    """The grade book of ``subject_id`` (default: the first subject this teacher teaches, else
    the first) for ``semester`` (default: today's)."""
    subjects = _subjects(session, scope)
    choices = tuple(_choice(session, *row) for row in subjects)
    if not choices:
        raise NotFound(_("This class has no subjects yet."))
    if subject_id is None:
        chosen = next((c for c in choices if c.editable), choices[0])
    else:
        found = [c for c in choices if c.id == subject_id]
        if not found:
            raise NotFound(_("There is no subject #{id} in this class.").format(id=subject_id))
        chosen = found[0]
    semester = semester if semester is not None else default_semester(scope, today)
    subject = next(row[0] for row in subjects if row[0].id == chosen.id)
    context = _context(session, scope, subject, semester, today)
    term = session.get(SubjectTerm, (chosen.id, semester))
    return GradeBook(
        subject=chosen,
        semester=semester,
        columns=context.columns,
        rows=_rows(session, scope, context, None),
        published_on=_day(term.published_at) if term else None,
        locked_on=_day(term.locked_at) if term else None,
        today=today,
        subjects=choices,
    )


def read_rows(
    session: Session,
    scope: ClassScope,
    *,
    subject_id: int,
    semester: int,
    student_ids: Collection[int],
    today: date,
) -> tuple[BookRow, ...]:
    """The rows of these students as they are now (a student no longer in the class has none)."""
    if not student_ids:
        return ()
    subject = session.get(Subject, subject_id)
    if subject is None or subject.class_id != scope.class_id:
        raise NotFound(_("There is no subject #{id} in this class.").format(id=subject_id))
    context = _context(session, scope, subject, semester, today)
    return _rows(session, scope, context, student_ids)


def students_of_entries(
    session: Session, *, subject_id: int, semester: int, entry_ids: Iterable[str]
) -> set[int]:
    """The students whose cells of this subject and semester are among ``entry_ids`` (the ids
    of a ``Changes``; a grade a sync replaced has a new id the window has not seen yet)."""
    ids = [int(i) for i in entry_ids if i.lstrip("-").isdigit()]
    if not ids:
        return set()
    return set(
        session.scalars(
            select(GradeEntry.student_id).where(
                GradeEntry.id.in_(ids),
                GradeEntry.subject_id == subject_id,
                GradeEntry.semester == semester,
            )
        )
    )


def _day(moment: datetime | None) -> date | None:
    return school_time(moment).date() if moment is not None else None


_DEADLINE_TABLE = table_of(GradeDeadline)
_DEADLINES = select(_DEADLINE_TABLE.c.kind, _DEADLINE_TABLE.c.due_on).where(
    _DEADLINE_TABLE.c.class_id == bindparam("class_id"),
    _DEADLINE_TABLE.c.semester == bindparam("semester"),
)


def _context(
    session: Session, scope: ClassScope, subject: Subject, semester: int, today: date
) -> _Context:
    if semester not in (1, 2):
        raise InvalidInput(_("The semester must be 1 or 2, not {value}.").format(value=semester))
    assessment = Assessment(subject.assessment)
    session.flush()  # the read sees what the session holds, as an autoflush would
    found = session.connection().execute(
        _DEADLINES, {"class_id": scope.class_id, "semester": semester}
    )
    deadlines: dict[str, date] = {kind: due for kind, due in found}
    columns = []
    for kind, slot in grading.expected_slots(subject.periods_per_year, assessment):
        due = deadlines.get(kind.value)
        columns.append(
            BookColumn(
                kind=kind.value,
                slot=slot,
                label=grading.column_label(kind, slot),
                due=due,
                past_due=due is not None and today > due,
            )
        )
    return _Context(
        subject=subject,
        semester=semester,
        columns=tuple(columns),
        tx_count=grading.regular_count(subject.periods_per_year, assessment),
    )


_STUDENTS = table_of(Student)
_ENTRIES = table_of(GradeEntry)
_CLASS_LIST = (
    select(_STUDENTS.c.id, _STUDENTS.c.code, _STUDENTS.c.full_name)
    .where(_STUDENTS.c.class_id == bindparam("class_id"))
    .order_by(_STUDENTS.c.sort_key, _STUDENTS.c.id)
)
_BOOK_ENTRIES = select(
    _ENTRIES.c.student_id,
    _ENTRIES.c.kind,
    _ENTRIES.c.slot,
    _ENTRIES.c.id,
    _ENTRIES.c.score,
    _ENTRIES.c.comment,
    _ENTRIES.c.version,
    _ENTRIES.c.entered_at,
).where(
    _ENTRIES.c.subject_id == bindparam("subject_id"),
    _ENTRIES.c.semester == bindparam("semester"),
)
_SOME_STUDENTS: BindParameter[list[int]] = bindparam("student_ids", expanding=True)
"""Prepared once, read on the session's connection (plain rows, no ORM pass): every book
shown and every grade typed reads them."""


def _rows(
    session: Session,
    scope: ClassScope,
    context: _Context,
    student_ids: Collection[int] | None,
) -> tuple[BookRow, ...]:
    students, entries = _CLASS_LIST, _BOOK_ENTRIES
    parameters: dict[str, object] = {
        "class_id": scope.class_id,
        "subject_id": context.subject.id,
        "semester": context.semester,
    }
    if student_ids is not None:
        students = students.where(_STUDENTS.c.id.in_(_SOME_STUDENTS))
        entries = entries.where(_ENTRIES.c.student_id.in_(_SOME_STUDENTS))
        parameters["student_ids"] = list(student_ids)
    session.flush()  # the reads see what the session holds, as an autoflush would
    connection = session.connection()
    cells: dict[tuple[int, str, int], tuple[int, Decimal | None, str | None, int, datetime]] = {}
    for student_id, kind, slot, entry_id, score, comment, version, entered_at in connection.execute(
        entries, parameters
    ):
        cells[(student_id, kind, slot)] = (entry_id, score, comment, version, entered_at)
    language = current_language()
    # A cell is late from the first moment of the day after its deadline, school time.
    late_from = [
        datetime.combine(column.due + timedelta(days=1), time(0), SCHOOL_TIME_ZONE)
        if column.due is not None
        else None
        for column in context.columns
    ]
    return tuple(
        _row(context, late_from, language, student_id, code, name, cells)
        for student_id, code, name in connection.execute(students, parameters)
    )


def _row(
    context: _Context,
    late_from: list[datetime | None],
    language: str,
    student_id: int,
    code: str,
    name: str,
    cells: dict[tuple[int, str, int], tuple[int, Decimal | None, str | None, int, datetime]],
) -> BookRow:
    shown: list[Cell] = []
    scores: dict[tuple[str, int], Decimal | None] = {}
    results: list[CommentResult | None] = []
    for column, threshold in zip(context.columns, late_from, strict=True):
        found = cells.get((student_id, column.kind, column.slot))
        if found is None:
            shown.append(Cell(None, "", 0, overdue=column.past_due, late=False))
            scores[(column.kind, column.slot)] = None
            results.append(None)
            continue
        entry_id, score, comment, version, entered_at = found
        value = _shown(str(score), language) if score is not None else comment or ""
        late = threshold is not None and entered_at >= threshold
        shown.append(Cell(entry_id, value, version, overdue=False, late=late))
        scores[(column.kind, column.slot)] = score
        results.append(CommentResult(comment) if comment else None)
    return BookRow(student_id, code, name, tuple(shown), _summary(context, scores, results))


@lru_cache(maxsize=512)
def _shown(score: str, language: str) -> str:
    """A stored score as shown, per language: a class's cells hold a few dozen values, each
    formatted once (keyed by its text: ``7`` and ``7.0`` compare equal as ``Decimal``)."""
    return grading.format_score_display(Decimal(score))


def _summary(
    context: _Context,
    scores: dict[tuple[str, int], Decimal | None],
    results: list[CommentResult | None],
) -> str:
    if context.subject.assessment == Assessment.COMMENT.value:
        result = grading.comment_semester_result(results, len(context.columns))
        return result.value if result is not None else ""
    tx = [scores.get((GradeKind.TX.value, slot)) for slot in range(1, context.tx_count + 1)]
    average = grading.semester_average(
        tx,
        scores.get((GradeKind.GK.value, 1)),
        scores.get((GradeKind.CK.value, 1)),
        context.tx_count,
    )
    return grading.format_score_display(average) if average is not None else ""


# --------------------------------------------------------------------------------------------
# Entering a grade
# --------------------------------------------------------------------------------------------


def check_value(assessment: str, text: str) -> str:
    """``text`` as the grade it would be stored as ("7.5", "Đ"), or ``InvalidGrade`` with the
    domain's sentence: what the window checks before anything is queued."""
    if assessment == Assessment.COMMENT.value:
        return grading.parse_comment(text).value
    return grading.format_score(grading.parse_score(text))


def enter_grade(
    session: Session,
    scope: ClassScope,
    *,
    subject_id: int,
    semester: int,
    student_id: int,
    kind: str,
    slot: int,
    value: str,
    reason: str = "",
    base_version: int | None,
    actor: str,
) -> Changes:
    """The ``set_grade`` intent for one cell, refused at once (``NotPermitted``, nothing queued)
    when this class's teacher may not enter the subject. ``base_version`` ``None``: the version
    stored now (a second change of a cell whose first change from this window was not yet
    saved)."""
    subject = session.get(Subject, subject_id)
    if subject is None or subject.class_id != scope.class_id:
        raise NotFound(_("There is no subject #{id} in this class.").format(id=subject_id))
    if base_version is None:
        version = session.scalar(
            select(GradeEntry.version).where(
                GradeEntry.student_id == student_id,
                GradeEntry.subject_id == subject_id,
                GradeEntry.semester == semester,
                GradeEntry.kind == kind,
                GradeEntry.slot == slot,
            )
        )
        base_version = version or 0
    raw = {
        "student_id": student_id,
        "subject_code": subject.code,
        "semester": semester,
        "kind": kind,
        "slot": slot,
        "value": check_value(subject.assessment, value),
        "reason": reason.strip(),
        "base_version": base_version,
    }
    return perform(session, scope, "set_grade", raw, actor=actor)


# --------------------------------------------------------------------------------------------
# A cell's history
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    """School local time."""
    by: str
    old_value: str
    """As shown; "" for the first entry."""
    new_value: str
    reason: str
    change_request: bool

    @property
    def when(self) -> str:
        return f"{format_date(self.at.date())} {self.at:%H:%M}"


def cell_history(session: Session, scope: ClassScope, *, entry_id: int) -> tuple[HistoryLine, ...]:
    """The first entry of a grade and every change since, oldest first (two queries)."""
    entry = session.scalars(
        select(GradeEntry)
        .join(Student, Student.id == GradeEntry.student_id)
        .where(GradeEntry.id == entry_id, Student.class_id == scope.class_id)
    ).first()
    if entry is None:
        raise NotFound(_("There is no grade #{id} in this class.").format(id=entry_id))
    changes = session.scalars(
        select(GradeChange).where(GradeChange.entry_id == entry_id).order_by(GradeChange.id)
    ).all()
    current = grading.format_score(entry.score) if entry.score is not None else entry.comment or ""
    first = changes[0].old_value if changes else current
    lines = [
        HistoryLine(
            school_time(entry.entered_at),
            entry.author,
            "",
            grading.format_value_display(first),
            "",
            change_request=False,
        )
    ]
    lines += [
        HistoryLine(
            school_time(change.changed_at),
            change.changed_by,
            grading.format_value_display(change.old_value),
            grading.format_value_display(change.new_value),
            change.reason,
            change_request=change.kind == grading.ChangeKind.CHANGE_REQUEST.value,
        )
        for change in changes
    ]
    return tuple(lines)
