"""Out-of-range numbers and times are refused with a 422 naming the field, never a 500; an
intent the server cannot apply is refused and processed, so the client's outbox drains."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import LeaveRequest, OutboxIntent, SyncConflict
from desktop.models.db import open_database
from desktop.sync.engine import sync_once
from tests.server.helpers import mutation, served, sync_body
from tests.server.test_client_roundtrip import HttpServer, _decide

HUGE = [2**31, 2**63, 2**70]


@pytest.mark.parametrize("value", HUGE)
def test_huge_cursor_class_and_seq_are_refused(db_url: str, value: int) -> None:
    with served(db_url) as (_store, seeded, api):
        class_id = seeded.small.class_id
        good = sync_body(class_id)
        hostile = {
            "cursor": {**good, "cursor": value},
            "class_id": {**good, "class_id": value},
            "mutations.0.seq": sync_body(
                class_id, [mutation(value, "decide_leave", {"request_id": 1})]
            ),
        }
        for where, body in hostile.items():
            answer = api.sync(body)
            assert answer.status_code == 422, (where, answer.text)
            assert answer.json()["code"] == "out_of_range"
            assert where in answer.json()["message"]
            assert "ngoài phạm vi" in answer.json()["message"]
        assert api.sync(good).status_code == 200


@pytest.mark.parametrize("value", HUGE)
def test_huge_path_parameters_are_refused(db_url: str, value: int) -> None:
    with served(db_url) as (_store, _seeded, api):
        for method, path, user in (
            ("post", f"/api/v1/parent/requests/{value}/cancel", "ph1"),
            ("get", f"/api/v1/principal/classes/{value}/completeness", "hieutruong"),
        ):
            answer = getattr(api, method)(path, user)
            assert answer.status_code == 422, (path, answer.text)
            assert answer.json()["code"] == "out_of_range"


def test_a_client_time_beyond_utc_is_refused(db_url: str) -> None:
    with served(db_url) as (_store, seeded, api):
        bad = mutation(1, "decide_leave", {"request_id": seeded.requests[0], "approve": True})
        bad["client_time"] = "9999-12-31T23:59:59-14:00"
        answer = api.sync(sync_body(seeded.small.class_id, [bad]))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "out_of_range"
        assert "client_time" in answer.json()["message"]


def test_an_intent_that_cannot_be_stored_is_refused_and_the_outbox_drains(
    sqlite_url: str, tmp_path: Path
) -> None:
    """On SQLite an id beyond 2⁶³ fails in the driver, inside the intent's application."""
    with served(sqlite_url) as (store, seeded, api):
        database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
        try:
            server = HttpServer(api, "gvcn")
            sync_once(database, server, class_id=seeded.small.class_id)
            with database.transaction() as session:
                session.add(
                    OutboxIntent(
                        id=str(uuid.uuid4()),
                        name="decide_leave",
                        args=json.dumps({"request_id": 2**64, "approve": True, "base_version": 1}),
                        actor="Cô Nhung",
                        created_at=datetime.now(UTC),
                    )
                )
            _decide(database, seeded.requests[0])
            summary = sync_once(database, server, class_id=seeded.small.class_id)
            assert summary.pushed == 2 and summary.refused == 1
            with database.reading() as session:
                assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 0
                conflict = session.scalars(select(SyncConflict)).one()
            assert conflict.code == "cannot_apply"
            assert conflict.message.startswith("Máy chủ không thể áp dụng")
            with store.read() as session:
                assert session.get_one(LeaveRequest, seeded.requests[0]).status == "approved"
            # The next sync sends nothing again: the refusal was recorded on both sides.
            assert sync_once(database, server, class_id=seeded.small.class_id).pushed == 0
        finally:
            database.close()
