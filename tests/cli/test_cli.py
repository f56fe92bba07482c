"""The command line: decisions, roll call, grades, bad input, exit codes, languages."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.calendar import Session, Slot
from desktop.models import Student
from desktop.models.db import open_database
from desktop.services import leave
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.cli.conftest import Run
from tests.factories import at

ROOT = Path(__file__).resolve().parents[2]
THU, FRI = date(2025, 10, 2), date(2025, 10, 3)


def submit(profile: Path, first: date = THU, last: date = FRI) -> int:
    """A parent's request arriving (as sync will deliver it): HS001, first morning to last
    afternoon, level 3."""
    database = open_database(profile / "homeroom.sqlite3")
    with database.transaction() as s:
        student = s.scalars(select(Student).where(Student.code == "HS001")).one()
        changes = leave.submit(
            s,
            load_scope(s),
            NewRequest(
                student_id=student.id,
                guardian_id=student.guardians[0].id,
                first=Slot.of(first, Session.MORNING),
                last=Slot.of(last, Session.AFTERNOON),
                reason_category="illness",
                reason_text="Sốt",
                channel=3,
                submitted_at=at(first),
            ),
            actor="parent",
        )
    database.close()
    return int(next(iter(changes.ids("leave_request"))))


def test_approve_then_list_and_show_as_json(run: Run, profile: Path) -> None:
    """An approval is visible in list and show; JSON field names are the documented ones."""
    rid = submit(profile)
    result = run("leave", "approve", str(rid), "--note", "Đã gọi điện cho phụ huynh")
    assert result.code == 0
    assert result.out.strip() == f"Đã duyệt đơn #{rid}."
    rows = run("leave", "list", "--json").json()
    assert [(r["id"], r["status"], r["sessions"]) for r in rows] == [(rid, "approved", 4)]
    shown = run("leave", "show", str(rid), "--json").json()
    assert shown["decision_note"] == "Đã gọi điện cho phụ huynh"
    # Today is 20/10; the leave ended Friday 03/10, more than 3 school days ago.
    assert shown["original"] == "overdue"
    assert run("leave", "original", str(rid), "--date", "06/10/2025").code == 0
    assert run("leave", "show", str(rid), "--json").json()["original"] == "received"


def test_reject_requires_a_reason_and_an_illegal_transition_exits_2(
    run: Run, profile: Path
) -> None:
    """Missing --reason is a usage error; deciding twice is refused with a clear message."""
    rid = submit(profile)
    assert run("leave", "reject", str(rid)).code == 2
    assert run("leave", "reject", str(rid), "--reason", "Không có giấy khám").code == 0
    again = run("leave", "approve", str(rid))
    assert again.code == 2
    assert again.err.startswith("Lỗi: ") and f"#{rid}" in again.err
    assert "Traceback" not in again.err


def test_unknown_id_exits_2_and_changes_nothing(run: Run) -> None:
    """An id that names nothing is bad input."""
    result = run("leave", "approve", "999")
    assert result.code == 2
    assert "999" in result.err
    assert run("log", "verify").out.strip() == "Nhật ký nguyên vẹn: 0 mục."


@pytest.mark.parametrize("value", ["11", "-1", "7.25", "abc"])
def test_invalid_grades_exit_2(run: Run, value: str) -> None:
    """Circular 22 scores are 0-10 with at most one decimal."""
    result = run("grades", "set", "HS001", "TOAN", "1", "TX1", value)
    assert result.code == 2, result
    assert value in result.err or "0" in result.err
    assert run("grades", "completeness", "--json").json()["entered"] == 0


def test_grades_set_report_and_review(run: Run) -> None:
    """Entering a full semester gives the hand-computed average in the report."""
    for column, value in [
        ("TX1", "6"),
        ("TX2", "8"),
        ("TX3", "7,5"),
        ("TX4", "9"),
        ("GK", "5"),
        ("CK", "10"),
    ]:
        assert run("grades", "set", "HS001", "TOAN", "1", column, value).code == 0
    report = run("grades", "report", "--semester", "1", "--json").json()
    hs001 = next(r for r in report if r["student_code"] == "HS001")
    toan = next(s for s in hs001["subjects"] if s["subject_code"] == "TOAN")
    # (6 + 8 + 7.5 + 9 + 2·5 + 3·10) / 9 = 70.5 / 9 = 7.83 → 7.8
    assert toan["average"] == "7.8"
    assert run("grades", "review", "TOAN", "1", "--yes").code == 0
    assert run("grades", "review", "TOAN", "1", "--send-back", "Thiếu điểm").code == 0


def test_roll_call_and_summary(run: Run) -> None:
    """An absence without leave counts as unexcused in the summary."""
    assert run("attendance", "mark", "HS002", "06/10/2025", "sáng", "absent").code == 0
    rows = run("attendance", "summary", "--json").json()
    binh = next(r for r in rows if r["student_code"] == "HS002")
    assert (binh["unexcused"], binh["excused"], binh["total_absences"]) == (1, 0, 1)
    sunday = run("attendance", "mark", "HS002", "05/10/2025", "sáng", "absent")
    assert sunday.code == 2 and "05/10/2025" in sunday.err
    outside = run("attendance", "mark", "HS002", "05/07/2026", "sáng", "absent")
    assert outside.code == 2


def test_class_list_order_is_vietnamese(run: Run) -> None:
    """Summary rows follow the class list: given name first (An, Bình, Đức)."""
    rows = run("attendance", "summary", "--json").json()
    assert [r["student_name"] for r in rows] == ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Đức"]


def test_audit_select_and_record(run: Run, profile: Path) -> None:
    """A special case is always selected for post-audit, with the reason stated."""
    rid = submit(
        profile, date(2025, 10, 13), date(2025, 10, 16)
    )  # 4 days, 8 sessions: a special case
    assert run("leave", "signoff", str(rid), "--by", "Võ Văn Hiệu").code == 0
    assert run("leave", "approve", str(rid)).code == 0
    selected = run("audit", "select", "--json").json()
    assert [s["request_id"] for s in selected] == [rid]
    assert "special_case" in selected[0]["reasons"]
    result = run("audit", "record", str(rid), "--method", "phone", "--outcome", "discrepancy")
    assert result.code == 0
    rows = run("attendance", "summary", "--json").json()
    an = next(r for r in rows if r["student_code"] == "HS001")
    assert (an["excused"], an["unexcused"]) == (0, 8)


def test_english_messages_with_homeroom_lang(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """HOMEROOM_LANG=en switches messages to English."""
    monkeypatch.setenv("HOMEROOM_LANG", "en")
    result = run("leave", "approve", "999")
    assert result.err.strip() == "Error: There is no leave request #999."


def test_help_and_version_run_as_a_real_process(tmp_path: Path) -> None:
    """The installed entry point prints Vietnamese help and the version, with exit 0."""
    env = {**os.environ, "HOMEROOM_DATA_DIR": str(tmp_path)}
    env.pop("HOMEROOM_LANG", None)
    help_ = subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert help_.returncode == 0
    assert "cách dùng: homeroom" in help_.stdout and "đơn xin nghỉ học" in help_.stdout
    version = subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "--version"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert version.stdout.startswith("homeroom ")


def test_a_file_that_is_not_a_database_exits_3(tmp_path: Path, run: Run, profile: Path) -> None:
    """A damaged or foreign database file gives a clear message, not a traceback."""
    (profile / "homeroom.sqlite3").write_bytes(b"not a database at all")
    for suffix in ("-wal", "-shm"):
        (profile / f"homeroom.sqlite3{suffix}").unlink(missing_ok=True)
    result = run("leave", "list")
    assert result.code == 3
    assert "không phải cơ sở dữ liệu" in result.err
