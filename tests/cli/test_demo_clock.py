"""On a profile whose "today" is pinned (the demo), the times an action records fall on that day
at the current time of day, not on the real date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, school_time
from desktop.models import AuditLogEntry, Guardian, LeaveRequest, OutboxIntent
from desktop.models.db import DATABASE_FILE, open_database
from desktop.services import leave
from desktop.services.profile import effective_now
from desktop.services.scope import load_scope
from tests.cli.conftest import Run
from tests.factories import at

PINNED = date(2025, 10, 20)


def _submit(profile: Path) -> int:
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.transaction() as session:
            scope = load_scope(session, None)
            guardian = session.scalars(select(Guardian).order_by(Guardian.id)).first()
            assert guardian is not None
            changes = leave.submit(
                session,
                scope,
                leave.NewRequest(
                    student_id=guardian.student_id,
                    guardian_id=guardian.id,
                    first=Slot.of(date(2025, 10, 22), SchoolSession.MORNING),
                    last=Slot.of(date(2025, 10, 22), SchoolSession.MORNING),
                    reason_category="illness",
                    reason_text="Sốt",
                    channel=4,
                    submitted_at=at(PINNED),
                ),
                actor="Phụ huynh",
            )
            return int(next(iter(changes.ids("leave_request"))))
    finally:
        database.close()


def test_effective_now_keeps_the_time_of_day_and_moves_the_date(profile: Path) -> None:
    """09:12 in Hà Nội on the real 01/12/2026 is 09:12 on the pinned 20/10/2025."""
    real = datetime(2026, 12, 1, 2, 12, tzinfo=UTC)
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.reading() as session:
            moment = effective_now(session, clock=lambda: real)
    finally:
        database.close()
    assert school_time(moment) == datetime(2025, 10, 20, 9, 12)
    assert moment.tzinfo is not None


def test_a_decision_on_a_pinned_day_is_recorded_on_that_day(profile: Path, run: Run) -> None:
    """decided_at, the audit log entry and the queued intent all carry the pinned day."""
    request_id = _submit(profile)
    result = run("leave", "approve", str(request_id))
    assert result.code == 0, result.err
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.reading() as session:
            request = session.get_one(LeaveRequest, request_id)
            entry = session.scalars(
                select(AuditLogEntry).where(AuditLogEntry.action == "leave.approve")
            ).one()
            intent = session.scalars(select(OutboxIntent)).one()
    finally:
        database.close()
    assert request.decided_at is not None
    for moment in (request.decided_at, entry.at, intent.created_at):
        assert school_time(moment).date() == PINNED
    assert request.decided_at == entry.at == intent.created_at
