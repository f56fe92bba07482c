"""The sync engine's seams against the real server on loopback: every database step goes
through ``on_database`` (only the network wait stays on the caller's thread), a sync returns
the ``Changes`` it applied, progress is reported per round, and a cancellation stops between
rounds with nothing half-visible and the next sync resuming from the staged rounds."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select

from desktop.domain.calendar import school_time
from desktop.models import LeaveRequest, Student, SyncConflict, SyncInbox
from desktop.models.db import Database, open_database
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.sync import state
from desktop.sync.cycle import Cancellation, Progress, SyncCancelled
from desktop.sync.engine import sync_once
from desktop.sync.protocol import SyncRequest, SyncResponse
from server.store import Store
from tests.server.helpers import Api, Seeded, _request, served
from tests.sync_faults import harness

T = TypeVar("T")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Recorded:
    """The engine's ``SyncServer`` over HTTP, noting each request and the thread that waited;
    ``after`` runs once each answer is in."""

    def __init__(self, api: Api, after: Callable[[int], None] = lambda _n: None) -> None:
        self.api = api
        self.after = after
        self.requests: list[SyncRequest] = []
        self.threads: set[str] = set()

    def sync(self, request: SyncRequest) -> SyncResponse:
        self.requests.append(request)
        self.threads.add(threading.current_thread().name)
        response = self.api.http.post(
            "/api/v1/sync",
            content=request.model_dump_json(),
            headers={**self.api.auth("gvcn"), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        self.after(len(self.requests))
        return SyncResponse.model_validate_json(response.content)


@pytest.fixture
def school(tmp_path: Path) -> Iterator[tuple[Store, Seeded, Api]]:
    with served(f"sqlite:///{tmp_path / 'server.sqlite3'}", page_size=7) as served_school:
        yield served_school


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
    yield database
    database.close()


def writer_threads(database: Database) -> tuple[list[str], Callable[[], None]]:
    """The thread name of every write statement and commit on ``database``."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith(WRITES):
            seen.append(threading.current_thread().name)

    def commit(_conn: Any) -> None:
        seen.append(threading.current_thread().name)

    event.listen(database.engine, "before_cursor_execute", statement)
    event.listen(database.engine, "commit", commit)

    def stop() -> None:
        event.remove(database.engine, "before_cursor_execute", statement)
        event.remove(database.engine, "commit", commit)

    return seen, stop


def test_every_write_goes_through_on_database_and_only_the_wait_stays_on_the_caller(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """With an ``on_database`` lane, no write or commit happens on the calling thread."""
    _store, seeded, api = school
    lane = ThreadPoolExecutor(1, thread_name_prefix="lane")

    def on_lane(work: Callable[[], T]) -> T:
        return lane.submit(work).result()

    server = Recorded(api)
    sync_once(profile, server, class_id=seeded.small.class_id, on_database=on_lane)
    harness.decide(profile, seeded.requests[0], approve=True)
    seen, stop = writer_threads(profile)
    try:
        summary = sync_once(profile, server, class_id=seeded.small.class_id, on_database=on_lane)
    finally:
        stop()
        lane.shutdown()
    assert summary.pushed == 1
    assert seen and {name.split("_")[0] for name in seen} == {"lane"}
    assert server.threads == {threading.current_thread().name}


def test_a_sync_returns_the_rows_it_applied_and_the_conflicts_it_recorded(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """First sync: every pulled request is in the changes; later, only what moved."""
    _store, seeded, api = school
    server = Recorded(api)
    first = sync_once(profile, server, class_id=seeded.small.class_id)
    with profile.reading() as session:
        requests = {str(i) for i in session.scalars(select(LeaveRequest.id))}
        students = {str(i) for i in session.scalars(select(Student.id))}
    assert first.changes.ids("leave_request") == requests
    assert first.changes.ids("student") == students
    assert first.changes.summary == first.describe()

    assert api.post(f"/api/v1/parent/requests/{seeded.requests[1]}/cancel", "ph1").status_code == (
        200
    )
    harness.decide(profile, seeded.requests[1], approve=True)
    second = sync_once(profile, server, class_id=seeded.small.class_id)
    with profile.reading() as session:
        conflict = session.scalars(select(SyncConflict)).one()
    assert second.refused == 1
    assert str(seeded.requests[1]) in second.changes.ids("leave_request")
    assert str(seeded.requests[0]) not in second.changes.ids("leave_request")
    assert second.changes.ids("sync_conflict") == {str(conflict.id)}
    assert "student" not in second.changes.touched


def test_progress_is_reported_after_each_round(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """One report per round trip: rows so far, growing; more pages until the last."""
    _store, seeded, api = school
    reports: list[Progress] = []
    summary = sync_once(
        profile, Recorded(api), class_id=seeded.small.class_id, progress=reports.append
    )
    assert len(reports) == summary.round_trips > 2
    assert [p.round_trips for p in reports] == list(range(1, summary.round_trips + 1))
    assert [p.pulled for p in reports] == sorted(p.pulled for p in reports)
    assert reports[-1].pulled == summary.pulled
    assert [p.more for p in reports] == [True] * (len(reports) - 1) + [False]


def test_a_cancelled_sync_stops_between_rounds_and_the_next_resumes(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """Cancelled after round 2: no third request, nothing visible, the next sync resumes."""
    store, seeded, api = school
    cancel = Cancellation()
    server = Recorded(api, after=lambda n: cancel.cancel() if n == 2 else None)
    with pytest.raises(SyncCancelled):
        sync_once(profile, server, class_id=seeded.small.class_id, cancel=cancel)
    assert len(server.requests) == 2
    with profile.reading() as session:
        assert session.scalar(select(func.count()).select_from(Student)) == 0
        assert session.scalar(select(func.count()).select_from(SyncInbox)) > 0
        staged = state.staged_cursor(session)
        assert state.cursor(session) == 0 < staged
        assert not state.status(session).last_error

    resumed = Recorded(api)
    sync_once(profile, resumed, class_id=seeded.small.class_id)
    assert resumed.requests[0].cursor == staged
    harness.assert_converged(store, profile, seeded.small.class_id)


def test_a_new_request_on_the_server_is_the_only_request_touched(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """A request a parent submits between two syncs comes back as exactly that row."""
    store, seeded, api = school
    sync_once(profile, Recorded(api), class_id=seeded.small.class_id)
    new = _request(store, seeded.small, date(2025, 10, 24))
    again = sync_once(profile, Recorded(api), class_id=seeded.small.class_id)
    assert again.changes.ids("leave_request") == {str(new)}


def test_a_profile_on_a_pinned_day_records_its_sync_and_conflicts_on_that_day(
    school: tuple[Store, Seeded, Api], profile: Database
) -> None:
    """The demo lives on 16/03/2026: its "last sync" and a conflict's time are shown beside
    decisions taken on that day, so they are recorded on it (the clock skew is not)."""
    _store, seeded, api = school
    pinned = date(2026, 3, 16)
    with profile.transaction() as session:
        set_setting(session, TODAY_KEY, pinned.isoformat())
    server = Recorded(api)
    sync_once(profile, server, class_id=seeded.small.class_id)
    assert api.post(f"/api/v1/parent/requests/{seeded.requests[1]}/cancel", "ph1").status_code == (
        200
    )
    harness.decide(profile, seeded.requests[1], approve=True)
    sync_once(profile, server, class_id=seeded.small.class_id)
    with profile.reading() as session:
        last = state.status(session).last_success
        conflict_times = list(session.scalars(select(SyncConflict.created_at)))
        skew = state.status(session).clock_skew_seconds
    assert last is not None and school_time(datetime.fromisoformat(last)).date() == pinned
    assert conflict_times and {school_time(t).date() for t in conflict_times} == {pinned}
    assert skew is not None and abs(skew) < 3600
