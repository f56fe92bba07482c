"""A full or read-only disk: a clear message, exit 3, and the data already saved stays saved.

These mount a small tmpfs, which needs root (as in CI); elsewhere they are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from desktop.cli.main import main
from desktop.errors import EXIT_STORAGE
from desktop.models.db import DATABASE_FILE, HEAD_REVISION, backup_before_upgrade
from tests import disk
from tests.damage import overwrite_pages_of


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with disk.small_disk(tmp_path) as mount_point:
        yield mount_point


def copy_profile(profile: Path, target: Path) -> Path:
    folder = target / "profile"
    folder.mkdir()
    for file in profile.iterdir():
        shutil.copy2(file, folder / file.name)
    return folder


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
    disk.fill(small_disk)
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
    disk.free(small_disk)
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


def test_a_damaged_profile_says_so_and_what_restoring_loses(
    profile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes of the student table overwritten on disk: exit 3 and the damage message, naming
    the backup and the unsynced work, in Vietnamese; the file is left as it was. The profile
    stays plain (no keyring) so the table's pages can be found in its bytes: the encrypted
    profile's damage is tests/models/test_encryption.py's."""
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert main(["--data-dir", str(profile), "leave", "list"]) == 0
    finally:
        keyring.set_keyring(previous)
    backup = backup_before_upgrade(profile / DATABASE_FILE, HEAD_REVISION)
    overwrite_pages_of(profile / DATABASE_FILE, "student")
    damaged = (profile / DATABASE_FILE).read_bytes()
    capsys.readouterr()

    assert main(["--data-dir", str(profile), "leave", "list"]) == EXIT_STORAGE

    error = capsys.readouterr().err
    assert "bị hỏng" in error
    assert str(backup) in error
    assert "Traceback" not in error
    assert (profile / DATABASE_FILE).read_bytes() == damaged
