"""``homeroom --version`` and ``--help`` answer without the heavy libraries, and a command
imports only what it uses: each run in a fresh interpreter, whose ``sys.modules`` is read after
the command returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from desktop.cli.commands_report import REPORT_NAMES

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "PySide6", "httpx", "pydantic", "reportlab", "openpyxl")

# Runs ``homeroom`` with the given arguments, then writes the names of the top-level packages it
# imported to the file named by the first argument.
RUN_AND_LIST = """
import json, sys
from desktop.cli.main import main
try:
    code = main(sys.argv[2:])
except SystemExit as exit_:
    code = exit_.code or 0
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "packages": sorted({name.split(".")[0] for name in sys.modules})}, out)
"""


def run_listing(tmp_path: Path, *args: str) -> tuple[int, str, set[str]]:
    """The exit code, standard output and imported top-level packages of ``homeroom ARGS``."""
    listing = tmp_path / "modules.json"
    env = {**os.environ, "HOMEROOM_DATA_DIR": str(tmp_path / "profile")}
    env.pop("HOMEROOM_LANG", None)
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, str(listing), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.stderr == "", result.stderr
    found = json.loads(listing.read_text(encoding="utf-8"))
    return int(found["code"]), result.stdout, set(found["packages"])


def test_version_imports_nothing_heavy(tmp_path: Path) -> None:
    """``--version`` answers with the package's version before any parser or catalogue."""
    code, out, packages = run_listing(tmp_path, "--version")
    assert (code, out) == (0, f"homeroom {__version__}\n")
    assert packages.isdisjoint(HEAVY), packages & set(HEAVY)
    assert packages.isdisjoint({"argparse", "typing"}), "--version built a parser"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--help",), "giáo viên chủ nhiệm"),
        (("leave", "--help"), "duyệt đơn"),
    ],
)
def test_help_is_vietnamese_and_imports_nothing_heavy(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    """Any ``--help`` builds the whole parser: every command's ``register`` stays light."""
    code, out, packages = run_listing(tmp_path, *args)
    assert code == 0
    assert "cách dùng: homeroom" in out and expected in out
    assert packages.isdisjoint(HEAVY), packages & set(HEAVY)


def test_listing_requests_imports_neither_qt_nor_the_network_nor_printing(
    tmp_path: Path, profile: Path
) -> None:
    """A command that only reads the profile loads the database, not the window, the sync
    client, the intents' validation, the PDF or the Excel libraries."""
    code, out, packages = run_listing(tmp_path, "--data-dir", str(profile), "leave", "list")
    assert code == 0 and "Học sinh" in out
    assert "sqlalchemy" in packages
    unused = {"PySide6", "httpx", "pydantic", "reportlab", "openpyxl"}
    assert packages.isdisjoint(unused), packages & unused


def test_the_cli_offers_exactly_the_catalogues_reports() -> None:
    """``homeroom report`` names the reports without loading the catalogue: the same list."""
    from desktop.reports.catalogue import REPORTS

    assert tuple(REPORTS) == REPORT_NAMES
