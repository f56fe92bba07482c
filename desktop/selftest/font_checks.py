"""The bundled fonts: each file present, readable, covering Vietnamese, and registered where
it is used (reportlab for the documents, Qt for the screen)."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from desktop.i18n import _
from desktop.selftest.runner import CheckFailed, Context

VIETNAMESE_LETTERS = "ĐđĂăÂâÊêÔôƠơƯưÀàẢảÃãÁáẠạẦầẨẩẪẫẤấẬậỆệỂểỮữỰựỸỹ"
"""The letters that fail first in a font without Vietnamese (stacked diacritics, horn, breve)."""


def _lacking(file_name: str) -> CheckFailed:
    return CheckFailed(_("the font {file} lacks Vietnamese letters").format(file=file_name))


def _unreadable(file_name: str) -> CheckFailed:
    return CheckFailed(_("the font {file} cannot be read").format(file=file_name))


def check_document_fonts(fonts: Mapping[str, bytes]) -> str:
    """``fonts``: file name to bytes. Registered with reportlab under names of their own, so
    the documents' family is left as ``desktop.reports.fonts`` registers it."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for number, (file_name, data) in enumerate(fonts.items()):
        try:
            font = TTFont(f"HomeroomSelfTest{number}", BytesIO(data))
        except Exception as error:  # reportlab's parser raises whatever the bytes provoke
            raise _unreadable(file_name) from error
        if any(ord(letter) not in font.face.charToGlyph for letter in VIETNAMESE_LETTERS):
            raise _lacking(file_name)
        pdfmetrics.registerFont(font)
    return _("{count} files").format(count=len(fonts))


def document_fonts(context: Context) -> str | None:
    from desktop.reports.fonts import DOCUMENT_FONTS
    from desktop.resources import font_data

    return check_document_fonts({name: font_data(name) for name in DOCUMENT_FONTS.values()})


def check_screen_fonts(fonts: Mapping[str, bytes]) -> str:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QFontDatabase, QRawFont

    from desktop.selftest.qt import application

    application()
    families: set[str] = set()
    for file_name, data in fonts.items():
        raw = QRawFont(QByteArray(data), 12.0)
        if not raw.isValid():
            raise _unreadable(file_name)
        if not all(raw.supportsCharacter(ord(letter)) for letter in VIETNAMESE_LETTERS):
            raise _lacking(file_name)
        font_id = QFontDatabase.addApplicationFontFromData(QByteArray(data))
        if font_id < 0:
            raise _unreadable(file_name)
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    return ", ".join(sorted(families))


def screen_fonts(context: Context) -> str | None:
    from desktop.resources import SCREEN_FONTS, font_data

    return check_screen_fonts({name: font_data(name) for name in SCREEN_FONTS})
