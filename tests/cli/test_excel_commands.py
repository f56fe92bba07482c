"""``homeroom excel``: the template, its import with the problems as a table, the exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from tests.cli.conftest import Run


def test_template_round_trip_through_the_cli(run: Run, tmp_path: Path) -> None:
    """export-template, fill, import: the grades appear in the grade report."""
    target = tmp_path / "toan.xlsx"
    result = run("excel", "export-template", "TOAN", "1", "-o", str(target))
    assert result.code == 0, result.err
    workbook = load_workbook(target)
    sheet = workbook.worksheets[0]
    for column in "CDEFGH":
        sheet[f"{column}8"] = 8
    workbook.save(target)
    result = run("excel", "import", str(target))
    assert result.code == 0, result.err
    assert "6" in result.out
    report = run("grades", "report", "--semester", "1", "--json").json()
    toan = next(s for s in report[0]["subjects"] if s["subject_code"] == "TOAN")
    assert toan["average"] == "8.0"


def test_import_prints_the_problems_as_a_table_and_exits_2(run: Run, tmp_path: Path) -> None:
    """A wrong cell is listed with its sheet, cell, value and why; exit code 2."""
    target = tmp_path / "toan.xlsx"
    run("excel", "export-template", "TOAN", "1", "-o", str(target))
    workbook = load_workbook(target)
    workbook.worksheets[0]["D9"] = 12
    workbook.save(target)
    result = run("excel", "import", str(target))
    assert result.code == 2
    line = next(line for line in result.out.splitlines() if "D9" in line)
    assert "Nhập điểm" in line and "12" in line and "0 đến 10" in line


def test_a_malformed_file_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    """A CSV renamed .xlsx is refused with a Vietnamese sentence and exit 2."""
    target = tmp_path / "list.xlsx"
    target.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("excel", "import", str(target))
    assert result.code == 2
    assert "không phải tệp Excel" in result.err


def test_exports_refuse_to_overwrite_without_force(run: Run, tmp_path: Path) -> None:
    """An existing file is kept unless --force is given."""
    target = tmp_path / "roster.xlsx"
    target.write_bytes(b"keep")
    result = run("excel", "export", "roster", "-o", str(target))
    assert result.code == 2 and target.read_bytes() == b"keep"
    assert run("excel", "export", "roster", "-o", str(target), "--force").code == 0
    assert target.read_bytes() != b"keep"


def test_roster_export_has_students_and_guardians(run: Run, tmp_path: Path) -> None:
    """The roster lists each student with the date of birth as a date and the guardians."""
    target = tmp_path / "roster.xlsx"
    assert run("excel", "export", "roster", "-o", str(target)).code == 0
    sheet = load_workbook(target).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    assert [r[2] for r in rows] == ["Nguyễn Văn An", "Lê Thị Bình", "Phạm Minh Đức"]
    first = rows[0]
    assert first[3].date() == date(2009, 1, 10)
    assert sheet["D6"].number_format == "dd/mm/yyyy"
    assert "Phụ huynh 1" in first and "Ông Nội" in first and "0911111111" in first


def test_gradebook_export_has_numbers_and_average(run: Run, tmp_path: Path) -> None:
    """The grade book export holds the grades as numbers and the semester average."""
    run("grades", "set", "HS001", "TOAN", "1", "GK", "7,5")
    target = tmp_path / "book.xlsx"
    assert run("excel", "export", "gradebook", "TOAN", "1", "-o", str(target)).code == 0
    sheet = load_workbook(target).worksheets[0]
    header = [c.value for c in sheet[6]]
    assert header[3:9] == ["TX1", "TX2", "TX3", "TX4", "GK", "CK"]
    gk = header.index("GK") + 1
    assert sheet.cell(row=7, column=gk).value == 7.5


def test_attendance_export_marks_the_absences(run: Run, tmp_path: Path) -> None:
    """An unexcused absence is a K under its day and session, counted in the month's totals."""
    marked = run("attendance", "mark", "HS002", "20/10/2025", "morning", "absent")
    assert marked.code == 0, marked.err
    target = tmp_path / "att.xlsx"
    result = run("excel", "export", "attendance", "10/2025", "-o", str(target))
    assert result.code == 0, result.err
    sheet = load_workbook(target).worksheets[0]
    days = [c.value for c in sheet[5]]
    place = days.index("20/10") + 1
    assert sheet.cell(row=6, column=place).value
    row = next(
        r for r in range(7, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "HS002"
    )
    assert sheet.cell(row=row, column=place).value == "K"
    header = [c.value for c in sheet[6]]
    unexcused = header.index("Không phép") + 1
    assert sheet.cell(row=row, column=unexcused).value == 1
