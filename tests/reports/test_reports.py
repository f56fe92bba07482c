"""The print centre's reports on the small hand-made class, read back from the PDF with pypdf
and checked against counts made by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session, Slot
from desktop.domain.policy import SchoolPolicy
from desktop.errors import InvalidInput
from desktop.models import Student
from desktop.models.db import Database, open_database
from desktop.reports.catalogue import REPORTS, render_report
from desktop.reports.leaflet import remember_address
from desktop.services import attendance, leave, post_audit
from desktop.services.scope import load_scope
from tests.factories import SmallClass, build_small_class
from tests.promotion_class import build_promotion_class
from tests.reports.forms import Leave, add_request, pages_text

AM, PM = Session.MORNING, Session.AFTERNOON
HOSTILE = "<b>&amp; \"Tí\" 'Tèo' 😀 " + "W" * 300


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("HOMEROOM_TODAY", "2026-01-20")
    database = open_database(tmp_path / "homeroom.sqlite3")
    yield database
    database.close()


@pytest.fixture
def small(db: Database) -> SmallClass:
    policy = SchoolPolicy(absence_warnings=(2, 3, 4), absence_limit=4)
    with db.transaction() as s:
        return build_small_class(s, policy)


def mark(db: Database, student_id: int, day: date, session: Session, seen: Observation) -> None:
    with db.transaction() as s:
        attendance.mark(
            s, load_scope(s), student_id=student_id, slot=Slot.of(day, session), observed=seen,
            actor="GVCN",
        )  # fmt: skip


def report(db: Database, name: str, **options: str) -> bytes:
    with db.transaction() as s:
        return render_report(s, load_scope(s), name, **options)


def january(db: Database, small: SmallClass) -> None:
    """An (row 1): K on 05/01 AM and PM, M on 06/01 AM; Bình (row 2): P 07/01 AM-PM by an
    approved request; Đức (row 3): nothing."""
    an = small.student_ids[0]
    mark(db, an, date(2026, 1, 5), AM, Observation.ABSENT)
    mark(db, an, date(2026, 1, 5), PM, Observation.ABSENT)
    mark(db, an, date(2026, 1, 6), AM, Observation.LATE)
    add_request(
        db,
        small,
        Leave(
            first=Slot.of(date(2026, 1, 7), AM),
            last=Slot.of(date(2026, 1, 7), PM),
            submitted_at=datetime(2026, 1, 6, 12, tzinfo=UTC),
            decided_at=datetime(2026, 1, 6, 13, tzinfo=UTC),
            student=1,
        ),
    )


def test_the_attendance_register_shows_each_mark_and_the_totals(
    db: Database, small: SmallClass
) -> None:
    """Title, month, the names in Vietnamese order, the P/K/M letters and each row's month
    totals (P, K, M) and year absences, as counted by hand."""
    january(db, small)
    pdf = report(db, "attendance", month="01/2026")
    [text] = pages_text(pdf)
    assert "SỔ THEO DÕI CHUYÊN CẦN" in text
    assert "Lớp 11A1, tháng 01/2026, năm học 2025-2026" in text
    assert "In ngày 20/01/2026" in text and "Trang 1/1" in text
    # Rows: number, name, the marks in column order, then P K M (blank when 0), year total.
    assert "1 Nguyễn Văn An K K M 2 1 2" in text
    assert "2 Lê Thị Bình P P 2 2" in text
    assert "3 Phạm Minh Đức 0" in text
    assert text.index("Nguyễn Văn An") < text.index("Lê Thị Bình") < text.index("Phạm Minh Đức")
    assert PdfReader(BytesIO(pdf)).pages[0].mediabox.width > 800  # landscape A4


def test_the_absence_limit_lists_who_reached_a_level_the_most_absent_first(
    db: Database, small: SmallClass
) -> None:
    """With warnings at 2, 3, 4 and the limit 4: An (5 absent) is over the limit, Bình (2) at
    the first level, Đức (none) is not listed."""
    an, binh, _duc = small.student_ids
    for day in (date(2026, 1, 5), date(2026, 1, 6)):
        mark(db, an, day, AM, Observation.ABSENT)
        mark(db, an, day, PM, Observation.ABSENT)
    mark(db, an, date(2026, 1, 7), AM, Observation.ABSENT)
    mark(db, binh, date(2026, 1, 8), AM, Observation.ABSENT)
    mark(db, binh, date(2026, 1, 8), PM, Observation.ABSENT)
    [text] = pages_text(report(db, "absence-limit"))
    assert "HỌC SINH NGHỈ HỌC GẦN MỨC GIỚI HẠN" in text
    assert "tính đến ngày 20/01/2026" in text
    assert "1 HS001 Nguyễn Văn An 0 5 5 quá giới hạn 4 buổi: không được lên lớp" in text
    assert "2 HS002 Lê Thị Bình 0 2 2 mức cảnh báo 2 buổi" in text
    assert "Phạm Minh Đức" not in text


def test_the_absence_limit_says_so_when_nobody_reached_a_level(
    db: Database, small: SmallClass
) -> None:
    """No absences: a sentence, not an empty table."""
    [text] = pages_text(report(db, "absence-limit"))
    assert "Chưa có học sinh nào đến mức cảnh báo." in text


def test_completeness_counts_each_subject_and_column(db: Database, small: SmallClass) -> None:
    """Nothing entered: every expected cell of semester 1 is missing (Toán 105 periods: 4 TX,
    GK, CK × 3 students = 18; GDQP 35 periods: 2 TX, GK, CK × 3 = 12)."""
    [text] = pages_text(report(db, "completeness", semester="1"))
    assert "TÌNH HÌNH NHẬP ĐIỂM" in text
    assert "Lớp 11A1, học kì 1, năm học 2025-2026, tính đến ngày 20/01/2026" in text
    assert "1 Toán" in text and "18 0 18 0 0 0 CK: 3; GK: 3; TX1: 3; TX2: 3; TX3: 3; TX4: 3" in text
    assert "12 0 12 0 0 0 CK: 3; GK: 3; TX1: 3; TX2: 3" in text
    assert "học kì 2" not in text


def test_a_month_or_semester_the_report_cannot_read_is_refused(
    db: Database, small: SmallClass
) -> None:
    """A malformed month, a month outside the year and an unknown semester say what to write."""
    for name, options in (
        ("attendance", {"month": "13/2026"}),
        ("attendance", {"month": "07/2026"}),
        ("completeness", {"semester": "3"}),
    ):
        with pytest.raises(InvalidInput):
            report(db, name, **options)
    with pytest.raises(InvalidInput, match="Không có báo cáo"):
        report(db, "nothing")


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_embeds_the_serif_and_survives_hostile_names(
    db: Database, small: SmallClass, name: str
) -> None:
    """A name with markup, quotes, emoji and a 300-character word prints as it is, in the
    embedded Liberation Serif and no Helvetica."""
    with db.transaction() as s:
        student = s.scalars(select(Student).where(Student.id == small.student_ids[0])).one()
        student.full_name = HOSTILE
    an = small.student_ids[0]
    for index, day in enumerate((date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7))):
        mark(db, an, day, AM if index else PM, Observation.ABSENT)
    pdf = report(db, name, month="01/2026", address="https://sll.example.edu.vn/<&>")
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    if name in ("attendance", "absence-limit"):
        assert "<b>&amp; \"Tí\" 'Tèo'" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert "/FontFile2" in descriptor.get_object()
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts


@pytest.fixture
def promotion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("HOMEROOM_TODAY", "2026-05-31")
    database = open_database(tmp_path / "promotion.sqlite3")
    with database.transaction() as s:
        build_promotion_class(s)
    yield database
    database.close()


def test_the_year_summary_prints_the_hand_worked_results_and_the_promotion_list(
    promotion: Database,
) -> None:
    """tests/promotion_class.py's figures with the decimal comma: An 9,3 and Vật lí 8,9, Tốt,
    Xuất sắc; Bình 3,4 in Toán, Chưa đạt; the promotion list groups and the awards."""
    text = " ".join(pages_text(report(promotion, "summary", semester="year")))
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ" in text
    assert "Lớp 11A1, cả năm, năm học 2025-2026" in text
    assert "Nguyễn Văn An 9,3 9,3 Đ 9,3 9,3 8,9 9,3 9,3 9,3 Tốt Tốt 0 Học sinh Xuất sắc" in text
    assert "Lê Thị Bình 3,4 6,7 Đ 6,7 4,9 6,7 6,7 6,7 6,7 Chưa đạt Khá" in text
    assert "Danh sách lên lớp" in text and "Khen thưởng" in text
    assert text.index("Ở lại lớp do nghỉ quá số buổi") > text.index("Danh sách lên lớp")


def test_a_semester_summary_has_no_promotion_list(promotion: Database) -> None:
    """Semester 1: An's Vật lí 7,7 (the worked example), no absences column, no promotion."""
    text = " ".join(pages_text(report(promotion, "summary", semester="1")))
    assert "học kì 1" in text and " 7,7 " in text
    assert "Danh sách lên lớp" not in text


def _leave(day: date, student: int, channel: int, hours: int | None) -> Leave:
    submitted = datetime(day.year, day.month, day.day, 0, tzinfo=UTC)
    decided = None if hours is None else submitted.replace(hour=hours)
    return Leave(Slot.of(day, AM), Slot.of(day, AM), submitted, decided, channel, student)


def test_the_pilot_report_counts_registrations_requests_originals_and_audits(
    db: Database, small: SmallClass, monkeypatch: pytest.MonkeyPatch
) -> None:
    """January: 4 requests (2 online in full, 2 partial), 3 decided after 2, 4 and 6 hours
    (median 4,0), one waiting; of 2 originals one came the next day, one 14 school days late;
    2 audited requests, one found a discrepancy. February's request is outside the period."""
    monkeypatch.setenv("HOMEROOM_TODAY", "2026-02-10")
    first = add_request(db, small, _leave(date(2026, 1, 5), 0, 4, 2))
    second = add_request(db, small, _leave(date(2026, 1, 6), 1, 3, 4))
    third = add_request(db, small, _leave(date(2026, 1, 8), 2, 3, 6))
    add_request(db, small, _leave(date(2026, 1, 20), 0, 4, None))
    add_request(db, small, _leave(date(2026, 2, 5), 1, 4, 1))
    with db.transaction() as s:
        scope = load_scope(s)
        leave.receive_original(
            s, scope, request_id=second, received_on=date(2026, 1, 7), actor="GV"
        )
        leave.receive_original(
            s, scope, request_id=third, received_on=date(2026, 1, 28), actor="GV"
        )
        for request_id in (first, second):
            post_audit.mark_selected(
                s, scope, request_id=request_id, reasons=("random_sample",), seed=1, actor="GV"
            )
        post_audit.record(
            s, scope, request_id=first, method="phone", outcome="discrepancy", actor="GV"
        )
    text = " ".join(pages_text(report(db, "pilot", first="01/01/2026", last="31/01/2026")))
    assert "BÁO CÁO THÍ ĐIỂM NHẬN ĐƠN XIN NGHỈ HỌC TRỰC TUYẾN" in text
    assert "từ ngày 01/01/2026 đến ngày 31/01/2026" in text
    for expected in (
        "Học sinh có phụ huynh đã đăng kí 3/3 (100,0%)",
        "Phụ huynh đã đăng kí 3/4 (75,0%)",
        "Số đơn đã nhận 4",
        "Hình thức: một phần (mức độ 3) 2",
        "Hình thức: toàn trình (mức độ 4) 2",
        "Kết quả: Chờ duyệt 1",
        "Kết quả: Đã duyệt 3",
        "Thời gian trung vị từ lúc gửi đơn đến lúc duyệt 4,0 giờ",
        "Số bản gốc phải nộp 2",
        "Đã nhận đúng hạn 1/2 (50,0%)",
        "Nhận quá hạn 1",
        "Chưa nhận 0",
        "Số đơn được chọn hậu kiểm 2",
        "Đã hậu kiểm 1/2 (50,0%)",
        "Khớp với đơn 0",
        "Có sai lệch 1",
    ):
        assert expected in text, expected


def test_the_pilot_period_must_not_end_before_it_starts(db: Database, small: SmallClass) -> None:
    """A reversed period or a date not dd/mm/yyyy is refused."""
    for first, last in (("10/01/2026", "01/01/2026"), ("2026/01/01", "")):
        with pytest.raises(InvalidInput):
            report(db, "pilot", first=first, last=last)


def test_the_leaflet_needs_the_registration_address_and_prints_it(
    db: Database, small: SmallClass
) -> None:
    """Without an address the leaflet is refused with what to do; once remembered, it prints
    the address under its QR code, the class, the teacher and the policy's figures."""
    with pytest.raises(InvalidInput, match="--address"):
        report(db, "leaflet")
    with db.transaction() as s, pytest.raises(InvalidInput):
        remember_address(s, "sll.example.edu.vn")
    with db.transaction() as s:
        remember_address(s, " https://sll.example.edu.vn/dang-ki ")
    [text] = pages_text(report(db, "leaflet"))
    for expected in (
        "HƯỚNG DẪN PHỤ HUYNH HỌC SINH",
        "Kính gửi quý phụ huynh học sinh lớp 11A1,",
        "https://sll.example.edu.vn/dang-ki",
        "đơn nghỉ quá 6 buổi cần nộp bản gốc",
        "trong vòng 3 ngày học",
        "giáo viên chủ nhiệm lớp 11A1: Trần Thị Hồng Nhung.",
    ):
        assert expected in text, expected


def test_the_pilot_report_lists_the_problems_noted_in_its_period(
    db: Database, small: SmallClass
) -> None:
    """Of five notes, four fall in January: 2 on the connection, 1 on the procedure, 1 without
    a category (one holding markup, an emoji and a 300-character word); they are counted by
    category and listed oldest first; December's note is left out."""
    from desktop.services import pilot_notes
    from desktop.services.pilot_notes import Category

    with db.transaction() as s:
        for day, text, category in (
            (date(2025, 12, 30), "ngoài kì báo cáo", Category.APP),
            (date(2026, 1, 12), "mạng trường mất cả buổi sáng", Category.CONNECTION),
            (date(2026, 1, 5), "phụ huynh không nhận được mã OTP", Category.CONNECTION),
            (date(2026, 1, 20), "chưa rõ ai kí bản gốc", Category.PROCEDURE),
            (date(2026, 1, 31), HOSTILE, None),
        ):
            pilot_notes.add(s, day=day, text=text, category=category)
    text = " ".join(pages_text(report(db, "pilot", first="01/01/2026", last="31/01/2026")))
    assert "VƯỚNG MẮC GIÁO VIÊN GHI NHẬN" in text.upper()
    for expected in (
        "Số vướng mắc đã ghi nhận 4",
        "Kết nối mạng 2",
        "Đăng kí của phụ huynh 0",
        "Phần mềm 0",
        "Quy trình 1",
        "Khác 0",
        "Chưa phân loại 1",
        "05/01/2026 Kết nối mạng phụ huynh không nhận được mã OTP",
        "12/01/2026 Kết nối mạng mạng trường mất cả buổi sáng",
        "20/01/2026 Quy trình chưa rõ ai kí bản gốc",
        "<b>&amp; \"Tí\" 'Tèo'",
    ):
        assert expected in text, expected
    assert "ngoài kì báo cáo" not in text
    assert text.replace(" ", "").count("W" * 300) == 1


def test_the_pilot_report_without_notes_says_none_were_noted(
    db: Database, small: SmallClass
) -> None:
    text = " ".join(pages_text(report(db, "pilot", first="01/01/2026", last="31/01/2026")))
    assert "Số vướng mắc đã ghi nhận 0" in text
    assert "Chưa phân loại" not in text
