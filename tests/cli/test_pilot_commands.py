"""``homeroom pilot note|notes|edit|delete`` on a real profile (its today is 20/10/2025)."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.conftest import Run


def test_a_note_is_written_listed_edited_and_deleted(run: Run) -> None:
    """A note without --date takes the profile's day; the list is newest first; edit changes
    only what it is given; delete removes the note."""
    first = run("pilot", "note", "phụ huynh không nhận được mã OTP", "--category", "registration")
    assert first.code == 0, first.err
    assert first.out.strip() == "Đã lưu ghi nhận số 1."
    second = run(
        "pilot", "note", "mạng trường mất cả buổi sáng", "--category", "Kết nối mạng",
        "--date", "06/10/2025",
    )  # fmt: skip
    assert second.code == 0, second.err
    listed = run("pilot", "notes")
    lines = listed.out.splitlines()
    assert lines[0].split() == ["Số", "Ngày", "Loại", "Vướng", "mắc"]
    assert lines[2].split()[:2] == ["1", "20/10/2025"] and "Đăng kí của phụ huynh" in lines[2]
    assert lines[3].split()[:2] == ["2", "06/10/2025"] and "Kết nối mạng" in lines[3]
    assert run("pilot", "edit", "2", "--category", "procedure").code == 0
    [edited, kept] = sorted(run("pilot", "notes", "--json").json(), key=lambda n: n["id"])[::-1]
    assert edited == {
        "id": 2, "day": "2025-10-06", "category": "procedure",
        "text": "mạng trường mất cả buổi sáng",
    }  # fmt: skip
    assert kept["category"] == "registration"
    assert run("pilot", "delete", "1").out.strip() == "Đã xoá ghi nhận số 1."
    assert [n["id"] for n in run("pilot", "notes", "--json").json()] == [2]


def test_the_list_is_narrowed_to_a_period(run: Run) -> None:
    for day in ("01/10/2025", "10/10/2025", "20/10/2025"):
        assert run("pilot", "note", f"vướng mắc ngày {day}", "--date", day).code == 0
    found = run("pilot", "notes", "--from", "05/10/2025", "--to", "15/10/2025", "--json").json()
    assert [n["day"] for n in found] == ["2025-10-10"]
    assert run("pilot", "notes", "--from", "21/10/2025").out.strip() == (
        "Chưa có vướng mắc nào được ghi nhận."
    )


def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(run: Run) -> None:
    """An unknown category, a malformed date, an empty text, an unknown id: exit 2, no note."""
    for args, words in (
        (("note", "x", "--category", "thời tiết"), "không phải loại vướng mắc"),
        (("note", "x", "--date", "31/02/2026"), "không phải ngày hợp lệ"),
        (("note", "   "), "Hãy ghi"),
        (("delete", "7"), "Không có ghi nhận vướng mắc số 7"),
        (("edit", "7", "y"), "Không có ghi nhận vướng mắc số 7"),
        (("delete", "abc"), "không phải mã số hợp lệ"),
    ):
        result = run("pilot", *args)
        assert result.code == 2, args
        assert words in result.err, (args, result.err)
    assert run("pilot", "notes", "--json").json() == []


def test_the_command_module_imports_nothing_heavy() -> None:
    """Registering the command (building the parser) loads no service or database code."""
    probe = (
        "import sys, argparse\n"
        "from desktop.cli import commands_pilot\n"
        "commands_pilot.register(argparse.ArgumentParser().add_subparsers())\n"
        "heavy = [m for m in ('sqlalchemy', 'desktop.services.pilot_notes', 'reportlab')"
        " if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
