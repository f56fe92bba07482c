"""The desktop's own sync engine against the real server over HTTP: a profile bootstraps the
class, a decision made offline reaches the server, and a decision on a request the parent
cancelled meanwhile comes back as a conflict in the domain's words."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import LeaveRequest, Student, SyncConflict
from desktop.models.db import Database, open_database
from desktop.services import intents
from desktop.services.scope import load_scope
from desktop.sync.engine import sync_once
from desktop.sync.protocol import SyncRequest, SyncResponse
from tests.server.helpers import Api, served


class HttpServer:
    """The engine's ``SyncServer`` over the real HTTP API."""

    def __init__(self, api: Api, username: str) -> None:
        self.api = api
        self.username = username

    def sync(self, request: SyncRequest) -> SyncResponse:
        response = self.api.http.post(
            "/api/v1/sync",
            content=request.model_dump_json(),
            headers={**self.api.auth(self.username), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        return SyncResponse.model_validate_json(response.content)


def _decide(database: Database, request_id: int) -> None:
    with database.transaction() as session:
        scope = load_scope(session)
        version = session.get_one(LeaveRequest, request_id).version
        intents.perform(
            session,
            scope,
            "decide_leave",
            {"request_id": request_id, "approve": True, "base_version": version},
            actor="Cô Nhung",
        )


def test_the_desktop_engine_syncs_with_the_server(sqlite_url: str, tmp_path: Path) -> None:
    with served(sqlite_url, page_size=7) as (store, seeded, api):
        database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
        try:
            server = HttpServer(api, "gvcn")
            first = sync_once(database, server, class_id=seeded.small.class_id)
            assert first.round_trips > 1 and first.pulled > 20
            with database.reading() as session:
                assert session.scalar(select(func.count()).select_from(Student)) == 3
                assert session.get_one(LeaveRequest, seeded.requests[0]).status == "submitted"

            # Offline decision, then a sync: the server applies it.
            _decide(database, seeded.requests[0])
            second = sync_once(database, server, class_id=seeded.small.class_id)
            assert second.pushed == 1 and second.refused == 0
            with store.read() as session:
                assert session.get_one(LeaveRequest, seeded.requests[0]).status == "approved"

            # The parent cancels the other request while the teacher approves it offline.
            cancel = api.post(f"/api/v1/parent/requests/{seeded.requests[1]}/cancel", "ph1")
            assert cancel.status_code == 200, cancel.text
            _decide(database, seeded.requests[1])
            third = sync_once(database, server, class_id=seeded.small.class_id)
            assert third.refused == 1
            with database.reading() as session:
                request = session.get_one(LeaveRequest, seeded.requests[1])
                conflict = session.scalars(select(SyncConflict)).one()
            assert request.status == "cancelled"
            assert conflict.code == "leave_cancelled"
            assert conflict.message.startswith(f"Phụ huynh đã hủy đơn #{seeded.requests[1]} lúc")
        finally:
            database.close()


class _Tokens:
    """A ``TokenSource`` that signs in once with the test password."""

    def __init__(self, api: Api, username: str) -> None:
        self.api, self.username = api, username

    def access_token(self) -> str | None:
        return self.api.token(self.username)

    def refresh(self) -> None:
        self.api.tokens.pop(self.username, None)


def test_the_desktop_transport_gzips_a_large_push(sqlite_url: str, tmp_path: Path) -> None:
    """Through the desktop's real HTTP transport: a push over 1 KiB goes gzip-compressed, the
    answers come back gzip-compressed, and thirty roll-call marks arrive once each."""
    from desktop.sync.transport import SyncTransport

    with served(sqlite_url, page_size=50) as (store, seeded, api):
        database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
        transport = SyncTransport(
            str(api.http.base_url), credentials=_Tokens(api, "gvcn"), allow_http=True
        )
        try:
            sync_once(database, transport, class_id=seeded.small.class_id)
            student = seeded.small.student_ids[2]
            days = [date(2025, 10, 6) + timedelta(days=n) for n in range(26)]
            with database.transaction() as session:
                scope = load_scope(session)
                for day in (d for d in days if d.weekday() < 5):
                    for part in ("morning", "afternoon"):
                        intents.perform(
                            session,
                            scope,
                            "set_attendance",
                            {
                                "student_id": student,
                                "day": day.isoformat(),
                                "session": part,
                                "observed": "absent",
                            },
                            actor="Cô Nhung",
                        )
            transport.stats.reset()
            summary = sync_once(database, transport, class_id=seeded.small.class_id)
            assert summary.pushed == 40 and summary.refused == 0
            push = transport.stats.recent[0]
            assert push.endpoint == "sync" and push.compressed and push.body_bytes > 1024
            assert push.bytes_sent < push.body_bytes
        finally:
            transport.close()
            database.close()
        with store.read() as session:
            from desktop.models import AttendanceMark

            marks = session.scalars(
                select(AttendanceMark).where(AttendanceMark.student_id == student)
            ).all()
        assert len(marks) == summary.pushed
