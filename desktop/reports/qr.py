"""A QR code drawn straight onto a canvas: one filled path of its dark modules in module units,
runs of a row joined and equal runs of the rows below merged into one rectangle (reportlab's QR
widget draws each module as its own shape, which cost more than the rest of a form).

The modules are reportlab's encoder's (``qrencoder``: its choice of mode and version, its bit
stream), with the parts that are the same for every code of a version made once and kept (the
finder, timing and format patterns; the order of the data modules and their mask) and the
Reed-Solomon check bytes computed with log tables rather than reportlab's polynomial objects:
these took most of a form's QR time. ``tests/reports/test_text_and_qr.py`` checks the modules
equal reportlab's own for codes of every length the forms and leaflets print.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

QUIET_MODULES = 4
"""The blank border the QR standard asks for, in modules."""
MASK_PATTERN = 0
"""Any of the eight masks makes a valid code; scoring all eight (what ``QRCode.make`` does) took
longer than drawing the rest of a form, for a code this short that scanners read with any mask."""
LEVEL = qrencoder.QRErrorCorrectLevel.M

_EXP = qrencoder.EXP_TABLE
_LOG = qrencoder.LOG_TABLE


@lru_cache(maxsize=64)
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed-Solomon generator's coefficients after the leading 1, as logarithms."""
    poly = qrencoder.QRUtil.getErrorCorrectPolynomial(degree)
    return tuple(_LOG[poly.get(i)] for i in range(1, poly.getLength()))


def _check_bytes(data: list[int], degree: int) -> list[int]:
    """The remainder of ``data`` shifted by ``degree`` over the generator (long division)."""
    generator = _generator(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder[0]
        remainder = [*remainder[1:], 0]
        if factor:
            shift = _LOG[factor]
            for index, log in enumerate(generator):
                remainder[index] ^= _EXP[(log + shift) % 255]
    return remainder


@lru_cache(maxsize=8)
def _frame(version: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int, bool], ...]]:
    """What every code of ``version`` shares: the function patterns, and each data module's
    ``(row, column, mask)`` in the order the bits fill them."""
    code = qrencoder.QRCode(version, LEVEL)
    code.moduleCount = version * 4 + 17
    code.modules = [[False] * code.moduleCount for _ in range(code.moduleCount)]
    corner = code.moduleCount - 7
    for row, column in ((0, 0), (corner, 0), (0, corner)):
        code.setupPositionProbePattern(row, column)
    code.setupPositionAdjustPattern()
    code.setupTimingPattern()
    code.setupTypeInfo(False, MASK_PATTERN)
    if version >= 7:
        code.setupTypeNumber(False)
    mask = qrencoder.QRUtil.getMask(MASK_PATTERN)
    places = tuple((row, col, bool(mask(row, col))) for col, row in code.dataPosIterator())
    return tuple(tuple(bool(dark) for dark in line) for line in code.modules), places


def _codewords(code: qrencoder.QRCode) -> list[int]:
    """The data and check bytes of ``code`` interleaved by block, as ``QRCode.createData``."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(code.version, LEVEL)
    capacity = 8 * sum(block.dataCount for block in blocks)
    buffer = qrencoder.QRBitBuffer()
    for data in code.dataList:
        data.write(buffer, code.version)
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    data_bytes = buffer.buffer + [next(pads) for _ in range(capacity // 8 - len(buffer.buffer))]
    offset, data_blocks, check_blocks = 0, [], []
    for block in blocks:
        chunk = data_bytes[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        check_blocks.append(_check_bytes(chunk, block.totalCount - block.dataCount))
    return [
        byte
        for column in itertools.chain(
            itertools.zip_longest(*data_blocks), itertools.zip_longest(*check_blocks)
        )
        for byte in column
        if byte is not None
    ]


def modules(text: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, LEVEL)
    code.addData(text)
    code.version = code.calculate_version()
    template, places = _frame(code.version)
    grid = [list(line) for line in template]
    bits = [bool(byte >> shift & 1) for byte in _codewords(code) for shift in range(7, -1, -1)]
    bits += [False] * (len(places) - len(bits))  # the remainder modules are light
    for (row, col, masked), dark in zip(places, bits, strict=True):
        grid[row][col] = dark ^ masked
    return grid


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
