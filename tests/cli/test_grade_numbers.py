"""``homeroom grades`` writes every number the Vietnamese way (6,5) and names the columns as the
window does (TX1…TX4, GK, CK), on the demo profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.cli.main import main

POINT_NUMBER = re.compile(r"\d\.\d")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder


def run(demo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["--data-dir", str(demo), *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ("grades", "report", "--semester", "1"),
        ("grades", "completeness"),
        ("grades", "changes", "--all"),
    ],
)
def test_no_number_is_written_with_a_point(
    demo: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    """Averages, percentages and the old and new values of changes all use the comma."""
    out = run(demo, capsys, *args)
    assert re.search(r"\d,\d", out)
    assert POINT_NUMBER.findall(out) == []


def test_changes_name_the_column_as_the_grade_book_does(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change of a mid-term or end-of-term score reads "1/GK", never "GK1"."""
    out = run(demo, capsys, "grades", "changes", "--all")
    assert re.search(r"\b[12]/(TX[1-4]|GK|CK)\b", out)
    assert not re.search(r"\b(GK|CK)1\b", out)
