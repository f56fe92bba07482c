"""The application icon (the class book with a check mark) for every window, from the PNGs
``packaging/icons/make-icons.py`` renders into ``resources/icons/``.

PNGs rather than the SVG: Qt reads PNG without its SVG image plugin, which a frozen bundle may
leave out, and each size is drawn for its size (the 16 px one stays legible in a task bar)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from desktop.resources import resource

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def application_icon() -> QIcon:
    """The icon at all its sizes; Qt reads a file only when that size is first drawn."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource("icons", f"homeroom-{size}.png")), QSize(size, size))
    return icon
