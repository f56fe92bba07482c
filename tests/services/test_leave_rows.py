"""Re-reading only what changed: ``rows_by_ids`` and the decisions that became conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete

from desktop.cli.main import main
from desktop.models import LeaveRequest, SyncConflict
from desktop.models.base import utc_now
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import leave, leave_text, workspace


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Database]:
    assert main(["--data-dir", str(tmp_path), "init", "--demo"]) == 0
    opened = open_database(tmp_path / DATABASE_FILE)
    yield opened
    opened.close()


def all_rows(database: Database) -> list[leave.LeaveRow]:
    with workspace.work(database, None, write=False) as unit:
        return leave.list_requests(unit.session, unit.scope, today=unit.today)


def test_rows_by_ids_reads_the_requests_and_their_students_others(demo: Database) -> None:
    """The asked rows come back equal to the full list's, with every other request of their
    students (overlaps depend on them); a deleted id is simply absent."""
    everything = {row.id: row for row in all_rows(demo)}
    overlapping = next(row for row in everything.values() if row.overlaps_with)
    gone = next(
        row
        for row in everything.values()
        if row.status == "submitted" and row.student_id != overlapping.student_id
    )
    with demo.transaction() as session:
        session.execute(delete(LeaveRequest).where(LeaveRequest.id == gone.id))
    with workspace.work(demo, None, write=False) as unit:
        rows = leave.rows_by_ids(
            unit.session, unit.scope, [overlapping.id, gone.id, 999_999], today=unit.today
        )
    siblings = {r.id for r in everything.values() if r.student_id == overlapping.student_id}
    assert {row.id for row in rows} == siblings
    assert all(row == everything[row.id] for row in rows)


def test_a_decision_conflict_shows_until_the_request_is_decided_again(demo: Database) -> None:
    """The latest refused decision of a request is its conflict; a later decision hides it."""
    row = next(r for r in all_rows(demo) if r.status == "submitted")
    at = utc_now()
    with demo.transaction() as session:
        session.add(
            SyncConflict(
                intent_id="i-1",
                intent_name="decide_leave",
                code="leave_cancelled",
                message="Phụ huynh đã hủy đơn.",
                mine=json.dumps({"request_id": row.id, "approve": True}),
                theirs="[]",
                created_at=at,
            )
        )
    with demo.reading() as session:
        assert leave.decision_conflicts(session) == {row.id: "Phụ huynh đã hủy đơn."}
        assert leave.decision_conflicts(session, [row.id + 1]) == {}
    with demo.transaction() as session:
        session.get_one(LeaveRequest, row.id).decided_at = at + timedelta(minutes=5)
    with demo.reading() as session:
        assert leave.decision_conflicts(session) == {}


def test_forms_read_only_their_students_rows_and_those_equal_the_full_lists(
    demo: Database,
) -> None:
    """``leave_forms`` builds the rows of the printed requests' students only; each form's row
    is the full list's, overlaps included (an overlapping approved request among them)."""
    from desktop.services.leave_forms import leave_forms

    everything = {row.id: row for row in all_rows(demo)}
    approved = [row.id for row in everything.values() if row.status == "approved"]
    assert any(everything[request_id].overlaps_with for request_id in approved)
    with workspace.work(demo, None, write=False) as unit:
        for request_id in approved:
            (form,) = leave_forms(unit.session, unit.scope, [request_id], today=unit.today)
            assert form.request == everything[request_id]


def test_a_request_sent_on_the_first_day_of_the_absence_is_not_called_zero_days_late(
    demo: Database,
) -> None:
    """The demo's #2 was sent at 15:46 for that morning: "0 school days late" read as on
    time. The words say when it came; a later one counts its school days."""
    rows = [row for row in all_rows(demo) if row.retroactive]
    same_day = next(row for row in rows if row.retroactive_school_days == 0)
    assert leave_text.retroactive_text(same_day) == (
        "Nộp vào ngày đầu học sinh nghỉ, khi buổi nghỉ đã bắt đầu"
    )
    later = next(row for row in rows if row.retroactive_school_days >= 2)
    assert leave_text.retroactive_text(later) == (
        f"Nộp sau khi học sinh đã nghỉ (muộn {later.retroactive_school_days} ngày học)"
    )
