"""The simulator plays parents and subject teachers as they behave around a school day: a few
requests a day, sent the evening before or early in the morning, realistic reasons and lengths,
some cancellations, never a repeat or an overlap; the same seed, the same story."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.demo.school import VN_TIME, demo_calendar
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.models import GradeEntry, LeaveRequest
from server.seed import seed_demo, seeded_today
from server.serving import serve_store
from server.settings import Settings
from server.simulate import Cancel, GradeBatch, Submit, plan, simulate
from server.store import Store, open_store

START = datetime(2026, 3, 16, 12, 0, tzinfo=VN_TIME)
"""Noon on the demo's school day."""
SEED = 11


def test_the_same_seed_gives_the_same_story_and_another_seed_another() -> None:
    calendar = demo_calendar()
    end = START + timedelta(days=5)
    first = plan(random.Random(SEED), calendar, START, end)
    assert first == plan(random.Random(SEED), calendar, START, end)
    assert first != plan(random.Random(SEED + 1), calendar, START, end)


def test_parents_send_a_few_realistic_requests_a_school_day() -> None:
    """Over four school weeks: one to three requests a school day on average, sent before
    school or the evening before, mostly illness of one or two sessions, bereavement rare, a
    long special case now and then, about one in ten cancelled after it was sent."""
    calendar = demo_calendar()
    end = START + timedelta(days=28)
    events = plan(random.Random(SEED), calendar, START, end)
    submits = [(e.at, e.key, e.action) for e in events if isinstance(e.action, Submit)]
    days = sum(calendar.is_school_day(START.date() + timedelta(days=n)) for n in range(28))
    assert 1.0 <= len(submits) / days <= 3.0
    for at, _key, submit in submits:
        local = at.astimezone(VN_TIME)
        minutes = local.hour * 60 + local.minute
        assert 5 * 60 + 30 <= minutes <= 6 * 60 + 50 or 19 * 60 <= minutes <= 22 * 60
        leave = submit.leave
        assert calendar.is_school_session(leave.first) and calendar.is_school_session(leave.last)
        # Never a request for a day already begun: sent before its first session.
        assert local.date() <= leave.first.day
    categories = Counter(s.leave.category for _at, _key, s in submits)
    assert categories["illness"] > len(submits) / 2
    assert categories["bereavement"] <= len(submits) / 10
    lengths = [len(calendar.slots_between(s.leave.first, s.leave.last)) for _at, _key, s in submits]
    assert sum(n <= 2 for n in lengths) > 0.6 * len(lengths)
    assert max(lengths) > 6  # a special case in four weeks
    sent_at = {key: at for at, key, _s in submits}
    cancels = [e for e in events if isinstance(e.action, Cancel)]
    assert 0 < len(cancels) < 0.25 * len(submits)
    for cancel in cancels:
        assert isinstance(cancel.action, Cancel)
        if cancel.action.key in sent_at:
            assert cancel.at > sent_at[cancel.action.key]
    assert any(isinstance(e.action, GradeBatch) for e in events)


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        seed_demo(store, seed=2025, password="demo")
        with serve_store(store, Settings(today=seeded_today(store))) as url:
            yield store, url
    finally:
        store.close()


def _span(row: LeaveRequest) -> tuple[Slot, Slot]:
    return (
        Slot.of(row.first_day, SchoolSession(row.first_session)),
        Slot.of(row.last_day, SchoolSession(row.last_session)),
    )


def test_a_simulated_week_on_the_demo_server_adds_no_overlap_or_repeat(
    demo_server: tuple[Store, str],
) -> None:
    """Six simulated days (in no real time, with an injected clock): new requests, a few
    cancellations and grades, no server error; no new request repeats one of the same child
    or overlaps another of its pending or approved ones."""
    store, url = demo_server
    with store.read() as session:
        before = set(session.scalars(select(LeaveRequest.id)))
        grades_before = len(session.scalars(select(GradeEntry.id)).all())
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    report = simulate(
        url,
        rate=240,
        duration=36,
        seed=SEED,
        password="demo",
        clock=lambda: now[0],
        sleep=sleep,
        wall_clock=lambda: START,
    )
    print(f"seed {SEED}: {report.describe()}")
    assert report.errors == 0
    assert report.parents > 0 and report.teachers == 4
    assert report.actions["submit"] >= 3
    assert report.actions["grade"] > 0
    with store.read() as session:
        rows = list(session.scalars(select(LeaveRequest)))
        grades_after = len(session.scalars(select(GradeEntry.id)).all())
    new = [r for r in rows if r.id not in before]
    assert 3 <= len(new) <= 30
    assert grades_after > grades_before
    by_student: dict[int, list[LeaveRequest]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
    for row in new:
        for other in by_student[row.student_id]:
            if other.id == row.id:
                continue
            assert _span(other) != _span(row)
            live = {"submitted", "approved"}
            if row.status in live and other.status in live:
                (a, b), (c, d) = _span(row), _span(other)
                assert b < c or d < a, (row.id, other.id)
    assert not any(
        _span(a) == _span(b) and a.student_id == b.student_id
        for a, b in itertools.combinations(new, 2)
    )
