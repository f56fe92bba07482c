"""A demo server fixed on its school day records the times of what it applies on that day, at
the current time of day (not on the real date)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from desktop.domain.calendar import school_time
from desktop.models import AuditLogEntry, LeaveRequest
from tests.server.helpers import TODAY, decide, served, sync_body

REAL = datetime(2026, 12, 1, 2, 12, tzinfo=UTC)
"""09:12 in Vietnam on the real 01/12/2026."""


def test_a_pushed_decision_is_dated_on_the_servers_school_day(db_url: str) -> None:
    with served(db_url, clock=lambda: REAL) as (store, seeded, api):
        request_id = seeded.requests[0]
        answer = api.sync(sync_body(seeded.small.class_id, [decide(1, request_id)]))
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] == "applied"
        with store.read() as session:
            request = session.get_one(LeaveRequest, request_id)
            entry = session.scalars(
                select(AuditLogEntry).where(AuditLogEntry.action == "leave.approve")
            ).one()
    assert request.decided_at is not None
    for moment in (request.decided_at, entry.at):
        assert school_time(moment) == datetime.combine(TODAY, school_time(REAL).time())


def test_a_parents_request_and_cancellation_are_dated_on_the_school_day(db_url: str) -> None:
    with served(db_url, clock=lambda: REAL) as (store, _seeded, api):
        body = {
            "first_day": "2025-10-24",
            "last_day": "2025-10-24",
            "reason_category": "illness",
            "reason_text": "Sốt",
        }
        made = api.post("/api/v1/parent/requests", "ph1", json=body)
        assert made.status_code == 201, made.text
        request_id = made.json()["id"]
        assert api.post(f"/api/v1/parent/requests/{request_id}/cancel", "ph1").status_code == 200
        with store.read() as session:
            request = session.get_one(LeaveRequest, request_id)
            times = list(
                session.scalars(
                    select(AuditLogEntry.at).where(AuditLogEntry.entity_id == str(request_id))
                )
            )
    assert school_time(request.submitted_at).date() == TODAY
    assert len(times) == 2 and all(school_time(at).date() == TODAY for at in times)
