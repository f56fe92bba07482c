"""Interruptions around a sync, each followed by a sync that must converge: the client killed
mid-sync, the server killed or restarted between committing a push and answering it, a
replayed request, an access token expiring or revoked mid-sync, a stalled connection, and
hostile answers that must change nothing on the client.

Every test starts from the fixed scenario of ``scenario.py`` (cloned): a client with fourteen
offline intents, two of which the server must refuse.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy import delete, func, select

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.errors import StorageError
from desktop.i18n import _
from desktop.models import Student
from desktop.models.db import Database, open_database
from desktop.services import attendance
from desktop.sync import credentials, engine, rows
from desktop.sync.engine import sync_once
from desktop.sync.errors import NetworkError, ProtocolError, SyncError, VersionError
from desktop.sync.protocol import PROTOCOL_VERSION, SyncRequest, SyncResponse
from desktop.sync.transport import NO_RETRY, SyncTransport, Timeouts
from server.scope import load_scope_by_id
from server.settings import Settings
from server.store import Store, open_store
from server.tables import AccessToken, Account, ProcessedMutation
from tests import disk
from tests.server.helpers import PASSWORD, TODAY, log_size
from tests.support.link_emulator import LinkEmulator, LinkProfile
from tests.sync.keyring_backend import MemoryKeyring
from tests.sync_faults import harness, scenario

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Template:
    folder: Path
    server: scenario.ServerTemplate
    client: Path
    work: scenario.Workload


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("interruptions")
    server = scenario.ServerTemplate(folder, None)
    store = open_store(server.url)
    try:
        work = scenario.build(store, folder / "client-template.sqlite3")
    finally:
        store.close()
    return Template(folder, server, folder / "client-template.sqlite3", work)


@pytest.fixture
def store(template: Template) -> Iterator[Store]:
    with template.server.clone() as clone:
        yield clone


@pytest.fixture
def client(template: Template, tmp_path: Path) -> Iterator[Database]:
    database = harness.open_clone(template.client, tmp_path / "client" / "homeroom.sqlite3")
    yield database
    database.close()


def _check_exactly_once(
    store: Store, database: Database, work: scenario.Workload, *, one_per_key: bool = True
) -> None:
    """Converged; every intent of the scenario processed once, refused ones as expected; with
    ``one_per_key`` (each record changed by one intent only), one audit entry per record."""
    harness.assert_converged(store, database, work.class_id)
    found = harness.ledger(store, harness.client_id(database))
    assert set(work.intents) <= set(found.statuses)
    assert {i for i, s in found.statuses.items() if s in ("conflict", "rejected")} == set(
        work.expected_conflicts
    )
    recorded = harness.conflicts(database)
    assert {i: code for i, (code, _m) in recorded.items()} == work.expected_conflicts
    assert all(message for _code, message in recorded.values())
    if one_per_key:
        duplicates = [key for key, count in found.audit.items() if count > 1]
        assert duplicates == [], f"applied twice: {duplicates}"


class Recording:
    """A ``SyncServer`` passing each call to the real transport, keeping the answers and
    running ``between`` after each one (to change the world mid-sync)."""

    def __init__(self, inner: SyncTransport, between: Callable[[int], None] | None = None) -> None:
        self.inner = inner
        self.between = between
        self.answers: list[SyncResponse] = []

    def sync(self, request: SyncRequest) -> SyncResponse:
        answer = self.inner.sync(request)
        self.answers.append(answer)
        if self.between is not None:
            self.between(len(self.answers))
        return answer


# --------------------------------------------------------------------------- killed client


KILL_SEED = 20251201
MARKERS = ("queued", "request", "answer", "round")
"""What the sync worker prints after each step (see ``sync_worker.py``)."""


def test_a_client_killed_mid_sync_at_random_moments_converges_afterwards(
    template: Template, store: Store, tmp_path: Path
) -> None:
    """SIGKILL the teacher's app (a separate process syncing in a loop over a slow link) right
    after a seeded random number of the steps it reports (queued marks, a request sent, an
    answer received, a sync done): the profile stays intact, and one sync afterwards converges
    with every intent the profile ever queued processed exactly once."""
    work = template.work
    profile = harness.clone_sqlite(template.client, tmp_path / "worker" / "homeroom.sqlite3")
    rng = random.Random(KILL_SEED)
    # Kill points are counted in steps the worker reports, never in seconds: a busy machine
    # makes the worker slower, not the test weaker. The seed replays a failure.
    plan = [rng.randint(1, 12) for _run in range(8)]
    print(f"kill seed {KILL_SEED}: after {plan} steps")
    with (
        harness.LiveServer(store, scenario.settings()) as server,
        LinkEmulator(
            "127.0.0.1", server.port, LinkProfile(delay_s=0.01, bandwidth_bps=200_000)
        ) as link,
    ):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOMEROOM_TEST_TOKEN": work.token}
        for run, steps in enumerate(plan):
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.sync_faults.sync_worker",
                    str(profile),
                    link.url,
                    str(work.class_id),
                    str(run),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert worker.stdout is not None and worker.stderr is not None
            ready = worker.stdout.readline().strip()
            assert ready == "ready", worker.stderr.read()
            seen = 0
            while seen < steps:
                line = worker.stdout.readline()
                assert line, f"the worker stopped after {seen} steps: {worker.stderr.read()}"
                seen += line.startswith(MARKERS)
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)
            server.wait_quiet()
            assert link.wait_idle(10)
        database = open_database(profile)
        try:
            with database.reading() as session:
                connection = session.connection()
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            queued = set(harness.pending(database))
            healer = harness.transport(link.url, work.token)
            try:
                sync_once(database, healer, class_id=work.class_id)
            finally:
                healer.close()
            _check_exactly_once(store, database, work, one_per_key=False)
            found = harness.ledger(store, harness.client_id(database))
            assert queued <= set(found.statuses), "an intent the profile had queued was lost"
            assert len(found.statuses) > len(work.intents), "the worker queued nothing"
            # Every roll-call mark the server applied wrote exactly one audit entry.
            marks = sum(
                n for (action, _key), n in found.audit.items() if action == "attendance.mark"
            )
            applied = _applied_roll_calls(store, harness.client_id(database))
            assert marks == applied
        finally:
            database.close()


def _applied_roll_calls(store: Store, client_id: str) -> int:
    with store.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ProcessedMutation)
                .where(
                    ProcessedMutation.client_id == client_id,
                    ProcessedMutation.name == "set_attendance",
                    ProcessedMutation.status == "applied",
                )
            )
            or 0
        )


# --------------------------------------------------------------------------- server restarts


def test_a_server_restarted_after_committing_a_push_answers_duplicates(
    template: Template, store: Store, client: Database
) -> None:
    """The answer to the push is lost (cut before its first byte) and the server restarts
    before the client retries: the retry gets ``duplicate`` for every applied intent and the
    original refusal for the refused ones, and nothing is applied twice."""
    work = template.work
    with (
        harness.LiveServer(store, scenario.settings()) as server,
        LinkEmulator("127.0.0.1", server.port) as link,
    ):
        link.set_profile(LinkProfile(cut_after_bytes=0, cut_direction="down", cut_count=1))
        lost = harness.transport(link.url, work.token)
        with pytest.raises(NetworkError) as cut:
            sync_once(client, lost, class_id=work.class_id)
        lost.close()
        assert cut.value.delivery == "unknown"
        server.wait_quiet()
        committed = harness.ledger(store, harness.client_id(client))
        assert set(committed.statuses) == set(work.intents), "the push was not committed"
        server.restart()
        retry = Recording(harness.transport(link.url, work.token))
        try:
            sync_once(client, retry, class_id=work.class_id)
        finally:
            retry.inner.close()
    statuses = {None: "duplicate", "not_owner": "rejected", "leave_cancelled": "conflict"}
    first = {r.id: r for r in retry.answers[0].results}
    for intent in work.intents:
        code = work.expected_conflicts.get(intent)
        assert first[intent].status == statuses[code]
        if code is not None:
            assert first[intent].code == code and first[intent].message
    _check_exactly_once(store, client, work)
    assert harness.ledger(store, harness.client_id(client)).audit == committed.audit


def test_a_server_process_killed_mid_push_converges_after_its_restart(
    template: Template, tmp_path: Path
) -> None:
    """The server process is SIGKILLed while it works through a push of 150 intents: the push
    is one write transaction, so nothing of it is left (not a part, not a half-done intent);
    after a restart on the same database, one sync converges and no intent is applied twice."""
    work = template.work
    server_path = harness.clone_sqlite(
        template.folder / "template.sqlite3", tmp_path / "server" / "server.sqlite3"
    )
    url = f"sqlite:///{server_path}"
    database = harness.open_clone(template.client, tmp_path / "client" / "homeroom.sqlite3")
    try:
        with database.reading() as session:
            students = harness.students(session)
        for n in range(150):
            day = harness.weekday(n // 6)
            harness.roll_call(
                database,
                students[n % 3],
                day,
                ("morning", "afternoon")[(n // 3) % 2],
                ("absent", "late", "present")[n % 3],
            )
        port = harness.free_port()
        first = _server_process(url, port)
        failure: list[BaseException] = []
        client = harness.transport(f"http://127.0.0.1:{port}", work.token)

        def push() -> None:
            try:
                sync_once(database, client, class_id=work.class_id)
            except BaseException as error:  # reported to the test thread
                failure.append(error)

        pusher = threading.Thread(target=push)
        observer = open_store(url)
        try:
            before = _processed(observer)
            pusher.start()
            while not _writing(server_path):  # until the server is inside the push's transaction
                assert pusher.is_alive(), "the push ended before the server could be killed in it"
                time.sleep(0.005)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            pusher.join(timeout=30)
            client.close()
            assert len(failure) == 1 and isinstance(failure[0], NetworkError), failure
            assert _processed(observer) == before, "a killed push left a part of itself"
        finally:
            observer.close()
        second = _server_process(url, port)
        try:
            healer = harness.transport(f"http://127.0.0.1:{port}", work.token)
            try:
                sync_once(database, healer, class_id=work.class_id)
            finally:
                healer.close()
        finally:
            second.terminate()
            second.wait(timeout=30)
        store = open_store(url)
        try:
            _check_exactly_once(store, database, work)
            cid = harness.client_id(database)
            assert len(harness.ledger(store, cid).statuses) == 164
            found = harness.ledger(store, cid)
            marks = sum(n for (action, _k), n in found.audit.items() if action == "attendance.mark")
            assert marks == _applied_roll_calls(store, cid) == 156
        finally:
            store.close()
    finally:
        database.close()


def _writing(path: Path) -> bool:
    """Whether a connection holds the database's write lock (SQLite has one writer at a time;
    the push holds it from its first write to its commit)."""
    probe = sqlite3.connect(path, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _processed(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ProcessedMutation)) or 0


def _server_process(url: str, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--today",
            TODAY.isoformat(),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:  # until it answers: a started process says nothing when it is ready
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ping", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)


# --------------------------------------------------------------------------- replay


def test_a_replayed_request_is_answered_without_applying_anything_twice(
    template: Template, store: Store, client: Database
) -> None:
    """The same ``SyncRequest`` sent twice with plain httpx: the second answer says
    ``duplicate`` for every applied intent and repeats each refusal; the server's change log,
    ledger and audit log do not move."""
    work = template.work
    request = harness.next_request(client, work.class_id)
    with harness.LiveServer(store, scenario.settings()) as server, httpx.Client() as http:

        def send() -> SyncResponse:
            answer = http.post(
                f"{server.url}/api/v1/sync",
                content=request.model_dump_json(),
                headers={
                    "Authorization": f"Bearer {work.token}",
                    "Content-Type": "application/json",
                },
            )
            assert answer.status_code == 200, answer.text
            return SyncResponse.model_validate_json(answer.content)

        first = send()
        after_first = (log_size(store), harness.ledger(store, request.client_id))
        second = send()
        assert (log_size(store), harness.ledger(store, request.client_id)) == after_first
    assert [r.id for r in first.results] == [r.id for r in second.results] == work.intents
    for one, two in zip(first.results, second.results, strict=True):
        if one.status == "applied":
            assert two.status == "duplicate"
        else:
            assert (two.status, two.code, two.message, two.current) == (
                one.status,
                one.code,
                one.message,
                one.current,
            )
    assert second.changes == first.changes and second.cursor == first.cursor


# --------------------------------------------------------------------------- tokens


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_access_token_lost_mid_sync_is_refreshed_once_and_the_batch_goes_on(
    template: Template,
    store: Store,
    client: Database,
    memory_keyring: MemoryKeyring,
    how: str,
) -> None:
    """After the first page the server's clock passes the access token's 15 minutes (or the
    token is revoked in the server's database): the next request gets 401, the transport
    refreshes once (the rotated refresh token lands in the keyring), sends the same request
    again, and the sync completes and converges."""
    work = template.work
    clock = Clock()
    settings = Settings(today=TODAY, page_size=scenario.PAGE_SIZE, clock=clock)

    def lose_token(answers: int) -> None:
        if answers != 1:
            return
        if how == "expired":
            clock.offset = timedelta(minutes=16)
        else:
            with store.write() as session:
                gvcn = session.scalars(select(Account).where(Account.username == "gvcn")).one()
                session.execute(delete(AccessToken).where(AccessToken.account_id == gvcn.id))

    with harness.LiveServer(store, settings) as server:
        link, source = credentials.connect(server.url, "gvcn", retry=NO_RETRY, trust_env=False)
        try:
            source.login(PASSWORD)
            signed_in = memory_keyring.secrets[("homeroom", f"{server.url}|gvcn")]
            recording = Recording(link, lose_token)
            summary = sync_once(client, recording, class_id=work.class_id)
            endpoints = [call.endpoint for call in link.stats.recent]
        finally:
            link.close()
    assert summary.round_trips == len(recording.answers) >= 3
    assert endpoints.count("refresh") == 1
    assert endpoints == ["login", "sync", "refresh", *["sync"] * (summary.round_trips - 1)]
    assert memory_keyring.secrets[("homeroom", f"{server.url}|gvcn")] != signed_in
    _check_exactly_once(store, client, work)


# --------------------------------------------------------------------------- stalls


@pytest.mark.parametrize(("direction", "after"), [("up", 600), ("down", 200)])
def test_a_stalled_connection_hits_the_deadline_and_the_next_sync_converges(
    template: Template,
    store: Store,
    client: Database,
    direction: Literal["up", "down"],
    after: int,
) -> None:
    """The link stops forwarding mid-push (or mid-answer) but stays open: the sync fails as a
    timeout at the transport's overall deadline, and the next sync over a healed link
    converges."""
    work = template.work
    # Long enough for the server to apply the push and start answering on a slow CI machine
    # (at 0.5 s the deadline sometimes fell before the stall point was reached).
    deadline = 3.0
    with (
        harness.LiveServer(store, scenario.settings()) as server,
        LinkEmulator("127.0.0.1", server.port) as link,
    ):
        link.set_profile(LinkProfile(stall_after_bytes=after, stall_direction=direction))
        stalled = harness.transport(link.url, work.token, timeout=Timeouts(total=deadline))
        with pytest.raises(NetworkError) as error:
            sync_once(client, stalled, class_id=work.class_id)
        stalled.close()
        assert link.stalls == 1
        # The stalled exchange ended at the deadline (by the transport's own clock) and as a
        # timeout: a stall that the deadline missed would hang until the test's timeout.
        last = stalled.stats.last
        assert last is not None and last.attempts == 1 and last.elapsed >= deadline
        assert error.value.message == _(
            "The school's server did not answer in time. Your changes are kept and will "
            "be sent later."
        )
        link.set_profile(LinkProfile(), live=True)
        assert link.wait_idle(10)
        server.wait_quiet()
        healer = harness.transport(link.url, work.token)
        try:
            sync_once(client, healer, class_id=work.class_id)
        finally:
            healer.close()
    _check_exactly_once(store, client, work)


# --------------------------------------------------------------------------- hostile answers


def _answer(**fields: Any) -> bytes:
    body: dict[str, Any] = {
        "protocol": PROTOCOL_VERSION,
        "results": [],
        "last_seq_processed": 0,
        "changes": [],
        "cursor": 999,
        "more": False,
        "server_time": "2025-10-20T01:00:00Z",
    }
    body.update(fields)
    return json.dumps(body).encode()


def _row_change(**data: Any) -> dict[str, Any]:
    row = {
        "id": 1,
        "student_id": 1,
        "guardian_id": 1,
        "submitted_at": "2025-10-20T06:00:00+00:00",
        "first_day": "2025-10-22",
        "first_session": "morning",
        "last_day": "2025-10-22",
        "last_session": "afternoon",
        "reason_category": "illness",
        "reason_text": "Sốt",
        "channel": 4,
        "status": "approved",
        "decision_note": "",
        "decided_by": "X",
        "decided_at": "2025-10-20T06:00:00+00:00",
        "original_received_on": None,
        "principal_signoff_by": "",
        "principal_signoff_on": None,
        "audit_status": "none",
        "version": 9,
    }
    row.update(data)
    return {"entity": "leave_request", "op": "upsert", "data": row}


HOSTILE: dict[str, tuple[str, bytes, type[SyncError]]] = {
    "truncated JSON": ("application/json", _answer()[:-40], ProtocolError),
    "wrong types": ("application/json", _answer(results="none", more="maybe"), ProtocolError),
    "a change of an unknown table": (
        "application/json",
        _answer(changes=[{"entity": "bang_la", "op": "upsert", "data": {}}]),
        ProtocolError,
    ),
    "an invalid date in a row": (
        "application/json",
        _answer(changes=[_row_change(first_day="2025-02-30")]),
        ProtocolError,
    ),
    "a row with a missing column": (
        "application/json",
        _answer(changes=[_row_change(status=None)]),
        ProtocolError,
    ),
    "an invalid key in a delete": (
        "application/json",
        _answer(changes=[{"entity": "leave_request", "key": "1:2", "op": "delete"}]),
        ProtocolError,
    ),
    "more pages promised, none sent": ("application/json", _answer(more=True), ProtocolError),
    "a cursor moved backwards": ("application/json", _answer(cursor=0), ProtocolError),
    "another protocol version": (
        "application/json",
        _answer(protocol=PROTOCOL_VERSION + 1),
        VersionError,
    ),
    "a Wi-Fi login page": (
        "text/html",
        b"<html><body>Dang nhap Wi-Fi</body></html>",
        ProtocolError,
    ),
    "a huge body": ("application/json", b"", ProtocolError),
    "a gzip bomb": ("application/json", b"", ProtocolError),
}


@functools.cache
def _bomb() -> bytes:
    """80 MiB of zeros, gzipped to about 80 KiB."""
    return gzip.compress(bytes(80 * 1024 * 1024), compresslevel=9)


class _Hostile(http.server.BaseHTTPRequestHandler):
    mode = ""

    def log_message(self, *_args: Any) -> None:
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.mode == "endless pages":
            if self.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            cursor = json.loads(raw)["cursor"] + 1
            self._send(
                "application/json", _answer(changes=[_row_change()], cursor=cursor, more=True)
            )
            return
        content_type, body, _error = HOSTILE[self.mode]
        if self.mode not in ("a gzip bomb", "a huge body"):
            self._send(content_type, body)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if self.mode == "a gzip bomb":
            bomb = _bomb()
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(bomb)))
            self.end_headers()
            self.wfile.write(bomb)
            return
        if self.mode == "a huge body":
            chunk = b" " * (1024 * 1024)
            self.send_header("Content-Length", str(80 * len(chunk)))
            self.end_headers()
            try:
                for _n in range(80):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client gave up, as it should
            return
        self._send(content_type, body)

    def _send(self, content_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", list(HOSTILE))
def test_a_hostile_answer_is_refused_and_changes_nothing(
    template: Template,
    store: Store,
    client: Database,
    hostile_server: http.server.ThreadingHTTPServer,
    mode: str,
) -> None:
    """A malformed or hostile answer (truncated, wrong types, unknown table, invalid row or
    key, endless pages, a portal's page, a huge or gzip-bomb body) is a clear typed error and
    the profile is exactly as before; the real server then converges it as usual."""
    _Hostile.mode = mode
    work = template.work
    valid = _row_change()
    rows.decode_row(valid["entity"], valid["data"])  # the bad rows differ only where meant
    before = harness.dump(client)
    url = f"http://127.0.0.1:{hostile_server.server_address[1]}"
    hostile = harness.transport(url, work.token)
    try:
        with pytest.raises(SyncError) as error:
            sync_once(client, hostile, class_id=work.class_id)
    finally:
        hostile.close()
    assert type(error.value) is HOSTILE[mode][2], error.value.message
    assert error.value.message
    assert harness.dump(client) == before
    with harness.LiveServer(store, scenario.settings()) as server:
        real = harness.transport(server.url, work.token)
        try:
            sync_once(client, real, class_id=work.class_id)
        finally:
            real.close()
    _check_exactly_once(store, client, work)


def test_an_invalid_row_is_never_staged_so_later_syncs_are_not_stuck(
    template: Template,
    store: Store,
    client: Database,
    hostile_server: http.server.ThreadingHTTPServer,
) -> None:
    """With nothing left to push, an answer carrying an invalid row (and a cursor far ahead)
    is refused before anything is staged: the staged cursor does not jump past it, and the
    next syncs with the real server carry on (a staged bad row would fail the final step of
    every later sync, the cursor already past it)."""
    work = template.work
    with harness.LiveServer(store, scenario.settings()) as server:
        real = harness.transport(server.url, work.token)
        try:
            sync_once(client, real, class_id=work.class_id)
            before = harness.dump(client)
            _Hostile.mode = "an invalid date in a row"
            url = f"http://127.0.0.1:{hostile_server.server_address[1]}"
            hostile = harness.transport(url, work.token)
            try:
                with pytest.raises(ProtocolError):
                    sync_once(client, hostile, class_id=work.class_id)
            finally:
                hostile.close()
            assert harness.dump(client) == before
            harness.roll_call(client, harness.students_of(client)[0], TODAY, "morning", "late")
            sync_once(client, real, class_id=work.class_id)
        finally:
            real.close()
    _check_exactly_once(store, client, work)


def test_endless_pages_are_never_made_visible(
    template: Template,
    store: Store,
    client: Database,
    hostile_server: http.server.ThreadingHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that always promises another page: the sync gives up after its round limit
    with a ``ProtocolError``, and the visible tables stay as they were (the staged pages are
    never applied half-way)."""
    work = template.work
    with harness.LiveServer(store, scenario.settings()) as server:
        real = harness.transport(server.url, work.token)
        try:
            sync_once(client, real, class_id=work.class_id)
        finally:
            real.close()
    before = harness.client_rows(client)
    monkeypatch.setattr(engine, "MAX_ROUNDS", 5)
    _Hostile.mode = "endless pages"
    hostile = harness.transport(f"http://127.0.0.1:{hostile_server.server_address[1]}", work.token)
    try:
        with pytest.raises(ProtocolError):
            sync_once(client, hostile, class_id=work.class_id)
        assert hostile.stats.calls == 5
    finally:
        hostile.close()
    assert harness.client_rows(client) == before


# --------------------------------------------------------------------------- disk


def test_a_full_disk_fails_the_sync_clearly_and_the_next_one_converges(
    template: Template, store: Store, tmp_path: Path
) -> None:
    """The profile's disk fills up while a sync stages pages: a clear storage error, the
    visible data and the outbox as they were; once space is freed the next sync converges."""
    work = template.work
    _roll_call_on_the_server(store, work.class_id, days=40)
    with disk.small_disk(tmp_path, size="4m") as small:
        client = harness.open_clone(template.client, small / "client" / "homeroom.sqlite3")
        try:
            before = harness.dump(client)
            with harness.LiveServer(store, scenario.settings()) as server:
                link = harness.transport(server.url, work.token)
                try:
                    disk.fill(small)
                    with pytest.raises(StorageError) as error:
                        sync_once(client, link, class_id=work.class_id)
                    assert error.value.message == _(
                        "The disk is full: the change was not saved. Free some space."
                    )
                    visible = {k: v for k, v in harness.dump(client).items() if k != "sync_inbox"}
                    assert visible == {k: v for k, v in before.items() if k != "sync_inbox"}
                    assert harness.pending(client) == work.intents
                    disk.free(small)
                    sync_once(client, link, class_id=work.class_id)
                finally:
                    link.close()
            _check_exactly_once(store, client, work)
        finally:
            client.close()


def _roll_call_on_the_server(store: Store, class_id: int, *, days: int) -> None:
    """Roll call of ``days`` December days for the whole class: enough changes that pulling
    them must grow the client's files."""
    with store.write() as session:
        scope = load_scope_by_id(session, class_id)
        students = session.scalars(select(Student.id).where(Student.class_id == class_id)).all()
        for n in range(days):
            for part in (SchoolSession.MORNING, SchoolSession.AFTERNOON):
                slot = Slot.of(harness.weekday(n, date(2025, 12, 1)), part)
                if not scope.calendar.is_school_session(slot):
                    continue
                for student_id in students:
                    attendance.mark(
                        session,
                        scope,
                        student_id=student_id,
                        slot=slot,
                        observed=Observation.ABSENT,
                        actor="Giáo viên bộ môn",
                    )
