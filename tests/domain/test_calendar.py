"""The school calendar's session counting and the school policy (desktop/domain/calendar.py,
desktop/domain/policy.py).

Dates used (October 2025): Mon 6, Tue 7, Wed 8, Thu 9, Fri 10, Sat 11, Sun 12, Mon 13.
November 2025: Wed 19, Thu 20 (a holiday here), Fri 21, Sat 22, Mon 24.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.calendar import (
    DEFAULT_WEEK,
    MORNING_ONLY,
    CountingRule,
    SchoolCalendar,
    Session,
    Slot,
    count_absence_units,
    format_date,
)
from desktop.domain.policy import SchoolLevel, SchoolPolicy
from desktop.errors import InvalidDate, InvalidInput
from desktop.i18n import set_language

AM, PM = Session.MORNING, Session.AFTERNOON
HOLIDAY = date(2025, 11, 20)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def school_year(**kwargs: object) -> SchoolCalendar:
    return SchoolCalendar(
        first_day=date(2025, 9, 5),
        last_day=date(2026, 5, 29),
        semester2_start=date(2026, 1, 12),
        holidays=frozenset({HOLIDAY}),
        **kwargs,  # type: ignore[arg-type]
    )


def s(day: int, session: Session, month: int = 10, year: int = 2025) -> Slot:
    return Slot.of(date(year, month, day), session)


def test_slots_order_by_day_then_morning_first() -> None:
    """A morning comes before the afternoon of the same day, which comes before the next day."""
    assert s(6, AM) < s(6, PM) < s(7, AM)
    assert s(6, PM).session is PM
    assert s(6, AM).session is AM


def test_thursday_afternoon_to_monday_morning_is_five_sessions() -> None:
    """Thu pm, Fri am, Fri pm, Sat am, Mon am = 5: Saturday afternoon and Sunday are no school."""
    slots = school_year().slots_between(s(9, PM), s(13, AM))
    assert slots == [s(9, PM), s(10, AM), s(10, PM), s(11, AM), s(13, AM)]


def test_saturday_afternoon_and_sunday_are_not_sessions() -> None:
    """Sat 11 pm to Sun 12 pm covers nothing; Sat 11 has only its morning."""
    cal = school_year()
    assert cal.slots_between(s(11, PM), s(12, PM)) == []
    assert cal.sessions_on(date(2025, 10, 11)) == MORNING_ONLY
    assert cal.sessions_on(date(2025, 10, 12)) == frozenset()
    assert cal.is_school_session(s(11, AM))
    assert not cal.is_school_session(s(11, PM))


def test_holidays_are_not_counted() -> None:
    """Wed 19/11 am to Fri 21/11 pm: Wed am, Wed pm, Fri am, Fri pm = 4 (Thu 20 is a holiday)."""
    cal = school_year()
    slots = cal.slots_between(s(19, AM, 11), s(21, PM, 11))
    assert len(slots) == 4
    assert all(slot.day != HOLIDAY for slot in slots)
    assert not cal.is_school_day(HOLIDAY)


def test_one_session_a_day_class_counts_one_per_day() -> None:
    """A class taught mornings Mon-Fri: Mon 6 am to Fri 10 pm is 5 sessions, an afternoon 0."""
    cal = school_year(week={day: MORNING_ONLY for day in range(5)})
    assert len(cal.slots_between(s(6, AM), s(10, PM))) == 5
    assert cal.slots_between(s(6, PM), s(6, PM)) == []
    # Saturday is no school day for this class at all.
    assert cal.slots_between(s(11, AM), s(12, PM)) == []


def test_afternoon_only_class() -> None:
    """A class taught afternoons only: Mon am to Mon pm is 1 session (the afternoon)."""
    cal = school_year(week={day: frozenset({PM}) for day in range(5)})
    assert cal.slots_between(s(6, AM), s(6, PM)) == [s(6, PM)]


def test_single_slot_range() -> None:
    """A leave of one morning is one session."""
    assert school_year().slots_between(s(6, AM), s(6, AM)) == [s(6, AM)]


def test_backwards_range_is_invalid() -> None:
    """The last session before the first one is an InvalidDate."""
    with pytest.raises(InvalidDate):
        school_year().slots_between(s(7, AM), s(6, PM))


def test_days_outside_the_year_have_no_sessions() -> None:
    """Before the first day and after the last day nothing is a school session."""
    cal = school_year()
    assert cal.sessions_on(date(2025, 9, 4)) == frozenset()
    assert cal.sessions_on(date(2026, 6, 1)) == frozenset()
    assert cal.sessions_on(date(2025, 9, 5)) != frozenset()
    with pytest.raises(InvalidDate, match="outside the school year"):
        cal.require_in_year(date(2025, 9, 4))
    cal.require_in_year(date(2026, 5, 29))


def test_semesters() -> None:
    """Semester 2 begins on semester2_start; a day outside the year has no semester."""
    cal = school_year()
    assert cal.semester_of(date(2026, 1, 11)) == 1
    assert cal.semester_of(date(2026, 1, 12)) == 2
    with pytest.raises(InvalidDate):
        cal.semester_of(date(2026, 7, 1))


def test_year_dates_must_be_in_order() -> None:
    """Semester 2 cannot start on or before the first day, nor after the last day."""
    with pytest.raises(InvalidDate):
        SchoolCalendar(date(2025, 9, 5), date(2026, 5, 29), date(2025, 9, 5))
    with pytest.raises(InvalidDate):
        SchoolCalendar(date(2025, 9, 5), date(2026, 5, 29), date(2026, 6, 1))


def test_school_days_after_counts_saturday_and_skips_sunday() -> None:
    """From Fri 10/10 to Mon 13/10: Sat 11 (school morning) and Mon 13 = 2 school days."""
    cal = school_year()
    assert cal.school_days_after(date(2025, 10, 10), date(2025, 10, 13)) == 2
    assert cal.school_days_after(date(2025, 10, 10), date(2025, 10, 10)) == 0
    # Backwards is 0, not negative.
    assert cal.school_days_after(date(2025, 10, 13), date(2025, 10, 10)) == 0
    # Across the holiday: Wed 19/11 to Fri 21/11 is 1 (Thu 20 is not a school day).
    assert cal.school_days_after(date(2025, 11, 19), date(2025, 11, 21)) == 1


def test_add_school_days() -> None:
    """Two school days after Fri 10/10 is Mon 13/10 (Sat 11 is the first)."""
    cal = school_year()
    assert cal.add_school_days(date(2025, 10, 10), 2) == date(2025, 10, 13)
    assert cal.add_school_days(date(2025, 10, 10), 0) == date(2025, 10, 10)


def test_iter_school_days_of_a_short_year() -> None:
    """Mon 6/10-Mon 13/10 with semester 2 from Thu 9: every day but Sunday is a school day."""
    cal = SchoolCalendar(date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 9))
    days = list(cal.iter_school_days())
    assert len(days) == 7
    assert date(2025, 10, 12) not in days


def test_counting_rule() -> None:
    """Mon am, Mon pm, Tue am: 3 sessions each-session, 2 days one-per-day."""
    slots = [s(6, AM), s(6, PM), s(7, AM)]
    assert count_absence_units(slots, CountingRule.EACH_SESSION) == 3
    assert count_absence_units(slots, CountingRule.ONE_PER_DAY) == 2
    assert count_absence_units([], CountingRule.ONE_PER_DAY) == 0


def test_format_date_has_leading_zeros() -> None:
    """dd/MM/yyyy with leading zeros."""
    assert format_date(date(2026, 2, 5)) == "05/02/2026"


# --- Policy ---------------------------------------------------------------------------------


def test_policy_defaults_match_domain() -> None:
    """The defaults of domain.md §2-§3."""
    policy = SchoolPolicy()
    assert policy.special_case_sessions == 6
    assert policy.late_retroactive_school_days == 2
    assert policy.original_overdue_school_days == 3
    assert policy.post_audit_rate == Decimal("0.10")
    assert (policy.frequent_requests_count, policy.frequent_requests_window_days) == (3, 30)
    assert policy.absence_warnings == (30, 40, 45)
    assert policy.absence_limit == 45
    assert policy.counting_rule is CountingRule.EACH_SESSION
    assert policy.has_absence_limit


def test_policy_default_round_trip() -> None:
    """to_strings then from_strings gives the same policy; the stored texts are readable."""
    policy = SchoolPolicy()
    stored = policy.to_strings()
    assert stored["post_audit_rate"] == "0.10"
    assert stored["absence_warnings"] == "30,40,45"
    assert stored["flag_retroactive"] == "true"
    assert stored["counting_rule"] == "each_session"
    assert stored["school_level"] == "upper_secondary"
    assert SchoolPolicy.from_strings(stored) == policy


def test_policy_custom_round_trip() -> None:
    """Every field changed survives the round trip."""
    policy = SchoolPolicy(
        special_case_sessions=4,
        flag_retroactive=False,
        late_retroactive_school_days=1,
        flag_overlaps=False,
        original_overdue_school_days=5,
        post_audit_rate=Decimal("0.25"),
        frequent_requests_count=4,
        frequent_requests_window_days=14,
        absence_warnings=(20, 35),
        absence_limit=40,
        counting_rule=CountingRule.ONE_PER_DAY,
        school_level=SchoolLevel.PRIMARY,
        round_semester_before_year=False,
    )
    assert SchoolPolicy.from_strings(policy.to_strings()) == policy


def test_policy_from_partial_strings_takes_defaults_and_ignores_unknown_keys() -> None:
    """Missing keys take defaults; unknown keys are ignored."""
    policy = SchoolPolicy.from_strings({"absence_limit": "50", "colour": "blue"})
    assert policy == SchoolPolicy(absence_limit=50)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("absence_limit", "many"),
        ("flag_overlaps", "yes"),
        ("post_audit_rate", "ten percent"),
        ("counting_rule", "per_week"),
        ("school_level", "university"),
        ("absence_warnings", "30,forty"),
    ],
)
def test_policy_rejects_bad_text(key: str, value: str) -> None:
    """A malformed stored value is an InvalidInput naming the setting."""
    with pytest.raises(InvalidInput, match=key):
        SchoolPolicy.from_strings({key: value})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"special_case_sessions": 0},
        {"post_audit_rate": Decimal("1.5")},
        {"post_audit_rate": Decimal("-0.1")},
        {"original_overdue_school_days": -1},
        {"late_retroactive_school_days": -1},
        {"absence_warnings": (40, 30)},
    ],
)
def test_policy_validation(kwargs: dict[str, object]) -> None:
    """Impossible settings are refused."""
    with pytest.raises(InvalidInput):
        SchoolPolicy(**kwargs)  # type: ignore[arg-type]


def test_primary_school_has_no_absence_limit() -> None:
    """Circular 27/2020: primary schools show totals only."""
    assert not SchoolPolicy(school_level=SchoolLevel.PRIMARY).has_absence_limit
    assert SchoolPolicy(school_level=SchoolLevel.LOWER_SECONDARY).has_absence_limit


AROUND_THE_YEAR = st.dates(min_value=date(2025, 8, 1), max_value=date(2026, 7, 31))
WEEKS = st.sampled_from(
    [
        None,  # the default: Monday-Friday both sessions, Saturday morning
        {0: MORNING_ONLY, 1: MORNING_ONLY, 2: MORNING_ONLY, 3: MORNING_ONLY, 4: MORNING_ONLY},
        {2: frozenset({PM}), 5: frozenset({AM, PM})},
    ]
)


def school_year_with(week: dict[int, frozenset[Session]] | None) -> SchoolCalendar:
    return school_year() if week is None else school_year(week=week)


def day_by_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range(max(0, (end - start).days) + 1)]


@settings(derandomize=True, max_examples=300)
@given(start=AROUND_THE_YEAR, end=AROUND_THE_YEAR, week=WEEKS)
def test_school_days_after_counts_the_school_days_one_by_one(
    start: date, end: date, week: dict[int, frozenset[Session]] | None
) -> None:
    """The cached running count gives what counting the days of ``(start, end]`` gives, also
    for days outside the school year and for an ``end`` before ``start``."""
    calendar = school_year_with(week)
    counted = sum(calendar.is_school_day(d) for d in day_by_day(start, end) if d > start)
    assert calendar.school_days_after(start, end) == counted


@settings(derandomize=True, max_examples=300)
@given(
    first=AROUND_THE_YEAR,
    length=st.integers(min_value=0, max_value=40),
    first_session=st.sampled_from([AM, PM]),
    last_session=st.sampled_from([AM, PM]),
    week=WEEKS,
)
def test_slots_between_are_the_school_sessions_in_the_range(
    first: date,
    length: int,
    first_session: Session,
    last_session: Session,
    week: dict[int, frozenset[Session]] | None,
) -> None:
    calendar = school_year_with(week)
    start, stop = (
        Slot.of(first, first_session),
        Slot.of(first + timedelta(days=length), last_session),
    )
    if stop < start:
        with pytest.raises(InvalidDate):
            calendar.slots_between(start, stop)
        return
    every = [
        Slot.of(d, session)
        for d in day_by_day(start.day, stop.day)
        for session in (AM, PM)
        if calendar.is_school_session(Slot.of(d, session))
    ]
    assert calendar.slots_between(start, stop) == [slot for slot in every if start <= slot <= stop]


def test_equal_calendars_share_their_count_and_a_holiday_changes_it() -> None:
    """The running count of school days is shared by calendars that are equal (each unit of
    work loads its own), and only by them: one more holiday, or one weekday fewer, gives
    another count."""
    first, end = date(2025, 10, 10), date(2025, 10, 31)
    plain = school_year().school_days_after(first, end)
    assert school_year().school_days_after(first, end) == plain
    extra = SchoolCalendar(
        first_day=date(2025, 9, 5),
        last_day=date(2026, 5, 29),
        semester2_start=date(2026, 1, 12),
        holidays=frozenset({HOLIDAY, date(2025, 10, 20)}),  # a Monday
    )
    assert extra.school_days_after(first, end) == plain - 1
    no_saturday = {day: sessions for day, sessions in DEFAULT_WEEK.items() if day != 5}
    assert school_year(week=no_saturday).school_days_after(first, end) == plain - 3
