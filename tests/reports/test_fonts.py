"""The bundled fonts: package data with their licences, covering every Vietnamese letter."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

from desktop.reports.fonts import DOCUMENT_FONTS, register_fonts
from desktop.resources import SCREEN_FONTS, resource

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)


def test_every_font_file_ships_with_its_licence() -> None:
    """Each TTF is in resources/fonts/ beside the OFL text of its family."""
    for file_name in [*DOCUMENT_FONTS.values(), *SCREEN_FONTS]:
        assert resource("fonts", file_name).is_file()
        family = file_name.split("-")[0]
        licence = resource("fonts", f"{family}-OFL.txt").read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE" in licence


def test_the_document_faces_draw_every_vietnamese_letter() -> None:
    """Regular, bold, italic and bold italic all have a glyph for every letter, both cases."""
    register_fonts()
    letters = VIETNAMESE + VIETNAMESE.upper()
    for name in DOCUMENT_FONTS:
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        assert [c for c in letters if ord(c) not in glyphs] == [], name
