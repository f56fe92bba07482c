"""Grade-book use cases against a real SQLite file, with averages worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.errors import IllegalTransition, InvalidGrade, InvalidInput
from desktop.models import GradeEntry, Subject, SubjectTerm
from desktop.models.db import Database
from desktop.services import grade_report, grades
from desktop.services.scope import load_scope
from tests.factories import SmallClass

TODAY = date(2026, 3, 16)


def enter(
    db: Database, student: str, subject: str, semester: int, cells: dict[str, str], reason: str = ""
) -> None:
    with db.transaction() as s:
        scope = load_scope(s)
        for column, value in cells.items():
            kind, slot = column[:2], int(column[2:] or 1)
            grades.set_grade(
                s,
                scope,
                student_ref=student,
                subject_code=subject,
                semester=semester,
                kind=kind,
                slot=slot,
                value=value,
                reason=reason,
                actor="GV",
                today=TODAY,
            )


def averages(db: Database, term: str, student_code: str = "HS001") -> dict[str, Decimal | str]:
    with db.reading() as s:
        rows = grade_report.report(s, load_scope(s), term=term)
    row = next(r for r in rows if r.student_code == student_code)
    return {
        r.subject_code: r.average if r.average is not None else (r.result or "")
        for r in row.subjects
    }


@pytest.fixture
def graded(db: Database, small: SmallClass) -> Database:
    # Toán has 105 periods a year: 4 regular scores per semester.
    enter(
        db,
        "HS001",
        "TOAN",
        1,
        {"TX1": "6", "TX2": "8", "TX3": "7,5", "TX4": "9", "GK": "5", "CK": "10"},
    )
    enter(
        db,
        "HS001",
        "TOAN",
        2,
        {"TX1": "7", "TX2": "7", "TX3": "7", "TX4": "7", "GK": "8", "CK": "6.5"},
    )
    # Quốc phòng has 35 periods: 2 regular scores per semester.
    enter(db, "HS001", "GDQP", 1, {"TX1": "8", "TX2": "9", "GK": "7", "CK": "8"})
    # Thể chất is assessed by comment: 2 regular + mid-term + end-of-term, all Đạt.
    enter(db, "HS001", "GDTC", 1, {"TX1": "Đ", "TX2": "Đ", "GK": "Đ", "CK": "Đ"})
    return db


def test_semester_and_year_averages_follow_circular_22(graded: Database) -> None:
    """Weights 1 per TX, 2 for GK, 3 for CK; half-up to one decimal; year = (I + 2·II) / 3."""
    # Toán I: (6 + 8 + 7.5 + 9 + 2·5 + 3·10) / (4 + 5) = 70.5 / 9 = 7.833… → 7.8
    # Quốc phòng I: (8 + 9 + 2·7 + 3·8) / (2 + 5) = 55 / 7 = 7.857… → 7.9
    assert averages(graded, "1") == {"TOAN": Decimal("7.8"), "GDQP": Decimal("7.9"), "GDTC": "Đ"}
    # Toán II: (7·4 + 2·8 + 3·6.5) / 9 = 63.5 / 9 = 7.055… → 7.1
    assert averages(graded, "2")["TOAN"] == Decimal("7.1")
    # Year: (7.8 + 2·7.1) / 3 = 22 / 3 = 7.333… → 7.3; Quốc phòng II missing → no year average
    year = averages(graded, "year")
    assert year["TOAN"] == Decimal("7.3")
    assert year["GDQP"] == ""


@pytest.mark.parametrize("value", ["11", "-1", "7.25", "abc", ""])
def test_invalid_scores_are_refused_and_nothing_is_stored(
    db: Database, small: SmallClass, value: str
) -> None:
    """11, -1, 7.25 and text are not Circular 22 scores."""
    with pytest.raises(InvalidGrade):
        enter(db, "HS001", "TOAN", 1, {"TX1": value})
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(GradeEntry)) == 0


def test_a_column_the_subject_does_not_have_is_refused(db: Database, small: SmallClass) -> None:
    """Quốc phòng (35 periods) has only TX1 and TX2."""
    with pytest.raises(InvalidInput, match="TX3"):
        enter(db, "HS001", "GDQP", 1, {"TX3": "8"})


def test_a_change_after_publication_is_a_change_request_listed_for_checking(
    graded: Database,
) -> None:
    """After publication a change needs a reason, is traced, and waits for the teacher's check."""
    with graded.transaction() as s:
        toan = s.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        s.get_one(SubjectTerm, (toan.id, 1)).published_at = datetime(2026, 1, 10, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        enter(graded, "HS001", "TOAN", 1, {"CK": "9"})
    enter(graded, "HS001", "TOAN", 1, {"CK": "9"}, reason="Chấm phúc khảo")
    with graded.transaction() as s:
        scope = load_scope(s)
        listed = grades.listed_changes(s, scope)
        assert [(c.old_value, c.new_value, c.reason, c.kind) for c in listed] == [
            ("10", "9", "Chấm phúc khảo", "change_request")
        ]
        grades.check_change(s, scope, change_id=listed[0].id, query_note=None, actor="GVCN")
        assert grades.listed_changes(s, scope) == []
    # (6 + 8 + 7.5 + 9 + 2·5 + 3·9) / 9 = 67.5 / 9 = 7.5
    assert averages(graded, "1")["TOAN"] == Decimal("7.5")


def test_review_returns_to_pending_when_an_entry_changes(graded: Database) -> None:
    """A reviewed subject goes back to pending on a new entry; sending back needs a note."""
    with graded.transaction() as s:
        scope = load_scope(s)
        grades.review_subject(s, scope, subject_code="TOAN", semester=1, actor="GVCN")
        with pytest.raises(IllegalTransition):
            grades.review_subject(s, scope, subject_code="TOAN", semester=1, actor="GVCN")
    enter(graded, "HS002", "TOAN", 1, {"TX1": "8"})
    with graded.transaction() as s:
        scope = load_scope(s)
        toan = s.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        assert s.get_one(SubjectTerm, (toan.id, 1)).review_state == "pending"
        with pytest.raises(InvalidInput):
            grades.review_subject(
                s, scope, subject_code="TOAN", semester=1, send_back=True, note=" ", actor="GVCN"
            )
        grades.review_subject(
            s,
            scope,
            subject_code="TOAN",
            semester=1,
            send_back=True,
            note="Thiếu điểm TX2 của 2 em",
            actor="GVCN",
        )
        assert s.get_one(SubjectTerm, (toan.id, 1)).review_state == "returned"


def test_completeness_counts_expected_entered_and_missing(graded: Database) -> None:
    """3 students; Toán 6 cells, Quốc phòng 4, Thể chất 4 per semester: 3·14·2 = 84 expected."""
    with graded.reading() as s:
        result = grade_report.completeness(s, load_scope(s), today=TODAY)
    # entered: Toán 6 + 6, Quốc phòng 4, Thể chất 4 = 20
    assert (result.expected, result.entered) == (84, 20)
    toan_1 = next(r for r in result.subjects if r.subject_code == "TOAN" and r.semester == 1)
    assert (toan_1.expected, toan_1.entered, toan_1.missing) == (18, 6, 12)


def test_conduct_ratings_feed_the_year_report(graded: Database) -> None:
    """Semester I Tốt, semester II Khá: the year is Khá (Tốt needs Tốt in semester II)."""
    with graded.transaction() as s:
        scope = load_scope(s)
        grades.set_conduct(s, scope, student_ref="HS001", term=1, level="tot", actor="GVCN")
        grades.set_conduct(s, scope, student_ref="HS001", term=2, level="Khá", actor="GVCN")
        with pytest.raises(InvalidInput):
            grades.set_conduct(s, scope, student_ref="HS001", term=2, level="giỏi", actor="GV")
    with graded.reading() as s:
        rows = grade_report.report(s, load_scope(s), term="year")
    assert next(r for r in rows if r.student_code == "HS001").conduct == "Khá"
