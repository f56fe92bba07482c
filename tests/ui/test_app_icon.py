"""The application icon is package data at every size, and the windows carry it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop.app import bare_application, frame
from desktop.resources import resource
from desktop.ui.app_icon import ICON_SIZES, application_icon

ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_size_is_a_png_of_that_size() -> None:
    for size in ICON_SIZES:
        image = QImage(str(resource("icons", f"homeroom-{size}.png")))
        assert (image.width(), image.height()) == (size, size), size
        assert image.hasAlphaChannel(), f"the {size} px icon has no transparent corners"


def test_the_installers_icons_are_shipped_beside_the_svg() -> None:
    assert resource("icons", "homeroom.svg").read_text(encoding="utf-8").startswith("<svg")
    assert resource("icons", "homeroom.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (ROOT / "resources" / "icons" / "homeroom.icns").read_bytes()[:4] == b"icns"


def test_the_icon_draws_at_the_task_bar_size(qtbot: QtBot) -> None:
    pixmap = application_icon().pixmap(QSize(32, 32))
    assert (pixmap.width(), pixmap.height()) == (32, 32)
    centre = pixmap.toImage().pixelColor(16, 16)
    assert centre.alpha() == 255, "the icon's centre is transparent: the PNG did not load"


def test_the_frame_window_has_the_application_icon(qtbot: QtBot) -> None:
    app = bare_application()
    shown = frame()
    qtbot.addWidget(shown)
    assert not app.windowIcon().isNull()
    assert set(ICON_SIZES) <= {size.width() for size in shown.windowIcon().availableSizes()}


def test_the_committed_icons_are_the_rendered_svg(tmp_path: Path) -> None:
    """make-icons.py run again writes the committed bytes: nobody edited a PNG by hand or
    forgot to rerun it after changing the SVG."""
    script = ROOT / "packaging" / "icons" / "make-icons.py"
    copy = tmp_path / "packaging" / "icons"
    copy.mkdir(parents=True)
    (copy / "make-icons.py").write_bytes(script.read_bytes())
    icons = tmp_path / "resources" / "icons"
    icons.mkdir(parents=True)
    (icons / "homeroom.svg").write_bytes((ROOT / "resources/icons/homeroom.svg").read_bytes())
    result = subprocess.run(
        [sys.executable, str(copy / "make-icons.py")],
        capture_output=True,
        text=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for made in sorted(icons.iterdir()):
        assert made.read_bytes() == (ROOT / "resources/icons" / made.name).read_bytes(), made.name
