"""``homeroom print leave`` and ``homeroom leave verify`` on a real profile."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from desktop.models import Student
from desktop.models.db import DATABASE_FILE, open_database
from tests.cli.conftest import Run
from tests.factories import SmallClass
from tests.reports.forms import FEBRUARY, Leave, add_request, codes


def _small(profile: Path) -> SmallClass:
    """The ids of the small class the ``profile`` fixture built."""
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.reading() as s:
            students = list(s.scalars(select(Student).order_by(Student.id)))
            return SmallClass(
                students[0].class_id,
                [st.id for st in students],
                [st.guardians[0].id for st in students],
                students[0].guardians[1].id,
            )
    finally:
        database.close()


def _approved(profile: Path, spec: Leave = FEBRUARY) -> int:
    small = _small(profile)
    database = open_database(profile / DATABASE_FILE)
    try:
        return add_request(database, small, spec)
    finally:
        database.close()


def test_print_leave_writes_one_page_per_request_where_asked(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    """The PDF lands at -o with a page per id, and the command says where it is."""
    first = _approved(profile)
    second = _approved(
        profile,
        Leave(FEBRUARY.first, FEBRUARY.last, FEBRUARY.submitted_at, FEBRUARY.decided_at, student=1),
    )
    target = tmp_path / "đơn nghỉ.pdf"
    result = run("print", "leave", str(first), str(second), "-o", str(target))
    assert result.code == 0, result.err
    assert "Đã ghi 2 đơn xin nghỉ vào" in result.out and str(target) in result.out
    assert len(PdfReader(BytesIO(target.read_bytes())).pages) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_print_leave_keeps_an_existing_file_unless_forced(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    """An existing file is left as it is (exit 2, the sentence says --force); --force replaces."""
    request_id = _approved(profile)
    target = tmp_path / "forms.pdf"
    target.write_bytes(b"the teacher's own file")
    refused = run("print", "leave", str(request_id), "-o", str(target))
    assert refused.code == 2 and "--force" in refused.err
    assert target.read_bytes() == b"the teacher's own file"
    assert run("print", "leave", str(request_id), "-o", str(target), "--force").code == 0
    assert target.read_bytes().startswith(b"%PDF")


def test_print_leave_refuses_a_request_not_approved(
    run: Run, profile: Path, tmp_path: Path
) -> None:
    """A pending request: exit 2, a Vietnamese sentence naming it, and no file."""
    pending = _approved(profile, Leave(FEBRUARY.first, FEBRUARY.last, FEBRUARY.submitted_at, None))
    target = tmp_path / "forms.pdf"
    result = run("print", "leave", str(pending), "-o", str(target))
    assert result.code == 2
    assert f"Chỉ in được đơn đã duyệt; các đơn chưa được duyệt: #{pending}." in result.err
    assert not target.exists()


def test_leave_verify_exits_zero_only_on_a_match(run: Run, profile: Path, tmp_path: Path) -> None:
    """The printed code verifies (exit 0); a changed one and a non-code do not (exit 1)."""
    request_id = _approved(profile)
    target = tmp_path / "form.pdf"
    assert run("print", "leave", str(request_id), "-o", str(target)).code == 0
    [code] = codes(target.read_bytes())
    matched = run("leave", "verify", code)
    assert matched.code == 0 and "Tờ đơn khớp với sổ" in matched.out
    assert "tổng cộng" not in matched.out and "(4 buổi)" in matched.out
    changed = code[:-2] + ("AA" if code[-2:] != "AA" else "BB")
    tampered = run("leave", "verify", changed)
    assert tampered.code == 1 and "Mã không khớp" in tampered.out
    assert run("leave", "verify", "xyz").code == 1
