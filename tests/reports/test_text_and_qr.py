"""The pieces under the form: wrapping mixed faces and the QR code's rectangles."""

from __future__ import annotations

import random

from reportlab.graphics.barcode import qrencoder

from desktop.reports.fonts import SERIF, SERIF_BOLD, register_fonts
from desktop.reports.qr import MASK_PATTERN, rectangles, rows
from desktop.reports.text_layout import Run, width_of, wrap


def test_the_rectangles_cover_exactly_the_dark_modules() -> None:
    """Merged runs paint every dark module once and no light one."""
    grid = rows("HR-123-ABCD2345")
    painted = [[0] * len(grid) for _ in grid]
    for column, row, width, height in rectangles(grid):
        for y in range(row, row + height):
            for x in range(column, column + width):
                painted[y][x] += 1
    assert painted == [[int(dark) for dark in line] for line in grid]


def _reportlabs(text: str) -> list[str]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.version = code.calculate_version()
    code.makeImpl(False, MASK_PATTERN)
    return ["".join("1" if dark else "0" for dark in row) for row in code.modules]


def test_the_modules_are_reportlabs_own_for_every_length_printed() -> None:
    """Verification codes with ids of 1 to 12 digits (versions 1 and 2), leaflet addresses
    (byte mode, with Vietnamese letters), and a long text of several Reed-Solomon blocks
    (version 7 and above carry a version pattern), digits only, and a long alphanumeric text:
    module for module as reportlab encodes them."""
    seed = 20261202
    print(f"seed {seed}")
    rng = random.Random(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    texts = [
        f"HR-{rng.randrange(10**digits)}-{''.join(rng.choices(letters, k=8))}"
        for digits in range(1, 13)
        for _ in range(10)
    ]
    texts += [
        "https://sll.example.edu.vn/dang-ki",
        "https://truong.example.edu.vn/" + "đăng-kí-" * 30,
        "x" * 600,
        "1234567890" * 3,  # numeric mode
        "HR-" + "ABC2345 " * 60,  # alphanumeric beyond version 9 (a longer count field)
    ]
    sizes = set()
    for text in texts:
        grid = rows(text)
        assert grid == _reportlabs(text), text
        sizes.add(len(grid))
    assert {21, 25}.issubset(sizes) and max(sizes) >= 45


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


def test_a_batch_keeping_its_rows_draws_each_code_as_alone() -> None:
    """The rows a batch's codes share, kept from code to code, give each code the same
    rectangles, in the same order, as drawing it alone."""
    known: dict[str, frozenset[tuple[int, int]]] = {}
    for request_id in range(1, 400, 7):
        grid = rows(f"HR-{request_id}-ABCD2345")
        assert rectangles(grid, known) == rectangles(grid)
    assert known
