"""What the sync fault tests share: the real server on loopback (restartable, its database
swappable between runs), access tokens without the slow password hash, database clones, a
recording proxy that finds the message boundaries of a sync, and the convergence checks.

Nothing here is a mock: the server is the reference server over real HTTP, the client is the
desktop's engine and transport on real SQLite files.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select
from starlette.types import ASGIApp, Receive, Scope, Send

from desktop.errors import HomeroomError
from desktop.models import (
    AuditLogEntry,
    LeaveRequest,
    OutboxIntent,
    Student,
    SyncConflict,
    SyncState,
)
from desktop.models.db import Database, open_database
from desktop.services import intents
from desktop.services.scope import load_scope
from desktop.sync import engine, state
from desktop.sync.errors import AuthError
from desktop.sync.protocol import SyncRequest
from desktop.sync.rows import encode_row, row_key, synced_tables
from desktop.sync.transport import NO_RETRY, RetryPolicy, SyncTransport, Timeouts
from server import auth
from server.app import create_app
from server.settings import Settings
from server.store import Store
from server.tables import Account, ProcessedMutation

TEACHER = "Trần Thị Hồng Nhung"
"""The display name of ``gvcn``: the server's actor for every intent the client pushes."""

Rows = dict[str, dict[str, dict[str, Any]]]
"""Table name → primary key text → the row encoded as the change feed encodes it."""


# --------------------------------------------------------------------------- the server


class _InFlight:
    """ASGI wrapper counting the requests being served, so a test can wait (on a condition,
    not a sleep) until the server has finished what an abandoned connection asked for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.active = 0
        self.condition = threading.Condition()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self.condition:
            self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            with self.condition:
                self.active -= 1
                self.condition.notify_all()

    def wait_quiet(self, timeout: float) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: self.active == 0, timeout)


class LiveServer:
    """The reference server in a uvicorn thread on 127.0.0.1; ``restart`` serves again on the
    same port (a server process restarted), ``swap`` serves another database from now on."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.app = create_app(store, settings)
        self.tracked = _InFlight(self.app)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store

    def start(self) -> LiveServer:
        config = uvicorn.Config(
            self.tracked,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="sync-faults-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:  # uvicorn offers no event to wait on
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.005)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def swap(self, store: Store) -> None:
        self.app.state.store = store

    def wait_quiet(self, timeout: float = 20.0) -> None:
        """Until no request is being served (an abandoned one runs to its end)."""
        assert self.tracked.wait_quiet(timeout), "the server kept serving"

    def __enter__(self) -> LiveServer:
        return self.start() if self._server is None else self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def issue_token(store: Store, username: str, settings: Settings | None = None) -> str:
    """An access token for ``username`` without the sign-in's deliberately slow password hash."""
    with store.write() as session:
        account = session.scalars(select(Account).where(Account.username == username)).one()
        return auth.issue(session, account, settings or Settings()).access_token


class FixedTokens:
    """A ``TokenSource`` with one access token; a refresh cannot help, so it is refused."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.refreshes = 0

    def access_token(self) -> str | None:
        return self.token

    def refresh(self) -> None:
        self.refreshes += 1
        raise AuthError("no refresh in this test", status=401)


def transport(
    url: str,
    token: str,
    *,
    retry: RetryPolicy = NO_RETRY,
    timeout: Timeouts | None = None,
) -> SyncTransport:
    """The desktop's real transport; back-off waits are not slept (the faults are one-shot)."""
    return SyncTransport(
        url,
        credentials=FixedTokens(token),
        retry=retry,
        timeout=timeout,
        allow_http=True,
        trust_env=False,
        sleep=lambda _seconds: None,
    )


# --------------------------------------------------------------------------- databases


def clone_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (SQLite's online backup; WAL content included)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def open_clone(template: Path, target: Path) -> Database:
    return open_database(clone_sqlite(template, target))


# --------------------------------------------------------------------------- teacher's work


def perform(database: Database, name: str, args: dict[str, Any]) -> str | None:
    """One offline action of the teacher (use case + outbox row, one transaction); the new
    intent's id, or ``None`` when the app refused the action (nothing queued)."""
    try:
        with database.transaction() as session:
            scope = load_scope(session)
            intents.perform(session, scope, name, args, actor=TEACHER)
            session.flush()
            newest = session.scalars(
                select(OutboxIntent).order_by(OutboxIntent.seq.desc()).limit(1)
            ).one()
            return newest.id
    except HomeroomError:
        return None


def decide(database: Database, request_id: int, *, approve: bool, note: str = "") -> str | None:
    with database.reading() as session:
        request = session.get(LeaveRequest, request_id)
        if request is None:
            return None
        version = request.version
    return perform(
        database,
        "decide_leave",
        {"request_id": request_id, "approve": approve, "note": note, "base_version": version},
    )


def roll_call(
    database: Database, student_id: int, day: date, part: str, observed: str
) -> str | None:
    return perform(
        database,
        "set_attendance",
        {"student_id": student_id, "day": day.isoformat(), "session": part, "observed": observed},
    )


def grade(
    database: Database,
    student_id: int,
    subject: str,
    slot: int,
    value: str,
    *,
    base_version: int,
    kind: str = "TX",
) -> str | None:
    return perform(
        database,
        "set_grade",
        {
            "student_id": student_id,
            "subject_code": subject,
            "semester": 1,
            "kind": kind,
            "slot": slot,
            "value": value,
            "base_version": base_version,
        },
    )


def students(session: Any) -> list[int]:
    return sorted(session.scalars(select(Student.id)))


def students_of(database: Database) -> list[int]:
    with database.reading() as session:
        return students(session)


def weekday(n: int, first: date = date(2025, 11, 3)) -> date:
    """The ``n``-th Monday-to-Friday day from ``first`` (a Monday)."""
    return first + timedelta(days=7 * (n // 5) + n % 5)


def next_request(database: Database, class_id: int) -> SyncRequest:
    """The request the engine would send now (without counting an attempt)."""
    with database.transaction() as session:
        return engine.pending_request(session, class_id)


# --------------------------------------------------------------------------- observations


def _encoded(connection: Any, name: str) -> dict[str, dict[str, Any]]:
    table = synced_tables()[name]
    rows: dict[str, dict[str, Any]] = {}
    for row in connection.execute(select(table)):
        values = dict(row._mapping)
        rows[row_key(table, values)] = encode_row(table, values)
    return rows


def _class_filters(connection: Any, class_id: int) -> dict[str, Any]:
    """Per synced table, the condition selecting the rows the class's feed must carry: its
    own rows, its students' rows and the school-wide rows of its school (written out here,
    independently of the server's change capture)."""
    t = synced_tables()
    school_id = connection.execute(
        select(t["school_year"].c.school_id)
        .join(t["school_class"], t["school_class"].c.school_year_id == t["school_year"].c.id)
        .where(t["school_class"].c.id == class_id)
    ).scalar_one()
    students = select(t["student"].c.id).where(t["student"].c.class_id == class_id)
    requests = select(t["leave_request"].c.id).where(t["leave_request"].c.student_id.in_(students))
    entries = select(t["grade_entry"].c.id).where(t["grade_entry"].c.student_id.in_(students))
    subjects = select(t["subject"].c.id).where(t["subject"].c.class_id == class_id)
    years = select(t["school_year"].c.id).where(t["school_year"].c.school_id == school_id)
    return {
        "school": t["school"].c.id == school_id,
        "policy_setting": t["policy_setting"].c.school_id == school_id,
        "school_year": t["school_year"].c.school_id == school_id,
        "holiday": t["holiday"].c.school_year_id.in_(years),
        "teacher": t["teacher"].c.school_id == school_id,
        "school_class": t["school_class"].c.id == class_id,
        "student": t["student"].c.class_id == class_id,
        "subject": t["subject"].c.class_id == class_id,
        "grade_deadline": t["grade_deadline"].c.class_id == class_id,
        "guardian": t["guardian"].c.student_id.in_(students),
        "leave_request": t["leave_request"].c.student_id.in_(students),
        "attendance_mark": t["attendance_mark"].c.student_id.in_(students),
        "grade_entry": t["grade_entry"].c.student_id.in_(students),
        "conduct_rating": t["conduct_rating"].c.student_id.in_(students),
        "post_audit": t["post_audit"].c.request_id.in_(requests),
        "grade_change": t["grade_change"].c.entry_id.in_(entries),
        "subject_term": t["subject_term"].c.subject_id.in_(subjects),
    }


def server_rows(store: Store, class_id: int) -> Rows:
    """Every row of every synced table that belongs to the class (school-wide rows included),
    read from the server's tables (not from its change log)."""
    found: Rows = {}
    with store.read() as session:
        connection = session.connection()
        filters = _class_filters(connection, class_id)
        assert set(filters) == set(synced_tables()), "a synced table without a class rule"
        for name, table in synced_tables().items():
            rows: dict[str, dict[str, Any]] = {}
            for row in connection.execute(select(table).where(filters[name])):
                values = dict(row._mapping)
                rows[row_key(table, values)] = encode_row(table, values)
            found[name] = rows
    return found


def client_rows(database: Database) -> Rows:
    """Every row of every synced table in the client's visible tables."""
    with database.reading() as session:
        connection = session.connection()
        return {name: _encoded(connection, name) for name in synced_tables()}


def differences(server: Rows, client: Rows, limit: int = 3) -> list[str]:
    """Table by table: rows missing on the client, extra on the client, or different."""
    problems: list[str] = []
    for name in sorted(set(server) | set(client)):
        theirs, mine = server.get(name, {}), client.get(name, {})
        missing = sorted(set(theirs) - set(mine))[:limit]
        extra = sorted(set(mine) - set(theirs))[:limit]
        changed = sorted(k for k in set(theirs) & set(mine) if theirs[k] != mine[k])[:limit]
        for key in missing:
            problems.append(f"{name}[{key}] missing on the client: {theirs[key]}")
        for key in extra:
            problems.append(f"{name}[{key}] only on the client: {mine[key]}")
        for key in changed:
            diff = {
                column: (theirs[key].get(column), mine[key].get(column))
                for column in theirs[key]
                if theirs[key].get(column) != mine[key].get(column)
            }
            problems.append(f"{name}[{key}] differs (server, client): {diff}")
    return problems


def assert_converged(store: Store, database: Database, class_id: int) -> None:
    """The client's visible tables equal the server's rows of the class, the outbox is empty,
    nothing is left staged, and the staged cursor is the cursor."""
    problems = differences(server_rows(store, class_id), client_rows(database))
    assert problems == [], "client and server differ:\n" + "\n".join(problems)
    with database.reading() as session:
        assert intents.pending_count(session) == 0, "the outbox is not empty"
        assert state.staged_cursor(session) == state.cursor(session)
        staged = session.connection().exec_driver_sql("SELECT count(*) FROM sync_inbox").scalar()
        assert staged == 0, "staged rows were left behind"


@dataclass(frozen=True)
class Ledger:
    """What the server recorded of one client's intents."""

    statuses: dict[str, str]
    """mutation id → processed status (applied, duplicate, rejected, conflict)"""
    seqs: list[int]
    audit: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(action, entity id) → how many audit entries the teacher's account wrote"""


def ledger(store: Store, client_id: str, *, audit_after: int = 0) -> Ledger:
    with store.read() as session:
        rows = session.execute(
            select(ProcessedMutation.mutation_id, ProcessedMutation.status, ProcessedMutation.seq)
            .where(ProcessedMutation.client_id == client_id)
            .order_by(ProcessedMutation.seq)
        ).all()
        audit = Counter(
            (action, entity_id)
            for action, entity_id in session.execute(
                select(AuditLogEntry.action, AuditLogEntry.entity_id).where(
                    AuditLogEntry.actor == TEACHER, AuditLogEntry.id > audit_after
                )
            )
        )
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), "an intent was processed twice"
    return Ledger({row[0]: row[1] for row in rows}, [row[2] for row in rows], audit)


def last_audit_id(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.max(AuditLogEntry.id))) or 0


def client_id(database: Database) -> str:
    with database.transaction() as session:
        return state.client_id(session)


def conflicts(database: Database) -> dict[str, tuple[str, str]]:
    """intent id → (code, message) of the conflicts the client recorded; each intent once."""
    with database.reading() as session:
        rows = session.execute(
            select(SyncConflict.intent_id, SyncConflict.code, SyncConflict.message)
        ).all()
    ids = [row[0] for row in rows]
    assert len(ids) == len(set(ids)), "a refusal was recorded twice"
    return {row[0]: (row[1], row[2]) for row in rows}


def pending(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(OutboxIntent.id).order_by(OutboxIntent.seq)))


VOLATILE_STATE = frozenset({state.LAST_ERROR, state.CLOCK_SKEW})


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the profile, for "nothing changed" checks; the only columns
    left out are the bookkeeping a failed sync is meant to update (the last error, the measured
    clock skew, an intent's attempt counter)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with database.reading() as session:
        connection = session.connection()
        names = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for name in names:
            rows = [tuple(r) for r in connection.exec_driver_sql(f'SELECT * FROM "{name}"')]
            if name == SyncState.__tablename__:
                rows = [r for r in rows if r[0] not in VOLATILE_STATE]
            if name == OutboxIntent.__tablename__:
                columns = [c[1] for c in connection.exec_driver_sql(f"PRAGMA table_info({name})")]
                keep = [i for i, c in enumerate(columns) if c != "attempts"]
                rows = [tuple(r[i] for i in keep) for r in rows]
            found[name] = sorted(rows, key=repr)
    return found


# --------------------------------------------------------------------------- wire recording


@dataclass(frozen=True)
class Message:
    """One HTTP message in a direction's byte stream: where it starts, where its headers end,
    where it ends (offsets counted from the first byte of the whole sync in that direction)."""

    start: int
    headers_end: int
    end: int


class Recorder:
    """A plain TCP relay on loopback that keeps every byte in each direction, to find the
    boundaries of the HTTP messages of a sync (it sits between the link emulator and the
    server, so the client's bytes are those of the runs it measures)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.up = bytearray()
        self.down = bytearray()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._closing = False
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink, buffer in ((client, upstream, "up"), (upstream, client, "down")):
                pump = threading.Thread(target=self._pump, args=(source, sink, buffer), daemon=True)
                pump.start()
                self._threads.append(pump)

    def _pump(self, source: socket.socket, sink: socket.socket, buffer: str) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    (self.up if buffer == "up" else self.down).extend(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._closing = True
        self._listener.close()


def http_messages(stream: bytes) -> list[Message]:
    """Split a byte stream of consecutive HTTP/1.1 messages (Content-Length or chunked)."""
    found: list[Message] = []
    at = 0
    while at < len(stream):
        headers_end = stream.index(b"\r\n\r\n", at) + 4
        head = stream[at:headers_end].decode("latin-1").lower()
        fields = dict(line.split(":", 1) for line in head.split("\r\n")[1:] if ":" in line)
        if "chunked" in fields.get("transfer-encoding", ""):
            end = headers_end
            while True:
                line_end = stream.index(b"\r\n", end)
                size = int(stream[end:line_end].split(b";")[0], 16)
                end = line_end + 2 + size + 2
                if size == 0:
                    break
        else:
            end = headers_end + int(fields.get("content-length", "0").strip())
        found.append(Message(at, headers_end, end))
        at = end
    return found


@contextmanager
def recording(target_port: int) -> Iterator[Recorder]:
    recorder = Recorder(target_port)
    try:
        yield recorder
    finally:
        recorder.close()
