"""The attendance month grid on the small hand-made class: its columns, cells and sources, the
year's totals against the policy, the follow-up list, partial reads, and the CLI's mark words."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from desktop.domain.attendance import MarkSource, MarkStatus, Observation, parse_observation
from desktop.domain.calendar import Session, Slot
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.models import AttendanceMark
from desktop.models.db import Database
from desktop.services import attendance, attendance_month, leave
from desktop.services.attendance_month import MonthGrid, OffReason
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope, save_policy
from tests.factories import SmallClass, at, build_small_class

AM, PM = Session.MORNING, Session.AFTERNOON
TODAY = date(2026, 1, 20)


def grid(db: Database, month: tuple[int, int], student_ids: list[int] | None = None) -> MonthGrid:
    with db.reading() as s:
        return attendance_month.month_grid(
            s, load_scope(s), month=month, today=TODAY, student_ids=student_ids
        )


def mark(db: Database, student_id: int, day: date, session: Session, seen: Observation) -> None:
    with db.transaction() as s:
        attendance.mark(
            s, load_scope(s), student_id=student_id, slot=Slot.of(day, session), observed=seen,
            actor="GVCN",
        )  # fmt: skip


def request(db: Database, small: SmallClass, first: Slot, last: Slot, student: int = 0) -> int:
    with db.transaction() as s:
        changes = leave.submit(
            s,
            load_scope(s),
            NewRequest(
                student_id=small.student_ids[student],
                guardian_id=small.guardian_ids[student],
                first=first,
                last=last,
                reason_category="illness",
                reason_text="Sốt",
                channel=4,
                submitted_at=at(first.day),
            ),
            actor="parent",
        )
    return int(next(iter(changes.ids("leave_request"))))


def cell(month: MonthGrid, student_id: int, day: date, session: Session) -> object:
    row = next(r for r in month.students if r.student_id == student_id)
    number = next(n for n, c in enumerate(month.columns) if c.slot == Slot.of(day, session))
    return row.cells[number]


def test_columns_are_the_weeks_sessions_with_the_holiday_greyed(
    db: Database, small: SmallClass
) -> None:
    """January 2026: 22 weekdays of two sessions and 5 Saturday mornings; 02/01 is off."""
    january = grid(db, (2026, 1))
    assert len(january.columns) == 22 * 2 + 5
    off = [(c.day, c.session) for c in january.columns if c.off is OffReason.HOLIDAY]
    assert off == [(date(2026, 1, 2), AM), (date(2026, 1, 2), PM)]
    assert all(c.day.weekday() != 6 for c in january.columns)
    saturdays = [c for c in january.columns if c.day.weekday() == 5]
    assert {c.session for c in saturdays} == {AM}
    # The year begins on Friday 05/09/2025: September shows no day before it.
    september = grid(db, (2025, 9))
    assert september.columns[0].slot == Slot.of(date(2025, 9, 5), AM)
    assert len(september.columns) == 18 * 2 + 4


def test_students_come_in_vietnamese_order_and_months_span_the_year(
    db: Database, small: SmallClass
) -> None:
    """Given name first (An, Bình, Đức); the chooser runs 09/2025-05/2026 and clamps."""
    january = grid(db, (2026, 1))
    assert [r.name for r in january.students] == ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Đức"]
    assert january.months[0] == (2025, 9) and january.months[-1] == (2026, 5)
    with db.reading() as s:
        calendar = load_scope(s).calendar
    assert attendance_month.month_of(calendar, date(2026, 7, 14)) == (2026, 5)
    assert attendance_month.month_of(calendar, date(2025, 8, 1)) == (2025, 9)


def test_cells_carry_their_mark_and_source(db: Database, small: SmallClass) -> None:
    """Roll call gives K/P/M from roll call; an approved request gives P from that request."""
    an, binh, _duc = small.student_ids
    mark(db, an, date(2026, 1, 5), AM, Observation.ABSENT)
    mark(db, an, date(2026, 1, 5), PM, Observation.LATE)
    mark(db, an, date(2026, 1, 6), AM, Observation.EXCUSED_BY_TEACHER)
    rid = request(db, small, Slot.of(date(2026, 1, 7), AM), Slot.of(date(2026, 1, 7), PM), 1)
    with db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GVCN")
    january = grid(db, (2026, 1))
    k = cell(january, an, date(2026, 1, 5), AM)
    assert k == attendance_month.Cell(
        MarkStatus.UNEXCUSED, MarkSource.ROLL_CALL, None, Observation.ABSENT
    )
    late = cell(january, an, date(2026, 1, 5), PM)
    assert isinstance(late, attendance_month.Cell) and late.status is MarkStatus.LATE
    excused = cell(january, an, date(2026, 1, 6), AM)
    assert isinstance(excused, attendance_month.Cell) and not excused.from_request
    from_leave = cell(january, binh, date(2026, 1, 7), PM)
    assert isinstance(from_leave, attendance_month.Cell)
    assert (from_leave.status, from_leave.source, from_leave.request_id) == (
        MarkStatus.EXCUSED,
        MarkSource.LEAVE,
        rid,
    )
    assert from_leave.from_request
    assert january.requests[rid].first == Slot.of(date(2026, 1, 7), AM)
    assert cell(january, an, date(2026, 1, 8), AM) is None


def test_totals_are_the_years_with_the_policys_warning(db: Database) -> None:
    """With warnings at 2 and 3 and a limit of 3, two absences warn at 2; four are over."""
    with db.transaction() as s:
        small = build_small_class(s, SchoolPolicy(absence_warnings=(2, 3), absence_limit=3))
    an = small.student_ids[0]
    mark(db, an, date(2025, 10, 6), AM, Observation.ABSENT)  # another month: the year counts
    mark(db, an, date(2026, 1, 5), AM, Observation.EXCUSED_BY_TEACHER)
    row = grid(db, (2026, 1)).students[0]
    assert (row.totals.excused, row.totals.unexcused, row.totals.total_absent) == (1, 1, 2)
    assert row.totals.warning == 2 and not row.totals.over_limit
    assert row.warning is not None and "2" in row.warning
    mark(db, an, date(2026, 1, 5), PM, Observation.ABSENT)
    mark(db, an, date(2026, 1, 6), AM, Observation.ABSENT)
    row = grid(db, (2026, 1)).students[0]
    assert row.totals.total_absent == 4 and row.totals.over_limit
    with db.transaction() as s:
        save_policy(s, load_scope(s).school_id, SchoolPolicy())
    assert grid(db, (2026, 1)).students[0].totals.warning is None


def test_follow_up_lists_the_absences_no_request_explains(db: Database, small: SmallClass) -> None:
    """Pending and rejected requests explain an absence; a cancelled one does not; the latest
    absence comes first."""
    an, binh, duc = small.student_ids
    mark(db, an, date(2026, 1, 5), AM, Observation.ABSENT)
    mark(db, binh, date(2026, 1, 6), AM, Observation.ABSENT)
    mark(db, duc, date(2026, 1, 7), AM, Observation.ABSENT)
    mark(db, duc, date(2026, 1, 8), AM, Observation.LATE)
    request(db, small, Slot.of(date(2026, 1, 6), AM), Slot.of(date(2026, 1, 6), AM), 1)
    cancelled = request(db, small, Slot.of(date(2026, 1, 7), AM), Slot.of(date(2026, 1, 7), AM), 2)
    mark(db, binh, date(2026, 1, 9), PM, Observation.ABSENT)
    rejected = request(db, small, Slot.of(date(2026, 1, 9), PM), Slot.of(date(2026, 1, 9), PM), 1)
    with db.transaction() as s:
        leave.cancel(s, load_scope(s), request_id=cancelled, actor="parent")
        leave.decide(
            s, load_scope(s), request_id=rejected, approve=False, note="Không rõ lý do",
            actor="GVCN",
        )  # fmt: skip
    follow = grid(db, (2025, 12)).follow_up  # the year's, whichever month is shown
    assert [(f.name, f.day, f.session) for f in follow] == [
        ("Phạm Minh Đức", date(2026, 1, 7), AM),
        ("Nguyễn Văn An", date(2026, 1, 5), AM),
    ]


def test_a_partial_read_and_the_students_a_change_touched(db: Database, small: SmallClass) -> None:
    """A service's keys name the student; a sync's row id is looked up; a lost row reads all."""
    an, binh, _duc = small.student_ids
    mark(db, binh, date(2026, 1, 5), AM, Observation.ABSENT)
    part = grid(db, (2026, 1), [binh])
    assert [r.student_id for r in part.students] == [binh]
    with db.reading() as s:
        scope = load_scope(s)
        row_id = s.scalar(select(AttendanceMark.id).where(AttendanceMark.student_id == binh))
        touched = attendance_month.students_touched
        assert touched(s, scope, marks=[f"{an}:2026-01-05:morning"]) == {an}
        assert touched(s, scope, marks=[str(row_id)]) == {binh}
        assert touched(s, scope, marks=["999999"]) is None
        assert touched(s, scope, students=[str(an)]) is None


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ("vắng", Observation.ABSENT),
        ("VANG", Observation.ABSENT),
        ("không phép", Observation.ABSENT),
        ("Khong  Phep", Observation.ABSENT),
        ("có phép", Observation.EXCUSED_BY_TEACHER),
        ("co phep", Observation.EXCUSED_BY_TEACHER),
        ("muộn", Observation.LATE),
        ("Muon", Observation.LATE),
        ("có mặt", Observation.PRESENT),
        ("CÓ MẶT", Observation.PRESENT),
        ("absent", Observation.ABSENT),
        ("excused", Observation.EXCUSED_BY_TEACHER),
        ("P", Observation.EXCUSED_BY_TEACHER),
        ("xoá", None),
        ("clear", None),
    ],
)
def test_roll_call_words(typed: str, seen: Observation | None) -> None:
    """The Vietnamese words, any case, diacritics optional, and the English ones."""
    assert parse_observation(typed) is seen


def test_an_unknown_roll_call_word_is_refused_in_vietnamese() -> None:
    """A word that is no mark says which words are."""
    with pytest.raises(InvalidInput) as refused:
        parse_observation("ốm")
    assert "có mặt, vắng" in refused.value.message and "'ốm'" in refused.value.message
