"""The frame every report shares: an A4 document in the bundled serif, the school at the top
left, a centred title and subtitle, tables whose header repeats on each page, "page x of y".

Text reaches reportlab only through ``drawString`` (a table's plain-string cells and
:class:`TextBlock`), never through paragraph markup: a name holding ``<b>`` or ``&`` is printed
as it is. A cell's text is wrapped to its column with ``text_layout.wrap`` (a 300-character word
is cut where it must be), so nothing runs over the next column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.domain.calendar import format_date
from desktop.i18n import _
from desktop.reports.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from desktop.reports.text_layout import Align, Line, Run, clean, draw_lines, wrap
from desktop.services.scope import ClassScope

MARGIN = 12 * mm
GRID_LINE = colors.Color(0.35, 0.35, 0.35)
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)
OFF_FILL = colors.Color(0.82, 0.82, 0.82)


class TextBlock(Flowable):  # type: ignore[misc]
    """Runs of text wrapped to the frame's width (no markup read)."""

    def __init__(
        self,
        runs: Sequence[Run],
        *,
        size: float = 11.0,
        align: Align = Align.LEFT,
        space_after: float = 2.0,
    ) -> None:
        super().__init__()
        self.runs = tuple(runs)
        self.size = size
        self.align = align
        self.space_after = space_after
        self.lines: tuple[Line, ...] = ()
        self.frame_width = 0.0

    @property
    def leading(self) -> float:
        return self.size * 1.3

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.frame_width = available_width
        self.lines = wrap(self.runs, self.size, available_width)
        return available_width, len(self.lines) * self.leading + self.space_after

    def draw(self) -> None:
        draw_lines(
            self.canv,
            self.lines,
            x=0,
            y=len(self.lines) * self.leading + self.space_after - self.size,
            width=self.frame_width,
            size=self.size,
            leading=self.leading,
            align=self.align,
        )


def text(value: str, *, size: float = 11.0, font: str = SERIF, **options: Any) -> TextBlock:
    return TextBlock([Run(value, font)], size=size, **options)


def cell(value: str, width: float, *, size: float, font: str = SERIF) -> str:
    """``value`` as a table cell's plain string, wrapped to ``width`` points ("\\n" between
    lines: reportlab draws each with ``drawString``)."""
    register_fonts()
    lines = wrap([Run(clean(value), font)], size, max(width, size))
    return "\n".join(" ".join(piece.text for piece in line) for line in lines)


@dataclass(frozen=True)
class Column:
    heading: str
    width: float
    """Points."""
    align: str = "CENTER"


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    size: float,
    header_rows: int = 1,
    extra_header: Sequence[Sequence[str]] = (),
    style: Sequence[tuple[Any, ...]] = (),
    name_font: str = SERIF,
) -> Table:
    """A grid with ``columns``' headings (wrapped, bold) repeated on every page, the cells of
    ``rows`` wrapped to their columns."""
    register_fonts()
    widths = [c.width for c in columns]
    pad = 2.0
    # The extra heading rows are the report's own words, set as they are (spans, line breaks).
    headings = [list(line) for line in extra_header]
    headings.append(
        [cell(c.heading, c.width - 2 * pad, size=size, font=SERIF_BOLD) for c in columns]
    )
    body = [
        [
            cell(v, c.width - 2 * pad, size=size, font=name_font)
            for v, c in zip(row, columns, strict=True)
        ]
        for row in rows
    ]
    heads = len(headings)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), SERIF, size, size * 1.15),
        ("FONT", (0, 0), (-1, heads - 1), SERIF_BOLD, size, size * 1.15),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID_LINE),
        ("BACKGROUND", (0, 0), (-1, heads - 1), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, heads - 1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
    ]
    for index, column in enumerate(columns):
        commands.append(("ALIGN", (index, heads), (index, -1), column.align))
    commands += list(style)
    grid = Table(headings + body, colWidths=widths, repeatRows=heads)
    grid.setStyle(TableStyle(commands))
    return grid


@dataclass(frozen=True)
class Frame:
    """What every page of a report says at its top and bottom."""

    scope: ClassScope
    title: str
    subtitle: str
    printed_on: date
    """The school's today."""
    landscape: bool = False


class NumberedCanvas(Canvas):  # type: ignore[misc]
    """Holds the pages until the end, so that each can say "page x of y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(SERIF_ITALIC, 8)
            self.drawRightString(
                width - MARGIN,
                MARGIN / 2,
                _("Page {page} of {pages}").format(page=number, pages=total),
            )
            super().showPage()
        super().save()


def render(frame: Frame, story: Sequence[Flowable]) -> bytes:
    """The report's PDF: the frame's heading, then ``story``."""
    register_fonts()
    out = BytesIO()
    size = landscape(A4) if frame.landscape else A4
    document = SimpleDocTemplate(
        out,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=clean(frame.title),
        creator="Homeroom",
        invariant=True,
        initialFontName=SERIF,
    )

    def footer(canvas: Canvas, _document: Any) -> None:
        canvas.saveState()
        canvas.setFont(SERIF_ITALIC, 8)
        canvas.drawString(
            MARGIN,
            MARGIN / 2,
            _("Printed on {day} by Homeroom").format(day=format_date(frame.printed_on)),
        )
        canvas.restoreState()

    document.build(
        [*_heading(frame), *story],
        onFirstPage=footer,
        onLaterPages=footer,
        canvasmaker=NumberedCanvas,
    )
    return out.getvalue()


def _heading(frame: Frame) -> list[Flowable]:
    scope = frame.scope
    return [
        text(clean(scope.governing_body).upper(), size=9.5),
        text(clean(scope.school_name).upper(), size=9.5, font=SERIF_BOLD, space_after=4),
        text(clean(frame.title).upper(), size=14, font=SERIF_BOLD, align=Align.CENTER),
        text(frame.subtitle, size=11, font=SERIF_ITALIC, align=Align.CENTER, space_after=6),
        Spacer(1, 2),
    ]
