"""The grade book of one demo class as it is typed in: students' abilities, scores, columns.

Scores follow each student's ability, a science-or-humanities tilt and the subject's difficulty,
so the academic results spread over Tốt, Khá, Đạt and one or two Chưa đạt. Regular (TX) scores
are whole or half points, as teachers give them in class; tests (GK, CK) are marked in quarter
points and rounded half up to one decimal, as Circular 22 requires.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import NormalDist
from typing import Any

from desktop.demo.school import (
    CK_WINDOW,
    GK_WINDOW,
    TX_LAST_SEMESTER2,
    TX_WINDOW,
    SubjectSpec,
    at_local,
)
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.grading import Assessment, CommentResult, GradeKind, expected_slots

Row = dict[str, Any]


@dataclass(frozen=True)
class ClassSubject:
    id: int
    spec: SubjectSpec
    teacher: str


@dataclass(frozen=True)
class Pupil:
    """A student as the grade book sees one: ``weak`` students end semester I Chưa đạt."""

    id: int
    weak: bool = False


@dataclass
class GradeResult:
    entries: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    terms: list[Row] = field(default_factory=list)
    deadlines: list[Row] = field(default_factory=list)
    conduct: list[Row] = field(default_factory=list)


def tenths(value: int) -> Decimal:
    """``value`` tenths as the normalised Decimal ``parse_score`` would give ("7", "7.5")."""
    if value % 10 == 0:
        return Decimal(value // 10)
    return Decimal(f"{value // 10}.{value % 10}")


def _regular_score(rng: random.Random, mean: float) -> Decimal:
    value = min(10.0, max(2.0, rng.gauss(mean, 0.95)))
    if rng.random() < 0.6:
        return tenths(round(value) * 10)
    return tenths(round(value * 2) * 5)


def _test_score(rng: random.Random, mean: float) -> Decimal:
    value = min(10.0, max(1.0, rng.gauss(mean, 0.9)))
    quarters = round(value * 4)
    return tenths((quarters * 25 + 5) // 10)  # 7.25 -> 7.3, 7.75 -> 7.8: half up


class Book:
    """Builds the rows of one class's grade book."""

    def __init__(
        self,
        rng: random.Random,
        calendar: SchoolCalendar,
        today: date,
        subjects: Sequence[ClassSubject],
        pupils: Sequence[Pupil],
        next_entry_id: Callable[[], int],
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.today = today
        self.midnight = at_local(today, 0)
        self.subjects = subjects
        self.pupils = pupils
        self.next_entry_id = next_entry_id
        self.result = GradeResult()
        self.means = self._means()
        # (subject id, semester) -> the latest entry: a review must come after it.
        self.last_entry: dict[tuple[int, int], datetime] = {}

    def _means(self) -> dict[tuple[int, int], float]:
        """Each student's expected score per subject: ability by rank on a normal curve, so
        every class has its few excellent and its few struggling students."""
        rng = self.rng
        order = list(self.pupils)
        rng.shuffle(order)
        curve = NormalDist(7.25, 0.95)
        means: dict[tuple[int, int], float] = {}
        for rank, pupil in enumerate(order):
            ability = curve.inv_cdf((rank + 0.5) / len(order)) + rng.gauss(0, 0.15)
            if pupil.weak:
                ability = 4.0 + rng.gauss(0, 0.2)
            tilt = rng.gauss(0, 0.5)
            for subject in self.subjects:
                spec = subject.spec
                lean = 0.0 if spec.science is None else (tilt if spec.science else -tilt)
                personal = rng.gauss(0, 0.4)
                means[(pupil.id, subject.id)] = ability + spec.difficulty + lean + personal
        return means

    def school_day_on_or_after(self, day: date) -> date:
        return self.calendar.add_school_days(day - timedelta(days=1), 1)

    def _spread(self, first: date, last: date, fraction: float, jitter: int) -> date:
        span = (last - first).days
        day = first + timedelta(days=round(span * fraction) + self.rng.randint(-jitter, jitter))
        return self.school_day_on_or_after(min(max(day, first), last))

    def columns(self, subject: ClassSubject, semester: int) -> list[tuple[GradeKind, int, date]]:
        """When each column of the semester is tested."""
        rng = self.rng
        spec = subject.spec
        slots = expected_slots(spec.periods_per_year, spec.assessment)
        regular = [slot for kind, slot in slots if kind is GradeKind.TX]
        result: list[tuple[GradeKind, int, date]] = []
        for slot in regular:
            if semester == 2 and slot == len(regular):
                first, last = TX_LAST_SEMESTER2
                day = self._spread(first, last, rng.random(), 0)
            elif semester == 2:
                first, last = TX_WINDOW[2]
                day = self._spread(first, last, (slot - 0.5) / max(1, len(regular) - 1), 4)
            else:
                first, last = TX_WINDOW[1]
                day = self._spread(first, last, (slot - 0.5) / len(regular), 5)
            result.append((GradeKind.TX, slot, day))
        for kind, window in ((GradeKind.GK, GK_WINDOW), (GradeKind.CK, CK_WINDOW)):
            first, last = window[semester]
            result.append((kind, 1, self._spread(first, last, rng.random(), 0)))
        return result

    def value(
        self, subject: ClassSubject, pupil: Pupil, kind: GradeKind
    ) -> tuple[Decimal | None, str | None]:
        if subject.spec.assessment is Assessment.COMMENT:
            return None, CommentResult.PASS.value
        mean = self.means[(pupil.id, subject.id)]
        if kind is GradeKind.TX:
            return _regular_score(self.rng, mean + 0.3), None  # class work is marked kindly
        return _test_score(self.rng, mean), None

    def enter(
        self,
        subject: ClassSubject,
        semester: int,
        kind: GradeKind,
        slot: int,
        entered_on: date,
        pupils: Sequence[Pupil],
        *,
        late_pupils: Sequence[Pupil] = (),
        late_on: date | None = None,
    ) -> None:
        """One column typed in one evening, student after student in class-list order."""
        rng = self.rng
        moment = at_local(entered_on, rng.randint(19, 21), rng.randint(0, 59))
        for pupil in pupils:
            moment += timedelta(seconds=rng.randint(25, 90))
            when = moment
            if pupil in late_pupils and late_on is not None:
                when = at_local(late_on, rng.randint(7, 16), rng.randint(0, 59))
            if when >= self.midnight:
                continue
            score, comment = self.value(subject, pupil, kind)
            self.result.entries.append(
                {
                    "id": self.next_entry_id(),
                    "student_id": pupil.id,
                    "subject_id": subject.id,
                    "semester": semester,
                    "kind": kind.value,
                    "slot": slot,
                    "score": score,
                    "comment": comment,
                    "author": subject.teacher,
                    "entered_at": when,
                    "updated_at": when,
                    "state": "entered",
                    "version": 1,
                }
            )
            key = (subject.id, semester)
            self.last_entry[key] = max(when, self.last_entry.get(key, when))
