"""The same sync cut at every message boundary and at a spread of byte positions, each way.

The scenario (``scenario.py``): a client with fourteen offline intents pushes them in one
request and pulls three pages. An uncut run through a recording relay gives the byte offsets
of every request and answer (headers, body); then, for each cut point, a fresh clone of the
server database and of the client profile, the sync through the link emulator cut there (one
cut, no transport retry), and a healed sync. After each cut:

* the cut sync raised a typed ``SyncError`` (unless the cut fell after the last byte it needed)
  and the client's visible tables did not change;
* one healed sync converges: every synced table equal to the server's rows of the class, the
  outbox empty, nothing staged, at most one page fetched again;
* every intent was processed exactly once by the server, with the status of the uncut run, and
  the teacher's audit entries on the server are those of the uncut run (nothing applied
  twice); the leave requests' versions match too;
* the only conflicts are the expected two, each recorded once with its message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import select

from desktop.errors import HomeroomError
from desktop.models import LeaveRequest
from desktop.models.db import Database
from desktop.sync.cycle import SyncSummary
from desktop.sync.engine import sync_once
from desktop.sync.errors import SyncError
from desktop.sync.transport import NO_RETRY, RetryPolicy
from server.store import Store, open_store
from tests.support.link_emulator import LinkEmulator, LinkProfile
from tests.sync_faults import harness, scenario

SPREAD = {"sqlite": 32, "postgresql": 8}
"""Byte positions spread evenly over the whole sync (up then down bytes), per server database;
PostgreSQL clones cost more, and the boundaries already cover every kind of window."""
SLACK = 16
"""Answers carry the server's clock, so their compressed size varies by a few bytes between
runs: a cut this close to an answer's end may or may not leave the client the whole answer."""


@dataclass(frozen=True)
class Cut:
    label: str
    where: Literal["connect", "up", "down"]
    at: int

    def profile(self) -> LinkProfile:
        if self.where == "connect":
            return LinkProfile(drop_connections=1)
        return LinkProfile(
            cut_after_bytes=self.at, cut_direction=self.where, cut_scope="link", cut_count=1
        )


@dataclass(frozen=True)
class Reference:
    """The uncut run: what every cut run must end up with."""

    summary: SyncSummary
    up: list[harness.Message]
    down: list[harness.Message]
    statuses: dict[str, str]
    audit: Counter[tuple[str, str]]
    versions: dict[int, int]
    before: harness.Rows
    """The client's visible tables before the sync."""

    def must_fail(self, cut: Cut) -> bool:
        """Whether the cut surely leaves the client short of a byte it needs: anything cut on
        the way up, and a cut on the way down clearly inside an answer (an answer ending there
        completes, and the next request then goes over a new connection)."""
        if cut.where != "down":
            return True
        return cut.at == 0 or any(m.start + SLACK < cut.at < m.end - SLACK for m in self.down)


@dataclass
class World:
    backend: str
    template: scenario.ServerTemplate
    client_template: Path
    folder: Path
    work: scenario.Workload
    server: harness.LiveServer
    link: LinkEmulator
    reference: Reference
    runs: int = 0

    def client(self) -> Database:
        self.runs += 1
        return harness.open_clone(self.client_template, self.folder / f"client-{self.runs}.sqlite3")


def _versions(store: Store) -> dict[int, int]:
    with store.read() as session:
        return dict(session.execute(select(LeaveRequest.id, LeaveRequest.version)).all())


def _reference(
    template: scenario.ServerTemplate, client_template: Path, folder: Path, work: scenario.Workload
) -> Reference:
    with template.clone() as store, harness.LiveServer(store, scenario.settings()) as server:
        audit_from = harness.last_audit_id(store)
        database = harness.open_clone(client_template, folder / "reference.sqlite3")
        before = harness.client_rows(database)
        with (
            harness.recording(server.port) as recorder,
            LinkEmulator("127.0.0.1", recorder.port) as link,
        ):
            client = harness.transport(link.url, work.token)
            try:
                summary = sync_once(database, client, class_id=work.class_id)
            finally:
                client.close()
            server.wait_quiet()
            assert link.wait_idle(10)
            up = harness.http_messages(bytes(recorder.up))
            down = harness.http_messages(bytes(recorder.down))
        try:
            harness.assert_converged(store, database, work.class_id)
            found = harness.ledger(store, harness.client_id(database), audit_after=audit_from)
            assert {i: c for i, (c, _m) in harness.conflicts(database).items()} == (
                work.expected_conflicts
            )
        finally:
            database.close()
        assert len(up) == len(down) == summary.round_trips >= 3, "expected a push and pages"
        return Reference(summary, up, down, found.statuses, found.audit, _versions(store), before)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    backend: str = request.param
    folder = tmp_path_factory.mktemp(f"sweep-{backend}")
    admin = request.getfixturevalue("pg_admin_url") if backend == "postgresql" else None
    template = scenario.ServerTemplate(folder, admin)
    try:
        store = open_store(template.url)
        try:
            work = scenario.build(store, folder / "client-template.sqlite3")
        finally:
            store.close()
        reference = _reference(template, folder / "client-template.sqlite3", folder, work)
        with (
            template.clone() as first,
            harness.LiveServer(first, scenario.settings()) as server,
            LinkEmulator("127.0.0.1", server.port) as link,
        ):
            yield World(
                backend,
                template,
                folder / "client-template.sqlite3",
                folder,
                work,
                server,
                link,
                reference,
            )
    finally:
        template.drop()


def cut_points(reference: Reference, spread: int) -> list[Cut]:
    """Every message boundary of the uncut run, each way, plus ``spread`` even positions."""
    cuts = [Cut("connection refused at the first connect", "connect", 0)]
    for number, m in enumerate(reference.up, start=1):
        cuts += [
            Cut(f"request {number}: nothing of it delivered", "up", m.start),
            Cut(f"request {number}: mid headers", "up", (m.start + m.headers_end) // 2),
            Cut(f"request {number}: headers only", "up", m.headers_end),
            Cut(f"request {number}: mid body", "up", (m.headers_end + m.end) // 2),
            Cut(f"request {number}: all but its last byte", "up", m.end - 1),
            Cut(f"request {number}: delivered, then cut", "up", m.end),
        ]
    for number, m in enumerate(reference.down, start=1):
        cuts += [
            Cut(
                f"answer {number}: processed, nothing (or one byte) sent back",
                "down",
                m.start + (number > 1),
            ),
            Cut(f"answer {number}: mid headers", "down", (m.start + m.headers_end) // 2),
            Cut(f"answer {number}: headers only", "down", m.headers_end),
            Cut(f"answer {number}: mid body", "down", (m.headers_end + m.end) // 2),
            Cut(f"answer {number}: all but its last byte", "down", m.end - 1),
            Cut(f"answer {number}: delivered, then cut", "down", m.end),
        ]
    up_total, down_total = reference.up[-1].end, reference.down[-1].end
    total = up_total + down_total
    for k in range(spread):
        position = (2 * k + 1) * total // (2 * spread)
        if position < up_total:
            cuts.append(Cut(f"spread {k + 1}/{spread}", "up", position))
        else:
            cuts.append(Cut(f"spread {k + 1}/{spread}", "down", position - up_total))
    unique: dict[tuple[str, int], Cut] = {}
    for cut in cuts:
        unique.setdefault((cut.where, cut.at), cut)
    return list(unique.values())


def _run(world: World, cut: Cut, retry: RetryPolicy | None = None) -> list[str]:
    """One cut sync and its healing; the problems found (empty when all holds)."""
    work, reference = world.work, world.reference
    problems: list[str] = []
    with world.template.clone() as store:
        world.server.swap(store)
        audit_from = harness.last_audit_id(store)
        database = world.client()
        try:
            world.link.set_profile(cut.profile())
            client = harness.transport(world.link.url, work.token, retry=retry or NO_RETRY)
            try:
                sync_once(database, client, class_id=work.class_id)
                outcome = "completed"
            except HomeroomError as error:
                outcome = type(error).__name__
                if not isinstance(error, SyncError):
                    problems.append(f"an untyped error: {outcome}: {error.message}")
            finally:
                client.close()
            world.server.wait_quiet()
            assert world.link.wait_idle(10)
            if retry is None and reference.must_fail(cut) and outcome == "completed":
                problems.append("the sync completed although it was cut before the end")
            if retry is not None and outcome != "completed":
                problems.append(f"a retried sync did not complete: {outcome}")
            if outcome != "completed" and harness.client_rows(database) != reference.before:
                problems.append("a failed sync changed the visible tables")

            world.link.set_profile(LinkProfile())
            healer = harness.transport(world.link.url, work.token)
            try:
                healed = sync_once(database, healer, class_id=work.class_id)
            finally:
                healer.close()
            if healed.round_trips > reference.summary.round_trips:
                problems.append(f"healing took {healed.round_trips} round trips")
            try:
                harness.assert_converged(store, database, work.class_id)
            except AssertionError as error:
                problems.append(str(error))
            found = harness.ledger(store, harness.client_id(database), audit_after=audit_from)
            if found.statuses != reference.statuses:
                problems.append(f"processed {found.statuses}, not {reference.statuses}")
            if found.audit != reference.audit:
                problems.append(
                    f"audit entries {found.audit - reference.audit} too many, "
                    f"{reference.audit - found.audit} missing"
                )
            if _versions(store) != reference.versions:
                problems.append(f"request versions {_versions(store)}")
            recorded = harness.conflicts(database)
            if {i: code for i, (code, _m) in recorded.items()} != work.expected_conflicts:
                problems.append(f"conflicts {recorded}")
            if not all(message for _code, message in recorded.values()):
                problems.append("a conflict without a message")
        finally:
            database.close()
    return [f"{cut.label} ({cut.where} @ {cut.at}, {outcome}): {p}" for p in problems]


# Hundreds of full syncs: minutes on a busy machine, so beyond the suite's 300 s default.
@pytest.mark.timeout(1800)
def test_every_cut_point_heals_to_the_same_state(world: World) -> None:
    """Cut at every boundary and spread byte position: typed error, visible tables untouched,
    then one healed sync converges with every intent applied exactly once."""
    cuts = cut_points(world.reference, SPREAD[world.backend])
    assert len(cuts) >= 40
    problems = [problem for cut in cuts for problem in _run(world, cut)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_a_cut_retried_by_the_transport_completes_the_same_sync(world: World) -> None:
    """With the transport's retries on, a one-off cut anywhere is absorbed within the same
    sync: it completes, converges, and nothing is applied twice (SQLite only: the retry path
    does not depend on the server's database)."""
    policy = RetryPolicy(attempts=3, base_delay=0.0)
    spread = cut_points(world.reference, 12)[-12:]
    problems = [problem for cut in spread for problem in _run(world, cut, policy)]
    assert problems == [], "\n".join(problems)
