"""The school calendar: which sessions (buổi) are school sessions, and how a leave is counted.

Only sessions the class attends count: weekends, holidays and sessions the class does not attend
(a school teaching one session a day) are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from desktop.errors import InvalidDate
from desktop.i18n import _


class Session(StrEnum):
    """A half-day of school."""

    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def order(self) -> int:
        return 0 if self is Session.MORNING else 1


class CountingRule(StrEnum):
    """How absences on a day with two attended sessions count against the 45-session limit."""

    EACH_SESSION = "each_session"
    ONE_PER_DAY = "one_per_day"


@dataclass(frozen=True, order=True)
class Slot:
    """One session of one day; slots order by day, then morning before afternoon."""

    day: date
    session_order: int = field(repr=False)

    @classmethod
    def of(cls, day: date, session: Session) -> Slot:
        return cls(day, session.order)

    @property
    def session(self) -> Session:
        return Session.MORNING if self.session_order == 0 else Session.AFTERNOON


BOTH_SESSIONS = frozenset({Session.MORNING, Session.AFTERNOON})
MORNING_ONLY = frozenset({Session.MORNING})

DEFAULT_WEEK: Mapping[int, frozenset[Session]] = {
    0: BOTH_SESSIONS,
    1: BOTH_SESSIONS,
    2: BOTH_SESSIONS,
    3: BOTH_SESSIONS,
    4: BOTH_SESSIONS,
    5: MORNING_ONLY,
}
"""Monday-Friday two sessions, Saturday morning: a common upper-secondary timetable."""


@dataclass(frozen=True)
class SchoolCalendar:
    """A school year as the class lives it.

    ``week`` maps a weekday (Monday = 0) to the sessions the class attends that day; a weekday
    that is absent is not a school day. A calendar is not changed once made: the counts below
    are cached on it.
    """

    first_day: date
    last_day: date
    semester2_start: date
    holidays: frozenset[date] = frozenset()
    week: Mapping[int, frozenset[Session]] = field(default_factory=lambda: dict(DEFAULT_WEEK))

    def __post_init__(self) -> None:
        if not self.first_day < self.semester2_start <= self.last_day:
            raise InvalidDate(_("The school year's dates are not in order."))

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def semester_of(self, day: date) -> int:
        """1 or 2; raises for a day outside the school year."""
        self.require_in_year(day)
        return 1 if day < self.semester2_start else 2

    def require_in_year(self, day: date) -> None:
        if not self.contains(day):
            raise InvalidDate(
                _("{day} is outside the school year ({first} – {last}).").format(
                    day=format_date(day),
                    first=format_date(self.first_day),
                    last=format_date(self.last_day),
                )
            )

    def sessions_on(self, day: date) -> frozenset[Session]:
        """The sessions the class attends on ``day`` (empty on weekends, holidays, off-year)."""
        if not self.contains(day) or day in self.holidays:
            return frozenset()
        return self.week.get(day.weekday(), frozenset())

    def is_school_day(self, day: date) -> bool:
        return bool(self.sessions_on(day))

    def is_school_session(self, slot: Slot) -> bool:
        return slot.session in self.sessions_on(slot.day)

    def slots_between(self, first: Slot, last: Slot) -> list[Slot]:
        """The school sessions from ``first`` to ``last`` inclusive."""
        if last < first:
            raise InvalidDate(_("The last day of the leave is before its first day."))
        result: list[Slot] = []
        day = first.day
        while day <= last.day:
            if self.contains(day) and day not in self.holidays:
                for session in self._ordered_week.get(day.weekday(), ()):
                    # Only the first and the last day can hold a session outside the range.
                    if (day != first.day or session.order >= first.session_order) and (
                        day != last.day or session.order <= last.session_order
                    ):
                        result.append(Slot(day, session.order))
            day += timedelta(days=1)
        return result

    def school_days_after(self, start: date, end: date) -> int:
        """School days in ``(start, end]``: how many school days ``end`` is after ``start``."""
        return max(0, self._school_days_through(end) - self._school_days_through(start))

    def _school_days_through(self, day: date) -> int:
        """School days from the first day of the year to ``day`` inclusive."""
        if day < self.first_day:
            return 0
        running = self._running_school_days
        return running[min((day - self.first_day).days, len(running) - 1)]

    @cached_property
    def _running_school_days(self) -> tuple[int, ...]:
        # The leave list asks how far a request is from today for every request, often across
        # months: counted day by day, that was most of the list's time. Every unit of work
        # loads its class's calendar afresh, so the count is shared by equal calendars.
        school_weekdays = frozenset(weekday for weekday, sessions in self.week.items() if sessions)
        return _running_school_days(self.first_day, self.last_day, self.holidays, school_weekdays)

    @cached_property
    def _ordered_week(self) -> dict[int, tuple[Session, ...]]:
        return {
            weekday: tuple(sorted(sessions, key=lambda s: s.order))
            for weekday, sessions in self.week.items()
        }

    def add_school_days(self, start: date, days: int) -> date:
        """The school day that is ``days`` school days after ``start``."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if day > self.last_day + timedelta(days=366):
                break
            if self.is_school_day(day):
                remaining -= 1
        return day

    def iter_school_days(self) -> Iterator[date]:
        day = self.first_day
        while day <= self.last_day:
            if self.is_school_day(day):
                yield day
            day += timedelta(days=1)


def count_absence_units(slots: list[Slot], rule: CountingRule) -> int:
    """How many sessions ``slots`` weigh against the absence limit under ``rule``."""
    if rule is CountingRule.ONE_PER_DAY:
        return len({slot.day for slot in slots})
    return len(slots)


SCHOOL_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam has one time zone and no daylight saving: school days and deadlines live in it."""


def school_time(moment: datetime) -> datetime:
    """An aware moment as the school's wall-clock time (naive), which the rules compare."""
    return moment.astimezone(SCHOOL_TIME_ZONE).replace(tzinfo=None)


@lru_cache(maxsize=8)
def _running_school_days(
    first_day: date, last_day: date, holidays: frozenset[date], school_weekdays: frozenset[int]
) -> tuple[int, ...]:
    """For each day of ``first_day..last_day``, the school days from ``first_day`` to it."""
    first_weekday = first_day.weekday()
    holiday_offsets = {(holiday - first_day).days for holiday in holidays}
    return tuple(
        accumulate(
            int((first_weekday + offset) % 7 in school_weekdays and offset not in holiday_offsets)
            for offset in range((last_day - first_day).days + 1)
        )
    )


def format_date(day: date) -> str:
    """``dd/MM/yyyy``, the one date format users see."""
    return day.strftime("%d/%m/%Y")


def format_moment(moment: datetime) -> str:
    """``HH:mm dd/MM/yyyy`` in the school's time zone, whatever this computer's zone is."""
    return school_time(moment).strftime("%H:%M %d/%m/%Y")
