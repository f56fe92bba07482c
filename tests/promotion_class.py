"""A class of five whose year results are worked out by hand (Circular 22), for the promotion
list's service and screen tests.

The small class (tests/factories.py) plus six scored subjects and two students: 8 scored subjects
and one comment subject (GDTC). Every score of a subject in a semester is the same, so its
semester average is that score, except An's Vật lí in semester 1: TX 6, 8, 7.5, GK 5, CK 10 →
(21.5 + 10 + 30) / 8 = 7.6875 → 7.7. Year = (I + 2·II) / 3, rounded half up.

- An: 7 subjects (9 + 2·9.5)/3 = 9.3, Lí (7.7 + 2·9.5)/3 = 8.9, GDTC Đ → Tốt; conduct
  Tốt/Tốt → Tốt; no absence → promoted, Học sinh Xuất sắc (7 subjects ≥ 9.0).
- Bình: Toán (3 + 2·3.6)/3 = 3.4, Anh (4 + 2·5.4)/3 = 4.9, 6 others (6 + 2·7)/3 = 6.7 →
  Chưa đạt (3.4 < 3.5); conduct Khá/Khá → Khá → summer re-assessment of Toán and Tiếng Anh.
- Châu: all (7 + 2·8)/3 = 7.7 → Khá; conduct Tốt/Khá → Khá; 46 unexcused sessions → kept back
  for absences.
- Đức: all 7.0 → Khá; conduct Đạt/Chưa đạt → Chưa đạt → summer conduct training.
- Em: all 6.0, GDTC Chưa đạt in semester II (one is allowed) → Đạt; conduct Tốt/Đạt → Khá;
  45 sessions (40 unexcused, 5 excused), not more than 45 → promoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.attendance import Observation
from desktop.domain.calendar import Slot
from desktop.domain.grading import Assessment
from desktop.domain.names import normalize, search_key, sort_text
from desktop.models import ConductRating, GradeEntry, Student, Subject
from desktop.services import attendance
from desktop.services.scope import load_scope
from tests.factories import build_small_class

EXTRA_SUBJECTS = (
    ("VAN", "Ngữ văn", 105),
    ("ANH", "Tiếng Anh", 105),
    ("LY", "Vật lí", 70),
    ("HOA", "Hóa học", 70),
    ("SINH", "Sinh học", 70),
    ("TIN", "Tin học", 70),
)
SCORED = ("TOAN", "GDQP", "VAN", "ANH", "LY", "HOA", "SINH", "TIN")

WHEN = datetime(2026, 1, 5, 3, tzinfo=UTC)


@dataclass(frozen=True)
class PromotionClass:
    ids: dict[str, int]
    """Given name (An, Bình, Châu, Đức, Em) → student id."""


def _scores(s1: str, s2: str, **special: tuple[str, str]) -> dict[str, tuple[str, str]]:
    scores = {code: (s1, s2) for code in SCORED}
    scores.update(special)
    return scores


# given name → (full name, {subject: (semester I score, semester II score)}, GDTC II, conduct)
PLAN: dict[str, tuple[str, dict[str, tuple[str, str]], str, tuple[str, str]]] = {
    "An": ("Nguyễn Văn An", _scores("9", "9.5"), "Đ", ("Tốt", "Tốt")),
    "Bình": (
        "Lê Thị Bình",
        _scores("6", "7", TOAN=("3", "3.6"), ANH=("4", "5.4")),
        "Đ",
        ("Khá", "Khá"),
    ),
    "Châu": ("Trần Thị Châu", _scores("7", "8"), "Đ", ("Tốt", "Khá")),
    "Đức": ("Phạm Minh Đức", _scores("7", "7"), "Đ", ("Đạt", "Chưa đạt")),
    "Em": ("Võ Văn Em", _scores("6", "6"), "CĐ", ("Tốt", "Đạt")),
}
ABSENCES = {"Châu": (46, 0), "Em": (40, 5)}
"""Given name → (unexcused, excused by the teacher) sessions."""


def build_promotion_class(session: Session) -> PromotionClass:
    small = build_small_class(session)
    for position, (code, name, periods) in enumerate(EXTRA_SUBJECTS, start=4):
        session.add(
            Subject(
                class_id=small.class_id,
                code=code,
                name=name,
                periods_per_year=periods,
                assessment="score",
                position=position,
            )
        )
    session.flush()
    existing = {s.full_name: s.id for s in session.query(Student)}
    ids: dict[str, int] = {}
    for index, (given, (full, *_rest)) in enumerate(PLAN.items(), start=4):
        if full not in existing:
            name = normalize(full)
            student = Student(
                class_id=small.class_id,
                code=f"HS{index:03d}",
                full_name=name,
                sort_key=sort_text(name),
                search_key=search_key(name),
                date_of_birth=date(2009, 1, index),
                gender="female" if given == "Châu" else "male",
            )
            session.add(student)
            session.flush()
            existing[full] = student.id
        ids[given] = existing[full]
    subjects = {s.code: s for s in session.query(Subject)}
    for given, (_full, scores, gdtc_2, (conduct_1, conduct_2)) in PLAN.items():
        student_id = ids[given]
        for code, (s1, s2) in scores.items():
            for semester, value in ((1, s1), (2, s2)):
                _fill(session, student_id, subjects[code], semester, value)
        _fill(session, student_id, subjects["GDTC"], 1, "Đ")
        _fill(session, student_id, subjects["GDTC"], 2, "Đ", last=gdtc_2)
        for term, level in ((1, conduct_1), (2, conduct_2)):
            session.add(
                ConductRating(
                    student_id=student_id, term=term, level=level, set_by="GV", set_at=WHEN
                )
            )
    # An's Vật lí in semester 1, the worked example of domain.md: 7.6875 → 7.7.
    lab = {
        (e.kind, e.slot): e
        for e in session.query(GradeEntry).filter_by(
            student_id=ids["An"], subject_id=subjects["LY"].id, semester=1
        )
    }
    for (kind, slot), value in {("TX", 1): "6", ("TX", 2): "8", ("TX", 3): "7.5"}.items():
        lab[(kind, slot)].score = Decimal(value)
    lab[("GK", 1)].score, lab[("CK", 1)].score = Decimal(5), Decimal(10)
    session.flush()
    _absences(session, ids)
    return PromotionClass(ids)


def _fill(
    session: Session, student_id: int, subject: Subject, semester: int, value: str, last: str = ""
) -> None:
    """Every cell of one subject and semester: ``value``, the end-of-term one ``last`` if given."""
    assessment = Assessment(subject.assessment)
    for kind, slot in grading.expected_slots(subject.periods_per_year, assessment):
        text = last if (last and kind is grading.GradeKind.CK) else value
        session.add(
            GradeEntry(
                student_id=student_id,
                subject_id=subject.id,
                semester=semester,
                kind=kind.value,
                slot=slot,
                score=grading.parse_score(text) if assessment is Assessment.SCORE else None,
                comment=grading.parse_comment(text).value
                if assessment is Assessment.COMMENT
                else None,
                author="GV",
                entered_at=WHEN,
                updated_at=WHEN,
            )
        )


def _absences(session: Session, ids: dict[str, int]) -> None:
    scope = load_scope(session)
    slots = [
        Slot.of(day, part)
        for day in scope.calendar.iter_school_days()
        for part in sorted(scope.calendar.sessions_on(day), key=lambda s: s.order)
    ]
    for given, (unexcused, excused) in ABSENCES.items():
        marks = [Observation.ABSENT] * unexcused + [Observation.EXCUSED_BY_TEACHER] * excused
        for slot, observed in zip(slots, marks, strict=False):
            attendance.mark(
                session, scope, student_id=ids[given], slot=slot, observed=observed, actor="GV"
            )
