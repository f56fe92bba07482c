"""``homeroom privacy incident add|edit|list|report`` and ``privacy export CODE --pdf`` on the
small class (the profile's today pinned to 20/10/2025): the records, the refusals in Vietnamese
with nothing stored, the PDFs read back, and the conduct ratings in both exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from desktop.models import AuditLogEntry, ConductRating, Student
from desktop.models.db import DATABASE_FILE, open_database
from tests.cli.conftest import Run
from tests.cli.test_fast_commands import run_listing
from tests.factories import at
from tests.reports.test_incident_report import pdf_text

ADD = (
    "privacy", "incident", "add", "--kind", "lost_device", "--happened", "19/10/2025 16:30",
    "--discovered", "19/10/2025 18:05", "--description", "Mất máy tính phòng giáo viên",
)  # fmt: skip


def _actions(profile: Path) -> list[str]:
    database = open_database(profile / DATABASE_FILE)
    with database.reading() as session:
        actions = [
            e.action for e in session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))
        ]
    database.close()
    return actions


def test_an_incident_is_recorded_listed_changed_and_reported(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    added = run(*ADD)
    assert added.code == 0, added.err
    assert added.out.strip() == "Đã ghi nhận sự cố số 1."
    edited = run("privacy", "incident", "edit", "1", "--measures", "Đã báo công an phường")
    assert edited.out.strip() == "Đã sửa sự cố số 1.", edited.err
    listed = run("privacy", "incident", "list")
    row = listed.out.splitlines()[2]
    assert row.startswith("1 ")
    assert "Mất hoặc bị trộm máy tính, thiết bị lưu trữ" in row
    assert "16:30 ngày 22/10/2025" in row and "Mất máy tính phòng giáo viên" in row
    held = run("privacy", "incident", "list", "--json").json()
    assert held[0]["facts"]["kind"] == "lost_device"
    assert held[0]["facts"]["measures"] == "Đã báo công an phường"
    assert held[0]["reported_at"] is None

    target = tmp_path / "su-co-1.pdf"
    made = run("privacy", "incident", "report", "1", "-o", str(target))
    assert made.code == 0, made.err
    assert made.out.strip() == f"Đã ghi báo cáo sự cố số 1 vào {target}."
    text = pdf_text(target.read_bytes())
    assert "BÁO CÁO SỰ CỐ DỮ LIỆU CÁ NHÂN" in text
    assert "Biện pháp đã thực hiện: Đã báo công an phường" in text
    assert "Hạn thông báo: 16:30 ngày 22/10/2025" in text
    assert run("privacy", "incident", "list", "--json").json()[0]["reported_at"] is not None
    assert _actions(profile) == [
        "privacy_incident_recorded",
        "privacy_incident_changed",
        "privacy_incident_reported",
    ]
    again = run("privacy", "incident", "report", "1", "-o", str(target))
    assert again.code != 0 and "đã có: hãy chọn tên khác" in again.err


def test_impossible_incidents_are_refused_in_vietnamese_and_nothing_is_kept(
    run: Run, profile: Path
) -> None:
    early = run(*ADD[:-4], "--discovered", "19/10/2025 07:00", *ADD[-2:])
    assert early.code != 0
    assert "Sự cố không thể được phát hiện trước khi xảy ra." in early.err
    empty = run(*ADD[:-1], "   ")
    assert "Hãy mô tả điều đã xảy ra trước khi lưu sự cố." in empty.err
    kind = run(*ADD[:4], "chay", *ADD[5:])
    assert "'chay' không phải loại sự cố" in kind.err
    moment = run(*ADD[:6], "32/10/2025", *ADD[7:])
    assert "'32/10/2025' không phải thời điểm hợp lệ" in moment.err
    assert run("privacy", "incident", "list").out.strip() == "Chưa ghi nhận sự cố nào."
    missing = run("privacy", "incident", "report", "9", "-o", "x.pdf")
    assert missing.code != 0 and "Không có sự cố số 9." in missing.err
    assert _actions(profile) == []


def _rate_conduct(profile: Path) -> None:
    database = open_database(profile / DATABASE_FILE)
    with database.transaction() as session:
        an = session.scalars(select(Student).where(Student.code == "HS001")).one()
        session.add(ConductRating(student_id=an.id, term=1, level="Khá", set_by="GV",
                                  set_at=at(date(2026, 1, 10))))  # fmt: skip
    database.close()


def test_the_student_record_is_exported_as_a_readable_pdf(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    _rate_conduct(profile)
    target = tmp_path / "an.pdf"
    result = run("privacy", "export", "HS001", "--pdf", str(target))
    assert result.code == 0, result.err
    assert result.out.strip() == f"Đã ghi vào {target}."
    text = pdf_text(target.read_bytes())
    assert "DỮ LIỆU CÁ NHÂN CỦA HỌC SINH" in text and "Họ và tên: Nguyễn Văn An" in text
    assert "Rèn luyện học kì 1: Khá" in text
    assert "Lê Thị Bình" not in text
    held = run("privacy", "export", "HS001").json()
    assert [(r["term"], r["level"]) for r in held["conduct_ratings"]] == [(1, "Khá")]
    both = run("privacy", "export", "HS001", "--pdf", str(target), "--output", "x.json")
    assert both.code != 0 and "--output" in both.err


def test_listing_incidents_loads_neither_qt_nor_the_network_nor_printing(
    tmp_path: Path, profile: Path
) -> None:
    code, out, packages = run_listing(
        tmp_path, "--data-dir", str(profile), "privacy", "incident", "list"
    )
    assert code == 0 and out.strip() == "Chưa ghi nhận sự cố nào."
    unused = {"PySide6", "httpx", "pydantic", "reportlab", "openpyxl"}
    assert packages.isdisjoint(unused), packages & unused
