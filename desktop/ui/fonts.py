"""The bundled screen fonts (Noto Sans, full Vietnamese coverage) made known to Qt, so a
widget that asks for them finds them whatever the computer has installed."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFontDatabase

from desktop.resources import SCREEN_FONTS, font_data

log = logging.getLogger(__name__)


def install_screen_fonts() -> list[str]:
    """Add the screen fonts to the application's font database (GUI thread, after the
    ``QApplication``); the families added. A font Qt refuses is logged and left out."""
    families: list[str] = []
    for file_name in SCREEN_FONTS:
        font_id = QFontDatabase.addApplicationFontFromData(QByteArray(font_data(file_name)))
        if font_id < 0:
            log.warning("Qt refused the bundled font %s", file_name)
            continue
        families.extend(
            family
            for family in QFontDatabase.applicationFontFamilies(font_id)
            if family not in families
        )
    return families
