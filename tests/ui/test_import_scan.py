"""PySide6's per-import check, made cheap at start-up, gives PySide6's own answers."""

from __future__ import annotations

import linecache
import sys
import types
from pathlib import Path

import pytest

from desktop.ui import import_scan

feature = pytest.importorskip("shibokensupport.feature")


def _module(path: Path, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    return module


def test_the_light_check_answers_as_pyside_does(tmp_path: Path) -> None:
    """A module whose source names PySide6 uses it, one that does not, does not; a source that
    cannot be read does not either; the original check is kept for the rest."""
    before = feature._mod_uses_pyside  # already light if the window was started in this run
    original = getattr(before, "_homeroom_original", before)
    qt = tmp_path / "with_qt.py"
    qt.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("import json\n", encoding="utf-8")
    try:
        assert import_scan.lighten()
        assert import_scan.lighten()  # twice: still one wrapper
        light = feature._mod_uses_pyside
        assert light is not original and light._homeroom_original is original
        for path, name in ((qt, "with_qt"), (plain, "plain")):
            assert light(_module(path, name)) is original(_module(path, name))
        assert light(_module(tmp_path / "gone.py", "gone")) is False
        assert light(sys) is original(sys)  # built in: no source file
    finally:
        feature._mod_uses_pyside = before


def test_an_import_after_it_leaves_no_source_in_memory(tmp_path: Path) -> None:
    """A module imported once the check is light is not kept in ``linecache``."""
    before = feature._mod_uses_pyside
    (tmp_path / "homeroom_scan_probe.py").write_text("VALUE = 1\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        import_scan.lighten()
        # An import statement: PySide6 watches ``builtins.__import__``, which
        # ``importlib.import_module`` does not go through.
        namespace: dict[str, object] = {}
        exec("import homeroom_scan_probe", namespace)
        assert isinstance(namespace["homeroom_scan_probe"], types.ModuleType)
        assert str(tmp_path / "homeroom_scan_probe.py") not in linecache.cache
    finally:
        feature._mod_uses_pyside = before
        sys.path.remove(str(tmp_path))
        sys.modules.pop("homeroom_scan_probe", None)
