"""The printed leave form, read back from the PDF with pypdf."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from desktop.domain.calendar import Slot
from desktop.errors import InvalidInput, NotFound
from desktop.models import LeaveRequest, ProfileSetting, Student
from desktop.models.db import Database, open_database
from desktop.reports import verification
from desktop.reports.leave_form import administrative_date, render_leave_forms
from desktop.reports.verification import Outcome
from desktop.services import leave, post_audit
from desktop.services.scope import load_scope
from tests.factories import SmallClass, build_small_class
from tests.reports.forms import AM, FEBRUARY, PM, TEACHER, Leave, add_request, codes, pages_text


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "homeroom.sqlite3")
    yield database
    database.close()


@pytest.fixture
def small(db: Database) -> SmallClass:
    with db.transaction() as session:
        return build_small_class(session)


def render(db: Database, ids: list[int]) -> bytes:
    with db.transaction() as s:
        return render_leave_forms(s, load_scope(s), ids)


def verdict(db: Database, code: str) -> verification.Verdict:
    with db.reading() as s:
        return verification.verify(s, load_scope(s), code)


def test_the_form_says_what_the_record_holds_in_vietnamese(db: Database, small: SmallClass) -> None:
    """Header, date line with leading zeros, student, guardian, period, sessions, channel and
    the teacher's decision appear word for word."""
    request_id = add_request(db, small, FEBRUARY)
    [text] = pages_text(render(db, [request_id]))
    for expected in (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO BẾN TRE",
        "TRƯỜNG THPT NGUYỄN ĐÌNH CHIỂU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bến Tre, ngày 05 tháng 02 năm 2026",
        "ĐƠN XIN NGHỈ HỌC",
        f"Kính gửi: {TEACHER}, giáo viên chủ nhiệm lớp 11A1, Trường THPT Nguyễn Đình Chiểu",
        "Họ và tên học sinh: Nguyễn Văn An",
        "Ngày sinh: 10/01/2009",
        "Lớp: 11A1, Trường THPT Nguyễn Đình Chiểu",
        "Họ và tên phụ huynh: Phụ huynh 1 (mẹ của học sinh)",
        "từ buổi sáng ngày 05/02/2026 đến buổi chiều ngày 06/02/2026, tổng cộng 4 buổi.",
        "Lý do: Ốm đau: Sốt cao, đi khám bệnh",
        "trực tuyến, toàn trình (mức độ 4), lúc 07:30 ngày 05/02/2026.",
        f"đồng ý cho nghỉ có phép (4 buổi); người duyệt {TEACHER}, lúc 09:15 ngày 05/02/2026.",
        "GIÁO VIÊN CHỦ NHIỆM",
        "PHỤ HUYNH HỌC SINH",
        f"Số đơn: {request_id}",
    ):
        assert expected in text
    assert "Đã nhận bản gốc" not in text  # level 4: no paper original
    assert "HIỆU TRƯỞNG" not in text


def test_the_administrative_date_pads_days_below_ten_and_january_and_february() -> None:
    """Decree 30: "ngày 05 tháng 02"; March and later months are written without a zero."""
    assert administrative_date(date(2026, 2, 5)) == ("05", "02", "2026")
    assert administrative_date(date(2026, 1, 15)) == ("15", "01", "2026")
    assert administrative_date(date(2026, 3, 9)) == ("09", "3", "2026")
    assert administrative_date(date(2025, 12, 1)) == ("01", "12", "2025")


def test_level_3_special_case_audit_and_substitute_are_printed(
    db: Database, small: SmallClass
) -> None:
    """A level-3 request shows the "original received" box with its day; a special case the
    principal's block; a recorded post-audit its result; a substitute's decision says so."""
    spec = Leave(
        first=Slot.of(date(2026, 2, 2), AM),
        last=Slot.of(date(2026, 2, 5), PM),  # 8 sessions: a special case by default policy
        submitted_at=datetime(2026, 2, 1, 23, 0, tzinfo=UTC),
        decided_at=None,
        channel=3,
        student=1,
        decided_by="Lê Văn Dạy Thay",
    )
    request_id = add_request(db, small, spec)
    with db.transaction() as s:
        scope = load_scope(s)
        leave.sign_off(
            s, scope, request_id=request_id, by="Nguyễn Hiệu Trưởng", on=date(2026, 2, 2), actor="x"
        )
        leave.decide(
            s,
            scope,
            request_id=request_id,
            approve=True,
            actor="Lê Văn Dạy Thay",
            now=datetime(2026, 2, 2, 3, 0, tzinfo=UTC),
        )
        leave.receive_original(
            s, scope, request_id=request_id, received_on=date(2026, 2, 6), actor="x"
        )
        post_audit.mark_selected(
            s, scope, request_id=request_id, reasons=("special_case",), seed=1, actor="x"
        )
        post_audit.record(
            s, scope, request_id=request_id, method="phone", outcome="confirmed", note="", actor="x"
        )
    [text] = pages_text(render(db, [request_id]))
    assert "một phần (mức độ 3)" in text
    assert "Đã nhận bản gốc ngày: 06/02/2026" in text
    assert "HIỆU TRƯỞNG" in text and "Nguyễn Hiệu Trưởng" in text
    assert (
        "Hiệu trưởng đã duyệt (trường hợp đặc biệt): Nguyễn Hiệu Trưởng, ngày 02/02/2026." in text
    )
    assert "Kết quả hậu kiểm: Xác nhận đúng (gọi điện thoại)" in text
    assert "GIÁO VIÊN DUYỆT THAY" in text
    assert f"thay cho giáo viên chủ nhiệm {TEACHER}" in text
    assert "người duyệt Lê Văn Dạy Thay, lúc 10:00 ngày 02/02/2026" in text


def test_only_approved_requests_print_and_the_refusal_names_them(
    db: Database, small: SmallClass
) -> None:
    """A pending request or an unknown number refuses the whole batch, naming them."""
    approved = add_request(db, small, FEBRUARY)
    pending = add_request(
        db, small, Leave(FEBRUARY.first, FEBRUARY.last, FEBRUARY.submitted_at, None, student=2)
    )
    with pytest.raises(InvalidInput, match=rf"chưa được duyệt: #{pending}\."):
        render(db, [approved, pending])
    with pytest.raises(NotFound, match="#999"):
        render(db, [approved, 999])
    with pytest.raises(InvalidInput, match="ít nhất một đơn"):
        render(db, [])


def test_the_code_round_trips_and_a_changed_record_or_code_fails(
    db: Database, small: SmallClass
) -> None:
    """The printed code verifies; one changed character, a changed leave period, a withdrawn
    request, an unknown number and a non-code each fail with their own sentence."""
    request_id = add_request(db, small, FEBRUARY)
    [code] = codes(render(db, [request_id]))
    assert code.startswith(f"HR-{request_id}-")
    found = verdict(db, code)
    assert found.outcome is Outcome.MATCHES and "Tờ đơn khớp với sổ" in found.sentence
    assert verdict(db, f"  {code.lower()} ").matches  # as typed, in lower case
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert verdict(db, tampered).outcome is Outcome.TAMPERED
    assert "Mã không khớp" in verdict(db, tampered).sentence
    assert verdict(db, "HR-999-AAAAAAAA").outcome is Outcome.UNKNOWN_REQUEST
    assert verdict(db, "hello").outcome is Outcome.MALFORMED

    with db.transaction() as s:  # someone moves the end of the leave in the database
        s.get_one(LeaveRequest, request_id).last_day = date(2026, 2, 9)
    assert verdict(db, code).outcome is Outcome.TAMPERED
    with db.transaction() as s:
        s.get_one(LeaveRequest, request_id).last_day = date(2026, 2, 6)
    assert verdict(db, code).matches
    with db.transaction() as s:
        leave.cancel(s, load_scope(s), request_id=request_id, actor="parent")
    withdrawn = verdict(db, code)
    assert withdrawn.outcome is Outcome.NOT_APPROVED and "không còn giá trị" in withdrawn.sentence


def test_the_key_is_made_once_per_profile(db: Database, small: SmallClass) -> None:
    """The first print stores a random key; printing again gives the same code."""
    request_id = add_request(db, small, FEBRUARY)
    first = codes(render(db, [request_id]))
    assert codes(render(db, [request_id])) == first
    with db.reading() as s:
        stored = s.scalars(
            select(ProfileSetting.value).where(ProfileSetting.key == verification.KEY_SETTING)
        ).one()
    assert len(bytes.fromhex(stored)) == 32


def test_the_fonts_are_embedded_and_helvetica_is_not_used(db: Database, small: SmallClass) -> None:
    """Every font of every page is an embedded Liberation Serif subset."""
    pdf = render(db, [add_request(db, small, FEBRUARY)])
    reader = PdfReader(BytesIO(pdf))
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"]
    assert names and all("LiberationSerif" in name for name in names), names
    assert b"Helvetica" not in pdf


def test_hostile_names_and_reasons_render_as_written(db: Database, small: SmallClass) -> None:
    """Markup characters print as themselves, a 300-character word wraps, emoji do not crash."""
    word = "Ư" + "x" * 298 + "Z"
    with db.transaction() as s:
        student = s.get_one(Student, small.student_ids[0])
        student.full_name = "<b>An & \"Bé\" 'Tí'</b>"
        student.guardians[0].full_name = "Mẹ 😀 &amp; <i>"
    spec = Leave(
        FEBRUARY.first,
        FEBRUARY.last,
        FEBRUARY.submitted_at,
        FEBRUARY.decided_at,
        reason=f"{word} 🤒 <br/> & end",
    )
    [text] = pages_text(render(db, [add_request(db, small, spec)]))
    assert "Họ và tên học sinh: <b>An & \"Bé\" 'Tí'</b>" in text
    assert "&amp; <i>" in text
    assert word in "".join(text.split())
    assert "<br/> & end" in text


@pytest.mark.timeout(600)
def test_three_hundred_forms_make_one_pdf_of_three_hundred_pages(
    db: Database, small: SmallClass
) -> None:
    """A batch of 300 approved requests prints, one page each, in the order asked."""
    decided = datetime(2025, 9, 5, 3, 0, tzinfo=UTC)
    with db.transaction() as s:
        for index in range(300):
            day = date(2025, 9, 8) + timedelta(days=index % 150)
            student = small.student_ids[index % 3]
            s.add(
                LeaveRequest(
                    student_id=student,
                    guardian_id=small.guardian_ids[index % 3],
                    submitted_at=decided,
                    first_day=day,
                    first_session="morning",
                    last_day=day,
                    last_session="morning",
                    reason_category="family",
                    reason_text=f"Việc gia đình {index}",
                    channel=4,
                    status="approved",
                    decided_by=TEACHER,
                    decided_at=decided,
                )
            )
    with db.reading() as s:
        ids = list(s.scalars(select(LeaveRequest.id).order_by(LeaveRequest.id.desc())))
    pdf = render(db, ids)
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 300
    assert f"Số đơn: {ids[0]}" in " ".join(reader.pages[0].extract_text().split())
    assert f"Số đơn: {ids[-1]}" in " ".join(reader.pages[-1].extract_text().split())
