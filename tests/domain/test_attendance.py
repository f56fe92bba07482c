"""The attendance ledger and absence totals (desktop/domain/attendance.py).

Calendar: school year 05/09/2025-29/05/2026, Mon-Fri two sessions, Saturday morning.
October 2025: Mon 6, Tue 7, Wed 8, Thu 9, Fri 10, Sat 11, Sun 12, Mon 13.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.attendance import (
    Cover,
    Mark,
    MarkSource,
    MarkStatus,
    Observation,
    StudentTotals,
    derive_ledger,
    derive_mark,
    marks_of,
    totals,
    warning_text,
)
from desktop.domain.calendar import CountingRule, SchoolCalendar, Session, Slot
from desktop.domain.leave import AuditStatus, LeaveStatus
from desktop.domain.policy import SchoolLevel, SchoolPolicy
from desktop.i18n import set_language

AM, PM = Session.MORNING, Session.AFTERNOON
CAL = SchoolCalendar(
    first_day=date(2025, 9, 5),
    last_day=date(2026, 5, 29),
    semester2_start=date(2026, 1, 12),
)
POLICY = SchoolPolicy()
P, K = MarkStatus.EXCUSED, MarkStatus.UNEXCUSED
APPROVED, REJECTED = LeaveStatus.APPROVED, LeaveStatus.REJECTED


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def s(day: int, session: Session) -> Slot:
    return Slot.of(date(2025, 10, day), session)


def cover(
    request_id: int = 1,
    status: LeaveStatus = APPROVED,
    audit: AuditStatus = AuditStatus.NONE,
    first: Slot | None = None,
    last: Slot | None = None,
    student_id: int = 1,
) -> Cover:
    """Request #request_id of student 1, approved, for Mon 6/10 by default."""
    return Cover(request_id, student_id, status, audit, first or s(6, AM), last or s(6, PM))


# --- derive_mark ----------------------------------------------------------------------------


def test_mark_is_a_plain_tuple() -> None:
    """derive_mark returns (status, source, request_id)."""
    assert derive_mark(None, [cover(4)]) == (P, MarkSource.LEAVE, 4)
    assert Mark(P, MarkSource.ROLL_CALL) == (P, MarkSource.ROLL_CALL, None)


@pytest.mark.parametrize(
    ("observation", "covers", "expected"),
    [
        # Approved leave, no roll call: excused by the leave.
        (None, [cover(4)], (P, MarkSource.LEAVE, 4)),
        (Observation.ABSENT, [cover(4)], (P, MarkSource.LEAVE, 4)),
        # Audited and confirmed, or only selected: still excused.
        (None, [cover(4, audit=AuditStatus.SELECTED)], (P, MarkSource.LEAVE, 4)),
        (None, [cover(4, audit=AuditStatus.CONFIRMED)], (P, MarkSource.LEAVE, 4)),
        # The student came after all: roll call wins over the leave.
        (Observation.PRESENT, [cover(4)], (MarkStatus.PRESENT, MarkSource.ROLL_CALL, None)),
        (Observation.LATE, [cover(4)], (MarkStatus.LATE, MarkSource.ROLL_CALL, None)),
        (Observation.PRESENT, [], (MarkStatus.PRESENT, MarkSource.ROLL_CALL, None)),
        # Absent with nothing approved: unexcused.
        (Observation.ABSENT, [], (K, MarkSource.ROLL_CALL, None)),
        (Observation.ABSENT, [cover(4, REJECTED)], (K, MarkSource.ROLL_CALL, None)),
        (Observation.ABSENT, [cover(4, LeaveStatus.CANCELLED)], (K, MarkSource.ROLL_CALL, None)),
        (Observation.ABSENT, [cover(4, LeaveStatus.SUBMITTED)], (K, MarkSource.ROLL_CALL, None)),
        # Withdrawn is not approved.
        (Observation.ABSENT, [cover(4, LeaveStatus.WITHDRAWN)], (K, MarkSource.ROLL_CALL, None)),
        # Nothing observed and nothing approved: no mark.
        (None, [], None),
        (None, [cover(4, REJECTED)], None),
        (None, [cover(4, LeaveStatus.SUBMITTED)], None),
        (None, [cover(4, LeaveStatus.WITHDRAWN)], None),
        (None, [cover(4, LeaveStatus.WITHDRAWN, AuditStatus.DISCREPANCY)], None),
        # Post-audit found a discrepancy: unexcused, by the audit.
        (None, [cover(4, audit=AuditStatus.DISCREPANCY)], (K, MarkSource.AUDIT, 4)),
        (Observation.ABSENT, [cover(4, audit=AuditStatus.DISCREPANCY)], (K, MarkSource.AUDIT, 4)),
        # ... unless another approved leave still covers the session.
        (
            Observation.ABSENT,
            [cover(4, audit=AuditStatus.DISCREPANCY), cover(9)],
            (P, MarkSource.LEAVE, 9),
        ),
        # Teacher's own excuse.
        (Observation.EXCUSED_BY_TEACHER, [], (P, MarkSource.ROLL_CALL, None)),
        (Observation.EXCUSED_BY_TEACHER, [cover(4, REJECTED)], (P, MarkSource.ROLL_CALL, None)),
        (Observation.EXCUSED_BY_TEACHER, [cover(4)], (P, MarkSource.LEAVE, 4)),
        # The audit is the later verification: it overrides the teacher's excuse.
        (
            Observation.EXCUSED_BY_TEACHER,
            [cover(4, audit=AuditStatus.DISCREPANCY)],
            (K, MarkSource.AUDIT, 4),
        ),
        # Two approved leaves: the lowest id is named, whatever the order.
        (None, [cover(9), cover(4)], (P, MarkSource.LEAVE, 4)),
    ],
)
def test_derive_mark(
    observation: Observation | None,
    covers: list[Cover],
    expected: tuple[MarkStatus, MarkSource, int | None] | None,
) -> None:
    """The precedence of the module docstring, case by case."""
    assert derive_mark(observation, covers) == expected


# --- derive_ledger --------------------------------------------------------------------------


def test_ledger_of_an_approved_leave_over_a_weekend() -> None:
    """Student 1, approved #4 from Thu 9 pm to Mon 13 am covers Thu pm, Fri am, Fri pm, Sat am,
    Mon am (5 school sessions; Sat pm and Sunday are not marked). Roll call: Thu am late, Fri am
    present (came anyway), Mon pm absent (after the leave). Student 2: absent Mon 6 am under a
    rejected request #7, which also covers Mon 6 pm where nothing was observed."""
    observations = {
        (1, s(9, AM)): Observation.LATE,
        (1, s(10, AM)): Observation.PRESENT,
        (1, s(13, PM)): Observation.ABSENT,
        (2, s(6, AM)): Observation.ABSENT,
    }
    covers = [
        cover(4, first=s(9, PM), last=s(13, AM)),
        cover(7, REJECTED, first=s(6, AM), last=s(6, PM), student_id=2),
    ]
    leave = Mark(P, MarkSource.LEAVE, 4)
    assert derive_ledger(observations, covers, CAL) == {
        (1, s(9, AM)): Mark(MarkStatus.LATE, MarkSource.ROLL_CALL),
        (1, s(9, PM)): leave,
        (1, s(10, AM)): Mark(MarkStatus.PRESENT, MarkSource.ROLL_CALL),
        (1, s(10, PM)): leave,
        (1, s(11, AM)): leave,
        (1, s(13, AM)): leave,
        (1, s(13, PM)): Mark(K, MarkSource.ROLL_CALL),
        (2, s(6, AM)): Mark(K, MarkSource.ROLL_CALL),
    }


def test_discrepancy_turns_the_leave_unexcused() -> None:
    """The same leave found false by post-audit: its 4 absent sessions become K via AUDIT; the
    session the student attended stays present."""
    observations = {(1, s(10, AM)): Observation.PRESENT}
    found_false = cover(4, audit=AuditStatus.DISCREPANCY, first=s(9, PM), last=s(13, AM))
    ledger = derive_ledger(observations, [found_false], CAL)
    assert sorted(m.status for m in ledger.values()) == sorted([K, K, K, K, MarkStatus.PRESENT])
    assert {m.source for m in ledger.values() if m.status is K} == {MarkSource.AUDIT}


def test_withdrawn_leave_falls_back_to_roll_call() -> None:
    """After withdrawal only observed sessions keep a mark: absent Mon am is K, Mon pm nothing."""
    observations = {(1, s(6, AM)): Observation.ABSENT}
    ledger = derive_ledger(observations, [cover(4, LeaveStatus.WITHDRAWN)], CAL)
    assert ledger == {(1, s(6, AM)): Mark(K, MarkSource.ROLL_CALL)}


def test_observation_on_a_make_up_session_counts() -> None:
    """Roll call on Sat 11 pm (not in the calendar, e.g. a make-up class) is kept, and a leave
    spanning it excuses it; without the observation the leave does not create that session."""
    observations = {(1, s(11, PM)): Observation.ABSENT}
    spanning = cover(4, first=s(11, AM), last=s(13, AM))
    ledger = derive_ledger(observations, [spanning], CAL)
    assert ledger[(1, s(11, PM))] == Mark(P, MarkSource.LEAVE, 4)
    assert (1, s(12, AM)) not in ledger
    assert (1, s(11, PM)) not in derive_ledger({}, [spanning], CAL)


def test_covers_apply_only_to_their_own_student() -> None:
    """Student 2's approved leave does not excuse student 1's absence."""
    observations = {(1, s(6, AM)): Observation.ABSENT}
    ledger = derive_ledger(observations, [cover(4, student_id=2)], CAL)
    assert ledger[(1, s(6, AM))] == Mark(K, MarkSource.ROLL_CALL)
    assert ledger[(2, s(6, AM))] == Mark(P, MarkSource.LEAVE, 4)


def test_marks_of_one_student() -> None:
    """marks_of keeps one student's marks keyed by session."""
    ledger = derive_ledger({}, [cover(4), cover(5, student_id=2)], CAL)
    assert marks_of(ledger, 1) == {
        s(6, AM): Mark(P, MarkSource.LEAVE, 4),
        s(6, PM): Mark(P, MarkSource.LEAVE, 4),
    }


# Slots Mon 6 am - Mon 13 pm, including the non-school Sat pm and Sunday.
ALL_SLOTS = [Slot.of(date(2025, 10, d), ses) for d in range(6, 14) for ses in (AM, PM)]

slots = st.sampled_from(ALL_SLOTS)
covers_strategy = st.lists(
    st.builds(
        lambda rid, student, status, audit, a, b: Cover(
            rid, student, status, audit, min(a, b), max(a, b)
        ),
        st.integers(1, 20),
        st.integers(1, 2),
        st.sampled_from(LeaveStatus),
        st.sampled_from(AuditStatus),
        slots,
        slots,
    ),
    max_size=5,
)
observations_strategy = st.dictionaries(
    st.tuples(st.integers(1, 2), slots), st.sampled_from(Observation), max_size=12
)


@settings(derandomize=True, max_examples=300)
@given(observations_strategy, covers_strategy)
def test_ledger_properties(
    observations: dict[tuple[int, Slot], Observation], covers: list[Cover]
) -> None:
    """For every student-session of the ledger:
    - excused only with an approved, non-discrepancy leave covering it or the teacher's excuse;
    - an attended session (present/late) is never an absence;
    - every absence or excuse roll call recorded has a mark;
    - a session no one observed is marked only if it is a school session;
    - each mark is derive_mark of its own inputs, and the order of the covers does not matter."""
    ledger = derive_ledger(observations, covers, CAL)
    assert ledger == derive_ledger(observations, list(reversed(covers)), CAL)
    for (student, slot), mark in ledger.items():
        mine = [c for c in covers if c.student_id == student and c.first <= slot <= c.last]
        observed = observations.get((student, slot))
        if mark.status is P:
            excusing = any(
                c.status is APPROVED and c.audit_status is not AuditStatus.DISCREPANCY for c in mine
            )
            assert excusing or observed is Observation.EXCUSED_BY_TEACHER
        if observed in (Observation.PRESENT, Observation.LATE):
            assert not mark.status.is_absence
        if observed is None:
            assert CAL.is_school_session(slot)
        assert mark == derive_mark(observed, mine)
    for key, observation in observations.items():
        if observation in (Observation.ABSENT, Observation.EXCUSED_BY_TEACHER):
            assert ledger[key].status.is_absence


# --- totals ---------------------------------------------------------------------------------


def school_slots(count: int) -> list[Slot]:
    """The first ``count`` school sessions from Mon 6/10 on."""
    first = s(6, AM)
    result = CAL.slots_between(first, Slot.of(date(2026, 5, 29), PM))
    return result[:count]


def absences(excused: int, unexcused: int = 0) -> dict[Slot, Mark]:
    chosen = school_slots(excused + unexcused)
    return {
        slot: Mark(P if i < excused else K, MarkSource.ROLL_CALL) for i, slot in enumerate(chosen)
    }


@pytest.mark.parametrize(
    ("absent", "warning", "over"),
    [
        (0, None, False),
        (29, None, False),
        (30, 30, False),
        (39, 30, False),
        (40, 40, False),
        (44, 40, False),
        (45, 45, False),  # exactly 45 is still allowed
        (46, 45, True),  # more than 45: not promoted
    ],
)
def test_warnings_and_limit(absent: int, warning: int | None, over: bool) -> None:
    """Warnings at 30, 40, 45; over the limit above 45."""
    result = totals(absences(absent), POLICY)
    assert (result.total_absent, result.warning, result.over_limit) == (absent, warning, over)


def test_excused_and_unexcused_count_together() -> None:
    """20 P + 10 K + 3 late + 2 present: 30 absent, warning 30; late and present do not count."""
    marks = absences(20, 10)
    extra = school_slots(35)[30:]
    marks.update({slot: Mark(MarkStatus.LATE, MarkSource.ROLL_CALL) for slot in extra[:3]})
    marks.update({slot: Mark(MarkStatus.PRESENT, MarkSource.ROLL_CALL) for slot in extra[3:]})
    assert totals(marks, POLICY) == StudentTotals(
        excused=20, unexcused=10, late=3, total_absent=30, warning=30, over_limit=False
    )


def test_one_per_day_counting_rule() -> None:
    """Mon am P, Mon pm K, Tue am K: 3 sessions, but 2 days under one-per-day."""
    marks = {s(6, AM): P, s(6, PM): K, s(7, AM): K}
    per_session = totals(marks, POLICY)
    per_day = totals(marks, SchoolPolicy(counting_rule=CountingRule.ONE_PER_DAY))
    assert (per_session.excused, per_session.unexcused, per_session.total_absent) == (1, 2, 3)
    assert (per_day.excused, per_day.unexcused, per_day.total_absent) == (1, 2, 2)


def test_primary_school_shows_totals_only() -> None:
    """Circular 27/2020: 50 absences, no warning, no limit."""
    primary = SchoolPolicy(school_level=SchoolLevel.PRIMARY)
    result = totals(absences(30, 20), primary)
    assert result == StudentTotals(
        excused=30, unexcused=20, late=0, total_absent=50, warning=None, over_limit=False
    )
    assert warning_text(result, primary) is None


def test_custom_thresholds() -> None:
    """Warnings at 10 and 20, limit 25: 21 absences reach 20; 26 are over."""
    policy = SchoolPolicy(absence_warnings=(10, 20), absence_limit=25)
    assert totals(absences(21), policy).warning == 20
    assert totals(absences(26), policy).over_limit


def test_warning_text() -> None:
    """What the teacher reads, in English and Vietnamese."""
    at_40 = totals(absences(41), POLICY)
    over = totals(absences(46), POLICY)
    assert warning_text(totals(absences(3), POLICY), POLICY) is None
    assert warning_text(at_40, POLICY) == "Absent 41 sessions: the warning level of 40 is reached."
    assert warning_text(over, POLICY) == (
        "Absent 46 sessions, more than the limit of 45: not promoted (Circular 22, Art. 12)."
    )
    set_language("vi")
    assert warning_text(over, POLICY) == (
        "Đã nghỉ 46 buổi, vượt quá 45 buổi: không đủ điều kiện lên lớp (Thông tư 22, Điều 12)."
    )


def test_codes_and_labels() -> None:
    """Register letters P, K, M; Vietnamese labels."""
    assert [m.code for m in MarkStatus] == ["", "P", "K", "M"]
    set_language("vi")
    assert MarkStatus.EXCUSED.label == "Nghỉ có phép"
    assert MarkStatus.UNEXCUSED.label == "Nghỉ không phép"
    assert Observation.EXCUSED_BY_TEACHER.label == "GVCN cho phép"
    assert MarkSource.AUDIT.label == "Hậu kiểm"
