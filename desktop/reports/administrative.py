"""An A4 administrative document in the style of Decree 30/2020, Appendix I (domain.md §5), as a
flowing story: the issuing body at the top left, the national title and motto with its rule at
the top right over the place and date, the title, then the body; "page x of y" at the foot.

The leave form draws its single page by hand; documents that run to several pages (an incident
report, a student's record) flow through reportlab's frames here instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop.i18n import _
from desktop.reports.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from desktop.reports.layout import NumberedCanvas, TextBlock, text
from desktop.reports.leave_form import place_and_date
from desktop.reports.text_layout import Align, Run, clean, width_of, wrap

# Decree 30/2020, Appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
FRAME_PADDING = 6.0
"""reportlab's frame padding, inside the margins on each side (2 mm: still within Decree 30's)."""
WIDTH = A4[0] - LEFT - RIGHT - 2 * FRAME_PADDING
"""The width the body's text and tables have."""
ISSUER_WIDTH = 71 * mm
ISSUER_GAP = 6 * mm
"""Kept clear between the issuer's lines and the national title beside them."""
HEADER = 12.0
BODY = 13.0
SIGNER_WIDTH = 85 * mm
SECTION_ROOM = 35 * mm
SIGNATURE_ROOM = 46.0
"""Blank height left for a handwritten signature, in points (the leave form's)."""


@dataclass(frozen=True)
class Issuer:
    governing_body: str
    school: str
    province: str
    """The place of the date line."""


class _Rule(Flowable):  # type: ignore[misc]
    """A centred rule as long as ``length`` points (the width of the line above, or a share)."""

    def __init__(self, length: float) -> None:
        super().__init__()
        self.length = length
        self.frame_width = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.frame_width = available_width
        return available_width, 4.0

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        start = (self.frame_width - self.length) / 2
        self.canv.line(start, 3.0, start + self.length, 3.0)


def _fitted(value: str, font: str) -> float:
    """The issuer's size at which ``value`` holds on one line, down to 10.5 pt (a longer name
    wraps at that size), as on the leave form."""
    for size in (HEADER, 11.5, 11.0):
        if width_of(value, font, size) <= ISSUER_WIDTH - ISSUER_GAP:
            return size
    return 10.5


def _heading(issuer: Issuer, day: date, title: str) -> list[Flowable]:
    nation_width = WIDTH - ISSUER_WIDTH
    body = clean(issuer.governing_body).upper()
    school = clean(issuer.school).upper()
    school_size = _fitted(school, SERIF_BOLD)
    left: list[Flowable] = [
        text(body, size=_fitted(body, SERIF), align=Align.CENTER),
        text(school, size=school_size, font=SERIF_BOLD, align=Align.CENTER, space_after=0),
        _Rule(min(width_of(school, SERIF_BOLD, school_size), ISSUER_WIDTH) * 0.4),
    ]
    motto = _("Independence - Freedom - Happiness")
    right: list[Flowable] = [
        text(_("SOCIALIST REPUBLIC OF VIET NAM"), size=HEADER, font=SERIF_BOLD, align=Align.CENTER),
        text(motto, size=BODY, font=SERIF_BOLD, align=Align.CENTER, space_after=0),
        _Rule(min(width_of(motto, SERIF_BOLD, BODY), nation_width)),
        Spacer(1, 4),
        text(
            place_and_date(issuer.province, day), size=BODY, font=SERIF_ITALIC, align=Align.CENTER
        ),
    ]
    grid = Table([[left, right]], colWidths=[ISSUER_WIDTH, nation_width])
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        grid,
        Spacer(1, 14),
        text(clean(title).upper(), size=14, font=SERIF_BOLD, align=Align.CENTER, space_after=8),
    ]


def field(label: str, value: str, *, size: float = BODY) -> TextBlock:
    """ "Label: value" on one paragraph, the label in bold."""
    return TextBlock([Run(label + " ", SERIF_BOLD), Run(clean(value), SERIF)], size=size)


def paragraphs(value: str, *, size: float = BODY) -> list[Flowable]:
    """``value``'s paragraphs (its line breaks kept), wrapped to the page one line per block: a
    block does not split, and a teacher's description may run longer than a page."""
    register_fonts()
    blocks: list[Flowable] = []
    for paragraph in value.splitlines():
        if not paragraph.strip():
            continue
        lines = wrap([Run(clean(paragraph), SERIF)], size, WIDTH)
        for index, line in enumerate(lines):
            words = " ".join(piece.text for piece in line)
            last = index == len(lines) - 1
            blocks.append(text(words, size=size, space_after=2.0 if last else 0.0))
    return blocks


def signature(role: str, note: str, name: str) -> Table:
    """The signature block at the right: the role, a note in italics, room to sign, the name."""
    block = [
        text(role.upper(), size=BODY, font=SERIF_BOLD, align=Align.CENTER, space_after=0),
        text(note, size=BODY - 1, font=SERIF_ITALIC, align=Align.CENTER),
        Spacer(1, SIGNATURE_ROOM),
        text(clean(name), size=BODY, font=SERIF_BOLD, align=Align.CENTER),
    ]
    grid = Table([["", block]], colWidths=[WIDTH - SIGNER_WIDTH, SIGNER_WIDTH])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return grid


def section(title: str, *, size: float = BODY) -> list[Flowable]:
    """A section's heading, on a new page when too little of this one is left for it to have a
    few lines under it (a long table after it still starts on the same page)."""
    return [
        CondPageBreak(SECTION_ROOM),
        Spacer(1, 6),
        text(title, size=size, font=SERIF_BOLD, space_after=3),
    ]


def render_administrative(
    issuer: Issuer, day: date, title: str, story: Sequence[Flowable]
) -> bytes:
    """The PDF: the Decree 30 heading dated ``day`` (the school's today), ``title``, ``story``."""
    register_fonts()
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=clean(title),
        creator="Homeroom",
        invariant=True,
        initialFontName=SERIF,
    )
    document.build([*_heading(issuer, day, title), *story], canvasmaker=NumberedCanvas)
    return out.getvalue()
