"""``homeroom excel import`` on a corrected class list: recognised by its header, ``--dry-run``
lists the changes and imports nothing, the import queues them, the problems come as a table."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.cli.conftest import Run


def _corrected(run: Run, tmp_path: Path, values: dict[str, object]) -> Path:
    target = tmp_path / "lop.xlsx"
    assert run("excel", "export", "roster", "-o", str(target)).code == 0
    workbook = load_workbook(target)
    for where, value in values.items():
        workbook.worksheets[0][where] = value
    workbook.save(target)
    return target


def test_dry_run_lists_the_changes_and_imports_nothing(run: Run, tmp_path: Path) -> None:
    target = _corrected(run, tmp_path, {"D6": "11/01/2009", "H8": "0912 345 678"})
    result = run("excel", "import", "--dry-run", str(target))
    assert result.code == 0, result.err
    assert "ngày sinh 10/01/2009 → 11/01/2009" in result.out
    assert "điện thoại 0900000003 → 0912345678" in result.out
    assert result.out.rstrip().endswith("Sẽ có 2 thay đổi; chưa nhập gì (--dry-run).")
    # Nothing was imported: the same plan again.
    again = run("excel", "import", "--dry-run", str(target))
    assert again.out == result.out


def test_import_queues_the_changes_and_a_second_import_finds_none(run: Run, tmp_path: Path) -> None:
    target = _corrected(run, tmp_path, {"C7": "Lê Thị Bình Minh"})
    result = run("excel", "import", str(target))
    assert result.code == 0, result.err
    assert "họ tên Lê Thị Bình → Lê Thị Bình Minh" in result.out
    assert result.out.rstrip().endswith("Đã nhập 1 thay đổi vào danh sách lớp.")
    assert run("excel", "import", str(target)).out.strip() == "Danh sách lớp không có gì thay đổi."


def test_problems_are_a_table_and_exit_2(run: Run, tmp_path: Path) -> None:
    target = _corrected(run, tmp_path, {"B7": "HS999", "H6": "12345"})
    result = run("excel", "import", str(target))
    assert result.code == 2
    assert result.out.startswith("Tệp Excel có 2 lỗi; chưa nhập dữ liệu nào.")
    assert any("H6" in line and "12345" in line for line in result.out.splitlines())
    assert any("B7" in line and "HS999" in line for line in result.out.splitlines())
