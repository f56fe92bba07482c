"""An Excel export that fails on a full disk leaves no copy of the class in the temporary
folder. openpyxl first writes each sheet's XML (names, dates of birth, guardians' phones, in
clear) to a file of its own there; when writing the workbook then failed, that file stayed
while the app ran, and for good if the app was killed.

Where the disk fills up decides which step fails, so the export is tried with a little more
room each time, from none to more than the sheet."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from tests import disk


@pytest.fixture
def own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    yield folder
    tempfile.tempdir = None


def test_a_roster_export_on_a_full_disk_leaves_nothing_in_the_temp_folder(
    tmp_path: Path, own_temp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "profile"
    assert main(["--data-dir", str(profile), "init", "--demo"]) == 0
    failed = 0
    with disk.small_disk(tmp_path, "256k") as target:
        for room in range(0, 24 * 1024, 2048):
            disk.fill(target)
            filler = target / "filler"
            with filler.open("r+b") as handle:
                handle.truncate(max(0, filler.stat().st_size - room))
            code = main(
                ["--data-dir", str(profile), "excel", "export", "roster", "-o", str(target / "a")]
            )
            if code == 2:
                failed += 1
                assert "Lỗi: " in capsys.readouterr().err
            assert sorted(own_temp.iterdir()) == [], f"{room} bytes free"
            for written in target.iterdir():
                written.unlink()
    assert failed > 2
