"""``homeroom privacy purge [--dry-run]`` on the small class (year ends 31/05/2026, details kept
365 days): two requests with reason texts, one with a decision note, hand-counted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import AuditLogEntry, LeaveRequest, Student
from desktop.models.db import DATABASE_FILE, open_database
from desktop.services.profile import TODAY_KEY, set_setting
from tests.cli.conftest import Run
from tests.factories import at


def _prepare(profile: Path, today: str) -> None:
    database = open_database(profile / DATABASE_FILE)
    with database.transaction() as session:
        set_setting(session, TODAY_KEY, today)
        for student, note in zip(
            session.scalars(select(Student)).all()[:2], ["Đồng ý", ""], strict=True
        ):
            session.add(
                LeaveRequest(student_id=student.id, submitted_at=at(date(2025, 10, 6)),
                             first_day=date(2025, 10, 6), first_session="morning",
                             last_day=date(2025, 10, 6), last_session="morning",
                             reason_category="illness", reason_text="Con bị sốt", channel=4,
                             status="approved", decision_note=note)
            )  # fmt: skip
    database.close()


def _texts(profile: Path) -> list[tuple[str, str]]:
    database = open_database(profile / DATABASE_FILE)
    with database.reading() as session:
        rows = session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)).all()
        texts = [(r.reason_text, r.decision_note) for r in rows]
        actions = [e.action for e in session.scalars(select(AuditLogEntry))]
    database.close()
    return [*texts, ("audit", ",".join(actions))]


def test_a_dry_run_reports_and_the_purge_removes(run: Run, profile: Path) -> None:
    _prepare(profile, "2027-06-01")
    dry = run("privacy", "purge", "--dry-run")
    assert dry.code == 0, dry.err
    lines = dry.out.splitlines()
    assert lines[2].split() == ["2025-2026", "01/06/2027", "2", "1", "0", "0"]
    assert lines[-1] == "Sẽ xoá 3 chi tiết đơn nghỉ (chưa thay đổi gì)."
    assert _texts(profile) == [("Con bị sốt", "Đồng ý"), ("Con bị sốt", ""), ("audit", "")]
    done = run("privacy", "purge")
    assert done.code == 0, done.err
    assert done.out.splitlines()[-1] == "Đã xoá 3 chi tiết đơn nghỉ."
    assert _texts(profile) == [("", ""), ("", ""), ("audit", "retention_purge")]
    again = run("privacy", "purge", "--json")
    assert again.json() == {"years": [], "applied": True}


def test_before_the_period_ends_nothing_is_removed(run: Run, profile: Path) -> None:
    _prepare(profile, "2027-05-31")
    result = run("privacy", "purge")
    assert result.out.strip() == "Không có chi tiết đơn nghỉ nào quá thời hạn lưu giữ."
    assert _texts(profile)[0] == ("Con bị sốt", "Đồng ý")


def test_the_export_holds_everything_about_one_student_and_no_one_else(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    _prepare(profile, "2025-10-20")
    target = tmp_path / "an.json"
    result = run("privacy", "export", "HS001", "--output", str(target))
    assert result.code == 0, result.err
    assert result.out.strip() == f"Đã ghi vào {target}."
    held = json.loads(target.read_text(encoding="utf-8"))
    assert held["student"]["full_name"] == "Nguyễn Văn An"
    assert sorted(g["full_name"] for g in held["guardians"]) == ["Phụ huynh 1", "Ông Nội"]
    assert [(r["reason_text"], r["decision_note"]) for r in held["leave_requests"]] == [
        ("Con bị sốt", "Đồng ý")
    ]
    assert "Lê Thị Bình" not in target.read_text(encoding="utf-8")


def test_an_unknown_student_is_refused_in_vietnamese(run: Run) -> None:
    result = run("privacy", "export", "HS999")
    assert result.code != 0
    assert "Lớp này không có học sinh mã HS999." in result.err


def test_the_export_file_is_the_owners_alone_and_a_bad_folder_is_a_sentence(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    """The file holds a minor's data: readable by its owner only, as the other exports are;
    a folder that does not exist is said in Vietnamese (it was a traceback)."""
    _prepare(profile, "2025-10-20")
    target = tmp_path / "an.json"
    assert run("privacy", "export", "HS001", "--output", str(target)).code == 0
    assert target.stat().st_mode & 0o777 == 0o600
    missing = tmp_path / "không-có" / "an.json"
    result = run("privacy", "export", "HS001", "--output", str(missing))
    assert result.code == 2
    assert result.err.startswith(f"Lỗi: Không ghi được {missing}: ")
    assert "Traceback" not in result.err and not missing.parent.exists()


def test_a_bug_in_a_command_is_a_sentence_and_the_log_has_no_personal_data(
    profile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that fails on something unexpected (here an injected bug whose message quotes
    a guardian, as a database error quotes its row): the terminal gets a Vietnamese sentence,
    the profile's log the exception's type and frames, neither the guardian."""
    from desktop import paths
    from desktop.cli import commands_privacy
    from desktop.cli.main import main

    def broken(_args: object) -> int:
        raise RuntimeError("UNIQUE constraint failed: Lê Thị Bình 0912345678")

    monkeypatch.setattr(commands_privacy, "export", broken)
    assert main(["--data-dir", str(profile), "privacy", "export", "HS001"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "Lỗi: Đã xảy ra lỗi; chi tiết được ghi trong tệp nhật ký."
    log = (paths.log_dir(profile) / paths.LOG_FILE).read_text(encoding="utf-8")
    assert "a command failed" in log and "RuntimeError" in log and "in broken" in log
    assert "Lê Thị Bình" not in log and "0912345678" not in log


def test_a_pdf_name_given_to_output_is_pointed_to_pdf(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    """``--output ban-sao.pdf`` wrote JSON under a PDF's name; a guardian's copy is a PDF only
    through ``--pdf``."""
    _prepare(profile, "2025-10-20")
    target = tmp_path / "ban-sao.PDF"
    result = run("privacy", "export", "HS001", "--output", str(target))
    assert result.code == 2
    assert f"--output ghi tệp JSON; để có tệp PDF dễ đọc, hãy dùng --pdf {target}." in result.err
    assert not target.exists()
