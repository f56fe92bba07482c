"""``homeroom report NAME -o FILE.pdf`` on a real profile."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from tests.cli.conftest import Run


def test_report_writes_the_pdf_where_asked(run: Run, tmp_path: Path) -> None:
    """The register of the month given lands at -o and the command says where it is; a
    report without options takes the profile's day."""
    target = tmp_path / "chuyên cần.pdf"
    result = run("report", "attendance", "--month", "10/2025", "-o", str(target))
    assert result.code == 0, result.err
    assert (
        "Đã ghi Sổ theo dõi chuyên cần theo tháng vào" in result.out and str(target) in result.out
    )
    text = PdfReader(BytesIO(target.read_bytes())).pages[0].extract_text()
    assert "tháng 10/2025" in text
    other = tmp_path / "completeness.pdf"
    assert run("report", "completeness", "--semester", "1", "-o", str(other)).code == 0
    assert "tính đến ngày 20/10/2025" in PdfReader(other).pages[0].extract_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_report_keeps_an_existing_file_unless_forced(run: Run, tmp_path: Path) -> None:
    """An existing file is refused with exit 2 and left as it was; --force replaces it."""
    target = tmp_path / "limit.pdf"
    target.write_bytes(b"keep me")
    refused = run("report", "absence-limit", "-o", str(target))
    assert refused.code == 2 and "--force" in refused.err
    assert target.read_bytes() == b"keep me"
    assert run("report", "absence-limit", "-o", str(target), "--force").code == 0
    assert target.read_bytes().startswith(b"%PDF")


def test_report_refuses_a_malformed_month_in_vietnamese(run: Run, tmp_path: Path) -> None:
    """A month not written MM/YYYY is bad input (exit 2) and writes nothing."""
    target = tmp_path / "x.pdf"
    result = run("report", "attendance", "--month", "2025-10", "-o", str(target))
    assert result.code == 2 and "MM/YYYY" in result.err
    assert not target.exists()


def test_report_leaflet_remembers_the_address_given_once(run: Run, tmp_path: Path) -> None:
    """Without an address the leaflet is refused (exit 2); --address prints it and is
    remembered for the next leaflet; a malformed address is refused."""
    assert run("report", "leaflet", "-o", str(tmp_path / "a.pdf")).code == 2
    bad = run("report", "leaflet", "--address", "not an address", "-o", str(tmp_path / "b.pdf"))
    assert bad.code == 2 and "https://" in bad.err
    url = "https://sll.example.edu.vn/dang-ki"
    assert run("report", "leaflet", "--address", url, "-o", str(tmp_path / "c.pdf")).code == 0
    assert run("report", "leaflet", "-o", str(tmp_path / "d.pdf")).code == 0
    assert url in PdfReader(tmp_path / "d.pdf").pages[0].extract_text()


def test_report_pilot_takes_its_period(run: Run, tmp_path: Path) -> None:
    """--from and --to in dd/mm/yyyy name the period on the report."""
    target = tmp_path / "pilot.pdf"
    result = run("report", "pilot", "--from", "01/09/2025", "--to", "30/09/2025", "-o", str(target))
    assert result.code == 0, result.err
    text = " ".join(PdfReader(target).pages[0].extract_text().split())
    assert "từ ngày 01/09/2025 đến ngày 30/09/2025" in text
