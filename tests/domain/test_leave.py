"""The leave request state machine and its checks (desktop/domain/leave.py).

Calendar: school year 05/09/2025-29/05/2026, Mon-Fri two sessions, Saturday morning, Thursday
20/11/2025 a holiday. October 2025: Sun 5, Mon 6, Tue 7, Wed 8, Thu 9, Fri 10, Sat 11, Sun 12,
Mon 13, Tue 14. November 2025: Tue 18, Wed 19, Thu 20 (holiday), Fri 21, Sat 22, Sun 23, Mon 24.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.domain import leave
from desktop.domain.calendar import MORNING_ONLY, SchoolCalendar, Session, Slot
from desktop.domain.leave import (
    AuditMethod,
    AuditOutcome,
    AuditStatus,
    Channel,
    LeaveFacts,
    LeaveFlag,
    LeaveStatus,
    OriginalState,
    ReasonCategory,
    approve,
    cancel,
    count_sessions,
    display_state,
    find_overlaps,
    flags,
    format_slot,
    is_late_retroactive,
    is_retroactive,
    is_special_case,
    original_state,
    overlaps,
    receive_original,
    record_audit,
    reject,
    requires_original,
    retroactive_days,
    select_for_audit,
    sign_off,
    validate_range,
)
from desktop.domain.policy import SchoolPolicy
from desktop.errors import IllegalTransition, InvalidDate, InvalidInput, StaleVersion
from desktop.i18n import catalog as merged_catalog
from desktop.i18n import parse_po, set_language

AM, PM = Session.MORNING, Session.AFTERNOON
CAL = SchoolCalendar(
    first_day=date(2025, 9, 5),
    last_day=date(2026, 5, 29),
    semester2_start=date(2026, 1, 12),
    holidays=frozenset({date(2025, 11, 20)}),
)
POLICY = SchoolPolicy()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def s(day: int, session: Session, month: int = 10) -> Slot:
    return Slot.of(date(2025 if month >= 9 else 2026, month, day), session)


def facts(**changes: object) -> LeaveFacts:
    """Request #12 of student 1: level 3, Mon 6/10 am - Tue 7/10 pm, sent Sun 5/10 evening."""
    base = LeaveFacts(
        request_id=12,
        student_id=1,
        status=LeaveStatus.SUBMITTED,
        channel=Channel.LEVEL_3,
        first=s(6, AM),
        last=s(7, PM),
        submitted_at=datetime(2025, 10, 5, 20, 0),
        version=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- Enums and labels -----------------------------------------------------------------------


def test_enum_values_are_stable_lowercase_strings() -> None:
    """Stored and synced values: lowercase words, levels 3 and 4."""
    assert [v.value for v in LeaveStatus] == [
        "submitted",
        "approved",
        "rejected",
        "cancelled",
        "withdrawn",
    ]
    assert [v.value for v in ReasonCategory] == ["illness", "family", "bereavement", "other"]
    assert [v.value for v in AuditStatus] == ["none", "selected", "confirmed", "discrepancy"]
    assert [v.value for v in AuditMethod] == ["phone", "meeting", "document"]
    assert [v.value for v in AuditOutcome] == ["confirmed", "discrepancy"]
    assert (Channel.LEVEL_3, Channel.LEVEL_4) == (3, 4)


def test_channel_labels_show_current_and_legacy_terms() -> None:
    """Decree 42/2022's term first, the legacy level beside it."""
    set_language("vi")
    assert Channel.LEVEL_3.label == "một phần (mức độ 3)"
    assert Channel.LEVEL_4.label == "toàn trình (mức độ 4)"
    set_language("en")
    assert Channel.LEVEL_3.label == "partial (level 3)"


def test_every_label_is_translated() -> None:
    """Each enum label has a Vietnamese text different from the English one."""
    labelled: list[Any] = [
        LeaveStatus,
        ReasonCategory,
        AuditStatus,
        AuditMethod,
        AuditOutcome,
        OriginalState,
        LeaveFlag,
        Channel,
    ]
    english_labels: dict[Any, str] = {m: m.label for enum in labelled for m in enum}
    set_language("vi")
    for member, english_label in english_labels.items():
        assert member.label and member.label != english_label, member


# --- Transitions from every state -----------------------------------------------------------

ACTIONS: dict[str, Callable[[LeaveFacts], object]] = {
    "approve": lambda f: approve(f, base_version=f.version),
    "reject": lambda f: reject(f, reason="No reason given", base_version=f.version),
    "cancel": cancel,
    "sign_off": sign_off,
    "receive_original": lambda f: receive_original(f, date(2025, 10, 8), CAL),
    "select_for_audit": select_for_audit,
    "record_audit": lambda f: record_audit(f, AuditOutcome.CONFIRMED),
}
ALLOWED_FROM = {
    "approve": {LeaveStatus.SUBMITTED},
    "reject": {LeaveStatus.SUBMITTED},
    "cancel": {LeaveStatus.SUBMITTED, LeaveStatus.APPROVED},
    "sign_off": {LeaveStatus.SUBMITTED},
    "receive_original": {LeaveStatus.APPROVED},
    "select_for_audit": {LeaveStatus.APPROVED},
    "record_audit": {LeaveStatus.APPROVED},
}
STATE_WORDS = {
    LeaveStatus.SUBMITTED: "still awaiting a decision",
    LeaveStatus.APPROVED: "already approved",
    LeaveStatus.REJECTED: "already rejected",
    LeaveStatus.CANCELLED: "cancelled by the parent",
    LeaveStatus.WITHDRAWN: "withdrawn by the parent",
}
WRONG = [(a, st) for a in ACTIONS for st in LeaveStatus if st not in ALLOWED_FROM[a]]
RIGHT = [(a, st) for a in ACTIONS for st in LeaveStatus if st in ALLOWED_FROM[a]]


@pytest.mark.parametrize(("action", "status"), WRONG)
def test_every_action_from_every_wrong_state_is_illegal(action: str, status: LeaveStatus) -> None:
    """An IllegalTransition (not a stale version) naming the request and its state."""
    # A special case signed off, so that only the status can be what is wrong.
    f = facts(
        status=status, special_case=True, principal_signoff=status is not LeaveStatus.SUBMITTED
    )
    with pytest.raises(IllegalTransition) as caught:
        ACTIONS[action](f)
    assert type(caught.value) is IllegalTransition
    assert "Request #12" in caught.value.message
    assert STATE_WORDS[status] in caught.value.message


@pytest.mark.parametrize(("action", "status"), RIGHT)
def test_every_action_from_its_right_state_is_allowed(action: str, status: LeaveStatus) -> None:
    """The same actions succeed from the states the life cycle allows."""
    special_pending = status is LeaveStatus.SUBMITTED and action == "sign_off"
    f = facts(status=status, special_case=special_pending)
    ACTIONS[action](f)


def test_exact_message_for_approving_a_rejected_request() -> None:
    """The message a teacher reads, in English and in Vietnamese."""
    f = facts(status=LeaveStatus.REJECTED)
    with pytest.raises(IllegalTransition) as caught:
        approve(f, base_version=3)
    assert caught.value.message == "Request #12 is already rejected; it cannot be approved."
    set_language("vi")
    with pytest.raises(IllegalTransition) as caught:
        approve(f, base_version=3)
    assert caught.value.message == "Đơn #12 đã bị từ chối; không thể duyệt."


# --- approve / reject -----------------------------------------------------------------------


def test_approve_returns_approved() -> None:
    """A pending ordinary request decided on its current version is approved."""
    assert approve(facts(), base_version=3) is LeaveStatus.APPROVED


def test_approve_on_a_stale_version() -> None:
    """Decided on version 2 while the request is at version 3: StaleVersion naming both."""
    with pytest.raises(StaleVersion) as caught:
        approve(facts(), base_version=2)
    assert "version 2, now 3" in caught.value.message
    assert "Request #12" in caught.value.message


def test_status_is_checked_before_the_version() -> None:
    """A cancelled request reports the cancellation, the clearer reason, not the stale version."""
    with pytest.raises(IllegalTransition) as caught:
        approve(facts(status=LeaveStatus.CANCELLED, version=4), base_version=3)
    assert type(caught.value) is IllegalTransition
    assert "cancelled by the parent" in caught.value.message


def test_special_case_needs_the_principals_sign_off() -> None:
    """Without sign-off the teacher may not approve a special case; with it, they may."""
    with pytest.raises(IllegalTransition, match="special case"):
        approve(facts(special_case=True), base_version=3)
    signed = facts(special_case=True, principal_signoff=True)
    assert approve(signed, base_version=3) is LeaveStatus.APPROVED


def test_reject_needs_a_reason() -> None:
    """A blank reason is an InvalidInput (not an illegal transition); any text will do."""
    for blank in ["", "   ", "\n\t"]:
        with pytest.raises(InvalidInput) as caught:
            reject(facts(), reason=blank, base_version=3)
        assert not isinstance(caught.value, IllegalTransition)
    assert reject(facts(), reason="Không đủ căn cứ", base_version=3) is LeaveStatus.REJECTED


def test_reject_on_a_stale_version() -> None:
    """A rejection decided on an old version is refused too."""
    with pytest.raises(StaleVersion):
        reject(facts(), reason="x", base_version=1)


def test_a_special_case_may_be_rejected_without_sign_off() -> None:
    """Only approval needs the principal."""
    assert reject(facts(special_case=True), reason="x", base_version=3) is LeaveStatus.REJECTED


# --- cancel ---------------------------------------------------------------------------------


def test_cancel_before_and_after_approval() -> None:
    """Pending: cancelled; approved: withdrawn (even after the audit)."""
    assert cancel(facts()) is LeaveStatus.CANCELLED
    assert cancel(facts(status=LeaveStatus.APPROVED)) is LeaveStatus.WITHDRAWN
    audited = facts(status=LeaveStatus.APPROVED, audit_status=AuditStatus.CONFIRMED)
    assert cancel(audited) is LeaveStatus.WITHDRAWN


# --- sign_off -------------------------------------------------------------------------------


def test_sign_off_only_for_special_cases_once() -> None:
    """An ordinary request needs no sign-off; a signed special case cannot be signed twice."""
    sign_off(facts(special_case=True))  # no error
    with pytest.raises(IllegalTransition, match="not a special case"):
        sign_off(facts())
    with pytest.raises(IllegalTransition, match="already signed off"):
        sign_off(facts(special_case=True, principal_signoff=True))


# --- paper original -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "special", "needed"),
    [
        (Channel.LEVEL_3, False, True),
        (Channel.LEVEL_3, True, True),
        (Channel.LEVEL_4, False, False),
        (Channel.LEVEL_4, True, True),  # a special case always needs the paper
    ],
)
def test_requires_original(channel: Channel, special: bool, needed: bool) -> None:
    """Level 3, or any special case."""
    assert requires_original(channel, special) is needed


def test_receive_original() -> None:
    """Allowed once for an approved level-3 request, on or after the submission day."""
    approved = facts(status=LeaveStatus.APPROVED)
    receive_original(approved, date(2025, 10, 5), CAL)  # the submission day itself
    receive_original(approved, date(2025, 10, 8), CAL)
    special_l4 = facts(status=LeaveStatus.APPROVED, channel=Channel.LEVEL_4, special_case=True)
    receive_original(special_l4, date(2025, 10, 8), CAL)


def test_receive_original_of_a_level_4_request() -> None:
    """A fully online request has no paper."""
    with pytest.raises(IllegalTransition, match="level 4"):
        receive_original(
            facts(status=LeaveStatus.APPROVED, channel=Channel.LEVEL_4), date(2025, 10, 8), CAL
        )


def test_receive_original_twice() -> None:
    """The second time names the day it was received."""
    received = facts(status=LeaveStatus.APPROVED, original_received_on=date(2025, 10, 8))
    with pytest.raises(IllegalTransition, match="already received on 08/10/2025"):
        receive_original(received, date(2025, 10, 9), CAL)


def test_receive_original_before_submission_or_outside_the_year() -> None:
    """Sat 4/10 is before the Sun 5/10 submission; 15/06/2026 is after the school year."""
    approved = facts(status=LeaveStatus.APPROVED)
    with pytest.raises(InvalidDate, match="04/10/2025"):
        receive_original(approved, date(2025, 10, 4), CAL)
    with pytest.raises(InvalidDate):
        receive_original(approved, date(2026, 6, 15), CAL)


def approved_until(last: Slot, **changes: object) -> LeaveFacts:
    return facts(status=LeaveStatus.APPROVED, first=s(6, AM), last=last, **changes)


def test_original_overdue_across_a_weekend() -> None:
    """Leave ends Wed 8/10. School days after: Thu 9 (1), Fri 10 (2), Sat 11 (3), Sun 12 no
    school (still 3), Mon 13 (4). Overdue when more than 3: from Monday."""
    f = approved_until(s(8, PM))
    expected = {
        8: OriginalState.AWAITING,
        10: OriginalState.AWAITING,
        11: OriginalState.AWAITING,
        12: OriginalState.AWAITING,
        13: OriginalState.OVERDUE,
        14: OriginalState.OVERDUE,
    }
    for day, state in expected.items():
        assert original_state(f, date(2025, 10, day), CAL, POLICY) is state, day


def test_original_overdue_across_a_holiday() -> None:
    """Leave ends Tue 18/11: Wed 19 (1), Thu 20 holiday, Fri 21 (2), Sat 22 (3), Mon 24 (4)."""
    f = facts(status=LeaveStatus.APPROVED, first=s(17, AM, 11), last=s(18, PM, 11))
    assert original_state(f, date(2025, 11, 22), CAL, POLICY) is OriginalState.AWAITING
    assert original_state(f, date(2025, 11, 23), CAL, POLICY) is OriginalState.AWAITING
    assert original_state(f, date(2025, 11, 24), CAL, POLICY) is OriginalState.OVERDUE


def test_original_overdue_with_a_zero_day_policy() -> None:
    """With 0 days allowed, the original is overdue from the next school day."""
    f = approved_until(s(8, PM))
    strict = SchoolPolicy(original_overdue_school_days=0)
    assert original_state(f, date(2025, 10, 8), CAL, strict) is OriginalState.AWAITING
    assert original_state(f, date(2025, 10, 9), CAL, strict) is OriginalState.OVERDUE


def test_original_state_other_cases() -> None:
    """Received wins even when late; level 4, pending or withdrawn requests await nothing;
    during the leave itself the original is awaited; a level-4 special case awaits it."""
    late_day = date(2025, 10, 20)
    received = approved_until(s(8, PM), original_received_on=date(2025, 10, 17))
    assert original_state(received, late_day, CAL, POLICY) is OriginalState.RECEIVED
    level4 = approved_until(s(8, PM), channel=Channel.LEVEL_4)
    assert original_state(level4, late_day, CAL, POLICY) is OriginalState.NOT_REQUIRED
    for status in (LeaveStatus.SUBMITTED, LeaveStatus.WITHDRAWN, LeaveStatus.REJECTED):
        pending = facts(status=status)
        assert original_state(pending, late_day, CAL, POLICY) is OriginalState.NOT_REQUIRED
    during = approved_until(s(8, PM))
    assert original_state(during, date(2025, 10, 6), CAL, POLICY) is OriginalState.AWAITING
    special4 = approved_until(s(8, PM), channel=Channel.LEVEL_4, special_case=True)
    assert original_state(special4, late_day, CAL, POLICY) is OriginalState.OVERDUE


# --- audit ----------------------------------------------------------------------------------


def test_select_for_audit() -> None:
    """Only an approved, not yet selected or audited request."""
    assert select_for_audit(facts(status=LeaveStatus.APPROVED)) is AuditStatus.SELECTED
    with pytest.raises(IllegalTransition, match="already selected"):
        select_for_audit(facts(status=LeaveStatus.APPROVED, audit_status=AuditStatus.SELECTED))
    for done in (AuditStatus.CONFIRMED, AuditStatus.DISCREPANCY):
        with pytest.raises(IllegalTransition, match="already has a post-audit result"):
            select_for_audit(facts(status=LeaveStatus.APPROVED, audit_status=done))


def test_record_audit_after_selection() -> None:
    """Selected → confirmed or discrepancy, as the outcome says."""
    selected = facts(status=LeaveStatus.APPROVED, audit_status=AuditStatus.SELECTED)
    assert record_audit(selected, AuditOutcome.CONFIRMED) is AuditStatus.CONFIRMED
    assert record_audit(selected, AuditOutcome.DISCREPANCY) is AuditStatus.DISCREPANCY


def test_record_audit_without_selection_is_a_spot_check() -> None:
    """An approved request never selected may be audited directly."""
    approved = facts(status=LeaveStatus.APPROVED)
    assert record_audit(approved, AuditOutcome.DISCREPANCY) is AuditStatus.DISCREPANCY


def test_an_audit_is_recorded_once() -> None:
    """A second result would rewrite evidence: refused, naming the first result."""
    for done in (AuditStatus.CONFIRMED, AuditStatus.DISCREPANCY):
        audited = facts(status=LeaveStatus.APPROVED, audit_status=done)
        with pytest.raises(IllegalTransition, match=re.escape(AuditOutcome(done.value).label)):
            record_audit(audited, AuditOutcome.CONFIRMED)


# --- range ----------------------------------------------------------------------------------


def test_validate_range_returns_the_sessions() -> None:
    """Thu 9 pm - Mon 13 am: Thu pm, Fri am, Fri pm, Sat am, Mon am."""
    assert validate_range(s(9, PM), s(13, AM), CAL) == [
        s(9, PM),
        s(10, AM),
        s(10, PM),
        s(11, AM),
        s(13, AM),
    ]


def test_validate_range_errors() -> None:
    """Outside the year, backwards, or no school session: InvalidDate with the sessions named."""
    with pytest.raises(InvalidDate, match="outside the school year"):
        validate_range(s(4, AM, 9), s(8, AM, 9), CAL)
    with pytest.raises(InvalidDate, match="outside the school year"):
        validate_range(s(28, AM, 5), s(1, AM, 6), CAL)
    with pytest.raises(InvalidDate, match="ends"):
        validate_range(s(7, AM), s(6, PM), CAL)
    with pytest.raises(InvalidDate) as caught:
        validate_range(s(11, PM), s(12, PM), CAL)
    assert caught.value.message == (
        "The leave from afternoon of 11/10/2025 to afternoon of 12/10/2025 "
        "covers no school session."
    )
    with pytest.raises(InvalidDate, match="covers no school session"):
        validate_range(s(20, AM, 11), s(20, PM, 11), CAL)  # the holiday


def test_format_slot_in_vietnamese() -> None:
    """Vietnamese reads "buổi sáng ngày 05/02/2026"."""
    set_language("vi")
    assert format_slot(Slot.of(date(2026, 2, 5), AM)) == "buổi sáng ngày 05/02/2026"
    assert format_slot(Slot.of(date(2026, 2, 5), PM)) == "buổi chiều ngày 05/02/2026"


def test_count_sessions_and_special_case() -> None:
    """Mon 6 am - Thu 9 am = 2+2+2+1 = 7 > 6: special. Fri 10 am - Tue 14 am = Fri 2 + Sat 1 +
    Mon 2 + Tue 1 = 6: not special (more than 6 is needed)."""
    assert count_sessions(s(6, AM), s(9, AM), CAL) == 7
    assert is_special_case(7, POLICY)
    assert count_sessions(s(10, AM), s(14, AM), CAL) == 6
    assert not is_special_case(6, POLICY)
    assert is_special_case(5, SchoolPolicy(special_case_sessions=4))


def test_count_sessions_for_a_one_session_class() -> None:
    """Mornings only, no Saturday: Mon 6 am - Mon 13 pm = 5 weekday mornings + Mon 13 = 6."""
    cal = replace(CAL, week={day: MORNING_ONLY for day in range(5)})
    assert count_sessions(s(6, AM), s(13, PM), cal) == 6


# --- retroactive ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "retro", "days"),
    [
        (datetime(2025, 10, 5, 20, 0), False, 0),  # the evening before
        (datetime(2025, 10, 6, 6, 59), False, 0),  # before the 07:00 start
        (datetime(2025, 10, 6, 7, 0), True, 0),  # at the start: retroactive, same day
        (datetime(2025, 10, 6, 21, 0), True, 0),
        (datetime(2025, 10, 7, 8, 0), True, 1),  # Tue: 1 school day after Mon
        (datetime(2025, 10, 8, 8, 0), True, 2),  # Wed: 2
        (datetime(2025, 10, 13, 8, 0), True, 6),  # Tue, Wed, Thu, Fri, Sat, Mon
    ],
)
def test_retroactive_from_a_monday_morning(submitted: datetime, retro: bool, days: int) -> None:
    """Leave from Mon 6/10 morning."""
    assert is_retroactive(submitted, s(6, AM), CAL) is retro
    assert retroactive_days(submitted, s(6, AM), CAL) == days


def test_retroactive_from_an_afternoon() -> None:
    """An afternoon start is 13:00: submitted at 12:59 is in time, at 13:00 it is not."""
    assert not is_retroactive(datetime(2025, 10, 6, 12, 59), s(6, PM), CAL)
    assert is_retroactive(datetime(2025, 10, 6, 13, 0), s(6, PM), CAL)


def test_retroactive_counts_saturday_only_where_it_is_a_school_day() -> None:
    """Leave from Fri 10/10, sent Mon 13/10: Sat 11 and Mon 13 = 2 (late); for a class without
    Saturday school only Mon 13 = 1 (not late)."""
    sent = datetime(2025, 10, 13, 9, 0)
    assert retroactive_days(sent, s(10, AM), CAL) == 2
    no_saturday = replace(CAL, week={day: MORNING_ONLY for day in range(5)})
    assert retroactive_days(sent, s(10, AM), no_saturday) == 1


def test_a_leave_starting_on_a_weekend_begins_at_the_next_session() -> None:
    """From Sat 11 pm (no school) the absence begins Mon 13 am: sent Sunday is in time."""
    assert not is_retroactive(datetime(2025, 10, 12, 18, 0), s(11, PM), CAL)
    assert is_retroactive(datetime(2025, 10, 13, 7, 30), s(11, PM), CAL)
    assert retroactive_days(datetime(2025, 10, 14, 9, 0), s(11, PM), CAL) == 1


def test_late_retroactive_boundary() -> None:
    """Default threshold 2 school days: 1 is not late, 2 and 3 are; 0 never is."""
    assert not is_late_retroactive(0, POLICY)
    assert not is_late_retroactive(1, POLICY)
    assert is_late_retroactive(2, POLICY)
    assert is_late_retroactive(3, POLICY)
    assert not is_late_retroactive(0, SchoolPolicy(late_retroactive_school_days=0))
    assert is_late_retroactive(1, SchoolPolicy(late_retroactive_school_days=0))


# --- overlap --------------------------------------------------------------------------------


def test_overlaps_by_session() -> None:
    """Mon am vs Mon pm-Tue: no shared session. Mon am-pm vs Mon pm-Tue: Mon pm shared."""
    assert not overlaps(s(6, AM), s(6, AM), s(6, PM), s(7, PM))
    assert overlaps(s(6, AM), s(6, PM), s(6, PM), s(7, PM))
    assert overlaps(s(6, PM), s(7, PM), s(6, AM), s(6, PM))  # symmetric
    assert overlaps(s(6, AM), s(10, PM), s(8, AM), s(8, AM))  # containment
    assert not overlaps(s(6, AM), s(7, PM), s(8, AM), s(9, PM))  # adjacent days


def test_find_overlaps_among_the_students_live_requests() -> None:
    """Candidate #12 (student 1, Mon 6 am - Tue 7 pm) overlaps #3 (pending) and #5 (approved);
    not #6 rejected, #9 cancelled, #10 withdrawn, #7 another student's, #8 later, nor itself."""
    others = [
        facts(request_id=5, status=LeaveStatus.APPROVED, first=s(7, PM), last=s(8, PM)),
        facts(request_id=6, status=LeaveStatus.REJECTED),
        facts(request_id=7, student_id=2),
        facts(request_id=8, first=s(8, AM), last=s(8, PM)),
        facts(request_id=9, status=LeaveStatus.CANCELLED),
        facts(request_id=10, status=LeaveStatus.WITHDRAWN),
        facts(request_id=3, first=s(6, PM), last=s(6, PM)),
        facts(),
    ]
    assert find_overlaps(facts(), others) == [3, 5]
    assert find_overlaps(facts(), []) == []


def test_flags() -> None:
    """Special, retroactive (or late), overlap; the policy can switch the last two off."""
    assert flags(
        special_case=True,
        retroactive=True,
        retroactive_days=1,
        overlapping_ids=[3],
        policy=POLICY,
    ) == (LeaveFlag.SPECIAL_CASE, LeaveFlag.RETROACTIVE, LeaveFlag.OVERLAP)
    assert flags(
        special_case=False, retroactive=True, retroactive_days=2, overlapping_ids=[], policy=POLICY
    ) == (LeaveFlag.LATE_RETROACTIVE,)
    quiet = SchoolPolicy(flag_retroactive=False, flag_overlaps=False)
    assert (
        flags(
            special_case=False,
            retroactive=True,
            retroactive_days=5,
            overlapping_ids=[3],
            policy=quiet,
        )
        == ()
    )


# --- display --------------------------------------------------------------------------------


def test_display_state_in_english() -> None:
    """The status first, then what is still open."""
    today = date(2025, 10, 8)

    def shown(**changes: object) -> str:
        return display_state(facts(**changes), today, CAL, POLICY)

    approved = LeaveStatus.APPROVED
    assert shown() == "Awaiting decision"
    assert shown(special_case=True) == "Awaiting decision – needs the principal's sign-off"
    assert (
        shown(special_case=True, principal_signoff=True)
        == "Awaiting decision – signed off by the principal"
    )
    assert shown(status=approved, channel=Channel.LEVEL_4) == "Approved"
    assert shown(status=approved) == "Approved – awaiting the paper original"
    assert (
        shown(status=approved, original_received_on=today, audit_status=AuditStatus.SELECTED)
        == "Approved – paper original received – selected for post-audit"
    )
    assert (
        shown(status=approved, channel=Channel.LEVEL_4, audit_status=AuditStatus.DISCREPANCY)
        == "Approved – post-audit found a discrepancy"
    )
    assert shown(status=LeaveStatus.REJECTED) == "Rejected"
    assert shown(status=LeaveStatus.CANCELLED) == "Cancelled by the parent"
    assert shown(status=LeaveStatus.WITHDRAWN) == "Withdrawn by the parent after approval"


def test_display_state_in_vietnamese() -> None:
    """Leave ends Tue 7/10: on Wed 8 the original is awaited; on Mon 13 (Wed, Thu, Fri, Sat,
    Mon = 5 > 3 school days) it is overdue."""
    set_language("vi")
    approved = facts(status=LeaveStatus.APPROVED)
    assert display_state(facts(), date(2025, 10, 8), CAL, POLICY) == "Chờ duyệt"
    assert display_state(approved, date(2025, 10, 8), CAL, POLICY) == "Đã duyệt – chờ bản chính"
    assert (
        display_state(approved, date(2025, 10, 13), CAL, POLICY)
        == "Đã duyệt – quá hạn nộp bản chính"
    )


# --- catalog --------------------------------------------------------------------------------

MODULES = ["names", "leave", "attendance", "post_audit"]


def msgids_of(module: str) -> set[str]:
    """The literal first arguments of ``_()`` and ``N_()`` calls in a domain module."""
    tree = ast.parse((ROOT / "desktop" / "domain" / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def test_every_msgid_is_translated_with_the_same_placeholders() -> None:
    """The Vietnamese catalogue translates every message of these modules and keeps each
    {placeholder} (whichever of its files holds it)."""
    catalog = merged_catalog("vi")
    used = set().union(*(msgids_of(m) for m in MODULES))
    assert used, "no messages found: the test would prove nothing"
    missing = sorted(used - catalog.keys())
    assert not missing
    for msgid in used:
        fields = sorted(re.findall(r"{\w*}", msgid))
        assert sorted(re.findall(r"{\w*}", catalog[msgid])) == fields, msgid


def test_the_catalog_has_no_stale_entries() -> None:
    """Every entry of leave.po is used by one of these modules."""
    catalog = parse_po((ROOT / "resources" / "i18n" / "vi" / "leave.po").read_text("utf-8"))
    used = set().union(*(msgids_of(m) for m in MODULES))
    assert sorted(catalog.keys() - used) == []


def test_module_is_qt_free() -> None:
    """The domain imports no Qt."""
    source = (ROOT / "desktop" / "domain" / "leave.py").read_text(encoding="utf-8")
    assert "PySide6" not in source
    assert leave.__doc__
