"""``homeroom --self-test`` run as a teacher or a CI job runs it: a child process in the
checkout. It passes, says one line per check, speaks the chosen language, names nobody, and
leaves no folder behind; the folders it is pointed at are not touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.cli.main import main
from desktop.models.db import DATABASE_FILE, open_database
from desktop.selftest.command import CHECKS

ROOT = Path(__file__).resolve().parents[2]


def self_test(tmp_path: Path, *arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    environment = {**os.environ, "TMPDIR": str(temporary), "TMP": str(temporary), **env}
    environment.pop("QT_QPA_PLATFORM", None)  # the self-test chooses offscreen itself
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli.main", "--self-test", *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment,
        check=False,
    )


def people(tmp_path: Path) -> set[str]:
    """The demo's names and phone numbers, as the self-test's own demo profile holds them."""
    folder = tmp_path / "names"
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    database = open_database(folder / DATABASE_FILE)  # encrypted where the OS has a keyring
    try:
        with database.reading() as session:
            rows = session.execute(
                text(
                    "SELECT full_name FROM student UNION SELECT full_name FROM guardian "
                    "UNION SELECT phone FROM guardian UNION SELECT full_name FROM teacher"
                )
            ).all()
    finally:
        database.close()
    return {row[0] for row in rows if row[0]}


def test_the_self_test_passes_with_one_line_per_check(tmp_path: Path) -> None:
    profile, config = tmp_path / "profile", tmp_path / "config"
    done = self_test(tmp_path, HOMEROOM_DATA_DIR=str(profile), HOMEROOM_CONFIG_DIR=str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(CHECKS) + 1
    assert all(line.startswith("✓ ") for line in lines)
    assert lines[0].startswith("✓ Bộ bản dịch tiếng Việt")
    assert lines[-1].startswith(f"✓ Tự kiểm tra đạt: cả {len(CHECKS)} mục")
    assert list((tmp_path / "tmp").iterdir()) == []  # its folders removed
    assert not profile.exists() and not config.exists()  # the real ones untouched
    shown = done.stdout + done.stderr
    assert [person for person in people(tmp_path) if person in shown] == []


def test_the_self_test_speaks_english_when_asked(tmp_path: Path) -> None:
    done = self_test(tmp_path, HOMEROOM_LANG="en")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"✓ Self-test passed: all {len(CHECKS)} checks")


def test_the_self_test_follows_the_language_setting(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "homeroom.ini").write_text("[ui]\nlanguage=en\n", encoding="utf-8")
    done = self_test(tmp_path, HOMEROOM_CONFIG_DIR=str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith("✓ Vietnamese catalogue")
    assert (config / "homeroom.ini").read_text(encoding="utf-8") == "[ui]\nlanguage=en\n"


@pytest.mark.parametrize("extra", [["--verbose"], ["leave", "list"]])
def test_the_self_test_takes_no_other_arguments(tmp_path: Path, extra: list[str]) -> None:
    done = self_test(tmp_path, *extra)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "không nhận thêm tham số" in done.stderr


@pytest.mark.parametrize("before", [["--data-dir", "profile"], ["--class", "11A1"]])
def test_an_option_before_the_self_test_is_refused_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], before: list[str]
) -> None:
    """``homeroom --data-dir X --self-test`` opened the window (the parser saw no command)
    and, offscreen, never returned."""
    assert main([*before, "--self-test"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--self-test không nhận thêm tham số" in captured.err


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`homeroom --self-test | head -1`: the pipe closes after the first line; the run ends
    quietly and still removes its temporary folders."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary), "TMP": str(temporary)}
    environment.pop("QT_QPA_PLATFORM", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli.main", "--self-test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
    )
    assert run.stdout is not None and run.stderr is not None
    assert run.stdout.readline().startswith("✓".encode())
    run.stdout.close()  # as `head -1` does after its line
    errors = run.stderr.read().decode("utf-8")
    assert run.wait() == 0
    assert "Traceback" not in errors and "BrokenPipe" not in errors
    assert list(temporary.iterdir()) == []
