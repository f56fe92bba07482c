"""Undoing a leave decision: before it is sent, the request and its attendance marks are back as
they were and the intent is gone; once the server has it, undo is refused with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import IllegalTransition
from desktop.models import AttendanceMark, AuditLogEntry, LeaveRequest, OutboxIntent
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import audit_log, leave, undo, workspace
from desktop.services.intents import perform
from desktop.sync import state
from desktop.sync.engine import sync_once
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

Marks = list[tuple[int, str, str, str, str, int | None]]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    assert main(["--data-dir", str(tmp_path), "init", "--demo"]) == 0
    opened = open_database(tmp_path / DATABASE_FILE)
    yield opened
    opened.close()


def marks_of(database: Database, student_id: int) -> Marks:
    with database.reading() as session:
        return [
            (m.id, m.day.isoformat(), m.session, m.status, m.source, m.leave_request_id)
            for m in session.scalars(
                select(AttendanceMark)
                .where(AttendanceMark.student_id == student_id)
                .order_by(AttendanceMark.day, AttendanceMark.session)
            )
        ]


def request_state(database: Database, request_id: int) -> tuple[object, ...]:
    with database.reading() as session:
        r = session.get_one(LeaveRequest, request_id)
        return (r.status, r.version, r.decided_by, r.decision_note, r.decided_at)


def ordinary_pending(database: Database) -> leave.LeaveRow:
    with workspace.work(database, None, write=False) as unit:
        rows = leave.list_requests(unit.session, unit.scope, today=unit.today)
    # One whose approval turns marks into excused absences, so the marks really change.
    return next(
        r
        for r in rows
        if r.status == "submitted"
        and not r.special_case
        and not r.overlaps_with
        and r.first_day <= unit.today
    )


def decide(database: Database, row: leave.LeaveRow, *, approve: bool, note: str = "") -> None:
    with workspace.work(database, None) as unit:
        perform(
            unit.session,
            unit.scope,
            "decide_leave",
            {"request_id": row.id, "approve": approve, "note": note, "base_version": row.version},
            actor=unit.actor,
        )


def undo_it(database: Database, request_id: int) -> str:
    with workspace.work(database, None) as unit:
        changes = undo.undo_decision(
            unit.session, unit.scope, request_id=request_id, actor=unit.actor
        )
    assert changes.ids("leave_request") == {str(request_id)}
    return changes.summary


@pytest.mark.parametrize("approve", [True, False])
def test_undo_before_sync_restores_the_request_and_its_marks(demo: Database, approve: bool) -> None:
    """The request's status, version and decision fields and the marks are back as before; the
    intent is out of the outbox; the audit log gains a 'leave.undo' entry and stays intact."""
    row = ordinary_pending(demo)
    before, marks = request_state(demo, row.id), marks_of(demo, row.student_id)
    decide(demo, row, approve=approve, note="Đã gọi điện")
    assert request_state(demo, row.id) != before
    if approve:
        assert [m[3:] for m in marks_of(demo, row.student_id)] != [m[3:] for m in marks]
    with demo.reading() as session:
        assert undo.unsent_decisions(session) == {row.id}

    summary = undo_it(demo, row.id)

    assert summary == f"Đã hoàn tác quyết định về đơn #{row.id}; đơn lại chờ duyệt."
    assert request_state(demo, row.id) == before
    assert [m[1:] for m in marks_of(demo, row.student_id)] == [m[1:] for m in marks]
    with demo.reading() as session:
        assert session.scalars(select(OutboxIntent)).all() == []
        last = session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id.desc())).first()
        assert last is not None and last.action == "leave.undo"
        assert json.loads(last.after)["status"] == "submitted"
        assert audit_log.verify(session).intact
        assert undo.unsent_decisions(session) == frozenset()


def test_undo_of_an_undecided_request_is_refused(demo: Database) -> None:
    """Nothing to undo: a sentence says so and nothing changes."""
    row = ordinary_pending(demo)
    with pytest.raises(IllegalTransition, match="không có quyết định nào đang chờ gửi"):
        undo_it(demo, row.id)
    assert request_state(demo, row.id)[0] == "submitted"


def test_a_later_original_received_blocks_the_undo(demo: Database) -> None:
    """An action on the request after the decision is queued: undoing the decision alone would
    leave that action on a request it no longer fits, so undo is refused."""
    with workspace.work(demo, None, write=False) as unit:
        rows = leave.list_requests(unit.session, unit.scope, today=unit.today)
    row = next(
        r
        for r in rows
        if r.status == "submitted" and not r.special_case and r.channel == 3 and not r.overlaps_with
    )
    decide(demo, row, approve=True)
    with workspace.work(demo, None) as unit:
        perform(
            unit.session,
            unit.scope,
            "receive_original",
            {"request_id": row.id, "received_on": unit.today.isoformat()},
            actor=unit.actor,
        )
    with pytest.raises(IllegalTransition, match="không thể hoàn tác riêng"):
        undo_it(demo, row.id)
    assert request_state(demo, row.id)[0] == "approved"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_undo_after_sync_is_refused_with_the_time_it_was_sent(
    demo: Database, server: tuple[Store, str]
) -> None:
    """Synced against the real reference server: the intent left the outbox, the server has the
    decision, and undo is refused naming when it was sent; nothing changes locally."""
    store, url = server
    with demo.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    token = harness.issue_token(store, "gvcn")
    sync_once(demo, harness.transport(url, token), class_id=1)
    row = ordinary_pending(demo)
    decide(demo, row, approve=True)
    summary = sync_once(demo, harness.transport(url, token), class_id=1)
    assert summary.pushed == 1 and summary.refused == 0
    with store.read() as session:
        assert session.get_one(LeaveRequest, row.id).status == "approved"
    decided = request_state(demo, row.id)

    with pytest.raises(IllegalTransition) as refused:
        undo_it(demo, row.id)

    assert refused.value.message.startswith(
        f"Quyết định về đơn #{row.id} đã được gửi lên máy chủ lúc "
    )
    assert "không thể hoàn tác. Hãy liên hệ phụ huynh" in refused.value.message
    assert request_state(demo, row.id) == decided
    with demo.reading() as session:
        assert session.scalars(select(OutboxIntent)).all() == []
        assert undo.unsent_decisions(session) == frozenset()
