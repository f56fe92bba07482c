"""Lines of text on a reportlab canvas: runs of mixed faces wrapped to a width.

Documents draw with ``drawString``, which takes text as it is: nothing a name or a reason holds
(``<b>``, ``&``, quotes) is read as markup. Text is set NFC (a reason typed with combining marks
shows its letters whole), whitespace runs collapse to one space, and a word wider than the line
(a 300-character string without spaces) is cut where it must be.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas


class Run(NamedTuple):
    """Text in one face. A tuple: the wrapping cache compares and hashes runs in C."""

    text: str
    font: str


class Align(Enum):
    LEFT = "left"
    CENTER = "center"


class Piece(NamedTuple):
    x: float
    text: str
    font: str
    width: float


@lru_cache(maxsize=1 << 16)
def width_of(text: str, font: str, size: float) -> float:
    """``stringWidth``, remembered: a batch of forms measures the same words again and again,
    and reportlab measures a TrueType string in pure Python."""
    return float(stringWidth(text, font, size))


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _cut(word: str, font: str, size: float, width: float) -> list[str]:
    """``word`` in chunks no wider than ``width`` (at least one character each)."""
    chunks, current = [], ""
    for char in word:
        if current and width_of(current + char, font, size) > width:
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks


Line = tuple[Piece, ...]


def wrap(runs: Sequence[Run], size: float, width: float) -> tuple[Line, ...]:
    """The runs broken into lines no wider than ``width``, neighbouring pieces of one face
    joined; piece ``x`` from the line's start. Remembered: a form measures its paragraphs
    before drawing them, and a batch sets the same ones on every page."""
    return _wrap(tuple(runs), size, width)


@lru_cache(maxsize=1 << 12)
def _wrap(runs: tuple[Run, ...], size: float, width: float) -> tuple[Line, ...]:
    lines: list[list[Piece]] = [[]]
    x = 0.0
    space_pending = False  # a space closing the previous run separates it from this one
    for run in runs:
        text = unicodedata.normalize("NFC", run.text)
        space = width_of(" ", run.font, size)
        for index, word in enumerate(text.split()):
            spaced = index > 0 or space_pending or text[:1].isspace()
            gap = space if spaced and x > 0 else 0.0
            word_width = width_of(word, run.font, size)
            if x + gap + word_width > width and x > 0:
                lines.append([])
                x, gap = 0.0, 0.0
            if word_width > width:
                chunks = _cut(word, run.font, size, width)
                for chunk in chunks[:-1]:
                    lines[-1].append(Piece(x, chunk, run.font, width_of(chunk, run.font, size)))
                    lines.append([])
                    x = 0.0
                word = chunks[-1]
                word_width = width_of(word, run.font, size)
            lines[-1].append(Piece(x + gap, word, run.font, word_width))
            x += gap + word_width
        space_pending = text[-1:].isspace() if text.strip() else space_pending or bool(text)
    return tuple(_joined(line, size) for line in lines if line)


def _joined(line: list[Piece], size: float) -> Line:
    """Neighbouring pieces of one face as one string (fewer, longer ``drawString`` calls)."""
    merged: list[Piece] = []
    for piece in line:
        if merged and merged[-1].font == piece.font:
            last = merged[-1]
            spaces = round((piece.x - last.x - last.width) / width_of(" ", piece.font, size))
            text = last.text + " " * spaces + piece.text
            merged[-1] = Piece(last.x, text, last.font, piece.x + piece.width - last.x)
        else:
            merged.append(piece)
    return tuple(merged)


def line_width(line: Line) -> float:
    last = line[-1]
    return last.x + last.width


def draw_lines(
    canvas: Canvas,
    lines: Sequence[Line],
    *,
    x: float,
    y: float,
    width: float,
    size: float,
    leading: float,
    align: Align = Align.LEFT,
) -> float:
    """Draw ``lines`` with the first baseline at ``y``; the baseline after the last."""
    for line in lines:
        start = x + (width - line_width(line)) / 2 if align is Align.CENTER else x
        for piece in line:
            canvas.setFont(piece.font, size)
            canvas.drawString(start + piece.x, y, piece.text)
        y -= leading
    return y


def draw_text(
    canvas: Canvas,
    runs: Sequence[Run],
    *,
    x: float,
    y: float,
    width: float,
    size: float,
    leading: float,
    align: Align = Align.LEFT,
) -> float:
    """Wrap and draw ``runs``; the baseline after the last line."""
    lines = wrap(runs, size, width)
    return draw_lines(canvas, lines, x=x, y=y, width=width, size=size, leading=leading, align=align)
