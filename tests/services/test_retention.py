"""The retention purge on the small class, with a second, later year that is not yet due.

Hand count for 2025-2026 (ends 31/05/2026, kept 365 days, due from 01/06/2027): requests 1 and
2 have a reason text, request 1 a decision note, its post-audit a note; request 3 has no free
text; one refused change kept by the sync is about request 1 and quotes its reason and the
teacher's note. So 2 reasons, 1 decision note, 1 audit note and 1 refused change are purged;
2026-2027's request and its refused change keep all.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from desktop.domain.retention import is_due, purge_from
from desktop.models import (
    AttendanceMark,
    AuditLogEntry,
    LeaveRequest,
    PostAudit,
    SchoolClass,
    SchoolYear,
    Student,
    SyncConflict,
)
from desktop.models.db import Database
from desktop.services import audit_log, retention
from tests.factories import SmallClass, at

REASON = "Con bị sốt xuất huyết, phải nằm viện"


def _request(student_id: int, day: date, *, reason: str, note: str = "") -> LeaveRequest:
    return LeaveRequest(
        student_id=student_id,
        guardian_id=None,
        submitted_at=at(day),
        first_day=day,
        first_session="morning",
        last_day=day,
        last_session="afternoon",
        reason_category="illness",
        reason_text=reason,
        channel=4,
        status="approved",
        decision_note=note,
        decided_by="Trần Thị Hồng Nhung",
    )


def _fill(db: Database, small: SmallClass) -> dict[str, int]:
    with db.transaction() as session:
        first = _request(small.student_ids[0], date(2025, 10, 6), reason=REASON, note="Đã gọi")
        first.audits.append(
            PostAudit(selected_because="random", note="Mẹ xác nhận qua điện thoại",
                      selected_at=at(date(2025, 10, 8)))
        )  # fmt: skip
        second = _request(small.student_ids[1], date(2025, 11, 3), reason="Việc gia đình")
        third = _request(small.student_ids[2], date(2025, 11, 4), reason="")
        session.add_all([first, second, third])
        session.flush()
        session.add(
            AttendanceMark(student_id=small.student_ids[0], day=date(2025, 10, 6),
                           session="morning", observed="absent", status="excused",
                           source="leave", leave_request_id=first.id,
                           updated_at=at(date(2025, 10, 6)))
        )  # fmt: skip
        old_class = session.get_one(SchoolClass, small.class_id)
        later = SchoolYear(school_id=old_class.year.school_id, name="2026-2027",
                           first_day=date(2026, 9, 5), semester2_start=date(2027, 1, 11),
                           last_day=date(2027, 5, 31))  # fmt: skip
        session.add(later)
        session.flush()
        later_class = SchoolClass(school_year_id=later.id, name="12A1", grade_level=12,
                                  homeroom_teacher_id=old_class.homeroom_teacher_id,
                                  week=old_class.week)  # fmt: skip
        session.add(later_class)
        session.flush()
        student = Student(class_id=later_class.id, code="HS001", full_name="Nguyễn Văn An",
                          sort_key="an", search_key="nguyen van an",
                          date_of_birth=date(2009, 1, 10), gender="male")  # fmt: skip
        session.add(student)
        session.flush()
        fourth = _request(student.id, date(2026, 10, 5), reason=REASON, note="Đồng ý")
        session.add(fourth)
        session.flush()
        session.add_all([_conflict(first.id, "Gọi lại sau"), _conflict(fourth.id, "Đồng ý")])
        return {"first": first.id, "fourth": fourth.id}


def _conflict(request_id: int, note: str) -> SyncConflict:
    """A decision the server refused: the teacher's note, and the server's row with its reason."""
    return SyncConflict(
        intent_id=f"intent-{request_id}",
        intent_name="decide_leave",
        code="stale",
        message="Đơn đã thay đổi",
        mine=json.dumps(
            {"request_id": request_id, "approve": True, "note": note}, ensure_ascii=False
        ),
        theirs=json.dumps(
            [{"id": request_id, "reason_text": REASON, "status": "cancelled"}], ensure_ascii=False
        ),
        created_at=at(date(2025, 10, 7)),
    )


def test_the_rule_counts_the_retention_days_after_the_last_day() -> None:
    assert purge_from(date(2026, 5, 31), 365) == date(2027, 6, 1)
    assert not is_due(date(2026, 5, 31), 365, date(2027, 5, 31))
    assert is_due(date(2026, 5, 31), 0, date(2026, 6, 1))


def test_nothing_is_due_on_the_last_kept_day(db: Database, small: SmallClass) -> None:
    _fill(db, small)
    with db.transaction() as session:
        report = retention.purge(session, today=date(2027, 5, 31), actor="GV")
    assert report.years == ()


def test_a_dry_run_reports_the_hand_count_and_changes_nothing(
    db: Database, small: SmallClass
) -> None:
    ids = _fill(db, small)
    with db.transaction() as session:
        report = retention.purge(session, today=date(2027, 6, 1), actor="GV", dry_run=True)
    assert [
        (y.year, y.reasons, y.decision_notes, y.audit_notes, y.conflicts) for y in report.years
    ] == [("2025-2026", 2, 1, 1, 1)]
    assert not report.applied
    with db.reading() as session:
        assert session.get_one(LeaveRequest, ids["first"]).reason_text == REASON
        assert session.scalars(select(AuditLogEntry)).all() == []


def test_the_purge_removes_the_details_and_keeps_what_the_law_requires(
    db: Database, small: SmallClass
) -> None:
    ids = _fill(db, small)
    with db.transaction() as session:
        audit_log.append(session, actor="GV", action="approve", entity="leave_request",
                         entity_id=ids["first"], after={"status": "approved"})  # fmt: skip
    with db.transaction() as session:
        report = retention.purge(session, today=date(2027, 6, 1), actor="GV")
    assert report.applied and report.total == 5
    with db.reading() as session:
        first = session.get_one(LeaveRequest, ids["first"])
        assert (first.reason_text, first.decision_note, first.audits[0].note) == ("", "", "")
        assert (first.status, first.reason_category, first.version) == ("approved", "illness", 1)
        mark = session.scalars(select(AttendanceMark)).one()
        assert (mark.status, mark.leave_request_id) == ("excused", ids["first"])
        fourth = session.get_one(LeaveRequest, ids["fourth"])
        assert (fourth.reason_text, fourth.decision_note) == (REASON, "Đồng ý")
        entries = session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id)).all()
        assert [e.action for e in entries] == ["approve", "retention_purge"]
        assert json.loads(entries[1].after) == {
            "reasons": 2, "decision_notes": 1, "audit_notes": 1, "conflicts": 1,
            "retention_days": 365,
        }  # fmt: skip
        purged, kept = session.scalars(select(SyncConflict).order_by(SyncConflict.id)).all()
        assert json.loads(purged.mine) == {"request_id": ids["first"], "approve": True, "note": ""}
        assert json.loads(purged.theirs) == [
            {"id": ids["first"], "reason_text": "", "status": "cancelled"}
        ]
        assert REASON in kept.theirs and "Đồng ý" in kept.mine
        year = session.get_one(SchoolClass, small.class_id).school_year_id
        assert retention.purged_years(session) == {year}
        assert "sốt" not in entries[1].after and "Mẹ" not in entries[1].after
        assert audit_log.verify(session).intact
    with db.transaction() as session:
        again = retention.purge(session, today=date(2027, 6, 1), actor="GV")
    assert again.years == ()


def test_the_purged_text_is_gone_from_the_file_not_only_from_the_rows(
    db: Database, small: SmallClass
) -> None:
    """SQLite leaves an updated cell's old bytes in the page's free space and keeps earlier
    pages in the write-ahead log: the purge zeroes the first (``secure_delete``) and ``settle``
    empties the second, so the file's bytes no longer hold the reason."""
    _fill(db, small)
    more = [f"Con bị ốm lần thứ {n}, gia đình xin phép nghỉ" for n in range(30)]
    with db.transaction() as session:
        session.add_all(
            _request(small.student_ids[n % 3], date(2025, 12, 1 + n % 28), reason=reason)
            for n, reason in enumerate(more)
        )
    files = [db.path, Path(f"{db.path}-wal")]
    with db.transaction() as session:
        # Off, as in SQLCipher's and python.org's builds (Debian's SQLite has it on by default).
        session.connection().exec_driver_sql("PRAGMA secure_delete = OFF")
        report = retention.purge(session, today=date(2027, 6, 1), actor="GV")
    assert report.total == 5 + len(more)
    retention.settle(db)
    held = b"".join(file.read_bytes() for file in files if file.exists())
    for purged in ("Mẹ xác nhận qua điện thoại", "Việc gia đình", "Gọi lại sau", *more):
        assert purged.encode() not in held, purged
    assert REASON.encode() in held  # 2026-2027's, kept
