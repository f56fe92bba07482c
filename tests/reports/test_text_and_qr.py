"""The pieces under the form: wrapping mixed faces and the QR code's rectangles."""

from __future__ import annotations

from desktop.reports.fonts import SERIF, SERIF_BOLD, register_fonts
from desktop.reports.qr import modules, rectangles
from desktop.reports.text_layout import Run, width_of, wrap


def test_the_rectangles_cover_exactly_the_dark_modules() -> None:
    """Merged runs paint every dark module once and no light one."""
    grid = modules("HR-123-ABCD2345")
    painted = [[0] * len(grid) for _ in grid]
    for column, row, width, height in rectangles(grid):
        for y in range(row, row + height):
            for x in range(column, column + width):
                painted[y][x] += 1
    assert painted == [[int(dark) for dark in line] for line in grid]


def test_lines_hold_in_their_width_and_keep_every_letter() -> None:
    """A label and a value wrap within the width, a long word is cut, nothing is lost, and a
    word typed with combining marks is set composed (NFC)."""
    register_fonts()
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed as letters and combining marks
    runs = [Run("Lý do: ", SERIF_BOLD), Run(f"{decomposed} " + "x" * 400 + " hết", SERIF)]
    lines = wrap(runs, 13, 300)
    assert len(lines) > 2
    for line in lines:
        last = line[-1]
        assert last.x + width_of(last.text, last.font, 13) <= 300 + 0.01
    text = "".join(piece.text for line in lines for piece in line).replace(" ", "")
    assert text == "Lýdo:Nguyễn" + "x" * 400 + "hết"
    assert lines[0][0].font == SERIF_BOLD and lines[0][-1].font == SERIF
