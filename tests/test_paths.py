"""One place knows the folders: ``desktop.paths``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from desktop import paths
from desktop.cli.context import database_path
from desktop.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_the_data_folder_override_and_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HOMEROOM_DATA_DIR wins; without it the user data folder, never a None override."""
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path))
    assert paths.data_dir_override() == tmp_path
    assert paths.database_file() == tmp_path / "homeroom.sqlite3"
    assert database_path(build_parser().parse_args(["status"])) == paths.database_file()
    chosen = tmp_path / "other"
    args = build_parser().parse_args(["--data-dir", str(chosen), "status"])
    assert database_path(args) == chosen / "homeroom.sqlite3"
    monkeypatch.delenv(paths.DATA_DIR_ENV)
    assert paths.data_dir_override() is None
    assert paths.data_dir().name == "homeroom"


def test_only_the_paths_module_reads_the_data_folder_variable() -> None:
    """No other module names HOMEROOM_DATA_DIR in code (documentation may)."""
    readers = sorted(
        path.relative_to(ROOT).as_posix()
        for folder in ("desktop", "server")
        for path in (ROOT / folder).rglob("*.py")
        if any(
            isinstance(node, ast.Constant) and node.value == paths.DATA_DIR_ENV
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert readers == ["desktop/paths.py"]
