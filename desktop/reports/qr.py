"""A QR code drawn straight onto a canvas: one filled path of its dark modules in module units,
runs of a row joined and equal runs of the rows below merged into one rectangle (reportlab's QR
widget draws each module as its own shape, which cost more than the rest of a form).

The modules are reportlab's encoder's (``qrencoder``: its choice of mode and version, its bit
stream), with the parts that are the same for every code of a version made once and kept (the
finder, timing and format patterns; where each data module goes, and their mask), the bit
stream kept in one integer rather than reportlab's list of bits, and the Reed-Solomon check
bytes computed with a table of each byte's multiple of the generator rather than reportlab's
polynomial objects: these took most of a form's QR time. A code's modules are a string per
row, which places its bits with one gather and finds its dark runs with a regular expression.
``tests/reports/test_text_and_qr.py`` checks the modules equal reportlab's own for codes of
every length the forms and leaflets print.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
_DARK_RUN = re.compile("1+")
_SPAN = re.Match.span
_NUMBERS = tuple(str(number) for number in range(178))
"""The numbers a path of modules holds (a side has at most 177), written once: converting
each rectangle's four on every code took longer than finding them."""


@lru_cache(maxsize=64)
def _remainders(degree: int) -> tuple[int, ...]:
    """For each byte ``f``, ``f`` times the Reed-Solomon generator after its leading 1, as one
    integer of ``degree`` bytes: the long division then shifts and XORs whole integers."""
    poly = qrencoder.QRUtil.getErrorCorrectPolynomial(degree)
    logs = [_LOG[poly.get(i)] for i in range(1, poly.getLength())]
    multiples = (
        int.from_bytes(bytes(_EXP[(log + _LOG[factor]) % 255] for log in logs), "big")
        for factor in range(1, 256)
    )
    return (0, *multiples)


def _check_bytes(data: bytes, degree: int) -> bytes:
    """The remainder of ``data`` shifted by ``degree`` over the generator (long division)."""
    table = _remainders(degree)
    top, keep = 8 * (degree - 1), (1 << 8 * (degree - 1)) - 1
    remainder = 0
    for byte in data:
        remainder = (remainder & keep) << 8 ^ table[byte ^ remainder >> top]
    return remainder.to_bytes(degree, "big")


@dataclass(frozen=True)
class _Frame:
    """What every code of a version shares."""

    size: int
    """Modules per side."""
    places: int
    """Data modules, filled in the order the bits come."""
    mask: int
    """The mask of the data modules as ``places`` bits, the first module's the highest."""
    gather: Callable[[str], tuple[str, ...]]
    """From the data modules' bits as text ("0"/"1", in fill order) followed by "01", every
    module row by row (a function pattern's module picks its "0" or "1")."""


@lru_cache(maxsize=8)
def _frame(version: int) -> _Frame:
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
    size = code.moduleCount
    order = [(row, col) for col, row in code.dataPosIterator()]
    places = len(order)
    source = [places + bool(dark) for line in code.modules for dark in line]
    for index, (row, col) in enumerate(order):
        source[row * size + col] = index
    masked = "".join("1" if mask(row, col) else "0" for row, col in order)
    return _Frame(size, places, int(masked, 2), operator.itemgetter(*source))


class _Bits:
    """The bit stream as one integer (``qrencoder``'s segments write to it with ``put``)."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, number: int, length: int) -> None:
        self.value = self.value << length | number & (1 << length) - 1
        self.length += length


_ALPHANUMERIC = {char: value for value, char in enumerate(qrencoder.QRAlphaNum.chars)}


@lru_cache(maxsize=64)
def _capacity(version: int) -> int:
    """The data bits a code of ``version`` holds."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, LEVEL)
    return 8 * sum(int(block.dataCount) for block in blocks)


def _alphanumeric(text: str) -> tuple[int, _Bits]:
    """The version and bit stream of a text reportlab encodes as one alphanumeric segment
    (every verification code), as ``QRCode.addData``, ``calculate_version`` and
    ``QRAlphaNum.write`` make them, without their objects."""
    count = len(text)
    data = count // 2 * 11 + count % 2 * 6
    version = next((v for v in range(1, 40) if 4 + _count_bits(v) + data <= _capacity(v)), 39)
    bits = _Bits()
    bits.put(qrencoder.QRAlphaNum.mode, 4)
    bits.put(count, _count_bits(version))
    values = [_ALPHANUMERIC[char] for char in text]
    for index in range(0, count - 1, 2):
        bits.put(values[index] * 45 + values[index + 1], 11)
    if count % 2:
        bits.put(values[-1], 6)
    return version, bits


def _count_bits(version: int) -> int:
    """The length of an alphanumeric segment's character count at ``version``."""
    lengths: tuple[int, int, int] = qrencoder.QRAlphaNum.lengthbits
    return lengths[0] if version < 10 else lengths[1] if version < 27 else lengths[2]


def _encoded(text: str) -> tuple[int, _Bits]:
    """The version and the bit stream of ``text``'s code, reportlab's choice of both."""
    if qrencoder.QRAlphaNum.valid(text) and not qrencoder.QRNumber.valid(text):
        return _alphanumeric(text)
    code = qrencoder.QRCode(None, LEVEL)
    code.addData(text)
    version = code.calculate_version()
    bits = _Bits()
    for data in code.dataList:
        data.write(bits, version)
    return version, bits


def _codewords(version: int, bits: _Bits) -> bytes:
    """The data and check bytes of the stream ``bits`` interleaved by block, as
    ``QRCode.createData``."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, LEVEL)
    capacity = _capacity(version)
    if bits.length + 4 <= capacity:
        bits.put(0, 4)
    bits.put(0, -bits.length % 8)
    written = bits.value.to_bytes(bits.length // 8, "big")
    pads = bytes((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    wanted = capacity // 8 - len(written)
    data_bytes = written + (pads * (wanted // 2 + 1))[:wanted]
    offset, data_blocks, check_blocks = 0, [], []
    for block in blocks:
        chunk = data_bytes[offset : offset + block.dataCount]
        offset += block.dataCount
        data_blocks.append(chunk)
        check_blocks.append(_check_bytes(chunk, block.totalCount - block.dataCount))
    return _interleaved(data_blocks) + _interleaved(check_blocks)


def _interleaved(blocks: list[bytes]) -> bytes:
    """The first byte of each block, then the second of each, and so on."""
    if len(blocks) == 1:  # every verification code
        return blocks[0]
    columns = itertools.zip_longest(*blocks)
    return bytes(byte for column in columns for byte in column if byte is not None)


def rows(text: str) -> list[str]:
    """The modules of ``text``'s code, a string per row, "1" for a dark module."""
    version, bits = _encoded(text)
    frame = _frame(version)
    words = _codewords(version, bits)
    # The remainder modules after the codewords are light, then masked like the others.
    data = int.from_bytes(words, "big") << frame.places - 8 * len(words)
    grid = "".join(frame.gather(f"{data ^ frame.mask:0{frame.places}b}01"))
    return [grid[start : start + frame.size] for start in range(0, len(grid), frame.size)]


RowRuns = dict[str, frozenset[tuple[int, int]]]
"""The dark runs ``(start, end)`` of each row met so far: the codes of a batch share half their
rows (the finder and timing patterns with a few data modules beside them)."""


def rectangles(
    grid: Sequence[str], known: RowRuns | None = None
) -> list[tuple[int, int, int, int]]:
    """``(column, row, width, height)`` covering exactly the dark modules of ``grid`` (as
    ``rows`` gives it); ``known`` keeps each row's runs for the next codes of a batch."""
    known = {} if known is None else known
    open_runs: dict[tuple[int, int], int] = {}  # (start, end) -> the row it started on
    done: list[tuple[int, int, int, int]] = []
    previous = None
    for row_index, row in enumerate(grid):
        if row == previous:  # every open run goes on, none starts
            continue
        previous = row
        runs = known.get(row)
        if runs is None:
            runs = known[row] = frozenset(map(_SPAN, _DARK_RUN.finditer(row)))
        ended = [key for key in open_runs if key not in runs]
        for key in ended:
            top = open_runs.pop(key)
            done.append((key[0], top, key[1] - key[0], row_index - top))
        for key in runs:
            if key not in open_runs:
                open_runs[key] = row_index
    done.extend((k[0], top, k[1] - k[0], len(grid) - top) for k, top in open_runs.items())
    return done


def draw_qr(
    canvas: Canvas,
    text: str,
    *,
    x: float,
    y: float,
    size: float,
    known: RowRuns | None = None,
) -> None:
    """``text`` as a QR code ``size`` wide with its quiet zone, lower-left corner at ``x, y``
    (``known``: the batch's rows, as ``rectangles`` keeps them)."""
    grid = rows(text)
    unit = size / (len(grid) + 2 * QUIET_MODULES)
    canvas.saveState()
    # Module units with the origin at the top-left module, rows downwards.
    canvas.translate(x + QUIET_MODULES * unit, y + size - QUIET_MODULES * unit)
    canvas.scale(unit, -unit)
    canvas.setFillGray(0)
    # Whole numbers written as PDF operators directly: reportlab's path objects would format
    # each of them through its float formatter.
    number = _NUMBERS
    operators = " ".join(
        f"{number[c]} {number[r]} {number[w]} {number[h]} re"
        for c, r, w, h in rectangles(grid, known)
    )
    canvas.addLiteral(f"{operators} f")
    canvas.restoreState()
