"""The runner's verdicts and exit code, with checks injected through its API: one failing
check fails the run without stopping the others, and an unexpected error names its type only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from desktop.errors import StorageError
from desktop.resources import MissingResource
from desktop.selftest.runner import Check, CheckFailed, Context, run_checks


def context(tmp_path: Path) -> Context:
    return Context(data_dir=tmp_path / "data", config_dir=tmp_path / "config")


def passing(_context: Context) -> str | None:
    return "42"


def failing(_context: Context) -> str | None:
    raise CheckFailed("lý do cụ thể")


def run(tmp_path: Path, *checks: Check) -> tuple[int, list[str]]:
    out = io.StringIO()
    ticks = iter([10.0, 12.25])
    code = run_checks(checks, context(tmp_path), out, clock=lambda: next(ticks))
    return code, out.getvalue().splitlines()


def test_all_passing_is_exit_0_with_a_line_each_and_the_summary(tmp_path: Path) -> None:
    code, lines = run(tmp_path, Check("Fonts", passing), Check("Catalogue", lambda _c: None))
    assert code == 0
    assert lines == ["✓ Fonts: 42", "✓ Catalogue", "✓ Tự kiểm tra đạt: cả 2 mục (2,2 giây)."]


def test_one_failing_check_fails_the_run_and_the_others_still_run(tmp_path: Path) -> None:
    ran: list[str] = []

    def after(_context: Context) -> None:
        ran.append("after")

    code, lines = run(tmp_path, Check("A", failing), Check("B", after))
    assert code == 1
    assert lines[0] == "✗ A: lý do cụ thể"
    assert lines[1] == "✓ B"
    assert ran == ["after"]
    assert lines[-1] == "✗ Tự kiểm tra không đạt: 1/2 mục (2,2 giây)."


def test_errors_become_verdicts_without_their_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def bug(_context: Context) -> None:
        raise ZeroDivisionError("Nguyễn Văn An 0912345678")

    def storage(_context: Context) -> None:
        raise StorageError("Ổ đĩa đã đầy.")

    def missing(_context: Context) -> None:
        raise MissingResource("resources/fonts/NotoSans-Regular.ttf")

    code, lines = run(tmp_path, Check("A", bug), Check("B", storage), Check("C", missing))
    assert code == 1
    assert lines[0] == "✗ A: lỗi ngoài dự kiến (ZeroDivisionError)"
    assert lines[1] == "✗ B: Ổ đĩa đã đầy."
    assert lines[2].startswith("✗ C: bản cài đặt thiếu một tệp (resources/fonts/NotoSans")
    trace = capsys.readouterr().err
    assert "ZeroDivisionError" in trace and "test_runner.py" in trace
    assert "Nguyễn" not in trace + "\n".join(lines)


def test_a_check_needing_the_profile_fails_when_none_was_made(tmp_path: Path) -> None:
    code, lines = run(tmp_path, Check("Window", lambda c: str(c.database_file())))
    assert code == 1
    assert lines[0] == "✗ Window: cần hồ sơ mẫu, nhưng không tạo được hồ sơ đó"
