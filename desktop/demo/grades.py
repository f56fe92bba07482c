"""The grade book of one demo class on ``today``: entries, late entries, changes, reviews.

Semester I is complete (every column ``desktop.domain.grading.expected_slots`` asks for), reviewed,
published and locked, with a few scores changed afterwards through change requests
(``desktop.demo.reviews``). Semester II is under way: most regular columns are in, some mid-term
ones, no end-of-term one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from desktop.demo.gradebook import Book, ClassSubject, GradeResult, Pupil
from desktop.demo.reviews import conduct, mark_terms, record_changes
from desktop.demo.school import DEADLINES, SEMESTER1_LAST_ENTRY
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.grading import CommentResult, GradeKind, Level

__all__ = ["ClassSubject", "GradeResult", "Pupil", "generate_grades"]


def generate_grades(
    rng: random.Random,
    *,
    calendar: SchoolCalendar,
    today: date,
    class_id: int,
    homeroom: str,
    subjects: Sequence[ClassSubject],
    pupils: Sequence[Pupil],
    conduct_hints: dict[int, Level],
    next_entry_id: Callable[[], int],
    next_change_id: Callable[[], int],
) -> GradeResult:
    """Every grade-book row of one class; ``pupils`` in class-list order."""
    book = Book(rng, calendar, today, subjects, pupils, next_entry_id)
    _semester1(book)
    _semester2(book)
    record_changes(book, next_change_id)
    mark_terms(book, homeroom)
    result = book.result
    ordered = sorted(DEADLINES.items(), key=lambda item: (item[0][0], item[0][1].order))
    result.deadlines = [
        {"class_id": class_id, "semester": semester, "kind": kind.value, "due_on": due}
        for (semester, kind), due in ordered
    ]
    result.conduct = conduct(rng, pupils, homeroom, conduct_hints)
    return result


def _semester1(book: Book) -> None:
    """Complete, with one column typed in after its deadline and a few make-up tests late."""
    rng = book.rng
    plan = [(subject, column) for subject in book.subjects for column in book.columns(subject, 1)]
    late_column = rng.choice(
        [i for i, (_s, (kind, _slot, _d)) in enumerate(plan) if kind is not GradeKind.TX]
    )
    make_ups = {
        i: rng.sample(list(book.pupils), rng.randint(1, 2))
        for i in rng.sample(range(len(plan)), rng.randint(2, 4))
    }
    for index, (subject, (kind, slot, tested_on)) in enumerate(plan):
        due = DEADLINES[(1, kind)]
        entered_on = min(tested_on + timedelta(days=rng.randint(0, 4)), due)
        if index == late_column:
            entered_on = min(due + timedelta(days=rng.randint(1, 3)), SEMESTER1_LAST_ENTRY)
        late_pupils = make_ups.get(index, [])
        late_on = min(entered_on + timedelta(days=rng.randint(7, 20)), SEMESTER1_LAST_ENTRY)
        book.enter(
            subject,
            1,
            kind,
            slot,
            entered_on,
            book.pupils,
            late_pupils=late_pupils,
            late_on=late_on,
        )
    # A weak student missed the standard in physical education once: one rare "CĐ".
    weak = [p.id for p in book.pupils if p.weak]
    for row in book.result.entries:
        if row["student_id"] in weak[:1] and row["comment"] and row["kind"] == "TX":
            row["comment"] = CommentResult.FAIL.value
            break


def _semester2(book: Book) -> None:
    """Under way: columns tested before ``today`` are in, bar a student or two who missed a
    test; one subject was sent back for the missing scores, some reviewed, others pending."""
    rng = book.rng
    first_row = len(book.result.entries)
    for subject in book.subjects:
        for kind, slot, tested_on in book.columns(subject, 2):
            entered_on = tested_on + timedelta(days=rng.randint(0, 3))
            missing = [p for p in book.pupils if rng.random() < 0.02]
            present = [p for p in book.pupils if p not in missing]
            book.enter(subject, 2, kind, slot, entered_on, present)
    # One rare "CĐ" in an activity this semester.
    comments = [r for r in book.result.entries[first_row:] if r["comment"]]
    if comments:
        rng.choice(comments)["comment"] = CommentResult.FAIL.value
