"""The roster and a student's page on the small hand-made class: Vietnamese order, guardians,
absences with their source, requests and semester averages worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.domain.names import normalize, search_key, sort_text
from desktop.models import AttendanceMark, GradeEntry, Guardian, Student
from desktop.models.base import utc_now
from desktop.models.db import Database
from desktop.services import attendance, leave, students
from desktop.services.grades import subjects_of
from desktop.services.scope import load_scope
from tests.factories import SmallClass, at

TODAY = date(2026, 3, 16)


def add_student(session: Session, class_id: int, code: str, name: str) -> int:
    full = normalize(name)
    student = Student(
        class_id=class_id,
        code=code,
        full_name=full,
        sort_key=sort_text(full),
        search_key=search_key(full),
        date_of_birth=date(2009, 12, 1),
        gender="female",
    )
    session.add(student)
    session.flush()
    return student.id


def grade(session: Session, student_id: int, subject_code: str, semester: int, *cells: str) -> None:
    """Enter ``cells`` ("TX1=6", "GK=5", "CK1=Đ") for one student, subject and semester."""
    subject_id = next(
        s.id for s in subjects_of(session, load_scope(session)) if s.code == subject_code
    )
    for cell in cells:
        column, value = cell.split("=")
        kind, slot = column[:2], int(column[2:] or 1)
        comment = value if value in ("Đ", "CĐ") else None
        session.add(
            GradeEntry(
                student_id=student_id,
                subject_id=subject_id,
                semester=semester,
                kind=kind,
                slot=slot,
                score=None if comment else Decimal(value),
                comment=comment,
                author="Giáo viên bộ môn",
                entered_at=utc_now(),
                updated_at=utc_now(),
            )
        )
    session.flush()


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_roster_is_in_vietnamese_order_with_guardians(db: Database, small: SmallClass) -> None:
    """Given name first, Đ after D, Ân after An; guardians with relation, phone and dates."""
    with db.transaction() as session:
        add_student(session, small.class_id, "HS004", "Hoàng Văn Dũng")
        add_student(session, small.class_id, "HS005", "Trần Thị Ân")
        scope = load_scope(session)
        rows = students.roster(session, scope)
    assert [row.full_name for row in rows] == [
        "Nguyễn Văn An",
        "Trần Thị Ân",
        "Lê Thị Bình",
        "Hoàng Văn Dũng",
        "Phạm Minh Đức",
    ]
    first = rows[0]
    assert first.code == "HS001"
    assert first.date_of_birth == date(2009, 1, 10)
    assert students.gender_label(first.gender) == "Nam"
    assert [(g.full_name, g.relation_label, g.phone) for g in first.guardians] == [
        ("Phụ huynh 1", "mẹ", "0900000001"),
        ("Ông Nội", "ông", "0911111111"),
    ]
    assert first.registered is not None and first.registered.consent_recorded_on == date(2025, 9, 1)
    assert rows[1].guardians == () and rows[1].registered is None


def test_the_search_text_ignores_diacritics(db: Database, small: SmallClass) -> None:
    """ "duc" and "DUC" find "Phạm Minh Đức"; the code is searchable too."""
    with db.reading() as session:
        rows = students.roster(session, load_scope(session))
    duc = next(row for row in rows if row.full_name == "Phạm Minh Đức")
    assert search_key("duc") in duc.search_text and search_key("DUC") in duc.search_text
    assert "hs003" in duc.search_text


def test_a_students_page_shows_absences_requests_and_averages(
    db: Database, small: SmallClass
) -> None:
    """A roll-call absence, an approved leave of four sessions and a late arrival, counted and
    listed newest first with their source; TOAN averages 7,8 / 7,9 / year 7,9 by hand."""
    student_id = small.student_ids[0]
    with db.transaction() as session:
        scope = load_scope(session)
        attendance.mark(
            session,
            scope,
            student_id=student_id,
            slot=Slot.of(date(2025, 10, 6), SchoolSession.MORNING),
            observed=Observation.ABSENT,
            actor="GVCN",
        )
        attendance.mark(
            session,
            scope,
            student_id=student_id,
            slot=Slot.of(date(2025, 10, 13), SchoolSession.MORNING),
            observed=Observation.LATE,
            actor="GVCN",
        )
        submitted = leave.submit(
            session,
            scope,
            leave.NewRequest(
                student_id=student_id,
                guardian_id=small.guardian_ids[0],
                first=Slot.of(date(2025, 10, 7), SchoolSession.MORNING),
                last=Slot.of(date(2025, 10, 8), SchoolSession.AFTERNOON),
                reason_category="illness",
                reason_text="Sốt",
                channel=3,
                submitted_at=at(date(2025, 10, 6)),
            ),
            actor="parent",
        )
        request_id = int(next(iter(submitted.ids("leave_request"))))
        leave.decide(session, scope, request_id=request_id, approve=True, actor="GVCN")
        grade(session, student_id, "TOAN", 1, "TX1=6", "TX2=8", "TX3=7.5", "TX4=9", "GK=5", "CK=10")
        grade(session, student_id, "TOAN", 2, "TX1=7", "TX2=7", "TX3=7", "TX4=7", "GK=8", "CK=9")
        grade(session, student_id, "GDTC", 1, "TX1=Đ", "TX2=Đ", "GK=Đ", "CK=Đ")
        grade(session, student_id, "GDTC", 2, "TX1=Đ", "TX2=CĐ")

    with db.reading() as session:
        scope = load_scope(session)
        with counted(session) as statements:
            page = students.student_page(session, scope, student_id, today=TODAY)
    assert len(statements) <= 8

    assert page.student.full_name == "Nguyễn Văn An"
    assert (page.totals.excused, page.totals.unexcused, page.totals.late) == (4, 1, 1)
    assert page.totals.total_absent == 5
    assert page.warning is None
    assert [(a.day, a.session, a.status, a.source, a.request_id) for a in page.absences] == [
        (date(2025, 10, 13), "morning", "late", "roll_call", None),
        (date(2025, 10, 8), "afternoon", "excused", "leave", request_id),
        (date(2025, 10, 8), "morning", "excused", "leave", request_id),
        (date(2025, 10, 7), "afternoon", "excused", "leave", request_id),
        (date(2025, 10, 7), "morning", "excused", "leave", request_id),
        (date(2025, 10, 6), "morning", "unexcused", "roll_call", None),
    ]
    assert [(r.id, r.status, r.sessions) for r in page.requests] == [(request_id, "approved", 4)]

    by_code = {g.subject_code: g for g in page.grades}
    assert [g.subject_code for g in page.grades] == ["TOAN", "GDQP", "GDTC"]
    toan = by_code["TOAN"]
    # S1 (6 + 8 + 7.5 + 9 + 2·5 + 3·10) / 9 = 7.83 → 7.8; S2 71 / 9 = 7.89 → 7.9;
    # year (7.8 + 2·7.9) / 3 = 7.87 → 7.9.
    assert (toan.semester1, toan.semester2, toan.year) == (
        Decimal("7.8"),
        Decimal("7.9"),
        Decimal("7.9"),
    )
    assert (toan.entered, toan.expected) == ((6, 6), 6)
    gdtc = by_code["GDTC"]
    assert (gdtc.semester1, gdtc.semester2, gdtc.year, gdtc.entered) == ("Đ", None, None, (4, 2))
    gdqp = by_code["GDQP"]
    assert (gdqp.semester1, gdqp.year, gdqp.entered, gdqp.expected) == (None, None, (0, 0), 4)


def test_touched_rows_are_traced_to_their_students(db: Database, small: SmallClass) -> None:
    """A guardian, a request, a grade and both forms of an attendance key name their student;
    a row deleted since cannot be traced, which is said; a subject change is class-wide."""
    first, second, third = small.student_ids
    with db.transaction() as session:
        scope = load_scope(session)
        attendance.mark(
            session,
            scope,
            student_id=third,
            slot=Slot.of(date(2025, 10, 6), SchoolSession.MORNING),
            observed=Observation.ABSENT,
            actor="GVCN",
        )
        grade(session, second, "TOAN", 1, "TX1=6")
        entry_id = session.query(GradeEntry.id).scalar()
        mark_id = session.query(AttendanceMark.id).scalar()
    with db.reading() as session:
        found = students.touched_students(
            session,
            {
                "guardian": {str(small.unregistered_guardian_id)},
                "grade_entry": {str(entry_id)},
                "attendance_mark": {str(mark_id)},
            },
        )
        assert found == students.Touched(frozenset({first, second, third}), False, False)
        local = students.touched_students(
            session, {"attendance_mark": {f"{second}:2025-10-06:morning"}, "subject": {"1"}}
        )
        assert local == students.Touched(frozenset({second}), False, True)
    with db.transaction() as session:
        session.execute(delete(Guardian).where(Guardian.id == small.unregistered_guardian_id))
    with db.reading() as session:
        gone = students.touched_students(
            session, {"guardian": {str(small.unregistered_guardian_id)}}
        )
    assert gone == students.Touched(frozenset(), True, False)


def test_the_roster_narrowed_to_some_students(db: Database, small: SmallClass) -> None:
    """Only the asked students come back, with their guardians, in two queries; an unknown
    id is absent."""
    with db.reading() as session:
        scope = load_scope(session)
        with counted(session) as statements:
            rows = students.roster(session, scope, student_ids=[small.student_ids[0], 999_999])
    assert len(statements) == 2
    assert [row.id for row in rows] == [small.student_ids[0]]
    assert len(rows[0].guardians) == 2
