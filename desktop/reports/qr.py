"""A QR code drawn straight onto a canvas: one filled path of its dark modules in module units,
runs of a row joined and equal runs of the rows below merged into one rectangle (reportlab's QR
widget draws each module as its own shape, which cost more than the rest of a form).
"""

from __future__ import annotations

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 4
"""The blank border the QR standard asks for, in modules."""
MASK_PATTERN = 0
"""Any of the eight masks makes a valid code; scoring all eight (what ``QRCode.make`` does) took
longer than drawing the rest of a form, for a code this short that scanners read with any mask."""


def modules(text: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return [[bool(dark) for dark in row] for row in code.modules]


def rectangles(grid: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """``(column, row, width, height)`` covering exactly the dark modules."""
    open_runs: dict[tuple[int, int], list[int]] = {}  # (start, end) -> [row, height]
    done: list[tuple[int, int, int, int]] = []
    for row_index, row in enumerate(grid):
        runs, column = set(), 0
        while column < len(row):
            if row[column]:
                start = column
                while column < len(row) and row[column]:
                    column += 1
                runs.add((start, column))
            column += 1
        for key in list(open_runs):
            if key in runs:
                open_runs[key][1] += 1
                runs.discard(key)
            else:
                top, height = open_runs.pop(key)
                done.append((key[0], top, key[1] - key[0], height))
        for key in runs:
            open_runs[key] = [row_index, 1]
    done.extend((k[0], top, k[1] - k[0], height) for k, (top, height) in open_runs.items())
    return done


def draw_qr(canvas: Canvas, text: str, *, x: float, y: float, size: float) -> None:
    """``text`` as a QR code ``size`` wide with its quiet zone, lower-left corner at ``x, y``."""
    grid = modules(text)
    unit = size / (len(grid) + 2 * QUIET_MODULES)
    canvas.saveState()
    # Module units with the origin at the top-left module, rows downwards.
    canvas.translate(x + QUIET_MODULES * unit, y + size - QUIET_MODULES * unit)
    canvas.scale(unit, -unit)
    canvas.setFillGray(0)
    # Whole numbers written as PDF operators directly: reportlab's path objects would format
    # each of them through its float formatter.
    operators = " ".join(f"{c} {r} {w} {h} re" for c, r, w, h in rectangles(grid))
    canvas.addLiteral(f"{operators} f")
    canvas.restoreState()
