"""The results service on a class of five worked out by hand (tests/promotion_class.py): the
year's averages, levels, conduct proposed and recorded, the promotion list and its reasons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.models.db import Database
from desktop.services import grades, results
from desktop.services.scope import load_scope
from tests.promotion_class import PromotionClass, build_promotion_class


@pytest.fixture
def promotion(db: Database) -> PromotionClass:
    with db.transaction() as session:
        return build_promotion_class(session)


def year(db: Database) -> results.Results:
    with db.reading() as session:
        return results.results(session, load_scope(session), term="year")


def test_the_year_averages_and_levels_are_the_hand_worked_ones(
    db: Database, promotion: PromotionClass
) -> None:
    """Averages (I + 2·II)/3 rounded half up, academic result and conduct per student."""
    rows = {row.report.student_name.split()[-1]: row.report for row in year(db).rows}
    assert list(rows) == ["An", "Bình", "Châu", "Đức", "Em"]  # Vietnamese order
    averages = {
        name: {s.subject_code: s.average or s.result for s in report.subjects}
        for name, report in rows.items()
    }
    assert averages["An"]["TOAN"] == Decimal("9.3")
    assert averages["An"]["LY"] == Decimal("8.9")  # (7.7 + 2·9.5) / 3
    assert averages["Bình"]["TOAN"] == Decimal("3.4")
    assert averages["Bình"]["ANH"] == Decimal("4.9")
    assert averages["Bình"]["VAN"] == Decimal("6.7")
    assert averages["Châu"]["HOA"] == Decimal("7.7")
    assert averages["Em"]["GDTC"] == "CĐ"
    assert {n: r.academic for n, r in rows.items()} == {
        "An": "Tốt",
        "Bình": "Chưa đạt",
        "Châu": "Khá",
        "Đức": "Khá",
        "Em": "Đạt",
    }
    assert {n: r.conduct for n, r in rows.items()} == {
        "An": "Tốt",
        "Bình": "Khá",
        "Châu": "Khá",
        "Đức": "Chưa đạt",
        "Em": "Khá",
    }
    assert {n: r.absences for n, r in rows.items()} == {
        "An": 0,
        "Bình": 0,
        "Châu": 46,
        "Đức": 0,
        "Em": 45,
    }
    assert {n: r.award for n, r in rows.items() if r.award} == {"An": "xuat_sac"}


def test_the_promotion_list_is_grouped_counted_and_says_why(
    db: Database, promotion: PromotionClass
) -> None:
    """Promoted An and Em (45 sessions is not over the limit); Bình re-assessed in Toán and
    Tiếng Anh; Đức trains his conduct; Châu, 46 sessions absent, is kept back."""
    groups = {
        group.outcome: [(e.student_name, e.reasons) for e in group.students]
        for group in year(db).promotion
    }
    assert list(groups) == [
        "promoted",
        "summer_reassessment",
        "summer_conduct_training",
        "kept_back_absences",
    ]
    assert groups == {
        "promoted": [("Nguyễn Văn An", ()), ("Võ Văn Em", ())],
        "summer_reassessment": [
            (
                "Lê Thị Bình",
                ("Kết quả học tập cả năm: Chưa đạt.", "Toán 3,4 < 5,0", "Tiếng Anh 4,9 < 5,0"),
            )
        ],
        "summer_conduct_training": [("Phạm Minh Đức", ("Kết quả rèn luyện cả năm: Chưa đạt.",))],
        "kept_back_absences": [("Trần Thị Châu", ("Nghỉ 46 buổi, quá giới hạn 45 buổi.",))],
    }
    assert [(g.label, g.count) for g in year(db).promotion] == [
        ("Được lên lớp", 2),
        ("Kiểm tra, đánh giá lại trong hè", 1),
        ("Rèn luyện trong kì nghỉ hè", 1),
        ("Ở lại lớp do nghỉ quá số buổi", 1),
    ]


def test_the_year_conduct_is_proposed_until_the_teacher_sets_it(
    db: Database, promotion: PromotionClass
) -> None:
    """Derived from the semesters while unset; a recorded year value wins and moves the list."""
    duc = promotion.ids["Đức"]
    row = next(r for r in year(db).rows if r.student_id == duc)
    assert (row.conduct_recorded, row.conduct_proposed) == (None, "Chưa đạt")
    assert row.conduct_semesters == ("Đạt", "Chưa đạt")
    with db.transaction() as session:
        grades.set_conduct(
            session, load_scope(session), student_ref=str(duc), term=0, level="Đạt", actor="GV"
        )
    summary = year(db)
    row = next(r for r in summary.rows if r.student_id == duc)
    assert (row.conduct_recorded, row.conduct_proposed, row.report.conduct) == (
        "Đạt",
        "Chưa đạt",
        "Đạt",
    )
    promoted = next(g for g in summary.promotion if g.outcome == "promoted")
    assert [e.student_name for e in promoted.students] == [
        "Nguyễn Văn An",
        "Phạm Minh Đức",
        "Võ Văn Em",
    ]
    assert "summer_conduct_training" not in {g.outcome for g in summary.promotion}


def test_a_semester_has_no_promotion_list_and_nothing_proposed(
    db: Database, promotion: PromotionClass
) -> None:
    """Semester I: the recorded conduct only, no proposal, no promotion list."""
    with db.reading() as session:
        first = results.results(session, load_scope(session), term="1")
    assert first.promotion == ()
    assert [r.conduct_recorded for r in first.rows] == ["Tốt", "Khá", "Tốt", "Đạt", "Tốt"]
    assert {r.conduct_proposed for r in first.rows} == {None}
    assert [c.code for c in first.subjects][:3] == ["TOAN", "GDQP", "GDTC"]


def test_the_current_term_is_the_semester_of_the_day_or_the_nearest(
    db: Database, promotion: PromotionClass
) -> None:
    """Before the year: semester 1; in January after the 12th: 2; after the year: 2."""
    with db.reading() as session:
        calendar = load_scope(session).calendar
    assert results.current_term(calendar, date(2025, 8, 1)) == "1"
    assert results.current_term(calendar, date(2026, 1, 11)) == "1"
    assert results.current_term(calendar, date(2026, 1, 12)) == "2"
    assert results.current_term(calendar, date(2026, 7, 1)) == "2"
