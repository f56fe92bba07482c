"""A full or read-only disk: a clear message, exit 3, and the data already saved stays saved.

These mount a small tmpfs, which needs root (as in CI); elsewhere they are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.models.db import DATABASE_FILE


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a small disk needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def copy_profile(profile: Path, target: Path) -> Path:
    folder = target / "profile"
    folder.mkdir()
    for file in profile.iterdir():
        shutil.copy2(file, folder / file.name)
    return folder


def fill(disk: Path) -> None:
    """Leave almost no free space on the disk."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass


def test_full_disk(small_disk: Path, profile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Roll call on a full disk fails with the Vietnamese message and exit 3, data intact."""
    folder = copy_profile(profile, small_disk)
    assert (
        main(
            [
                "--data-dir",
                str(folder),
                "attendance",
                "mark",
                "HS001",
                "06/10/2025",
                "sáng",
                "absent",
            ]
        )
        == 0
    )
    fill(small_disk)
    codes = [
        main(
            [
                "--data-dir",
                str(folder),
                "attendance",
                "mark",
                "HS002",
                f"{day:02d}/10/2025",
                "sáng",
                "absent",
            ]
        )
        for day in (6, 7, 8, 9, 10)
    ]
    err = capsys.readouterr().err
    assert 3 in codes
    assert "Ổ đĩa đã đầy" in err
    assert "Traceback" not in err
    (small_disk / "filler").unlink()
    assert main(["--data-dir", str(folder), "attendance", "summary", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"student_code": "HS001"' in out
    assert main(["--data-dir", str(folder), "log", "verify"]) == 0


def test_read_only_disk(
    small_disk: Path, profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A decision on a read-only disk fails with exit 3 and a clear message."""
    folder = copy_profile(profile, small_disk)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    code = main(
        ["--data-dir", str(folder), "attendance", "mark", "HS001", "06/10/2025", "sáng", "absent"]
    )
    err = capsys.readouterr().err
    assert code == 3, err
    assert "chỉ cho phép đọc" in err
    assert "Traceback" not in err
    assert (folder / DATABASE_FILE).exists()
