"""A small seeded server for the API tests: the hand-made class of ``tests.factories`` plus a
second class, accounts for every role, and a few leave requests; and an HTTP client for it."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import httpx
from sqlalchemy import func, select

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.models import SchoolClass, Subject, Teacher
from desktop.services import leave
from desktop.sync.protocol import PROTOCOL_VERSION, SCHEMA_VERSION
from server.auth import hash_password
from server.scope import load_scope_by_id
from server.serving import serve_store
from server.settings import Settings
from server.store import Store, open_store
from server.tables import Account, ChangeLogEntry, ProcessedMutation
from tests.factories import SmallClass, at, build_small_class

PASSWORD = "mật-khẩu-thử"
TODAY = date(2025, 10, 20)
"""A Monday of the small class's year; the test server answers as on this day."""
NOW = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)


@cache
def _password_hash() -> str:
    """One scrypt hash for every test account: the KDF is slow on purpose (~40 ms)."""
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Seeded:
    small: SmallClass
    other_class_id: int
    requests: list[int]
    """Submitted requests of student 1: 22/10 (whole day), 23/10 (whole day)."""
    subject_teacher_id: int


def _request(store: Store, small: SmallClass, day: date, index: int = 0) -> int:
    with store.write() as session:
        scope = load_scope_by_id(session, small.class_id)
        changes = leave.submit(
            session,
            scope,
            leave.NewRequest(
                student_id=small.student_ids[index],
                guardian_id=small.guardian_ids[index],
                first=Slot.of(day, SchoolSession.MORNING),
                last=Slot.of(day, SchoolSession.AFTERNOON),
                reason_category="illness",
                reason_text="Sốt",
                channel=4,
                submitted_at=at(TODAY),
            ),
            actor="Phụ huynh 1",
        )
        return int(next(iter(changes.ids("leave_request"))))


def seed(store: Store) -> Seeded:
    """The small class, a second class of another teacher, accounts for every role."""
    with store.write() as session:
        small = build_small_class(session)
        first = session.get_one(SchoolClass, small.class_id)
        other_teacher = Teacher(school_id=1, code="GV02", full_name="Lê Văn Tâm", role="homeroom")
        principal = Teacher(school_id=1, code="HT01", full_name="Võ Thị Lan", role="principal")
        maths = Teacher(school_id=1, code="GV03", full_name="Đỗ Minh Toán", role="subject")
        session.add_all([other_teacher, principal, maths])
        session.flush()
        other = SchoolClass(
            school_year_id=first.school_year_id,
            name="11A2",
            grade_level=11,
            homeroom_teacher_id=other_teacher.id,
            week=first.week,
        )
        session.add(other)
        toan = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        toan.teacher_id = maths.id
        session.flush()
        accounts = [
            ("gvcn", "Trần Thị Hồng Nhung", "homeroom", {"teacher_id": first.homeroom_teacher_id}),
            ("gvcn2", "Lê Văn Tâm", "homeroom", {"teacher_id": other_teacher.id}),
            ("hieutruong", "Võ Thị Lan", "principal", {"teacher_id": principal.id}),
            ("gv-toan", "Đỗ Minh Toán", "subject", {"teacher_id": maths.id}),
            ("ph1", "Phụ huynh 1", "parent", {"guardian_id": small.guardian_ids[0]}),
            ("ph-ong", "Ông Nội", "parent", {"guardian_id": small.unregistered_guardian_id}),
        ]
        for username, name, role, links in accounts:
            session.add(
                Account(
                    username=username,
                    display_name=name,
                    role=role,
                    password_hash=_password_hash(),
                    created_at=NOW,
                    **links,
                )
            )
        other_id, maths_id = other.id, maths.id
    requests = [
        _request(store, small, date(2025, 10, 22)),
        _request(store, small, date(2025, 10, 23)),
    ]
    return Seeded(small, other_id, requests, maths_id)


@contextmanager
def served(db_url: str, **settings: Any) -> Iterator[tuple[Store, Seeded, Api]]:
    """A seeded database behind the real server on loopback, and a client for it."""
    store = open_store(db_url)
    try:
        seeded = seed(store)
        with serve_store(store, Settings(today=TODAY, **settings)) as url, Api(url) as api:
            yield store, seeded, api
    finally:
        store.close()


class Api:
    """An HTTP client for the test server, with sign-in and sync helpers."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=20)
        self.tokens: dict[str, str] = {}

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.http.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.login(username)
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def sync(
        self,
        body: dict[str, Any],
        username: str = "gvcn",
        *,
        gzipped: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = {**self.auth(username), **(headers or {})}
        if gzipped:
            all_headers |= {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            return self.http.post(
                "/api/v1/sync",
                content=gzip.compress(json.dumps(body).encode()),
                headers=all_headers,
            )
        return self.http.post("/api/v1/sync", json=body, headers=all_headers)

    def get(self, path: str, username: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.auth(username), **kw)

    def post(self, path: str, username: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers=self.auth(username), **kw)

    def put(self, path: str, username: str, **kw: Any) -> httpx.Response:
        return self.http.put(path, headers=self.auth(username), **kw)


def sync_body(
    class_id: int,
    mutations: Sequence[dict[str, Any]] = (),
    *,
    cursor: int = 0,
    client_id: str | None = None,
) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION,
        "schema_version": SCHEMA_VERSION,
        "client_id": client_id or str(uuid.uuid4()),
        "class_id": class_id,
        "cursor": cursor,
        "mutations": list(mutations),
    }


def mutation(
    seq: int, name: str, args: dict[str, Any], mutation_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": mutation_id or str(uuid.uuid4()),
        "seq": seq,
        "name": name,
        "args": args,
        "client_time": "2025-10-20T08:00:00+07:00",
    }


def decide(
    seq: int,
    request_id: int,
    *,
    approve: bool = True,
    version: int = 1,
    mutation_id: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    return mutation(
        seq,
        "decide_leave",
        {"request_id": request_id, "approve": approve, "note": note, "base_version": version},
        mutation_id,
    )


def log_size(store: Store) -> tuple[int, int]:
    """``(change-log entries, processed mutations)``: what "nothing changed" is checked on."""
    with store.read() as session:
        return (
            session.scalar(select(func.max(ChangeLogEntry.seq))) or 0,
            session.scalar(select(func.count()).select_from(ProcessedMutation)) or 0,
        )
