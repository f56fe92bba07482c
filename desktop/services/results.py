"""The results screen's reading: a term's report per student with the conduct recorded and the
conduct proposed, and for the year the promotion list grouped by outcome with its reasons.

The averages, levels, promotion and awards are ``grade_report.report``'s (Circular 22); this
adds what an editor of conduct needs and the grouping the promotion list prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.grading import Level, PromotionOutcome
from desktop.models import ConductRating, Student
from desktop.services import grade_report
from desktop.services.grade_report import YEAR_TERM, StudentReport
from desktop.services.grades import subjects_of
from desktop.services.scope import ClassScope

TERMS = ("1", "2", "year")

OUTCOME_ORDER = (
    PromotionOutcome.PROMOTED,
    PromotionOutcome.SUMMER_REASSESSMENT,
    PromotionOutcome.SUMMER_CONDUCT_TRAINING,
    PromotionOutcome.KEPT_BACK,
    PromotionOutcome.KEPT_BACK_ABSENCES,
    PromotionOutcome.INCOMPLETE,
)
"""The promotion list's groups, in the order a school prints them."""


@dataclass(frozen=True)
class SubjectColumn:
    code: str
    name: str
    assessment: str


@dataclass(frozen=True)
class ResultRow:
    """One student's line: the report, and the conduct as recorded and as proposed."""

    report: StudentReport
    conduct_recorded: str | None
    """The level the teacher set for this term (``None``: not set)."""
    conduct_proposed: str | None
    """For the year, the level derived from the two semesters (``None``: a semester is not
    rated yet, or this is a semester, which nothing is derived for)."""
    conduct_semesters: tuple[str | None, str | None]

    @property
    def student_id(self) -> int:
        return self.report.student_id


@dataclass(frozen=True)
class PromotionEntry:
    student_id: int
    student_code: str
    student_name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PromotionGroup:
    outcome: str
    label: str
    students: tuple[PromotionEntry, ...]

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class Results:
    term: str
    subjects: tuple[SubjectColumn, ...]
    rows: tuple[ResultRow, ...]
    """In class-list order (Vietnamese name order)."""
    promotion: tuple[PromotionGroup, ...]
    """The year's promotion list, only its groups that have students; empty for a semester."""


def current_term(calendar: SchoolCalendar, today: date) -> str:
    """The semester ``today`` falls in ("1" or "2"); before or after the year, the nearest."""
    day = min(max(today, calendar.first_day), calendar.last_day)
    return str(calendar.semester_of(day))


def results(session: Session, scope: ClassScope, *, term: str) -> Results:
    """``term`` is "1", "2" or "year"."""
    reports = grade_report.report(session, scope, term=term)
    ratings = {
        (r.student_id, r.term): r.level
        for r in session.scalars(
            select(ConductRating).join(Student).where(Student.class_id == scope.class_id)
        )
    }
    number = YEAR_TERM if term == "year" else int(term)
    rows = []
    for report in reports:
        s1 = ratings.get((report.student_id, 1))
        s2 = ratings.get((report.student_id, 2))
        proposed = (
            grading.derive_year_conduct(Level(s1), Level(s2)).value
            if term == "year" and s1 and s2
            else None
        )
        rows.append(
            ResultRow(
                report=report,
                conduct_recorded=ratings.get((report.student_id, number)),
                conduct_proposed=proposed,
                conduct_semesters=(s1, s2),
            )
        )
    subjects = tuple(
        SubjectColumn(s.code, s.name, s.assessment) for s in subjects_of(session, scope)
    )
    promotion = promotion_groups(reports) if term == "year" else ()
    return Results(term, subjects, tuple(rows), promotion)


def promotion_groups(reports: Sequence[StudentReport]) -> tuple[PromotionGroup, ...]:
    """The year's reports grouped by outcome (``OUTCOME_ORDER``), students in the given order;
    a group without students is left out."""
    groups: dict[str, list[PromotionEntry]] = {}
    for report in reports:
        if report.promotion is None:
            continue
        groups.setdefault(report.promotion, []).append(
            PromotionEntry(
                report.student_id, report.student_code, report.student_name, report.reasons
            )
        )
    return tuple(
        PromotionGroup(outcome.value, outcome.label, tuple(groups[outcome.value]))
        for outcome in OUTCOME_ORDER
        if outcome.value in groups
    )
