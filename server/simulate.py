"""``homeroom-server simulate``: parents and subject teachers acting on a local demo server.

Parents submit leave requests, follow and cancel them; subject teachers change grades. It signs
in with the demo accounts (``ph-<student code>``, ``gv-<subject code>``), so it is meant for a
server filled by ``seed-demo``. Bounded on purpose: loopback addresses only, at most
``MAX_RATE`` actions a second for at most ``MAX_DURATION`` seconds, one action at a time, and
a handful of sign-in attempts (failures count against the server's rate limit).
"""

from __future__ import annotations

import ipaddress
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from desktop.demo.school import ACTIVITIES, COMPULSORY, ELECTIVES, FIRST_DAY, LAST_DAY, YEAR_START
from desktop.errors import InvalidInput
from desktop.i18n import _

MAX_RATE = 20.0
MAX_DURATION = 600.0
MAX_PARENTS = 8
MAX_TEACHERS = 4
MAX_LOGIN_FAILURES = 8
TIMEOUT = httpx.Timeout(10.0)


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


@dataclass
class SimulationReport:
    actions: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    """``ApiError`` codes of the answers that refused an action (expected ones included)."""
    errors: int = 0
    parents: int = 0
    teachers: int = 0

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


def _submit(rng: random.Random, parent: _Actor, today: date, report: SimulationReport) -> None:
    start = max(FIRST_DAY, min(today, LAST_DAY - timedelta(days=30)))
    first = start + timedelta(days=rng.randint(0, 20))
    last = first + timedelta(days=rng.choice([0, 0, 1, 2]))
    body = {
        "first_day": first.isoformat(),
        "first_session": rng.choice(["morning", "afternoon"]),
        "last_day": last.isoformat(),
        "last_session": "afternoon",
        "reason_category": rng.choice(["illness", "family", "other"]),
        "reason_text": rng.choice(["Cháu bị sốt", "Việc gia đình", "Đi khám răng"]),
        "channel": rng.choice([3, 4]),
    }
    if first > last or (first == last and body["first_session"] == "afternoon"):
        body["first_session"] = "morning"
    parent.call("POST", "/api/v1/parent/requests", report, json=body)


def _cancel(rng: random.Random, parent: _Actor, report: SimulationReport) -> None:
    requests = parent.call("GET", "/api/v1/parent/requests", report) or []
    open_ones = [r for r in requests if r["status"] in ("submitted", "approved")]
    if open_ones:
        chosen = rng.choice(open_ones)
        parent.call("POST", f"/api/v1/parent/requests/{chosen['id']}/cancel", report)


def _grade(rng: random.Random, teacher: _Actor, report: SimulationReport) -> None:
    subjects = teacher.call("GET", "/api/v1/subject/subjects", report) or []
    if not subjects:
        return
    subject = rng.choice(subjects)
    path = (
        f"/api/v1/subject/classes/{subject['class_id']}/subjects/{subject['subject_code']}/grades"
    )
    entries = teacher.call("GET", path, report, params={"semester": 2}) or []
    if not entries:
        return
    entry = rng.choice(entries)
    value = (
        rng.choice(["Đ", "CĐ"])
        if subject["assessment"] == "comment"
        else f"{rng.randint(4, 10)}.{rng.choice([0, 5])}".replace("10.5", "10")
    )
    teacher.call(
        "PUT",
        "/api/v1/subject/grades",
        report,
        json={
            "class_id": subject["class_id"],
            "student_id": entry["student_id"],
            "subject_code": subject["subject_code"],
            "semester": entry["semester"],
            "kind": entry["kind"],
            "slot": entry["slot"],
            "value": value,
            "reason": "Chấm phúc khảo",
            "base_version": entry["version"],
        },
    )


def simulate(
    url: str, *, rate: float, duration: float, seed: int, password: str
) -> SimulationReport:
    """Run the simulation against ``url`` (loopback only) and report what happened."""
    require_loopback(url)
    rate = max(0.1, min(rate, MAX_RATE))
    duration = max(0.0, min(duration, MAX_DURATION))
    rng = random.Random(seed)
    report = SimulationReport()
    with httpx.Client(base_url=url.rstrip("/"), timeout=TIMEOUT) as client:
        ping = client.get("/api/v1/ping").json()
        # The server's school day, not the clock: a demo server lives on its demo day.
        today = date.fromisoformat(ping["school_today"])
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
        deadline = time.monotonic() + duration
        step = 1.0 / rate
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            kind = rng.choice(["submit", "submit", "cancel", "grade", "grade"])
            try:
                if kind in ("submit", "cancel") and parents:
                    parent = rng.choice(parents)
                    if kind == "submit":
                        _submit(rng, parent, today, report)
                    else:
                        _cancel(rng, parent, report)
                elif teachers:
                    kind = "grade"
                    _grade(rng, rng.choice(teachers), report)
                report.actions[kind] += 1
            except httpx.HTTPError:
                report.errors += 1
            next_at += step
            time.sleep(max(0.0, next_at - time.monotonic()))
    return report
