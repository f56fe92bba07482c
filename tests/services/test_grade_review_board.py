"""The review board on the small class: completeness per subject and semester against hand
counts, the missing entries named, and grade changes (synced or still provisional) to check."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from desktop.errors import IllegalTransition, NotFound
from desktop.models import GradeDeadline, SchoolClass, Subject, Teacher
from desktop.models.db import Database
from desktop.services import grade_report, grades, intents
from desktop.services import grade_review_board as board
from desktop.services.scope import load_scope
from tests.factories import SmallClass

TODAY = date(2025, 10, 20)
EARLY = datetime(2025, 9, 20, 3, tzinfo=UTC)
LATE = datetime(2025, 10, 6, 3, tzinfo=UTC)


def enter(db: Database, student: str, column: str, value: str, when: datetime) -> None:
    kind, slot = (column[:2], int(column[2:])) if column.startswith("TX") else (column, 1)
    with db.transaction() as session:
        grades.set_grade(
            session,
            load_scope(session),
            student_ref=student,
            subject_code="TOAN",
            semester=1,
            kind=kind,
            slot=slot,
            value=value,
            reason="Nhập nhầm",
            actor="Trần Thị Hồng Nhung",
            today=when.date(),
            now=when,
        )


@pytest.fixture
def graded(db: Database, small: SmallClass) -> Database:
    """An: every Toán column of semester I; Bình: TX1 only, after the TX deadline of 01/10."""
    with db.transaction() as session:
        session.add(
            GradeDeadline(class_id=small.class_id, semester=1, kind="TX", due_on=date(2025, 10, 1))
        )
        teacher = Teacher(school_id=1, code="GV02", full_name="Mai Thị Tuyết", role="subject")
        session.add(teacher)
        session.flush()
        toan = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        toan.teacher_id = teacher.id
    for column, value in [
        ("TX1", "6"),
        ("TX2", "8"),
        ("TX3", "7,5"),
        ("TX4", "9"),
        ("GK", "5"),
        ("CK", "10"),
    ]:
        enter(db, "HS001", column, value, EARLY)
    enter(db, "HS002", "TX1", "7", LATE)
    return db


def test_counts_per_subject_and_semester_match_hand_counts(graded: Database) -> None:
    """Toán I: 3 students × 6 columns = 18 expected, 7 entered, 11 missing, 1 late; the teacher
    is named; the board agrees with the completeness report."""
    with graded.reading() as session:
        scope = load_scope(session)
        rows = board.board(session, scope, today=TODAY)
        report = grade_report.completeness(session, scope, today=TODAY)
    assert [(r.subject_code, r.semester) for r in rows] == [
        ("TOAN", 1),
        ("GDQP", 1),
        ("GDTC", 1),
        ("TOAN", 2),
        ("GDQP", 2),
        ("GDTC", 2),
    ]
    toan = rows[0]
    assert (toan.expected, toan.entered, toan.missing, toan.late) == (18, 7, 11, 1)
    assert toan.teacher_name == "Mai Thị Tuyết" and rows[1].teacher_name == ""
    assert toan.review_state == "pending" and toan.state_label == "Chờ kiểm tra"
    assert [
        (r.subject_code, r.semester, r.expected, r.entered, r.missing, r.late) for r in rows
    ] == sorted(
        [
            (c.subject_code, c.semester, c.expected, c.entered, c.missing, c.late)
            for c in report.subjects
        ],
        key=lambda c: (c[1], [r.subject_code for r in rows].index(c[0])),
    )


def test_the_missing_entries_are_named_in_class_list_order(graded: Database) -> None:
    """Bình lacks TX2..CK, Đức everything; the sentence says how many and names them."""
    with graded.reading() as session:
        toan = board.subject_review(
            session, load_scope(session), subject_code="toan", semester=1, today=TODAY
        )
    assert [(s.student_name, s.columns) for s in toan.missing_students] == [
        ("Lê Thị Bình", ("TX2", "TX3", "TX4", "GK", "CK")),
        ("Phạm Minh Đức", ("TX1", "TX2", "TX3", "TX4", "GK", "CK")),
    ]
    assert board.missing_text(toan) == (
        "Toán, học kì 1: còn thiếu 11/18 đầu điểm của 2 học sinh: "
        "Lê Thị Bình (TX2, TX3, TX4, GK, CK); Phạm Minh Đức (TX1, TX2, TX3, TX4, GK, CK)."
    )
    assert board.missing_text(toan, named=1).endswith("; và 1 học sinh khác.")


def test_only_the_asked_rows_are_read(graded: Database) -> None:
    """``keys`` names subject terms "subject id:semester"; entries map to their rows."""
    with graded.reading() as session:
        scope = load_scope(session)
        toan = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        rows = board.board(session, scope, today=TODAY, keys=[f"{toan.id}:2"])
        entry = grades.find_entry(session, 1, toan.id, 1, "TX", 1)
        assert entry is not None
        assert board.keys_of_entries(session, [str(entry.id)]) == {f"{toan.id}:1"}
        assert board.keys_of_entries(session, [str(entry.id), "-5"]) is None
    assert [(r.subject_code, r.semester, r.missing) for r in rows] == [("TOAN", 2, 18)]


def test_a_change_not_synced_yet_waits_and_cannot_be_checked(graded: Database) -> None:
    """A change made through an intent has a provisional id: listed waiting for sync, in the
    Vietnamese number form, and refused by ``require_checkable`` with why."""
    with graded.transaction() as session:
        scope = load_scope(session)
        # Only the subject's teacher enters its grades: the homeroom teacher teaches Toán here.
        toan = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        toan.teacher_id = session.get_one(SchoolClass, scope.class_id).homeroom_teacher_id
        intents.perform(
            session,
            scope,
            "set_grade",
            {
                "student_id": 1,
                "subject_code": "TOAN",
                "semester": 1,
                "kind": "TX",
                "slot": 3,
                "value": "6,5",
                "reason": "Chấm phúc khảo",
                "base_version": 1,
            },
            actor="Trần Thị Hồng Nhung",
            now=LATE,
        )
    with graded.reading() as session:
        scope = load_scope(session)
        (change,) = board.changes_to_check(session, scope)
        assert change.id < 0 and change.waiting_for_sync and not change.checkable
        assert (change.column, change.shown_old, change.shown_new) == ("TX3", "7,5", "6,5")
        assert (change.old_value, change.new_value, change.column) == ("7.5", "6.5", "TX3")
        assert change.state_label == "Chờ đồng bộ"
        with pytest.raises(IllegalTransition, match="chưa lên máy chủ"):
            board.require_checkable(session, scope, change_id=change.id)
        with pytest.raises(NotFound):
            board.require_checkable(session, scope, change_id=999)


def test_a_synced_change_is_checkable_then_leaves_the_open_list(graded: Database) -> None:
    """A change with a server id (as a sync brings it) is checkable; once checked, only
    ``open_only=False`` lists it."""
    enter(graded, "HS002", "TX1", "8", LATE)  # after the TX deadline: listed
    with graded.transaction() as session:
        scope = load_scope(session)
        (change,) = board.changes_to_check(session, scope)
        assert change.id > 0 and change.checkable and not change.waiting_for_sync
        assert change.state_label == "Chưa kiểm tra"
        board.require_checkable(session, scope, change_id=change.id)
        grades.check_change(session, scope, change_id=change.id, query_note=None, actor="GVCN")
        assert board.changes_to_check(session, scope) == []
        (done,) = board.changes_to_check(session, scope, open_only=False)
        assert done.state_label == "Đã kiểm tra" and not done.checkable
