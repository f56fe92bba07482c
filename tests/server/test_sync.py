"""POST /api/v1/sync over real HTTP, on SQLite and PostgreSQL: paging, exactly-once pushes,
refusals that do not block the queue, per-client order, and requests refused as a whole."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select

from desktop.models import AttendanceMark, AuditLogEntry, LeaveRequest, Student
from desktop.services import leave
from desktop.sync.protocol import PROTOCOL_VERSION, SyncResponse
from desktop.sync.rows import decode_row, row_key, synced_tables
from server.scope import load_scope_by_id
from server.tables import ChangeLogEntry
from tests.server.helpers import decide, log_size, mutation, served, sync_body


def _pull_all(api: Any, class_id: int, username: str = "gvcn") -> tuple[list[dict[str, Any]], int]:
    changes: list[dict[str, Any]] = []
    cursor, trips = 0, 0
    while True:
        response = api.sync(sync_body(class_id, cursor=cursor), username)
        assert response.status_code == 200, response.text
        page = SyncResponse.model_validate_json(response.content)
        trips += 1
        changes += [c.model_dump() for c in page.changes]
        assert page.cursor > cursor if page.changes else page.cursor == cursor
        cursor = page.cursor
        if not page.more:
            return changes, trips


def test_bootstrap_from_cursor_zero_comes_in_pages(db_url: str) -> None:
    """A first sync pages through the whole class: ``more`` until the last page, the cursor
    strictly increasing, one entry per row, every row decodable by the client's schema, and
    upserts without a key (it is in the row)."""
    with served(db_url, page_size=10) as (store, seeded, api):
        changes, trips = _pull_all(api, seeded.small.class_id)
        with store.read() as session:
            entries = session.scalar(
                select(func.count())
                .select_from(ChangeLogEntry)
                .where(ChangeLogEntry.class_id == seeded.small.class_id)
            )
    assert len(changes) == entries
    assert trips == -(-len(changes) // 10) + (1 if len(changes) % 10 == 0 else 0)
    keys = [
        (c["entity"], row_key(synced_tables()[c["entity"]], decode_row(c["entity"], c["data"])))
        for c in changes
    ]
    assert len(keys) == len(set(keys))
    assert all(c["key"] is None for c in changes)
    entities = {c["entity"] for c in changes}
    assert {
        "school",
        "policy_setting",
        "school_year",
        "holiday",
        "teacher",
        "school_class",
        "student",
        "guardian",
        "subject",
        "leave_request",
    } <= entities
    for change in changes:
        assert change["op"] == "upsert"
        decode_row(change["entity"], change["data"])
    # The other class's rows are not in this feed; the shared school rows are in both.
    other = [c for c in changes if c["entity"] == "school_class"]
    assert [c["data"]["id"] for c in other] == [seeded.small.class_id]


def test_a_replayed_decision_is_applied_once(db_url: str) -> None:
    """The same decide_leave sent three times changes the request once; every replay answers
    the same stored result."""
    with served(db_url) as (store, seeded, api):
        request_id = seeded.requests[0]
        body = sync_body(seeded.small.class_id, [decide(1, request_id)])
        first = api.sync(body).json()
        assert first["results"][0]["status"] == "applied"
        assert first["last_seq_processed"] == 1
        replays = [api.sync(body).json() for _ in range(3)]
        with store.read() as session:
            request = session.get_one(LeaveRequest, request_id)
            approvals = session.scalar(
                select(func.count())
                .select_from(AuditLogEntry)
                .where(AuditLogEntry.action == "leave.approve")
            )
    assert request.status == "approved" and request.version == 2
    assert request.decided_by == "Trần Thị Hồng Nhung"
    assert approvals == 1
    results = [r["results"] for r in replays]
    assert results[0] == results[1] == results[2]
    assert results[0][0]["status"] == "duplicate"
    assert all(r["last_seq_processed"] == 1 for r in replays)


def test_a_refused_intent_is_processed_and_does_not_block_the_next(db_url: str) -> None:
    """Deciding a request the parent cancelled is a conflict with the server's current rows;
    the mutation after it in the same batch is applied."""
    with served(db_url) as (store, seeded, api):
        cancelled, other = seeded.requests
        with store.write() as session:
            scope = load_scope_by_id(session, seeded.small.class_id)
            leave.cancel(session, scope, request_id=cancelled, actor="Phụ huynh 1")
        body = sync_body(seeded.small.class_id, [decide(1, cancelled), decide(2, other)])
        answer = api.sync(body).json()
        refused, applied = answer["results"]
        assert refused["status"] == "conflict"
        assert refused["code"] == "leave_cancelled"
        assert f"#{cancelled}" in refused["message"]
        current = {(c["entity"], c["data"]["id"]): c for c in refused["current"]}
        row = current[("leave_request", cancelled)]
        assert row["data"]["status"] == "cancelled" and row["data"]["version"] == 2
        assert applied["status"] == "applied"
        assert answer["last_seq_processed"] == 2
        # The refusal is answered again, as it was, to a client whose first answer was lost.
        again = api.sync(body).json()["results"]
        assert again[0] == refused
        assert again[1]["status"] == "duplicate"


def test_out_of_order_seq_stops_the_batch(db_url: str) -> None:
    """A gap stops processing; the client resends from last_seq_processed + 1."""
    with served(db_url) as (store, seeded, api):
        client = str(uuid.uuid4())
        first, second = seeded.requests
        gap = sync_body(
            seeded.small.class_id, [decide(1, first), decide(3, second)], client_id=client
        )
        answer = api.sync(gap).json()
        assert [r["seq"] for r in answer["results"]] == [1]
        assert answer["last_seq_processed"] == 1
        retry = sync_body(
            seeded.small.class_id,
            [decide(2, second, approve=False, note="Không đủ lý do"), decide(3, second)],
            client_id=client,
        )
        answer = api.sync(retry).json()
        assert [(r["seq"], r["status"]) for r in answer["results"]] == [
            (2, "applied"),
            (3, "conflict"),
        ]
        # A reused seq with another id stops the batch too.
        reused = sync_body(seeded.small.class_id, [decide(3, first)], client_id=client)
        answer = api.sync(reused).json()
        assert answer["results"] == [] and answer["last_seq_processed"] == 3
        with store.read() as session:
            assert session.get_one(LeaveRequest, second).status == "rejected"


def _bomb(size: int) -> bytes:
    return gzip.compress(b"{" + b" " * size + b"}", compresslevel=9)


def test_bad_requests_are_refused_whole_and_change_nothing(db_url: str) -> None:
    """Malformed, oversized, a gzip bomb, a damaged gzip, a wrong protocol: a clear ApiError
    each, and nothing applied."""
    with served(db_url) as (store, seeded, api):
        class_id = seeded.small.class_id
        before = log_size(store)
        good = sync_body(class_id, [decide(1, seeded.requests[0])])
        headers = {**api.auth("gvcn"), "Content-Type": "application/json"}

        malformed = api.http.post("/api/v1/sync", content=b'{"protocol": 1, "mut', headers=headers)
        assert malformed.status_code == 400
        assert malformed.json()["code"] == "invalid_json"

        extra = dict(good, surprise=True)
        assert api.sync(extra).status_code == 422

        big = dict(good)
        big["mutations"] = [dict(good["mutations"][0], args={"pad": "x" * 9_000_000})]
        oversized = api.http.post("/api/v1/sync", content=json.dumps(big), headers=headers)
        assert oversized.status_code == 413
        assert oversized.json()["code"] == "body_too_large"

        bomb = _bomb(40 * 1024 * 1024)
        assert len(bomb) < 100_000
        refused = api.http.post(
            "/api/v1/sync", content=bomb, headers={**headers, "Content-Encoding": "gzip"}
        )
        assert refused.status_code == 413
        assert refused.json()["code"] == "body_too_large"

        damaged = gzip.compress(json.dumps(good).encode())[:-12]
        broken = api.http.post(
            "/api/v1/sync", content=damaged, headers={**headers, "Content-Encoding": "gzip"}
        )
        assert broken.status_code == 400 and broken.json()["code"] == "bad_encoding"

        newer = dict(good, protocol=PROTOCOL_VERSION + 1)
        upgrade = api.sync(newer)
        assert upgrade.status_code == 426 and upgrade.json()["code"] == "upgrade_required"
        by_header = api.sync(good, headers={"X-Homeroom-Protocol": str(PROTOCOL_VERSION + 1)})
        assert by_header.status_code == 426

        too_many = dict(good, mutations=[decide(n, seeded.requests[0]) for n in range(1, 502)])
        assert api.sync(too_many).status_code == 422

        for answer in (malformed, oversized, refused, broken, upgrade):
            assert answer.json()["message"] and set(answer.json()) == {"code", "message"}
        assert log_size(store) == before
        # A gzip body within the limits is accepted.
        accepted = api.sync(good, gzipped=True)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["results"][0]["status"] == "applied"


def test_a_teacher_cannot_sync_another_class(db_url: str) -> None:
    with served(db_url) as (store, seeded, api):
        before = log_size(store)
        answer = api.sync(sync_body(seeded.other_class_id, [decide(1, seeded.requests[0])]))
        assert answer.status_code == 403
        assert answer.json()["code"] == "not_your_class"
        # The other class's own teacher can; the request of 11A1 is not found from 11A2.
        mine = api.sync(sync_body(seeded.other_class_id, [decide(1, seeded.requests[0])]), "gvcn2")
        assert mine.status_code == 200
        assert mine.json()["results"][0]["status"] == "rejected"
        assert mine.json()["results"][0]["code"] == "not_found"
        with store.read() as session:
            assert session.get_one(LeaveRequest, seeded.requests[0]).status == "submitted"
        assert log_size(store)[0] == before[0]
        no_token = api.http.post("/api/v1/sync", json=sync_body(seeded.small.class_id))
        assert no_token.status_code == 401


def test_the_log_keeps_only_the_latest_change_of_a_row(db_url: str) -> None:
    """Two roll-call changes of one session leave one entry, with the newest seq."""
    with served(db_url) as (store, seeded, api):
        student = seeded.small.student_ids[1]
        slot = {"student_id": student, "day": "2025-10-20", "session": "morning"}
        answer = api.sync(
            sync_body(
                seeded.small.class_id,
                [
                    mutation(1, "set_attendance", {**slot, "observed": "absent"}),
                    mutation(2, "set_attendance", {**slot, "observed": "late"}),
                ],
            )
        ).json()
        assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
        marks = [c for c in answer["changes"] if c["entity"] == "attendance_mark"]
        assert len(marks) == 1
        assert marks[0]["data"]["observed"] == "late"
        assert answer["changes"][-1] == marks[0]
        # Clearing the observation deletes the mark: a tombstone replaces the entry.
        answer = api.sync(
            sync_body(
                seeded.small.class_id,
                [mutation(1, "set_attendance", {**slot, "observed": None})],
                cursor=answer["cursor"],
            )
        ).json()
        assert answer["results"][0]["status"] == "applied"
        assert [(c["entity"], c["op"], c.get("data")) for c in answer["changes"]] == [
            ("attendance_mark", "delete", None)
        ]
        with store.read() as session:
            entries = session.scalars(
                select(ChangeLogEntry).where(ChangeLogEntry.entity == "attendance_mark")
            ).all()
        assert len(entries) == 1 and entries[0].op == "delete"


def test_a_mark_for_a_student_of_another_class_is_rejected(db_url: str) -> None:
    """The roll-call use case trusts its caller; the server checks the student's class."""
    with served(db_url) as (store, seeded, api):
        with store.write() as session:
            stranger = Student(
                class_id=seeded.other_class_id,
                code="HS900",
                full_name="Người Lạ",
                sort_key="x",
                search_key="x",
                date_of_birth=date(2009, 1, 1),
                gender="male",
            )
            session.add(stranger)
            session.flush()
            stranger_id = stranger.id
        args = {
            "student_id": stranger_id,
            "day": "2025-10-20",
            "session": "morning",
            "observed": "absent",
        }
        answer = api.sync(sync_body(seeded.small.class_id, [mutation(1, "set_attendance", args)]))
        result = answer.json()["results"][0]
        assert (result["status"], result["code"]) == ("rejected", "not_owner")
        with store.read() as session:
            assert session.scalars(select(AttendanceMark)).all() == []


def test_two_devices_deciding_alike_converge_and_differently_conflict(sqlite_url: str) -> None:
    """Another device of the teacher approved first: the same approval converges (duplicate,
    nothing to undo); a rejection is a conflict naming who decided."""
    with served(sqlite_url) as (_store, seeded, api):
        request_id = seeded.requests[0]
        laptop = api.sync(sync_body(seeded.small.class_id, [decide(1, request_id)])).json()
        assert laptop["results"][0]["status"] == "applied"
        same = api.sync(sync_body(seeded.small.class_id, [decide(1, request_id)])).json()
        assert same["results"][0]["status"] == "duplicate"
        assert same["results"][0]["code"] == "already_decided"
        other = api.sync(
            sync_body(seeded.small.class_id, [decide(1, request_id, approve=False, note="Không")])
        ).json()["results"][0]
        assert (other["status"], other["code"]) == ("conflict", "already_decided")
        assert "Trần Thị Hồng Nhung" in other["message"]
        # Conduct goes through the same push; an invalid level is rejected, not a conflict.
        conduct = {"student_id": seeded.small.student_ids[0], "term": 1, "level": "Tốt"}
        answer = api.sync(
            sync_body(
                seeded.small.class_id,
                [
                    mutation(1, "set_conduct", conduct),
                    mutation(2, "set_conduct", {**conduct, "level": "Giỏi"}),
                ],
            )
        ).json()
        assert [r["status"] for r in answer["results"]] == ["applied", "rejected"]
        assert [c["entity"] for c in answer["results"][1]["current"]] == []
        ratings = [c for c in answer["changes"] if c["entity"] == "conduct_rating"]
        assert ratings[0]["data"]["level"] == "Tốt"
