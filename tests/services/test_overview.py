"""The overview on the demo class: its counts are the leave, attendance, grade and sync
services' own, a decision or a refused change moves them, and it reads the database a fixed
number of times whatever the class holds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from desktop import i18n
from desktop.cli.main import main
from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, school_time
from desktop.domain.leave import LeaveStatus
from desktop.models import AttendanceMark, SyncConflict
from desktop.models.base import utc_now
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import attendance, grade_report, leave, workspace
from desktop.services.intents import perform
from desktop.services.overview import (
    FIRST_ITEMS,
    Line,
    LineKind,
    Link,
    Overview,
    SectionKind,
    Severity,
    overview,
)
from desktop.sync import state
from tests.support.profiles import copy_profile


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overview-demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder / DATABASE_FILE


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    database = open_database(copy_profile(demo_template, tmp_path / DATABASE_FILE))
    yield database
    database.close()


def computed(database: Database, today: date | None = None) -> Overview:
    with workspace.work(database, None, write=False) as unit:
        return overview(unit.session, unit.scope, today=today or unit.today)


def only(result: Overview, kind: LineKind) -> Line:
    (line,) = result.lines(kind)
    return line


def test_the_leave_counts_are_the_leave_services_own(demo: Database) -> None:
    """Pending (oldest first, with the days waited since the profile's today), special cases
    awaiting the principal, overdue originals and post-audits due match the request list."""
    with workspace.work(demo, None, write=False) as unit:
        rows = leave.list_requests(unit.session, unit.scope, today=unit.today)
        today = unit.today
    result = computed(demo)
    assert result.today == today == date(2026, 3, 16)

    pending = sorted((r for r in rows if r.status == "submitted"), key=lambda r: r.submitted_at)
    line = only(result, LineKind.PENDING)
    assert line.count == len(pending) > FIRST_ITEMS
    assert [item.ref for item in line.items] == [r.id for r in pending[:FIRST_ITEMS]]
    assert [item.number for item in line.items] == [
        (today - school_time(r.submitted_at).date()).days for r in pending[:FIRST_ITEMS]
    ]
    assert line.more == len(pending) - FIRST_ITEMS
    assert line.link == Link.to("leave", status="submitted")
    assert line.severity is Severity.INFO
    oldest = line.items[0]
    assert line.detail().startswith(f"{oldest.name} (đã chờ {oldest.number} ngày)")
    assert line.detail().endswith(f"và {line.more} đơn khác")

    special = [r for r in pending if r.special_case and r.principal_signoff_on is None]
    line = only(result, LineKind.SPECIAL_CASES)
    assert line.count == len(special) >= 1
    assert line.link == Link.to("leave", status="submitted", request_id=special[0].id)

    overdue = [r for r in rows if r.original == "overdue"]
    line = only(result, LineKind.ORIGINALS_OVERDUE)
    assert line.count == len(overdue) >= 1
    assert {item.ref for item in line.items} <= {r.id for r in overdue}
    assert line.severity is Severity.WARNING
    assert all(item.number > 0 for item in line.items)

    audits = [r for r in rows if r.audit_status == "selected"]
    line = only(result, LineKind.POST_AUDITS)
    assert line.count == len(audits) >= 1
    assert line.link == Link.to("post_audit")


def test_the_absence_bands_are_the_attendance_services_warnings(demo: Database) -> None:
    """One line per warning threshold (45, 40, 30), counting the students whose highest
    warning it is; a band without students is calm and opens nothing."""
    with workspace.work(demo, None, write=False) as unit:
        students = attendance.summary(unit.session, unit.scope)
    result = computed(demo)
    lines = result.section(SectionKind.ATTENDANCE).lines
    assert [line.args["threshold"] for line in lines] == [45, 40, 30]
    for line in lines:
        reached = sorted(
            (s for s in students if s.warning == line.args["threshold"]),
            key=lambda s: -s.total_absences,
        )
        assert line.count == len(reached)
        assert [(item.ref, item.number) for item in line.items] == [
            (s.student_id, s.total_absences) for s in reached[:FIRST_ITEMS]
        ]
        if not reached:
            assert line.severity is Severity.CALM
            assert line.link is None
    assert [line.title() for line in lines] == [
        "Nghỉ từ 45 buổi trở lên",
        "Nghỉ từ 40 đến 44 buổi",
        "Nghỉ từ 30 đến 39 buổi",
    ]


def test_a_student_passing_45_sessions_moves_to_the_red_line(demo: Database) -> None:
    """Three more absences for the student in the 40 band put them above the limit: the 45
    line turns red, names them as over the limit and links to their attendance."""
    before = computed(demo)
    forty = before.section(SectionKind.ATTENDANCE).lines[1]
    student_id = forty.items[0].ref
    assert forty.items[0].number in range(43, 45)
    with workspace.work(demo, None) as unit:
        absent = {
            (m.day, m.session)
            for m in unit.session.scalars(
                select(AttendanceMark).where(AttendanceMark.student_id == student_id)
            )
            if m.status in ("excused", "unexcused")
        }
        calendar = unit.scope.calendar
        free = [
            slot
            for slot in calendar.slots_between(
                Slot.of(calendar.first_day, SchoolSession.MORNING),
                Slot.of(unit.today, SchoolSession.AFTERNOON),
            )
            if (slot.day, slot.session.value) not in absent
        ]
        for slot in free[:3]:
            perform(
                unit.session,
                unit.scope,
                "set_attendance",
                {
                    "student_id": student_id,
                    "day": slot.day.isoformat(),
                    "session": slot.session.value,
                    "observed": Observation.ABSENT.value,
                },
                actor=unit.actor,
            )
    after = computed(demo).section(SectionKind.ATTENDANCE).lines
    red = after[0]
    assert red.severity is Severity.ALERT
    assert red.count == 1
    assert red.items[0].ref == student_id and red.items[0].flagged
    assert red.detail().endswith("buổi (vượt giới hạn)")
    assert red.link == Link.to("attendance", student_id=student_id)
    assert after[1].count == forty.count - 1


def test_the_grade_lines_are_the_completeness_report(demo: Database) -> None:
    """The missing count is expected minus entered; each subject with late or overdue entries
    has its line, linking to that subject's grades."""
    with workspace.work(demo, None, write=False) as unit:
        report = grade_report.completeness(unit.session, unit.scope, today=unit.today)
    result = computed(demo)
    missing = only(result, LineKind.GRADES_MISSING)
    assert missing.count == report.expected - report.entered
    assert f"Đã nhập {report.entered}/{report.expected} (" in missing.detail()
    late = result.lines(LineKind.GRADES_LATE)
    assert [(line.args["code"], line.args["semester"], line.count) for line in late] == [
        (row.subject_code, row.semester, row.late) for row in report.subjects if row.late
    ]
    assert late, "the demo has late entries"
    assert late[0].link == Link.to(
        "grade_review", subject=late[0].args["code"], semester=late[0].args["semester"]
    )
    overdue = result.lines(LineKind.GRADES_OVERDUE)
    assert sum(line.count or 0 for line in overdue) == sum(r.overdue for r in report.subjects)


def test_a_decision_moves_a_request_out_of_pending(demo: Database) -> None:
    """Approving the oldest pending request (a special case the principal signed off) takes it
    off the pending line and leaves one change waiting to be sent."""
    before = computed(demo)
    pending = only(before, LineKind.PENDING)
    with workspace.work(demo, None) as unit:
        rows = leave.list_requests(unit.session, unit.scope, status="submitted", today=unit.today)
        chosen = next(r for r in rows if r.id == pending.items[0].ref)
        assert chosen.principal_signoff_on is not None or not chosen.special_case
        perform(
            unit.session,
            unit.scope,
            "decide_leave",
            {"request_id": chosen.id, "approve": True, "note": "", "base_version": chosen.version},
            actor=unit.actor,
        )
    after = computed(demo)
    line = only(after, LineKind.PENDING)
    assert line.count == (pending.count or 0) - 1
    assert chosen.id not in {item.ref for item in line.items}
    assert line.items[0].ref == pending.items[1].ref
    waiting = only(after, LineKind.WAITING)
    assert waiting.count == 1 and waiting.severity is Severity.INFO


def test_a_refused_change_appears_until_seen(demo: Database) -> None:
    """A change the server refused shows on the conflicts line, naming the request, linking to
    the conflicts screen; once the teacher has seen it, the line is calm again."""
    assert only(computed(demo), LineKind.CONFLICTS).count == 0
    with demo.transaction() as session:
        conflict = SyncConflict(
            intent_id=str(uuid.uuid4()),
            intent_name="decide_leave",
            code="stale_version",
            message="Đơn đã thay đổi",
            mine=json.dumps({"request_id": 107, "approve": True}),
            theirs="[]",
            created_at=utc_now(),
        )
        session.add(conflict)
    line = only(computed(demo), LineKind.CONFLICTS)
    assert line.count == 1
    assert line.severity is Severity.WARNING
    assert line.link == Link.to("conflicts")
    assert line.detail() == "Quyết định về đơn #107"
    with demo.transaction() as session:
        session.get_one(SyncConflict, conflict.id).seen_at = utc_now()
    line = only(computed(demo), LineKind.CONFLICTS)
    assert (line.count, line.severity, line.link) == (0, Severity.CALM, None)


def test_the_sync_state_says_who_is_signed_in_and_when_it_last_worked(demo: Database) -> None:
    """Not signed in is said plainly; signed in, the account, the last success and an error
    are shown."""
    account = only(computed(demo), LineKind.ACCOUNT)
    assert account.title() == "Chưa đăng nhập máy chủ của trường"
    assert account.severity is Severity.NOTICE
    assert only(computed(demo), LineKind.WAITING).detail() == "Chưa đồng bộ lần nào."
    with demo.transaction() as session:
        state.sign_in(session, state.SignedIn("https://truong.example", "gvcn", 1))
        state.put(session, state.LAST_SUCCESS, "2026-03-16T00:42:00+00:00")
        state.put(session, state.LAST_ERROR, "Không kết nối được máy chủ.")
    result = computed(demo)
    account = only(result, LineKind.ACCOUNT)
    assert (account.title(), account.detail()) == ("Đã đăng nhập: gvcn", "https://truong.example")
    assert only(result, LineKind.WAITING).detail() == "Đồng bộ lần cuối: 07:42 16/03/2026"
    assert only(result, LineKind.SYNC_ERROR).detail() == "Không kết nối được máy chủ."


def test_ages_count_from_the_given_today_not_the_clock(demo: Database) -> None:
    """The days a request has waited follow ``today`` (the demo's day), never the real date."""
    now = only(computed(demo), LineKind.PENDING)
    later = only(computed(demo, date(2026, 3, 16) + timedelta(days=3)), LineKind.PENDING)
    assert [item.number for item in later.items] == [item.number + 3 for item in now.items]


def test_the_texts_follow_the_language_in_force(demo: Database) -> None:
    """Lines keep their inputs, not their texts: the same overview reads in English once the
    language is switched."""
    line = only(computed(demo), LineKind.PENDING)
    assert line.title() == "Đơn xin nghỉ chờ duyệt"
    i18n.set_language("en")
    try:
        assert line.title() == "Requests awaiting your decision"
        assert "waiting" in line.detail()
    finally:
        i18n.set_language(None)


def test_it_reads_the_database_a_fixed_number_of_times(demo: Database) -> None:
    """One pass per kind: the number of statements does not grow with the requests decided,
    the refused changes or the marks recorded (no query per row)."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    computed(demo)  # what is read once per database (the demo's pinned day) is read
    event.listen(demo.engine, "before_cursor_execute", count)
    computed(demo)
    first = len(statements)
    with workspace.work(demo, None) as unit:
        for row in leave.list_requests(
            unit.session, unit.scope, status=LeaveStatus.SUBMITTED.value, today=unit.today
        ):
            if not row.special_case:
                leave.decide(
                    unit.session, unit.scope, request_id=row.id, approve=True, actor=unit.actor
                )
        for number in range(20):
            unit.session.add(
                SyncConflict(
                    intent_id=str(uuid.uuid4()),
                    intent_name="set_grade",
                    code="conflict",
                    message="",
                    mine="{}",
                    theirs="[]",
                    created_at=utc_now() - timedelta(minutes=number),
                )
            )
    statements.clear()
    computed(demo)
    event.remove(demo.engine, "before_cursor_execute", count)
    assert len(statements) == first
