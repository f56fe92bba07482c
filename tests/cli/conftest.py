"""Running ``homeroom`` in-process on a real profile holding the small hand-made class."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.cli.main import main
from desktop.models.db import DATABASE_FILE, open_database
from desktop.services.profile import TODAY_KEY, set_setting
from tests.factories import build_small_class


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    folder = tmp_path / "profile"
    database = open_database(folder / DATABASE_FILE)
    with database.transaction() as session:
        build_small_class(session)
        set_setting(session, TODAY_KEY, "2025-10-20")
    database.close()
    return folder


@pytest.fixture
def run(profile: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*args: str) -> Result:
        try:
            code = main(["--data-dir", str(profile), *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
