"""The incident notification report and the per-student record, read back from the PDF with
pypdfium2: the Decree 30 heading, the incident's facts, the hours left (a fixed clock), the
data kinds with hand-counted figures and their earliest day, encryption and sync, and only
counts about students; the student's record holds that student's data and no one else's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from desktop.domain.incidents import IncidentFacts, IncidentKind, parse_moment
from desktop.models import AuditLogEntry, GradeEntry, LeaveRequest, OutboxIntent, Subject
from desktop.models.db import Database, open_database
from desktop.reports import incident_report, student_record
from desktop.services import incidents
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.services.scope import load_scope
from desktop.sync import state
from tests.factories import at, build_small_class

TEACHER = "Trần Thị Hồng Nhung"
# 09:40 on 20/10/2025 at school (UTC+7): 54 h 50 min before the deadline of an incident at
# 16:30 on 19/10 (72 h later: 16:30 on 22/10), so 54 whole hours are left.
CLOCK = datetime(2025, 10, 20, 2, 40, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    """The document's text, pages joined, whitespace runs as one space."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return " ".join(" ".join(pages).split())
    finally:
        document.close()


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Database]:
    """The small class with two leave requests (one with a reason), a grade, a sync, two
    changes waiting for the server and one incident."""
    db = open_database(tmp_path / "homeroom.sqlite3")
    with db.transaction() as s:
        small = build_small_class(s)
        set_setting(s, TODAY_KEY, "2025-10-20")
        for day, reason in ((date(2025, 9, 15), "Con bị sốt"), (date(2025, 10, 6), "")):
            s.add(
                LeaveRequest(student_id=small.student_ids[0], submitted_at=at(day),
                             first_day=day, first_session="morning", last_day=day,
                             last_session="morning", reason_category="illness",
                             reason_text=reason, channel=4, status="approved",
                             decision_note="Đồng ý")
            )  # fmt: skip
        subject = s.scalars(select(Subject)).first()
        assert subject is not None
        s.add(
            GradeEntry(student_id=small.student_ids[1], subject_id=subject.id, semester=1,
                       kind="TX", slot=1, score="8.5", author=TEACHER,
                       entered_at=at(date(2025, 9, 22)), updated_at=at(date(2025, 9, 22)))
        )  # fmt: skip
        state.put(s, state.LAST_SUCCESS, "2025-10-19T10:05:00+00:00")
        for name in ("decide_leave", "set_grade"):
            s.add(
                OutboxIntent(id=str(uuid.uuid4()), name=name, args=json.dumps({}), actor=TEACHER,
                             created_at=at(date(2025, 10, 19)))
            )  # fmt: skip
        incidents.add(
            s,
            IncidentFacts(
                IncidentKind.LOST_DEVICE,
                parse_moment("19/10/2025 16:30"),
                parse_moment("19/10/2025 18:05"),
                "Máy tính phòng giáo viên bị mất sau giờ học.\nMáy có hồ sơ lớp 11A1.",
                "Đã báo bảo vệ và công an phường.",
            ),
            actor=TEACHER,
        )
    yield db
    db.close()


def _report(db: Database, *, encrypted: bool = False, clock: datetime = CLOCK) -> str:
    with db.transaction() as s:
        data = incident_report.render_incident_report(
            s, load_scope(s), 1, encrypted=encrypted, clock=lambda: clock
        )
    assert data.startswith(b"%PDF")
    return pdf_text(data)


def test_the_report_states_the_incident_the_deadline_and_the_data_held(filled: Database) -> None:
    text = _report(filled)
    for expected in (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
        "TRƯỜNG THPT NGUYỄN ĐÌNH CHIỂU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bến Tre, ngày 20 tháng 10 năm 2025",
        "BÁO CÁO SỰ CỐ DỮ LIỆU CÁ NHÂN",
        "Kính gửi: Hiệu trưởng Trường THPT Nguyễn Đình Chiểu",
        "Loại sự cố: Mất hoặc bị trộm máy tính, thiết bị lưu trữ",
        "Xảy ra lúc: 16:30 ngày 19/10/2025",
        "Phát hiện lúc: 18:05 ngày 19/10/2025",
        "Máy tính phòng giáo viên bị mất sau giờ học. Máy có hồ sơ lớp 11A1.",
        "Biện pháp đã thực hiện: Đã báo bảo vệ và công an phường.",
        "Điều 23 Nghị định 13/2023/NĐ-CP",
        "Hạn thông báo: 16:30 ngày 22/10/2025",
        "Còn 54 giờ tính đến lúc lập báo cáo này (09:40 ngày 20/10/2025)",
        "Các lớp: 11A1 (2025-2026)",
        "Lưu từ ngày (bản ghi sớm nhất): 01/09/2025",
        "Cơ sở dữ liệu được mã hoá: không",
        "Lần đồng bộ gần nhất với máy chủ của trường: 17:05 ngày 19/10/2025",
        "Thay đổi chưa gửi lên máy chủ: 2",
        "Đơn nghỉ và hậu kiểm: 1",
        "Điểm và rèn luyện: 1",
        "Họ tên, ngày sinh, giới tính của học sinh 3",
        "Số điện thoại của phụ huynh 4",
        "Đơn xin nghỉ 2 15/09/2025",
        "Lý do nghỉ học phụ huynh ghi 1 15/09/2025",
        "Điểm số 1 22/09/2025",
        "NGƯỜI BÁO CÁO",
        TEACHER,
    ):
        assert expected in text, expected
    # Counts only: no student's or guardian's name, phone or reason.
    for private in ("Nguyễn Văn An", "0900000001", "Con bị sốt"):
        assert private not in text


def test_the_report_says_when_the_deadline_has_passed_and_that_the_file_is_encrypted(
    filled: Database,
) -> None:
    late = datetime(2025, 10, 22, 14, 40, tzinfo=UTC)  # 21:40 on 22/10 at school
    with filled.transaction() as s:
        set_setting(s, TODAY_KEY, "2025-10-22")
    text = _report(filled, encrypted=True, clock=late)
    assert "Đã quá hạn 5 giờ tính đến lúc lập báo cáo này (21:40 ngày 22/10/2025)" in text
    assert "Cơ sở dữ liệu được mã hoá: có" in text


def test_making_the_report_is_noted_on_the_incident_and_in_the_log(filled: Database) -> None:
    _report(filled)
    with filled.reading() as s:
        assert incidents.get(s, 1).reported_at == CLOCK.replace(day=20)
        actions = [e.action for e in s.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id))]
    assert actions[-2:] == ["privacy_incident_recorded", "privacy_incident_reported"]


def test_the_student_record_lays_out_that_student_s_data_only(filled: Database) -> None:
    with filled.reading() as s:
        data = student_record.render_student_record(s, load_scope(s), "HS001")
    text = pdf_text(data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "DỮ LIỆU CÁ NHÂN CỦA HỌC SINH",
        "Họ và tên: Nguyễn Văn An",
        "Mã học sinh: HS001",
        "Ngày sinh: 10/01/2009",
        "Lớp: 11A1, năm học 2025-2026",
        "0900000001",
        "Ông Nội",
        "Ốm đau: Con bị sốt",
        "Đồng ý",
        "Chưa có điểm nào.",
        "6. Sổ Chủ Nhiệm lưu gì và vì sao",
    ):
        assert expected in text, expected
    assert "Lê Thị Bình" not in text and "8,5" not in text


def test_a_description_longer_than_a_page_flows_onto_the_next_ones(filled: Database) -> None:
    """The longest description allowed, one paragraph opening with a 300-letter word: nothing
    is cut (reportlab cannot split one block taller than a page)."""
    from desktop.domain.incidents import MAX_DESCRIPTION

    sentences = " ".join(f"Câu số {n}." for n in range(1000))
    long = ("A" * 300 + " " + sentences)[:MAX_DESCRIPTION].rsplit(" ", 1)[0]
    with filled.transaction() as s:
        old = incidents.get(s, 1).facts
        incidents.edit(s, 1, IncidentFacts(old.kind, old.occurred_at, old.discovered_at, long),
                       actor=TEACHER)  # fmt: skip
    with filled.transaction() as s:
        data = incident_report.render_incident_report(
            s, load_scope(s), 1, encrypted=False, clock=lambda: CLOCK
        )
    document = pdfium.PdfDocument(data)
    pages = len(document)
    document.close()
    assert pages >= 3
    text = pdf_text(data)
    assert "A" * 300 in text.replace(" ", "")
    # Every sentence, to the last whole one (the page footers come between some of them).
    whole = long.count(".")
    assert whole > 300 and all(f"Câu số {n}." in text for n in range(whole))
    assert "Chưa ghi nhận biện pháp nào." in text
