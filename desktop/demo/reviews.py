"""After the entries: changes to published scores, the homeroom teacher's reviews, conduct.

Semester I was reviewed, published on 13/01 and locked on 16/01; scores changed after that are
change requests (``desktop.domain.grading.ChangeKind.CHANGE_REQUEST``) the homeroom teacher has
checked or not yet (``desktop.domain.grade_review``). In semester II some subjects are reviewed,
one was sent back with a note, the others wait.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from desktop.demo.gradebook import Book, ClassSubject, Pupil, Row, tenths
from desktop.demo.school import (
    CONDUCT_SET,
    SEMESTER1_LOCKED,
    SEMESTER1_PUBLISHED,
    SEMESTER1_REVIEWED,
    at_local,
)
from desktop.demo.texts import CHANGE_REASONS, CHECKED_NOTE
from desktop.domain.grade_review import ChangeReviewState, ReviewState
from desktop.domain.grading import Assessment, ChangeKind, Level, format_score


def record_changes(book: Book, next_change_id: Callable[[], int]) -> None:
    """Scores changed after semester I was published: change requests the homeroom teacher
    has checked, or not yet."""
    rng = book.rng
    teachers = {subject.id: subject.teacher for subject in book.subjects}
    scored = [r for r in book.result.entries if r["semester"] == 1 and r["score"] is not None]
    for row in rng.sample(scored, min(len(scored), rng.randint(3, 5))):
        old = row["score"]
        old_tenths = int(old * 10)
        delta = rng.choice((5, 10, 5, 3, 2, -5, -10))
        new_tenths = min(100, max(0, old_tenths + delta))
        if new_tenths == old_tenths:
            new_tenths = old_tenths - 5
        new = tenths(new_tenths)
        changed_on = book.school_day_on_or_after(
            date(2026, 1, 19) + timedelta(days=rng.randint(0, 46))
        )
        changed_at = at_local(changed_on, rng.randint(9, 16), rng.randint(0, 59))
        if changed_at >= book.midnight:
            continue
        checked = changed_on < date(2026, 2, 27) and rng.random() < 0.75
        book.result.changes.append(
            {
                "id": next_change_id(),
                "entry_id": row["id"],
                "old_value": format_score(old),
                "new_value": format_score(new),
                "changed_by": teachers[row["subject_id"]],
                "changed_at": changed_at,
                "reason": rng.choice(CHANGE_REASONS[row["kind"]]),
                "kind": ChangeKind.CHANGE_REQUEST.value,
                "review_state": (
                    ChangeReviewState.CHECKED if checked else ChangeReviewState.PENDING
                ).value,
                "review_note": CHECKED_NOTE if checked else "",
            }
        )
        row.update(score=new, version=row["version"] + 1, updated_at=changed_at)


def mark_terms(book: Book, homeroom: str) -> None:
    """Semester I reviewed, published and locked; semester II open, partly reviewed."""
    rng = book.rng
    terms = book.result.terms
    for subject in book.subjects:
        terms.append(
            {
                "subject_id": subject.id,
                "semester": 1,
                "published_at": at_local(SEMESTER1_PUBLISHED, 9, rng.randint(0, 59)),
                "locked_at": at_local(SEMESTER1_LOCKED, 16, rng.randint(0, 59)),
                "review_state": ReviewState.REVIEWED.value,
                "review_note": "",
                "reviewed_by": homeroom,
                "reviewed_at": at_local(SEMESTER1_REVIEWED, 14, rng.randint(0, 59)),
            }
        )
    entered = [
        s
        for s in book.subjects
        if (s.id, 2) in book.last_entry and s.spec.assessment is Assessment.SCORE
    ]
    # Send back a subject that really has gaps, when there is one.
    gappy = [s for s in entered if _gaps(book, s)]
    returned = rng.choice(gappy or entered) if entered else None  # none entered yet: none back
    for subject in book.subjects:
        row: dict[str, Any] = {
            "subject_id": subject.id,
            "semester": 2,
            "published_at": None,
            "locked_at": None,
            "review_state": ReviewState.PENDING.value,
            "review_note": "",
            "reviewed_by": "",
            "reviewed_at": None,
        }
        last = book.last_entry.get((subject.id, 2))
        if last is not None:
            reviewed_at = last + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 3))
            if subject is returned and reviewed_at >= book.midnight:
                reviewed_at = last + (book.midnight - last) / 2  # the last evening before today
            if reviewed_at < book.midnight and (subject is returned or rng.random() < 0.5):
                row.update(
                    reviewed_by=homeroom,
                    reviewed_at=reviewed_at,
                    review_state=ReviewState.REVIEWED.value,
                )
                if subject is returned:
                    row.update(
                        review_state=ReviewState.RETURNED.value,
                        review_note=_missing_note(book, subject),
                    )
        terms.append(row)


def _gaps(book: Book, subject: ClassSubject) -> list[tuple[tuple[str, int], int]]:
    """Semester II columns of ``subject`` begun but not complete, with how many are missing."""
    have: dict[tuple[str, int], int] = {}
    for row in book.result.entries:
        if row["subject_id"] == subject.id and row["semester"] == 2:
            have[(row["kind"], row["slot"])] = have.get((row["kind"], row["slot"]), 0) + 1
    return [
        (key, len(book.pupils) - count)
        for key, count in sorted(have.items())
        if count < len(book.pupils)
    ]


def _missing_note(book: Book, subject: ClassSubject) -> str:
    """What the homeroom teacher writes when sending a subject back."""
    gaps = _gaps(book, subject)
    if gaps:
        (kind, slot), count = gaps[0]
        return f"Còn thiếu điểm {kind}{slot} của {count} học sinh; đề nghị thầy/cô bổ sung."
    return "Đề nghị thầy/cô kiểm tra lại điểm TX1 trước khi công bố."


def conduct(
    rng: random.Random, pupils: Sequence[Pupil], homeroom: str, hints: dict[int, Level]
) -> list[Row]:
    """Semester I conduct: mostly Tốt, as in real class lists."""
    rows: list[Row] = []
    for pupil in pupils:
        level = (
            hints.get(pupil.id) or rng.choices((Level.TOT, Level.KHA, Level.DAT), (78, 18, 4))[0]
        )
        rows.append(
            {
                "student_id": pupil.id,
                "term": 1,
                "level": level.value,
                "set_by": homeroom,
                "set_at": at_local(CONDUCT_SET, 16, rng.randint(0, 59)),
            }
        )
    return rows
