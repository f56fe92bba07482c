"""A purged school year stays purged through later syncs with the real server: the server
keeps its own record and sends whole rows, text included, whenever a row changes there; the
profile blanks that text again before anything is shown, and keeps the rest of the change.

The demo's 2025-2026 ends on 31/05/2026 and its details are kept 365 days, so on 01/06/2027
(the profile's pinned day) it is due.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import AuditLogEntry, LeaveRequest, PostAudit, SyncConflict
from desktop.models.db import Database, open_database
from desktop.services import intents, leave, retention
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.services.scope import load_scope, load_scope_by_id
from desktop.sync import state
from desktop.sync.engine import sync_once
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

DUE_DAY = date(2027, 6, 1)
NEW_REASON = "Con bị sốt cao, mẹ đưa đi khám ở bệnh viện huyện"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


@pytest.fixture
def synced(tmp_path: Path, server: tuple[Store, str]) -> Iterator[tuple[Database, Store, str]]:
    """A profile signed in to the server, after its first sync."""
    store, url = server
    database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    sync_once(database, harness.transport(url, token), class_id=1)
    yield database, store, token
    database.close()


def texts(database: Database) -> tuple[int, int, int]:
    with database.reading() as session:
        return (
            session.scalar(select(func.count()).where(LeaveRequest.reason_text != "")) or 0,
            session.scalar(select(func.count()).where(LeaveRequest.decision_note != "")) or 0,
            session.scalar(select(func.count()).where(PostAudit.note != "")) or 0,
        )


def test_text_of_a_purged_year_stays_gone_after_the_server_sends_it_again(
    server: tuple[Store, str], synced: tuple[Database, Store, str]
) -> None:
    store, url = server
    database, _store, token = synced
    decide_one(database, "Đã gọi điện cho bà ngoại xác nhận")
    sync_once(database, harness.transport(url, token), class_id=1)  # sent: written in the audit log
    reasons, notes, audits = texts(database)
    assert reasons > 50 and notes > 10  # the demo has text to purge
    with database.reading() as session:
        written = {
            text
            for column in (LeaveRequest.reason_text, LeaveRequest.decision_note, PostAudit.note)
            for text in session.scalars(select(column))
            if len(text) >= 6
        }
    with database.transaction() as session:
        set_setting(session, TODAY_KEY, DUE_DAY.isoformat())
        report = retention.purge(session, today=DUE_DAY, actor="GVCN")
    assert report.total == reasons + notes + audits
    assert texts(database) == (0, 0, 0)

    # On the server, the year's rows change: one request gets a new reason, another is
    # cancelled by the parent. Both come back whole with the next sync.
    with store.write() as session:
        rows = session.scalars(
            select(LeaveRequest)
            .where(LeaveRequest.status == "submitted", LeaveRequest.reason_text != "")
            .order_by(LeaveRequest.id)
            .limit(2)
        ).all()
        edited, cancelled = rows[0].id, rows[1].id
        rows[0].reason_text = NEW_REASON
        rows[0].version += 1
        leave.cancel(session, load_scope_by_id(session, 1), request_id=cancelled, actor="PH")
    summary = sync_once(database, harness.transport(url, token), class_id=1)
    assert summary.pulled > 0

    assert texts(database) == (0, 0, 0)
    with database.reading() as session:
        assert session.get_one(LeaveRequest, cancelled).status == "cancelled"  # the rest stays
        assert session.get_one(LeaveRequest, edited).reason_category != ""
        assert retention.purged_years(session) == {1}
        entries = session.scalars(
            select(AuditLogEntry).where(AuditLogEntry.action == "retention_purge")
        ).all()
        logged = [f"{e.before} {e.after}" for e in session.scalars(select(AuditLogEntry))]
    assert len(entries) == 1  # the sync carried out the purge; it is no new one
    # The audit log, written all along, holds none of the text, and the purge's entry counts.
    assert json.loads(entries[0].after)["reasons"] == reasons
    assert len(logged) > 1 and len(written) > 20
    assert [text for text in written if any(text in entry for entry in logged)] == []


def decide_one(database: Database, note: str) -> int:
    """The teacher approves the first pending request with a reason, with ``note``."""
    with database.transaction() as session:
        request = session.scalars(
            select(LeaveRequest)
            .where(LeaveRequest.status == "submitted", LeaveRequest.reason_text != "")
            .order_by(LeaveRequest.id)
        ).first()
        assert request is not None
        intents.perform(
            session,
            load_scope(session),
            "decide_leave",
            {
                "request_id": request.id,
                "approve": True,
                "note": note,
                "base_version": request.version,
            },
            actor="GVCN",
        )
        return request.id


def test_a_conflict_about_a_purged_year_is_blanked_by_the_sync(
    server: tuple[Store, str], synced: tuple[Database, Store, str]
) -> None:
    """A refused decision recorded after the purge (the parent cancelled on the server) keeps
    the server's row, text included, as its other side: the sync blanks it too."""
    store, url = server
    database, _store, token = synced
    request_id = decide_one(database, "Đã gọi điện cho bà nội")
    with database.transaction() as session:
        set_setting(session, TODAY_KEY, DUE_DAY.isoformat())
        retention.purge(session, today=DUE_DAY, actor="GVCN")
    with store.write() as session:
        leave.cancel(session, load_scope_by_id(session, 1), request_id=request_id, actor="PH")
    sync_once(database, harness.transport(url, token), class_id=1)

    with database.reading() as session:
        conflict = session.scalars(select(SyncConflict)).one()
    mine, theirs = json.loads(conflict.mine), json.loads(conflict.theirs)
    assert mine["request_id"] == request_id and mine["note"] == ""
    assert theirs and all(row.get("reason_text", "") == "" for row in theirs)
    assert texts(database) == (0, 0, 0)
