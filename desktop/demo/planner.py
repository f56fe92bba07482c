"""Placing one class's leave requests on the school calendar and filling in their timeline.

A request is planned on indexes into the year's list of school sessions, so "three sessions from
Friday afternoon" is simply three consecutive indexes. Submission times are chosen so that reading
them as UTC or as Vietnamese wall-clock time gives the same answer to "retroactive?": an evening
submission (19:00-22:00 in Vietnam) is on the same date in both, and an early-morning one
(05:30-06:45) falls on the previous UTC date, still before the first session.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from desktop.demo.school import FIRST_LEAVE_DAY, VN_TIME, at_local, local_date
from desktop.demo.texts import (
    APPROVED_NOTES,
    BEREAVEMENT,
    FAMILY,
    ILLNESS,
    ILLNESS_LONG,
    OTHER,
    REJECTION_NOTES,
    SPECIAL_NOTE,
    approval_note,
)
from desktop.domain.calendar import SchoolCalendar, Session, Slot
from desktop.domain.leave import AuditStatus, Channel, LeaveStatus, ReasonCategory, is_special_case
from desktop.domain.policy import SchoolPolicy

Row = dict[str, Any]

NORMAL_BUDGET = 20
"""At most this many sessions of requests and roll-call absences for any other student than the
two near the limit, so only those two come near a warning threshold."""


@dataclass(frozen=True)
class GuardianInfo:
    id: int
    registered_on: date | None


@dataclass(frozen=True)
class StudentInfo:
    id: int
    guardians: tuple[GuardianInfo, ...]

    def registered_by(self, day: date) -> list[GuardianInfo]:
        """Guardians registered for the e-contact book on or before ``day``."""
        return [g for g in self.guardians if g.registered_on is not None and g.registered_on <= day]

    @property
    def registered(self) -> bool:
        return any(g.registered_on is not None for g in self.guardians)


@dataclass
class Plan:
    """A request being planned; ``start`` and ``end`` index the year's school sessions."""

    student: StudentInfo
    start: int
    end: int
    status: LeaveStatus
    category: ReasonCategory
    text: str
    channel: Channel
    submitted_at: datetime
    guardian_id: int
    decided_at: datetime | None = None
    decision_note: str = ""
    signoff_on: date | None = None
    received_on: date | None = None
    audit_status: AuditStatus = AuditStatus.NONE
    observed: bool | None = None
    """Roll call recorded the student absent in the request's past sessions; ``None`` = draw."""
    id: int = 0


@dataclass
class LeaveResult:
    requests: list[Row] = field(default_factory=list)
    audits: list[Row] = field(default_factory=list)
    marks: list[Row] = field(default_factory=list)
    near_limit: tuple[int, ...] = ()


class Planner:
    """Places requests on free sessions of a student and fills in their timeline."""

    def __init__(
        self,
        rng: random.Random,
        calendar: SchoolCalendar,
        policy: SchoolPolicy,
        today: date,
        homeroom: str,
        principal: str,
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.policy = policy
        self.today = today
        self.homeroom = homeroom
        self.principal = principal
        self.slots: list[Slot] = [
            Slot.of(day, session)
            for day in calendar.iter_school_days()
            for session in sorted(calendar.sessions_on(day), key=lambda s: s.order)
        ]
        self.lo = next(i for i, s in enumerate(self.slots) if s.day >= FIRST_LEAVE_DAY)
        self.now = next((i for i, s in enumerate(self.slots) if s.day >= today), len(self.slots))
        self.midnight = at_local(today, 0)
        self.occupied: dict[int, set[int]] = defaultdict(set)
        self.potential: dict[int, int] = defaultdict(int)
        self.plans: list[Plan] = []

    # --- Where ------------------------------------------------------------------------------

    def place(
        self, student_id: int, length: int, lo: int, hi: int, *, overlap_ok: bool = False
    ) -> tuple[int, int] | None:
        """A free run of ``length`` sessions starting in ``[lo, hi - length]``, or ``None``."""
        rng = self.rng
        lo, hi = max(lo, 0), min(hi, len(self.slots))
        for _attempt in range(200):
            if hi - length < lo:
                return None
            start = rng.randint(lo, hi - length)
            # Most absences start in the morning: slide an afternoon start to its morning.
            if (
                self.slots[start].session is Session.AFTERNOON
                and start > lo
                and self.slots[start - 1].day == self.slots[start].day
                and rng.random() < 0.75
            ):
                start -= 1
            end = start + length - 1
            span = (self.slots[end].day - self.slots[start].day).days
            limit = length - 1 if length <= 2 else (length + 1) // 2 + 2
            if span > limit:
                continue  # a short leave around a long break is not what parents write
            taken = self.occupied[student_id]
            if not overlap_ok and any(i in taken for i in range(start, end + 1)):
                continue
            return start, end
        return None

    def past(self) -> tuple[int, int]:
        return self.lo, self.now

    # --- When -------------------------------------------------------------------------------

    def time_on(self, day: date, first_hour: int, last_hour: int) -> datetime:
        rng = self.rng
        hour = rng.randint(first_hour, last_hour)
        return at_local(day, hour, rng.randint(0, 59), rng.randint(0, 59))

    def submission(self, start: int, timing: str) -> datetime:
        """When the parent sent the request, by ``timing``: ahead_evening, ahead_morning,
        planned, retro_same_day or retro_late."""
        rng = self.rng
        first = self.slots[start]
        morning = first.session is Session.MORNING
        if timing == "ahead_morning" and morning:
            return at_local(first.day, 5, rng.randint(30, 59), rng.randint(0, 59)) + timedelta(
                minutes=rng.choice((0, 15, 30, 45)) if rng.random() < 0.5 else 0
            )
        if timing in ("ahead_morning", "ahead_evening") and not morning:
            return self.time_on(first.day, 7, 10)
        if timing == "ahead_evening":
            return self.time_on(first.day - timedelta(days=1), 19, 21)
        if timing == "planned":
            return self.time_on(first.day - timedelta(days=rng.randint(2, 6)), 12, 21)
        if timing == "retro_same_day":
            if morning:
                return self.time_on(first.day, 15, 17)
            return self.time_on(first.day, 20, 21)
        late = self.calendar.add_school_days(first.day, rng.choice((1, 1, 2, 2, 3, 4)))
        return self.time_on(late, 18, 21)

    def decision(self, submitted: datetime, *, next_day: bool = False) -> datetime:
        """The teacher decides within hours, in the day, and always before today."""
        rng = self.rng
        moment = submitted + timedelta(minutes=rng.randint(25, 16 * 60))
        if next_day:
            moment = max(moment, submitted + timedelta(hours=20))
        local = moment.astimezone(VN_TIME)
        if local.hour < 6:
            moment = at_local(local.date(), 6, rng.randint(5, 50))
        elif local.hour >= 22:
            moment = at_local(local.date() + timedelta(days=1), 6, rng.randint(5, 50))
        if moment >= self.midnight:
            moment = submitted + (self.midnight - submitted) / 2
        return moment

    # --- What -------------------------------------------------------------------------------

    def reason(self, length: int, timing: str) -> tuple[ReasonCategory, str]:
        rng = self.rng
        if length > self.policy.special_case_sessions:
            if rng.random() < 0.8:
                return ReasonCategory.ILLNESS, rng.choice(ILLNESS_LONG)
            return ReasonCategory.BEREAVEMENT, rng.choice(BEREAVEMENT)
        if timing == "planned":
            category = rng.choices(
                (ReasonCategory.FAMILY, ReasonCategory.OTHER, ReasonCategory.ILLNESS), (6, 3, 1)
            )[0]
        else:
            category = rng.choices(
                (
                    ReasonCategory.ILLNESS,
                    ReasonCategory.FAMILY,
                    ReasonCategory.BEREAVEMENT,
                    ReasonCategory.OTHER,
                ),
                (62, 22, 5, 11),
            )[0]
        texts = {
            ReasonCategory.ILLNESS: ILLNESS,
            ReasonCategory.FAMILY: FAMILY,
            ReasonCategory.BEREAVEMENT: BEREAVEMENT,
            ReasonCategory.OTHER: OTHER,
        }[category]
        return category, rng.choice(texts)

    def timing(self) -> str:
        return self.rng.choices(
            ("ahead_evening", "ahead_morning", "planned", "retro_same_day", "retro_late"),
            (40, 25, 10, 12, 13),
        )[0]

    def make(
        self,
        student: StudentInfo,
        status: LeaveStatus,
        length: int,
        *,
        window: tuple[int, int] | None = None,
        timing: str | None = None,
        at: tuple[int, int] | None = None,
        submitted: datetime | None = None,
        channel: Channel | None = None,
        overlap_ok: bool = False,
    ) -> Plan | None:
        """Plan one request; ``None`` when no free sessions or no registered guardian fit."""
        rng = self.rng
        for _attempt in range(30):
            where = at or self.place(
                student.id, length, *(window or self.past()), overlap_ok=overlap_ok
            )
            if where is None:
                return None
            start, end = where
            how = timing or self.timing()
            moment = submitted or self.submission(start, how)
            if moment >= self.midnight:
                if self.slots[start].day < self.today:
                    continue
                # A leave still to come was asked for in the last few days.
                moment = self.time_on(self.today - timedelta(days=rng.randint(1, 4)), 19, 21)
            guardians = student.registered_by(local_date(moment))
            if not guardians:
                continue
            category, text = self.reason(end - start + 1, how)
            plan = Plan(
                student=student,
                start=start,
                end=end,
                status=status,
                category=category,
                text=text,
                channel=channel or rng.choices((Channel.LEVEL_4, Channel.LEVEL_3), (65, 35))[0],
                submitted_at=moment,
                guardian_id=rng.choice(guardians).id,
            )
            self._decide(plan)
            self.plans.append(plan)
            self.occupied[student.id].update(range(start, end + 1))
            self.potential[student.id] += end - start + 1
            return plan
        return None

    def special(self, plan: Plan) -> bool:
        return is_special_case(plan.end - plan.start + 1, self.policy)

    def _decide(self, plan: Plan) -> None:
        rng = self.rng
        if plan.status in (LeaveStatus.SUBMITTED, LeaveStatus.CANCELLED):
            return
        special = self.special(plan)
        plan.decided_at = self.decision(plan.submitted_at, next_day=special)
        if plan.status is LeaveStatus.REJECTED:
            plan.decision_note = rng.choice(REJECTION_NOTES)
            return
        if special:
            # The principal signs off first; the teacher approves the same day.
            plan.signoff_on = local_date(plan.decided_at)
            plan.decision_note = SPECIAL_NOTE
        else:
            plan.decision_note = approval_note(rng.choice(APPROVED_NOTES), plan.category)

    def within_budget(self, student: StudentInfo, length: int) -> bool:
        return self.potential[student.id] + length <= NORMAL_BUDGET
