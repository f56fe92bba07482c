"""``homeroom-server simulate``: parents and subject teachers acting on a local demo server as
they do around a school day.

Time is simulated: it starts at the server's school day (``school_today`` from ``ping``: a demo
server lives on its demo day) at the current time of day in Vietnam, and ``rate`` simulated
minutes pass per real second. Everything that will happen is drawn from the seed first
(``plan``), so a seed always gives the same story:

- **Parents**: a few requests per school day across the class (none on some days, four on a
  bad one), sent the evening before (19:00-22:00) or early in the morning (05:30-06:50), a
  family matter sometimes planned days ahead. Mostly illness for one or two sessions, some
  family matters, rarely a bereavement, now and then a long illness over six sessions (a
  special case). About one in ten is cancelled by the parent a little later. A request that
  would overlap another pending or approved request of the same child, or repeat any earlier
  one exactly, is moved to the next school day or dropped.
- **Subject teachers**: on some afternoons or evenings a teacher enters a batch of grades, one
  every few minutes (empty cells first; with none left, a correction with its reason).

It signs in with the demo accounts (``ph-<student code>``, ``gv-<subject code>``), so it is
meant for a server filled by ``seed-demo``. Bounded on purpose: loopback addresses only, at most
``MAX_ACTIONS_PER_SECOND`` requests a real second for at most ``MAX_DURATION`` seconds, one
action at a time, and a handful of sign-in attempts (failures count against the server's rate
limit).
"""

from __future__ import annotations

import heapq
import ipaddress
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from desktop.demo.school import (
    ACTIVITIES,
    COMPULSORY,
    ELECTIVES,
    VN_TIME,
    YEAR_START,
    demo_calendar,
)
from desktop.demo.texts import BEREAVEMENT, CHANGE_REASONS, FAMILY, ILLNESS, ILLNESS_LONG, OTHER
from desktop.domain.calendar import SchoolCalendar, Slot
from desktop.domain.calendar import Session as SchoolSession
from desktop.errors import InvalidInput
from desktop.i18n import _

MAX_RATE = 240.0
"""Simulated minutes per real second at most (four hours a second)."""
MAX_DURATION = 600.0
MAX_ACTIONS_PER_SECOND = 20.0
MAX_PARENTS = 12
MAX_TEACHERS = 4
MAX_LOGIN_FAILURES = 8
TIMEOUT = httpx.Timeout(10.0)
CANCEL_SHARE = 0.1
LATEST_SHIFT = 3
"""School days a request may be moved by to avoid overlapping another of the same child."""


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise InvalidInput(_("The simulator only talks to a server on this machine (127.0.0.1)."))


# --- The plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leave:
    """What a parent asks for; ``first``/``last`` are school sessions."""

    first: Slot
    last: Slot
    category: str
    text: str
    channel: int

    def body(self) -> dict[str, Any]:
        return {
            "first_day": self.first.day.isoformat(),
            "first_session": self.first.session.value,
            "last_day": self.last.day.isoformat(),
            "last_session": self.last.session.value,
            "reason_category": self.category,
            "reason_text": self.text,
            "channel": self.channel,
        }


@dataclass(frozen=True)
class Submit:
    parent: int
    """Index among the parents who could sign in (modulo their number)."""
    leave: Leave
    cancel_after: timedelta | None
    """The parent cancels this long after submitting (``None``: never)."""


@dataclass(frozen=True)
class Cancel:
    parent: int
    key: int
    """The ``Submit`` event's key whose request is cancelled."""


@dataclass(frozen=True)
class GradeBatch:
    teacher: int
    entries: int
    spacing: tuple[int, int]
    """Minutes between two entries, at least and at most."""


Action = Submit | Cancel | GradeBatch


@dataclass(frozen=True)
class Event:
    at: datetime
    """Aware, in simulated time."""
    key: int
    action: Action


def sessions_from(calendar: SchoolCalendar, first: Slot, count: int) -> list[Slot]:
    """``count`` school sessions from ``first`` on (fewer at the end of the year)."""
    found: list[Slot] = []
    day = first.day
    while len(found) < count and calendar.contains(day):
        for session in sorted(calendar.sessions_on(day), key=lambda s: s.order):
            slot = Slot.of(day, session)
            if slot >= first and len(found) < count:
                found.append(slot)
        day += timedelta(days=1)
    return found


def _local(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TIME) + timedelta(minutes=minutes)


def _reason(rng: random.Random) -> tuple[str, str, int, str]:
    """``(category, text, sessions, when)``; ``when`` is ``evening``, ``morning`` or
    ``planned``."""
    roll = rng.random()
    if roll < 0.04:
        if rng.random() < 0.8:
            return "illness", rng.choice(ILLNESS_LONG), rng.choice((7, 8, 10)), "morning"
        return "bereavement", rng.choice(BEREAVEMENT), rng.choice((7, 8)), "evening"
    if roll < 0.70:
        sessions = rng.choices((1, 2, 3, 4), (35, 50, 8, 7))[0]
        return "illness", rng.choice(ILLNESS), sessions, rng.choice(("evening", "morning"))
    if roll < 0.88:
        sessions = rng.choices((1, 2, 4), (30, 55, 15))[0]
        when = rng.choices(("evening", "planned", "morning"), (50, 40, 10))[0]
        return "family", rng.choice(FAMILY), sessions, when
    if roll < 0.91:
        return "bereavement", rng.choice(BEREAVEMENT), rng.choice((2, 4, 6)), "evening"
    return "other", rng.choice(OTHER), rng.choice((1, 1, 2)), rng.choice(("evening", "planned"))


def _submitted_at(rng: random.Random, day: date, when: str) -> datetime:
    if when == "morning":
        return _local(day, rng.randint(5 * 60 + 30, 6 * 60 + 50))
    before = rng.randint(2, 5) if when == "planned" else 1
    return _local(day - timedelta(days=before), rng.randint(19 * 60, 22 * 60))


def plan(
    rng: random.Random,
    calendar: SchoolCalendar,
    start: datetime,
    end: datetime,
) -> list[Event]:
    """Every action between ``start`` and ``end`` (simulated time), in time order."""
    events: list[Event] = []
    keys = iter(range(1, 10**9))
    first_day = start.astimezone(VN_TIME).date()
    last_day = end.astimezone(VN_TIME).date() + timedelta(days=LATEST_SHIFT + 6)
    day = first_day
    while day <= last_day:
        if calendar.is_school_day(day):
            for _n in range(rng.choices((0, 1, 2, 3, 4), (15, 30, 30, 17, 8))[0]):
                category, text, count, when = _reason(rng)
                opening = min(calendar.sessions_on(day), key=lambda s: s.order)
                slots = sessions_from(calendar, Slot.of(day, opening), count)
                if not slots:
                    continue
                if count == 1 and rng.random() < 0.3 and len(calendar.sessions_on(day)) > 1:
                    slots = [Slot.of(day, SchoolSession.AFTERNOON)]
                leave = Leave(slots[0], slots[-1], category, text, rng.choice((4, 4, 4, 3)))
                cancel = (
                    timedelta(minutes=rng.randint(20, 240)) if rng.random() < CANCEL_SHARE else None
                )
                submit = Submit(rng.randrange(MAX_PARENTS), leave, cancel)
                events.append(Event(_submitted_at(rng, day, when), next(keys), submit))
            for teacher in range(MAX_TEACHERS):
                if rng.random() < 0.35:
                    at = _local(day, rng.randint(14 * 60, 21 * 60))
                    batch = GradeBatch(teacher, rng.randint(5, 15), (1, 4))
                    events.append(Event(at, next(keys), batch))
        day += timedelta(days=1)
    for event in list(events):
        if isinstance(event.action, Submit) and event.action.cancel_after is not None:
            later = Cancel(event.action.parent, event.key)
            events.append(Event(event.at + event.action.cancel_after, next(keys), later))
    return sorted((e for e in events if start <= e.at < end), key=lambda e: (e.at, e.key))


# --- Playing it ---------------------------------------------------------------------------------


@dataclass
class SimulationReport:
    actions: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    """``ApiError`` codes of the answers that refused an action (expected ones included)."""
    errors: int = 0
    parents: int = 0
    teachers: int = 0
    simulated_until: datetime | None = None

    def describe(self) -> str:
        done = ", ".join(f"{name} {count}" for name, count in sorted(self.actions.items()))
        answers = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        if self.refusals:
            answers += " (" + ", ".join(f"{c} {n}" for c, n in sorted(self.refusals.items())) + ")"
        return _(
            "{parents} parents and {teachers} teachers; actions: {done}; answers: {answers}; "
            "errors: {errors}."
        ).format(
            parents=self.parents,
            teachers=self.teachers,
            done=done or "-",
            answers=answers or "-",
            errors=self.errors,
        )


class _Actor:
    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, report: SimulationReport, **kw: Any) -> Any:
        response = self.client.request(method, path, headers=self.headers, **kw)
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            report.errors += 1
        elif response.status_code >= 400:
            report.refusals[response.json().get("code", "?")] += 1
        return response.json() if response.status_code < 300 else None


def _sign_in(
    client: httpx.Client, names: list[str], password: str, want: int, budget: list[int]
) -> list[_Actor]:
    actors: list[_Actor] = []
    for name in names:
        if len(actors) >= want or budget[0] <= 0:
            break
        response = client.post("/api/v1/auth/login", json={"username": name, "password": password})
        if response.status_code == 200:
            actors.append(_Actor(client, response.json()["access_token"]))
        else:
            budget[0] -= 1
    return actors


def _span(row: dict[str, Any]) -> tuple[Slot, Slot]:
    first = Slot.of(date.fromisoformat(row["first_day"]), SchoolSession(row["first_session"]))
    last = Slot.of(date.fromisoformat(row["last_day"]), SchoolSession(row["last_session"]))
    return first, last


def _free(leave: Leave, requests: list[dict[str, Any]]) -> bool:
    """Neither overlapping a pending or approved request of the child nor repeating any."""
    for row in requests:
        first, last = _span(row)
        if (first, last) == (leave.first, leave.last):
            return False
        live = row["status"] in ("submitted", "approved")
        if live and first <= leave.last and leave.first <= last:
            return False
    return True


class _Play:
    """Runs the planned events against the server."""

    def __init__(
        self,
        rng: random.Random,
        calendar: SchoolCalendar,
        parents: list[_Actor],
        teachers: list[_Actor],
        report: SimulationReport,
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.parents = parents
        self.teachers = teachers
        self.report = report
        self.submitted: dict[int, tuple[_Actor, int]] = {}
        """Submit event key → the parent and the request id the server gave."""

    def run(self, event: Event) -> Iterator[Event]:
        """Do ``event``; yields the follow-up events it schedules (a grade batch's next entry)."""
        action = event.action
        if isinstance(action, Submit) and self.parents:
            self._submit(event.key, self.parents[action.parent % len(self.parents)], action)
        elif isinstance(action, Cancel) and action.key in self.submitted:
            parent, request_id = self.submitted[action.key]
            answer = parent.call(
                "POST", f"/api/v1/parent/requests/{request_id}/cancel", self.report
            )
            self.report.actions["cancel" if answer is not None else "cancel refused"] += 1
        elif isinstance(action, GradeBatch) and self.teachers and action.entries > 0:
            self._grade(self.teachers[action.teacher % len(self.teachers)])
            gap = timedelta(minutes=self.rng.randint(*action.spacing))
            follow = GradeBatch(action.teacher, action.entries - 1, action.spacing)
            if follow.entries > 0:
                yield Event(event.at + gap, event.key, follow)

    def _submit(self, key: int, parent: _Actor, action: Submit) -> None:
        requests = parent.call("GET", "/api/v1/parent/requests", self.report) or []
        leave = action.leave
        for _shift in range(LATEST_SHIFT + 1):
            if _free(leave, requests):
                break
            leave = self._next_day(leave)
        else:
            self.report.actions["submit avoided"] += 1
            return
        answer = parent.call("POST", "/api/v1/parent/requests", self.report, json=leave.body())
        if answer is None:
            self.report.actions["submit refused"] += 1
            return
        self.submitted[key] = (parent, int(answer["id"]))
        self.report.actions["submit"] += 1

    def _next_day(self, leave: Leave) -> Leave:
        """The same request one school day later, as long."""
        count = len(self.calendar.slots_between(leave.first, leave.last))
        day = leave.first.day + timedelta(days=1)
        while not self.calendar.is_school_day(day) and self.calendar.contains(day):
            day += timedelta(days=1)
        opening = min(
            self.calendar.sessions_on(day) or {SchoolSession.MORNING}, key=lambda s: s.order
        )
        slots = sessions_from(self.calendar, Slot.of(day, opening), count) or [
            Slot.of(day, opening)
        ]
        return Leave(slots[0], slots[-1], leave.category, leave.text, leave.channel)

    def _grade(self, teacher: _Actor) -> None:
        report = self.report
        subjects = teacher.call("GET", "/api/v1/subject/subjects", report) or []
        if not subjects:
            return
        subject = self.rng.choice(subjects)
        path = (
            f"/api/v1/subject/classes/{subject['class_id']}/subjects/"
            f"{subject['subject_code']}/grades"
        )
        entries = teacher.call("GET", path, report, params={"semester": 2}) or []
        if not entries:
            return
        cell, base_version, reason = self._cell(entries)
        value = (
            self.rng.choice(["Đ", "Đ", "Đ", "CĐ"])
            if subject["assessment"] == "comment"
            else _score(self.rng)
        )
        answer = teacher.call(
            "PUT",
            "/api/v1/subject/grades",
            report,
            json={
                "class_id": subject["class_id"],
                "student_id": cell[0],
                "subject_code": subject["subject_code"],
                "semester": 2,
                "kind": cell[1],
                "slot": cell[2],
                "value": value,
                "reason": reason,
                "base_version": base_version,
            },
        )
        report.actions["grade" if answer is not None else "grade refused"] += 1

    def _cell(self, entries: list[dict[str, Any]]) -> tuple[tuple[int, str, int], int, str]:
        """An empty cell of the columns in use, else an entered one to correct (its reason)."""
        entered = {(e["student_id"], e["kind"], e["slot"]): e for e in entries}
        columns = sorted({(e["kind"], e["slot"]) for e in entries})
        students = sorted({e["student_id"] for e in entries})
        empty = [(s, k, n) for k, n in columns for s in students if (s, k, n) not in entered]
        if empty:
            return self.rng.choice(empty), 0, ""
        entry = self.rng.choice(entries)
        reason = self.rng.choice(CHANGE_REASONS.get(entry["kind"], CHANGE_REASONS["TX"]))
        return (entry["student_id"], entry["kind"], entry["slot"]), entry["version"], reason


def _score(rng: random.Random) -> str:
    """A score as teachers give them: around 7, in halves, 2 to 10."""
    half_points = round(min(10.0, max(2.0, rng.gauss(7.0, 1.4))) * 2)
    return f"{half_points // 2}" if half_points % 2 == 0 else f"{half_points // 2}.5"


def simulate(
    url: str,
    *,
    rate: float,
    duration: float,
    seed: int,
    password: str,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    wall_clock: Callable[[], datetime] | None = None,
) -> SimulationReport:
    """Play ``duration`` real seconds at ``rate`` simulated minutes a second against ``url``
    (loopback only) and report what happened. ``clock`` and ``wall_clock`` (the time of day
    the simulation starts at) are for tests; ``sleep`` too, and for the desktop's demo, whose
    parents stop waiting when its server closes."""
    require_loopback(url)
    rate = max(0.1, min(rate, MAX_RATE))
    duration = max(0.0, min(duration, MAX_DURATION))
    rng = random.Random(seed)
    report = SimulationReport()
    with httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT) as client:
        ping = client.get("/api/v1/ping").json()
        # The server's school day, not the clock: a demo server lives on its demo day.
        today = date.fromisoformat(ping["school_today"])
        real = (wall_clock or (lambda: datetime.now(VN_TIME)))().astimezone(VN_TIME)
        start = datetime.combine(today, real.timetz())
        end = start + timedelta(minutes=rate * duration)
        calendar = demo_calendar()
        events = plan(rng, calendar, start, end)
        budget = [MAX_LOGIN_FAILURES]
        parents = _sign_in(
            client,
            [f"ph-hs{YEAR_START}{n:03d}" for n in range(1, 60)],
            password,
            MAX_PARENTS,
            budget,
        )
        codes = [s.code.lower() for s in (*COMPULSORY, *ELECTIVES.values(), *ACTIVITIES)]
        teachers = _sign_in(
            client, [f"gv-{code}" for code in dict.fromkeys(codes)], password, MAX_TEACHERS, budget
        )
        report.parents, report.teachers = len(parents), len(teachers)
        if not parents and not teachers:
            raise InvalidInput(_("No demo account could sign in: is this a seed-demo server?"))
        play = _Play(rng, calendar, parents, teachers, report)
        queue = [(e.at, e.key, n, e) for n, e in enumerate(events)]
        heapq.heapify(queue)
        began = clock()
        order = len(queue)
        while queue:
            at, _key, _n, event = heapq.heappop(queue)
            if at >= end:
                break
            due = began + (at - start).total_seconds() / 60.0 / rate
            sleep(max(0.0, due - clock(), 1.0 / MAX_ACTIONS_PER_SECOND))
            try:
                for follow in play.run(event):
                    order += 1
                    heapq.heappush(queue, (follow.at, follow.key, order, follow))
            except httpx.HTTPError:
                report.errors += 1
            report.simulated_until = at
    return report
