"""What ``scripts/setup`` installs lets Qt open a real window on X11, not only offscreen: a new
user's first ``./scripts/homeroom`` on a Debian desktop failed with "could not load the Qt
platform plugin xcb" (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1 were missing), which the
offscreen suite never noticed."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="Linux's ldd"
)

QT = Path(PySide6.__file__).parent / "Qt"


@pytest.mark.parametrize(
    "library", [QT / "plugins" / "platforms" / "libqxcb.so", QT / "lib" / "libQt6XcbQpa.so.6"]
)
def test_the_xcb_plugin_finds_every_library_it_links(library: Path) -> None:
    linked = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=True)
    missing = [line.strip() for line in linked.stdout.splitlines() if "not found" in line]
    assert not missing, missing


def test_the_cursor_library_qt_loads_at_run_time_is_there() -> None:
    # Qt 6.5+ dlopens it and refuses to start the xcb plugin without it.
    assert ctypes.util.find_library("xcb-cursor") is not None
