"""The decision written straight to SQL on the desktop and through the unit of work where
flushes are watched (the server's change feed) or the session already holds the rows: the same
rows either way, and no object the session holds left stale."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session, Slot
from desktop.models import AttendanceMark, AuditLogEntry, LeaveRequest
from desktop.models.db import Database, open_database
from desktop.services import attendance, audit_log, leave
from desktop.services.attendance import RequestRow
from desktop.services.direct_writes import FLUSH_OBSERVED
from desktop.services.scope import load_scope
from tests.factories import SmallClass, at, build_small_class

AM, PM = Session.MORNING, Session.AFTERNOON
THU, FRI, MON = date(2025, 10, 2), date(2025, 10, 3), date(2025, 10, 6)


def _submit(db: Database, small: SmallClass) -> int:
    """Thu pm → Mon am for the first student, whose Friday morning roll call saw them absent."""
    with db.transaction() as s:
        scope = load_scope(s)
        attendance.mark(
            s,
            scope,
            student_id=small.student_ids[0],
            slot=Slot.of(FRI, AM),
            observed=Observation.ABSENT,
            actor="GVCN",
        )
        changes = leave.submit(
            s,
            scope,
            leave.NewRequest(
                student_id=small.student_ids[0],
                guardian_id=small.guardian_ids[0],
                first=Slot.of(THU, PM),
                last=Slot.of(MON, AM),
                reason_category="illness",
                reason_text="Sốt cao",
                channel=4,
                submitted_at=at(date(2025, 10, 1)),
            ),
            actor="parent",
        )
    return int(next(iter(changes.ids("leave_request"))))


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.reading() as s:
        marks = s.execute(
            select(
                AttendanceMark.id,
                AttendanceMark.day,
                AttendanceMark.session,
                AttendanceMark.observed,
                AttendanceMark.status,
                AttendanceMark.source,
                AttendanceMark.leave_request_id,
            ).order_by(AttendanceMark.id)
        )
        requests = s.execute(
            select(LeaveRequest.id, LeaveRequest.status, LeaveRequest.version).order_by(
                LeaveRequest.id
            )
        )
        entries = s.execute(
            select(AuditLogEntry.action, AuditLogEntry.before, AuditLogEntry.after).order_by(
                AuditLogEntry.id
            )
        )
        assert audit_log.verify(s).intact
        return {
            "marks": [tuple(r) for r in marks],
            "requests": [tuple(r) for r in requests],
            "entries": [tuple(r) for r in entries],
        }


def _decide_then_withdraw(db: Database, rid: int, *, observed: bool, hold: bool) -> set[str]:
    """Approve, then the parent withdraws; the tables the decision flushed through the ORM."""
    flushed: set[str] = set()
    for step in ("decide", "cancel"):
        with db.transaction() as s:
            if observed:
                s.info[FLUSH_OBSERVED] = True

            if step == "decide":

                @event.listens_for(s, "after_flush")
                def _seen(session: OrmSession, _context: Any) -> None:
                    for obj in (*session.new, *session.dirty, *session.deleted):
                        flushed.add(type(obj).__tablename__)

            scope = load_scope(s)
            held = s.scalars(select(AttendanceMark)).all() if hold else []
            request = s.get_one(LeaveRequest, rid) if hold else None
            if step == "decide":
                leave.decide(s, scope, request_id=rid, approve=True, actor="GVCN")
            else:
                leave.cancel(s, scope, request_id=rid, actor="parent")
            s.flush()
            # What the session holds says what the file says.
            for mark in held:
                if mark in s:
                    stored = s.connection().execute(
                        select(AttendanceMark.status).where(AttendanceMark.id == mark.id)
                    )
                    assert mark.status == stored.scalar_one()
            if request is not None:
                assert request.status == ("approved" if step == "decide" else "withdrawn")
    return flushed


def test_the_request_row_has_the_tables_columns_in_order() -> None:
    assert RequestRow._fields == tuple(column.name for column in LeaveRequest.__table__.columns)


def test_the_direct_path_writes_the_rows_the_unit_of_work_writes(tmp_path: Path) -> None:
    """The same decision three ways: straight to SQL, through the ORM because the flushes are
    watched (the ORM sees the request and the marks), and with the rows already in the
    session (their objects follow)."""
    results = []
    for observed, hold in ((False, False), (True, False), (False, True)):
        other = open_database(tmp_path / f"{observed}-{hold}" / "homeroom.sqlite3")
        try:
            with other.transaction() as s:
                small = build_small_class(s)
            rid = _submit(other, small)
            flushed = _decide_then_withdraw(other, rid, observed=observed, hold=hold)
            if observed:
                assert {"leave_request", "attendance_mark"} <= flushed
            elif not hold:
                assert flushed.isdisjoint({"leave_request", "attendance_mark"})
            results.append(_rows(other))
        finally:
            other.close()
    assert results[0] == results[1] == results[2]
    assert [row[4] for row in results[0]["marks"]] == ["unexcused"]
    assert [entry[0] for entry in results[0]["entries"]] == [
        "attendance.mark",
        "leave.submit",
        "leave.approve",
        "leave.cancel",
    ]
