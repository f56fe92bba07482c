"""The class's results: semester and year averages, levels, conduct, promotion, awards,
and the completeness of the grade book against the school's deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.calendar import school_time
from desktop.domain.grading import Assessment, CommentResult, GradeKind, Level
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import ConductRating, GradeDeadline, GradeEntry, Student, Subject
from desktop.services.attendance import summary as attendance_summary
from desktop.services.grades import entries_by_student, semester_result, subjects_of
from desktop.services.scope import ClassScope
from desktop.services.students import class_list

YEAR_TERM = 0


@dataclass(frozen=True)
class SubjectResult:
    subject_code: str
    subject_name: str
    assessment: str
    average: Decimal | None
    result: str | None


@dataclass(frozen=True)
class StudentReport:
    student_id: int
    student_code: str
    student_name: str
    subjects: tuple[SubjectResult, ...]
    academic: str | None
    conduct: str | None
    absences: int | None = None
    promotion: str | None = None
    promotion_label: str | None = None
    reasons: tuple[str, ...] = ()
    award: str | None = None
    award_label: str | None = None


def _conduct(ratings: dict[tuple[int, int], str], student_id: int, term: int) -> Level | None:
    if term == YEAR_TERM:
        explicit = ratings.get((student_id, YEAR_TERM))
        if explicit:
            return Level(explicit)
        s1, s2 = ratings.get((student_id, 1)), ratings.get((student_id, 2))
        if s1 and s2:
            return grading.derive_year_conduct(Level(s1), Level(s2))
        return None
    value = ratings.get((student_id, term))
    return Level(value) if value else None


def report(session: Session, scope: ClassScope, *, term: str) -> list[StudentReport]:
    """``term`` is "1", "2" or "year"; students in class-list order."""
    if term not in ("1", "2", "year"):
        raise InvalidInput(_("The term must be 1, 2 or year."))
    subjects = subjects_of(session, scope)
    cells = entries_by_student(session, scope)
    ratings = {
        (r.student_id, r.term): r.level
        for r in session.scalars(
            select(ConductRating).join(Student).where(Student.class_id == scope.class_id)
        )
    }
    absences = (
        {row.student_id: row.total_absences for row in attendance_summary(session, scope)}
        if term == "year"
        else {}
    )
    names = {s.code: s.name for s in subjects}
    rows = []
    for student in class_list(session, scope):
        own = cells.get(student.id, {})
        results = [_subject_result(subject, own, term, scope) for subject in subjects]
        scored = {r.subject_code: r.average for r in results if r.assessment == "score"}
        comments = {
            r.subject_code: CommentResult(r.result) if r.result else None
            for r in results
            if r.assessment == "comment"
        }
        academic = grading.academic_level(scored, comments)
        conduct = _conduct(ratings, student.id, YEAR_TERM if term == "year" else int(term))
        row = StudentReport(
            student_id=student.id,
            student_code=student.code,
            student_name=student.full_name,
            subjects=tuple(results),
            academic=academic.value if academic else None,
            conduct=conduct.value if conduct else None,
        )
        if term == "year":
            limit = scope.policy.absence_limit if scope.policy.has_absence_limit else None
            decision = grading.promotion(
                conduct,
                academic,
                scored,
                comments,
                absences.get(student.id, 0),
                limit,
                subject_names=names,
            )
            prize = grading.award(conduct, academic, scored)
            row = StudentReport(
                **{
                    **row.__dict__,
                    "absences": absences.get(student.id, 0),
                    "promotion": decision.outcome.value,
                    "promotion_label": decision.outcome.label,
                    "reasons": decision.reasons,
                    "award": prize.value if prize else None,
                    "award_label": prize.label if prize else None,
                },
            )
        rows.append(row)
    return rows


def _subject_result(
    subject: Subject,
    cells: dict[tuple[int, int, str, int], GradeEntry],
    term: str,
    scope: ClassScope,
) -> SubjectResult:
    comment = Assessment(subject.assessment) is Assessment.COMMENT
    if term in ("1", "2"):
        value = semester_result(subject, cells, int(term))
    elif comment:
        value = grading.comment_year_result(
            _as_comment(semester_result(subject, cells, 1)),
            _as_comment(semester_result(subject, cells, 2)),
        )
    else:
        exact = not scope.policy.round_semester_before_year
        s1 = semester_result(subject, cells, 1, exact=exact)
        s2 = semester_result(subject, cells, 2, exact=exact)
        value = grading.year_average(_as_average(s1), _as_average(s2), round_semesters=not exact)
    return SubjectResult(
        subject_code=subject.code,
        subject_name=subject.name,
        assessment=subject.assessment,
        average=value if isinstance(value, Decimal) else None,
        result=value.value if isinstance(value, CommentResult) else None,
    )


def _as_comment(value: object) -> CommentResult | None:
    return value if isinstance(value, CommentResult) else None


def _as_average(value: object) -> Decimal | Fraction | None:
    return value if isinstance(value, Decimal | Fraction) else None


@dataclass(frozen=True)
class CompletenessRow:
    subject_code: str
    subject_name: str
    semester: int
    expected: int
    entered: int
    missing: int
    overdue: int
    late: int


@dataclass(frozen=True)
class Completeness:
    percent: Decimal
    expected: int
    entered: int
    subjects: tuple[CompletenessRow, ...]
    overdue_cells: tuple[str, ...]
    late_cells: tuple[str, ...]


def completeness_report(
    session: Session,
    scope: ClassScope,
    *,
    today: date,
    subjects: list[Subject] | None = None,
    student_ids: list[int] | None = None,
) -> grading.CompletenessReport:
    """The domain's completeness of the class's grade book: every missing and late cell, with
    the counts per subject and semester (``subjects`` and ``student_ids`` when the caller has
    them already)."""
    if subjects is None:
        subjects = subjects_of(session, scope)
    if student_ids is None:
        student_ids = [s.id for s in class_list(session, scope)]
    expected: list[grading.ExpectedEntry] = []
    for subject in subjects:
        expected += grading.expected_entries(
            student_ids, subject.code, subject.periods_per_year, Assessment(subject.assessment)
        )
    by_id = {s.id: s for s in subjects}
    # The six columns the report reads, not whole entries: building thousands of ORM objects
    # cost more than the report itself (the overview computes it after every change).
    cells = session.execute(
        select(
            GradeEntry.student_id,
            GradeEntry.subject_id,
            GradeEntry.semester,
            GradeEntry.kind,
            GradeEntry.slot,
            GradeEntry.entered_at,
        )
        .join(Student)
        .where(Student.class_id == scope.class_id)
    )
    kinds = {kind.value: kind for kind in GradeKind}
    recorded = [
        grading.RecordedEntry(
            student_id,
            by_id[subject_id].code,
            semester,
            kinds[kind],
            slot,
            school_time(entered_at),
        )
        for student_id, subject_id, semester, kind, slot, entered_at in cells
    ]
    deadlines = [
        grading.ColumnDeadline(d.semester, GradeKind(d.kind), d.due_on)
        for d in session.scalars(
            select(GradeDeadline).where(GradeDeadline.class_id == scope.class_id)
        )
    ]
    return grading.completeness(expected, recorded, deadlines, today)


def completeness(session: Session, scope: ClassScope, *, today: date) -> Completeness:
    """What is missing, what is overdue, what came late, per subject and semester."""
    subjects = subjects_of(session, scope)
    students = class_list(session, scope)
    codes = {s.id: s.code for s in students}
    result = completeness_report(
        session, scope, today=today, subjects=subjects, student_ids=list(codes)
    )
    names = {s.code: s.name for s in subjects}

    def cell(student_id: int, subject: str, semester: int, kind: GradeKind, slot: int) -> str:
        return _("{code} {subject} semester {semester} {column}").format(
            code=codes.get(student_id, student_id),
            subject=subject,
            semester=semester,
            column=grading.column_label(kind, slot),
        )

    return Completeness(
        percent=result.percent,
        expected=result.expected_total,
        entered=result.entered_total,
        subjects=tuple(
            CompletenessRow(
                subject_code=c.subject_code,
                subject_name=names[c.subject_code],
                semester=c.semester,
                expected=c.expected,
                entered=c.entered,
                missing=c.missing,
                overdue=c.overdue,
                late=c.late,
            )
            for c in result.counts
        ),
        overdue_cells=tuple(
            cell(
                m.entry.student_id,
                m.entry.subject_code,
                m.entry.semester,
                m.entry.kind,
                m.entry.slot,
            )
            for m in result.overdue
        ),
        late_cells=tuple(
            cell(
                m.entry.student_id,
                m.entry.subject_code,
                m.entry.semester,
                m.entry.kind,
                m.entry.slot,
            )
            for m in result.late
        ),
    )
