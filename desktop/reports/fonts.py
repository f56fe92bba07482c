"""The bundled fonts (``resources/fonts/``), registered once with reportlab.

Documents are set in Liberation Serif (Times New Roman's metrics, as Decree 30/2020 expects of an
administrative paper) and the screen uses Noto Sans; both cover Vietnamese in full, which
reportlab's built-in Helvetica cannot. No document depends on a font of the computer it runs on.
"""

from __future__ import annotations

import threading
from io import BytesIO

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.resources import font_data

SERIF = "HomeroomSerif"
"""The documents' family: ``SERIF`` regular, with ``-Bold``, ``-Italic``, ``-BoldItalic``."""
SERIF_BOLD = f"{SERIF}-Bold"
SERIF_ITALIC = f"{SERIF}-Italic"
SERIF_BOLD_ITALIC = f"{SERIF}-BoldItalic"

DOCUMENT_FONTS = {
    SERIF: "LiberationSerif-Regular.ttf",
    SERIF_BOLD: "LiberationSerif-Bold.ttf",
    SERIF_ITALIC: "LiberationSerif-Italic.ttf",
    SERIF_BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Make the document family known to reportlab (once per process, from any thread)."""
    global _registered
    with _lock:
        if _registered:
            return
        for name, file_name in DOCUMENT_FONTS.items():
            pdfmetrics.registerFont(TTFont(name, BytesIO(font_data(file_name))))
        pdfmetrics.registerFontFamily(
            SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF_ITALIC, boldItalic=SERIF_BOLD_ITALIC
        )
        _registered = True
