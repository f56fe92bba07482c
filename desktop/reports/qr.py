"""A QR code drawn straight onto a canvas: one filled path of its dark modules, row runs joined
(reportlab's QR widget draws each module as its own rectangle, a tenth of a form's time)."""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 4
"""The blank border the QR standard asks for, in modules."""


def modules(text: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return [[bool(dark) for dark in row] for row in code.modules]


def draw_qr(canvas: Canvas, text: str, *, x: float, y: float, size: float) -> None:
    """``text`` as a QR code ``size`` wide with its quiet zone, lower-left corner at ``x, y``."""
    grid = modules(text)
    count = len(grid) + 2 * QUIET_MODULES
    unit = size / count
    path = canvas.beginPath()
    for row_index, row in enumerate(grid):
        top = y + size - (row_index + QUIET_MODULES + 1) * unit
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + (start + QUIET_MODULES) * unit, top, (column - start) * unit, unit)
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
