"""The bundled screen font reaches Qt from the package data."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from pytestqt.qtbot import QtBot

from desktop.ui.fonts import install_screen_fonts


def test_noto_sans_is_installed_for_the_window(qtbot: QtBot) -> None:
    """After start-up Qt knows Noto Sans in regular and bold, whatever the system has."""
    assert "Noto Sans" in install_screen_fonts()
    styles = QFontDatabase.styles("Noto Sans")
    assert "Regular" in styles and "Bold" in styles
