"""Leave use cases against a real SQLite file: decisions, guards, ledger and audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError as SqlError

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session, Slot
from desktop.errors import IllegalTransition, InvalidInput, StaleVersion
from desktop.models import AttendanceMark, AuditLogEntry, LeaveRequest
from desktop.models.db import Database
from desktop.services import attendance, audit_log, leave, post_audit
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.factories import SmallClass, at

AM, PM = Session.MORNING, Session.AFTERNOON
THU, MON = date(2025, 10, 2), date(2025, 10, 6)


def submit(
    db: Database, small: SmallClass, first: Slot, last: Slot, *, channel: int = 4, student: int = 0
) -> int:
    with db.transaction() as s:
        scope = load_scope(s)
        changes = leave.submit(
            s,
            scope,
            NewRequest(
                student_id=small.student_ids[student],
                guardian_id=small.guardian_ids[student],
                first=first,
                last=last,
                reason_category="illness",
                reason_text="Sốt cao",
                channel=channel,
                submitted_at=at(first.day - (first.day - date(2025, 9, 30))),
            ),
            actor="parent",
        )
        return int(next(iter(changes.ids("leave_request"))))


def marks(db: Database, student_id: int) -> dict[tuple[date, str], str]:
    with db.reading() as s:
        rows = s.scalars(select(AttendanceMark).where(AttendanceMark.student_id == student_id))
        return {(m.day, m.session): m.status for m in rows}


def test_approval_excuses_exactly_the_school_sessions_of_the_leave(
    db: Database, small: SmallClass
) -> None:
    """Thu pm → Mon am with Saturday morning attended is 5 sessions: all become excused."""
    rid = submit(db, small, Slot.of(THU, PM), Slot.of(MON, AM))
    with db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GVCN")
    # Thu 02/10 pm, Fri 03/10 am+pm, Sat 04/10 am (no Saturday afternoon, no Sunday), Mon 06/10 am
    assert marks(db, small.student_ids[0]) == {
        (date(2025, 10, 2), "afternoon"): "excused",
        (date(2025, 10, 3), "morning"): "excused",
        (date(2025, 10, 3), "afternoon"): "excused",
        (date(2025, 10, 4), "morning"): "excused",
        (date(2025, 10, 6), "morning"): "excused",
    }
    with db.reading() as s:
        request = s.get_one(LeaveRequest, rid)
        assert (request.status, request.version, request.decided_by) == ("approved", 2, "GVCN")
        assert audit_log.verify(s).intact
        actions = s.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()
        assert actions == ["leave.submit", "leave.approve"]


def test_rejection_needs_a_reason_and_a_refused_action_changes_nothing(
    db: Database, small: SmallClass
) -> None:
    """A blank reason is refused; the request stays pending and no log entry is written."""
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, PM))
    with pytest.raises(InvalidInput), db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=False, note="  ", actor="GVCN")
    with db.reading() as s:
        assert s.get_one(LeaveRequest, rid).status == "submitted"
        assert s.scalar(select(func.count()).select_from(AuditLogEntry)) == 1


def test_deciding_twice_or_on_a_stale_version_is_refused(db: Database, small: SmallClass) -> None:
    """A decided request cannot be decided again; a decision on an old version is refused."""
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, PM))
    with pytest.raises(StaleVersion), db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, base_version=7, actor="GV")
    with db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=False, note="Thiếu giấy", actor="GV")
    with pytest.raises(IllegalTransition, match=f"#{rid}"), db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GV")


def test_a_special_case_needs_the_principals_sign_off(db: Database, small: SmallClass) -> None:
    """Mon am → Thu am is 7 sessions (> 6): approval waits for the principal's sign-off."""
    rid = submit(
        db, small, Slot.of(date(2025, 10, 13), AM), Slot.of(date(2025, 10, 16), AM), channel=3
    )
    with pytest.raises(IllegalTransition), db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GV")
    with db.transaction() as s:
        scope = load_scope(s)
        leave.sign_off(
            s, scope, request_id=rid, by="Võ Văn Hiệu", on=date(2025, 10, 10), actor="GV"
        )
        leave.decide(s, scope, request_id=rid, approve=True, actor="GV")
    with db.reading() as s:
        row = leave.show(s, load_scope(s), rid, today=date(2025, 10, 17))
    assert (row.sessions, row.special_case, row.status) == (7, True, "approved")
    assert row.original == "awaiting"


def test_unregistered_guardian_cannot_submit_online(db: Database, small: SmallClass) -> None:
    """Registration for the e-contact book is voluntary; without it there is no online request."""
    with pytest.raises(InvalidInput), db.transaction() as s:
        leave.submit(
            s,
            load_scope(s),
            NewRequest(
                student_id=small.student_ids[0],
                guardian_id=small.unregistered_guardian_id,
                first=Slot.of(THU, AM),
                last=Slot.of(THU, AM),
                reason_category="family",
                reason_text="",
                channel=4,
                submitted_at=at(date(2025, 10, 1)),
            ),
            actor="parent",
        )


def test_roll_call_absence_is_unexcused_until_a_leave_is_approved(
    db: Database, small: SmallClass
) -> None:
    """An absence without approved leave is K; approving a covering request turns it to P."""
    student = small.student_ids[1]
    with db.transaction() as s:
        attendance.mark(
            s,
            load_scope(s),
            student_id=student,
            slot=Slot.of(THU, AM),
            observed=Observation.ABSENT,
            actor="GV",
        )
    assert marks(db, student) == {(THU, "morning"): "unexcused"}
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, AM), student=1)
    with db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GV")
    assert marks(db, student) == {(THU, "morning"): "excused"}


def test_a_post_audit_discrepancy_turns_the_excused_sessions_unexcused(
    db: Database, small: SmallClass
) -> None:
    """Hậu kiểm finds the reason false: the request's two sessions become K, with a log entry."""
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, PM))
    with db.transaction() as s:
        scope = load_scope(s)
        leave.decide(s, scope, request_id=rid, approve=True, actor="GV")
        post_audit.record(
            s,
            scope,
            request_id=rid,
            method="phone",
            outcome="discrepancy",
            note="Phụ huynh xác nhận học sinh không ốm",
            actor="GV",
        )
    assert marks(db, small.student_ids[0]) == {
        (THU, "morning"): "unexcused",
        (THU, "afternoon"): "unexcused",
    }
    with db.reading() as s:
        assert s.get_one(LeaveRequest, rid).audit_status == "discrepancy"
        assert audit_log.verify(s).intact


def test_withdrawing_an_approved_leave_removes_its_excused_marks(
    db: Database, small: SmallClass
) -> None:
    """A parent's withdrawal after approval leaves no excused mark behind."""
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, PM))
    with db.transaction() as s:
        scope = load_scope(s)
        leave.decide(s, scope, request_id=rid, approve=True, actor="GV")
        leave.cancel(s, scope, request_id=rid, actor="parent")
    with db.reading() as s:
        assert s.get_one(LeaveRequest, rid).status == "withdrawn"
    assert marks(db, small.student_ids[0]) == {}


def test_the_audit_log_detects_an_edited_row(db: Database, small: SmallClass) -> None:
    """The log refuses edits; an edit made anyway (trigger dropped) breaks the chain there."""
    rid = submit(db, small, Slot.of(THU, AM), Slot.of(THU, PM))
    with db.transaction() as s:
        leave.decide(s, load_scope(s), request_id=rid, approve=True, actor="GV")
    with db.reading() as s:
        first_id = s.scalars(select(AuditLogEntry.id).order_by(AuditLogEntry.id)).first()
    with pytest.raises(SqlError, match="append-only"), db.transaction() as s:
        s.connection().exec_driver_sql("DELETE FROM audit_log WHERE id = ?", (first_id,))
    # Someone with the file and a SQLite shell can drop the guard; the chain still tells.
    with db.transaction() as s:
        s.connection().exec_driver_sql("DROP TRIGGER audit_log_no_update")
        s.connection().exec_driver_sql(
            "UPDATE audit_log SET actor = 'someone else' WHERE id = ?", (first_id,)
        )
    with db.reading() as s:
        report = audit_log.verify(s)
    assert report.first_broken_id == first_id


def test_retroactive_is_judged_on_school_time_not_utc(db: Database, small: SmallClass) -> None:
    """Sent at 08:00 in Vietnam (01:00 UTC) on the first morning of the leave: retroactive."""
    from datetime import UTC, datetime

    with db.transaction() as s:
        scope = load_scope(s)
        changes = leave.submit(
            s,
            scope,
            NewRequest(
                student_id=small.student_ids[0],
                guardian_id=small.guardian_ids[0],
                first=Slot.of(THU, AM),
                last=Slot.of(THU, AM),
                reason_category="illness",
                reason_text="Sốt",
                channel=4,
                submitted_at=datetime(2025, 10, 2, 1, 0, tzinfo=UTC),
            ),
            actor="parent",
        )
        rid = int(next(iter(changes.ids("leave_request"))))
        assert leave.show(s, scope, rid, today=THU).retroactive is True
