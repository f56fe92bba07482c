"""The approved leave form ("Đơn xin nghỉ học"): one A4 page per request, in the administrative
layout of Decree 30/2020 (domain.md §5), with the record's verification code as a QR code.

``collect_pages`` reads everything a batch needs in one go (on the database lane: the first
print of a profile stores its verification key); ``draw_pages`` only draws, so it may run on any
thread. ``render_leave_forms`` does both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, school_time
from desktop.domain.guardians import relation_label
from desktop.domain.leave import AuditMethod, AuditOutcome, Channel, ReasonCategory
from desktop.i18n import N_, _, current_language
from desktop.reports import verification
from desktop.reports.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from desktop.reports.qr import RowRuns, draw_qr
from desktop.reports.text_layout import (
    Align,
    Line,
    Run,
    clean,
    draw_lines,
    draw_text,
    width_of,
    wrap,
)
from desktop.services.leave_forms import LeaveForm, leave_forms
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope

PAGE_WIDTH, PAGE_HEIGHT = A4
# Decree 30/2020, Appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY = 13.0
LEADING = 17.5
HEADER = 12.0
ISSUER_WIDTH = 71 * mm
NATION_WIDTH = WIDTH - ISSUER_WIDTH
QR_SIZE = 26 * mm
SIGNATURE_ROOM = 46.0
"""Blank height left for a handwritten signature, in points."""
SIGNATURE_GAP = 10.0
BOX_HEIGHT = LEADING * 2 + 8
FOOTER_TOP = BOTTOM + QR_SIZE + 6
BODY_SIZES = (BODY, 12.5, 12.0, 11.5, 11.0, 10.5, 10.0)
"""Sizes tried for the body, largest first, until the page holds it (long names and reasons
set smaller rather than run into the footer)."""


@dataclass(frozen=True)
class FormPage:
    form: LeaveForm
    code: str
    printed_on: date


@dataclass(frozen=True)
class _Words:
    """The form's fixed words and sentence patterns in one language."""

    request_no: str
    nation: str
    motto: str
    place_and_date: str
    slot: str
    morning: str
    afternoon: str
    moment: str
    title: str
    to: str
    to_whom: str
    student: str
    born: str
    class_label: str
    class_value: str
    guardian: str
    guardian_value: str
    asks: str
    asks_value: str
    reason: str
    pledge: str
    submitted: str
    submitted_value: str
    decision: str
    decision_value: str
    substitute: str
    note: str
    signoff: str
    signoff_value: str
    audit: str
    teacher_title: str
    substitute_title: str
    principal_title: str
    guardian_title: str
    signature_hint: str
    received_on: str
    received_by: str
    code_label: str
    code_hint: str
    printed: str


@cache
def _words(language: str) -> _Words:
    """The form's words in ``language``, the one in force (``_`` reads it; the argument keys
    the cache): looked up once per language rather than forty times a page."""
    return _Words(
        request_no=_("Request No. {id}"),
        nation=_("SOCIALIST REPUBLIC OF VIET NAM"),
        motto=_("Independence - Freedom - Happiness"),
        place_and_date=_(PLACE_AND_DATE),
        slot=_("the {session} of {day}"),
        morning=_("morning"),  # as ``attendance.session_label`` words them
        afternoon=_("afternoon"),
        moment=_("{time} on {day}"),
        title=_("LEAVE OF ABSENCE APPLICATION"),
        to=_("To:"),
        to_whom=_("{teacher}, homeroom teacher of class {class_name}, {school}"),
        student=_("Student's full name:"),
        born=_("Date of birth:"),
        class_label=_("Class:"),
        class_value=_("{class_name}, {school}"),
        guardian=_("Parent or guardian:"),
        guardian_value=_("{name} ({relation} of the student)"),
        asks=_("Asks leave for the student"),
        asks_value=_("from {first} to {last}, {sessions} sessions in all."),
        reason=_("Reason:"),
        pledge=_(
            "I pledge that the above is true and that I will see to it that my child "
            "catches up on the lessons missed."
        ),
        submitted=_("Submitted:"),
        submitted_value=_("online, {channel}, at {time}."),
        decision=_("Decision of the homeroom teacher:"),
        decision_value=_(
            "approved, excused absence ({sessions} sessions), by {teacher} at {time}."
        ),
        substitute=_(
            "Decided under a substitute assignment, on behalf of the homeroom teacher {teacher}."
        ),
        note=_("Note:"),
        signoff=_("Principal's sign-off (special case):"),
        signoff_value=_("{name}, {day}."),
        audit=_("Post-audit result:"),
        teacher_title=_("HOMEROOM TEACHER"),
        substitute_title=_("APPROVED ON BEHALF OF THE HOMEROOM TEACHER"),
        principal_title=_("PRINCIPAL"),
        guardian_title=_("PARENT OR GUARDIAN"),
        signature_hint=_("(signature and full name)"),
        received_on=_("Paper original received on:"),
        received_by=_("Received by (signature):"),
        code_label=_("Verification code:"),
        code_hint=_(
            "Scan it in Homeroom, or run \u201chomeroom leave verify {code}\u201d, to check "
            "that this paper matches the record book."
        ),
        printed=_("Request No. {id}, printed on {day}."),
    )


@dataclass
class _Batch:
    """What the pages of one PDF share: the words, the QR codes' rows, the dates written."""

    words: _Words
    runs: RowRuns = field(default_factory=dict)
    dates: dict[date, str] = field(default_factory=dict)

    def day(self, day: date) -> str:
        """``format_date(day)``, written once a batch (the print date is on every page)."""
        written = self.dates.get(day)
        if written is None:
            written = self.dates[day] = format_date(day)
        return written


def collect_pages(
    session: Session, scope: ClassScope, request_ids: Sequence[int]
) -> list[FormPage]:
    """The pages of ``request_ids`` (all approved, else ``InvalidInput`` naming the others)."""
    today = effective_today(session)
    forms = leave_forms(session, scope, request_ids, today=today)
    key = verification.signing_key(session)
    return [FormPage(form, verification.code_for(key, form.request), today) for form in forms]


def render_leave_forms(session: Session, scope: ClassScope, request_ids: Sequence[int]) -> bytes:
    """One PDF, one A4 page per approved request of ``request_ids``, in that order."""
    return draw_pages(collect_pages(session, scope, request_ids))


def draw_pages(pages: Sequence[FormPage]) -> bytes:
    register_fonts()
    out = BytesIO()
    canvas = Canvas(
        out,
        pagesize=A4,
        invariant=True,
        pageCompression=1,
        initialFontName=SERIF,
        initialFontSize=BODY,
    )
    canvas.setTitle(_("Leave application"))
    canvas.setCreator("Homeroom")
    batch = _Batch(_words(current_language()))
    for page in pages:
        _draw_form(canvas, page, batch)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def administrative_date(day: date) -> tuple[str, str, str]:
    """Day, month, year as Decree 30 writes them: a day below 10 and the months January and
    February with a leading zero ("05", "02"; "3" for March)."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month < 3 else str(day.month), str(day.year)


PLACE_AND_DATE = N_("{place}, day {day} month {month} year {year}")
"""The place-and-date line of every administrative document (Decree 30)."""


def place_and_date(place: str, day: date) -> str:
    """The line for one document (the incident report, the student's record); a batch of
    forms translates the words once (``_Words``)."""
    dd, month, year = administrative_date(day)
    return _(PLACE_AND_DATE).format(place=clean(place), day=dd, month=month, year=year)


def _place_and_date(words: _Words, place: str, day: date) -> str:
    dd, month, year = administrative_date(day)
    return words.place_and_date.format(place=clean(place), day=dd, month=month, year=year)


def _slot(batch: _Batch, session_value: str, day: date) -> str:
    words = batch.words
    morning = session_value == SchoolSession.MORNING.value
    return words.slot.format(
        session=words.morning if morning else words.afternoon, day=batch.day(day)
    )


def _moment(batch: _Batch, moment: datetime) -> str:
    local = school_time(moment)
    time = f"{local.hour:02d}:{local.minute:02d}"
    return batch.words.moment.format(time=time, day=batch.day(local.date()))


def _centered(
    canvas: Canvas,
    text: str,
    font: str,
    size: float,
    *,
    x: float,
    width: float,
    y: float,
    leading: float,
) -> float:
    return draw_text(
        canvas,
        [Run(text, font)],
        x=x,
        y=y,
        width=width,
        size=size,
        leading=leading,
        align=Align.CENTER,
    )


def _rule_under(
    canvas: Canvas,
    text: str,
    font: str,
    size: float,
    *,
    center: float,
    y: float,
    share: float = 1.0,
) -> None:
    length = min(width_of(text, font, size), NATION_WIDTH) * share
    canvas.setLineWidth(0.6)
    canvas.line(center - length / 2, y, center + length / 2, y)


def _fitted(text: str, font: str, width: float) -> float:
    """The header size at which ``text`` holds on one line, down to 10.5 pt (a longer name
    wraps at that size)."""
    for size in (HEADER, 11.5, 11.0):
        if width_of(text, font, size) <= width:
            return size
    return 10.5


def _draw_header(canvas: Canvas, page: FormPage, words: _Words) -> float:
    form = page.form
    top = PAGE_HEIGHT - TOP - HEADER
    # Top left: the governing body, then the school in bold, with a short rule under it.
    issuer_center = LEFT + ISSUER_WIDTH / 2
    body = clean(form.governing_body).upper()
    size = _fitted(body, SERIF, ISSUER_WIDTH)
    y = _centered(
        canvas, body, SERIF, size, x=LEFT, width=ISSUER_WIDTH, y=top, leading=HEADER * 1.25
    )
    school = clean(form.school_name).upper()
    size = _fitted(school, SERIF_BOLD, ISSUER_WIDTH)
    y = _centered(
        canvas, school, SERIF_BOLD, size, x=LEFT, width=ISSUER_WIDTH, y=y, leading=HEADER * 1.25
    )
    _rule_under(
        canvas, school, SERIF_BOLD, size, center=issuer_center, y=y + HEADER * 0.7, share=0.4
    )
    left_end = _centered(
        canvas,
        words.request_no.format(id=form.request.id),
        SERIF,
        BODY,
        x=LEFT,
        width=ISSUER_WIDTH,
        y=y - 4,
        leading=LEADING,
    )
    # Top right: the national title, the motto and its rule, then the place and date.
    nation_x = LEFT + ISSUER_WIDTH
    nation_center = nation_x + NATION_WIDTH / 2
    y = _centered(
        canvas,
        words.nation,
        SERIF_BOLD,
        HEADER,
        x=nation_x,
        width=NATION_WIDTH,
        y=top,
        leading=HEADER * 1.25,
    )
    motto = words.motto
    y = _centered(
        canvas, motto, SERIF_BOLD, BODY, x=nation_x, width=NATION_WIDTH, y=y, leading=BODY * 1.25
    )
    _rule_under(canvas, motto, SERIF_BOLD, BODY, center=nation_center, y=y + BODY * 0.75)
    submitted = school_time(form.request.submitted_at).date()
    right_end = _centered(
        canvas,
        _place_and_date(words, form.province, submitted),
        SERIF_ITALIC,
        BODY,
        x=nation_x,
        width=NATION_WIDTH,
        y=y - 4,
        leading=LEADING,
    )
    return min(left_end, right_end)


@dataclass(frozen=True)
class Block:
    """One paragraph of the body, set at the body size times ``scale``."""

    runs: tuple[Run, ...]
    indent: float = 0.0
    align: Align = Align.LEFT
    gap: float = 0.0
    """Extra space above, in points at the full body size."""
    scale: float = 1.0


def _field(label: str, value: str, *, gap: float = 0.0) -> Block:
    return Block((Run(label + " ", SERIF_BOLD), Run(clean(value), SERIF)), gap=gap)


def _body_blocks(page: FormPage, batch: _Batch) -> list[Block]:
    form, row, words = page.form, page.form.request, batch.words
    to_whom = words.to_whom.format(
        teacher=clean(form.homeroom_teacher),
        class_name=clean(form.class_name),
        school=clean(form.school_name),
    )
    reason = ReasonCategory(row.reason_category).label
    decided = _moment(batch, row.decided_at) if row.decided_at else "…"
    blocks = [
        Block(
            (Run(words.title, SERIF_BOLD),),
            align=Align.CENTER,
            gap=14,
            scale=14 / BODY,
        ),
        Block((Run(words.to + " ", SERIF_BOLD), Run(to_whom, SERIF)), indent=15 * mm, gap=8),
        _field(words.student, row.student_name, gap=4),
        _field(words.born, batch.day(form.student_date_of_birth)),
        _field(
            words.class_label,
            words.class_value.format(
                class_name=clean(form.class_name), school=clean(form.school_name)
            ),
        ),
        _field(
            words.guardian,
            words.guardian_value.format(
                name=clean(row.guardian_name) or "…",
                relation=clean(relation_label(row.guardian_relation)),
            ),
        ),
        _field(
            words.asks,
            words.asks_value.format(
                first=_slot(batch, row.first_session, row.first_day),
                last=_slot(batch, row.last_session, row.last_day),
                sessions=row.sessions,
            ),
        ),
        _field(words.reason, f"{reason}: {row.reason_text}" if row.reason_text else reason),
        Block((Run(words.pledge, SERIF_ITALIC),)),
        _field(
            words.submitted,
            words.submitted_value.format(
                channel=Channel(row.channel).label, time=_moment(batch, row.submitted_at)
            ),
        ),
        _field(
            words.decision,
            words.decision_value.format(
                sessions=row.sessions, teacher=clean(row.decided_by) or "…", time=decided
            ),
            gap=4,
        ),
    ]
    if form.decided_by_substitute:
        sentence = words.substitute.format(teacher=clean(form.homeroom_teacher))
        blocks.append(Block((Run(sentence, SERIF),), indent=10 * mm))
    if row.decision_note:
        blocks.append(_field(words.note, row.decision_note))
    if row.special_case and row.principal_signoff_by:
        signed = batch.day(row.principal_signoff_on) if row.principal_signoff_on else "…"
        blocks.append(
            _field(
                words.signoff,
                words.signoff_value.format(name=clean(row.principal_signoff_by), day=signed),
            )
        )
    if form.audit is not None:
        outcome = AuditOutcome(form.audit.outcome).label
        method = f" ({AuditMethod(form.audit.method).label.lower()})" if form.audit.method else ""
        when = (
            f", {batch.day(school_time(form.audit.recorded_at).date())}"
            if form.audit.recorded_at
            else ""
        )
        blocks.append(_field(words.audit, f"{outcome}{method}{when}."))
    return blocks


def _set_blocks(blocks: list[Block], size: float) -> tuple[list[tuple[Line, ...]], float]:
    """The lines of each block at ``size``, and the height they take."""
    ratio = size / BODY
    total = 0.0
    lines = []
    for block in blocks:
        set_lines = wrap(block.runs, size * block.scale, WIDTH - block.indent)
        lines.append(set_lines)
        total += (block.gap + len(set_lines) * LEADING * block.scale) * ratio
    return lines, total


def _draw_blocks(
    canvas: Canvas, blocks: list[Block], lines: list[tuple[Line, ...]], y: float, size: float
) -> float:
    """Draw ``blocks`` set in ``lines`` with the first baseline near ``y``; the next baseline
    after them."""
    ratio = size / BODY
    for block, set_lines in zip(blocks, lines, strict=True):
        y -= block.gap * ratio
        y = draw_lines(
            canvas,
            set_lines,
            x=LEFT + block.indent,
            y=y,
            width=WIDTH - block.indent,
            size=size * block.scale,
            leading=LEADING * block.scale * ratio,
            align=block.align,
        )
    return y


def _signature_blocks(page: FormPage, words: _Words) -> list[tuple[str, str]]:
    """``(title, name)`` per signature: the teacher who decided (left), the principal for a
    special case, the guardian (right, as the applicant)."""
    form, row = page.form, page.form.request
    teacher_title = words.substitute_title if form.decided_by_substitute else words.teacher_title
    blocks = [(teacher_title, clean(row.decided_by or form.homeroom_teacher))]
    if row.special_case:
        blocks.append((words.principal_title, clean(row.principal_signoff_by)))
    blocks.append((words.guardian_title, clean(row.guardian_name)))
    return blocks


def _title_size(title: str, width: float) -> float:
    return BODY if width_of(title, SERIF_BOLD, BODY) <= width else _fitted(title, SERIF_BOLD, width)


@dataclass(frozen=True)
class SignatureRow:
    blocks: list[tuple[str, str]]
    width: float
    """Of each column."""
    title_size: float
    """One size for every title of the row: the largest at which each holds on its line."""
    titles: int
    names: int
    """The most lines a title and a name take."""

    @property
    def height(self) -> float:
        return SIGNATURE_GAP + (self.titles + 1 + self.names) * LEADING + SIGNATURE_ROOM


def _signature_layout(page: FormPage, words: _Words) -> SignatureRow:
    blocks = _signature_blocks(page, words)
    width = WIDTH / len(blocks) - 4 * mm
    size = min(_title_size(title, width) for title, _name in blocks)
    titles = max(len(wrap([Run(title, SERIF_BOLD)], size, width)) for title, _name in blocks)
    names = max(len(wrap([Run(name, SERIF_BOLD)], BODY, width)) or 1 for _title, name in blocks)
    return SignatureRow(blocks, width, size, titles, names)


def _draw_signatures(canvas: Canvas, row: SignatureRow, hint: str, y: float) -> float:
    """The signature row from the baseline ``y``, ``hint`` under each title; the next
    baseline below it."""
    blocks, width, titles, names = row.blocks, row.width, row.titles, row.names
    column = WIDTH / len(blocks)
    top = y - SIGNATURE_GAP
    for index, (title, name) in enumerate(blocks):
        x = LEFT + column * index + 2 * mm
        below = _centered(
            canvas,
            title,
            SERIF_BOLD,
            row.title_size,
            x=x,
            width=width,
            y=top,
            leading=LEADING,
        )
        # The hint right under each title; the names on one line below the room to sign.
        _centered(
            canvas,
            hint,
            SERIF_ITALIC,
            BODY - 1,
            x=x,
            width=width,
            y=below,
            leading=LEADING,
        )
        _centered(
            canvas,
            name,
            SERIF_BOLD,
            BODY,
            x=x,
            width=width,
            y=top - (titles + 1) * LEADING - SIGNATURE_ROOM,
            leading=LEADING,
        )
    return top - (titles + 1 + names) * LEADING - SIGNATURE_ROOM


def _draw_original_box(canvas: Canvas, page: FormPage, batch: _Batch, y: float) -> float:
    """Level 3: the paper original follows; the box records the day it was handed in."""
    row, words = page.form.request, batch.words
    received = (
        batch.day(row.original_received_on)
        if row.original_received_on
        else "....../....../.........."
    )
    top = y - 4
    canvas.setLineWidth(0.8)
    canvas.rect(LEFT, top - BOX_HEIGHT, WIDTH, BOX_HEIGHT, stroke=1, fill=0)
    inner = top - 6 - BODY
    inner = draw_text(
        canvas,
        [Run(words.received_on + " ", SERIF_BOLD), Run(received, SERIF)],
        x=LEFT + 4 * mm,
        y=inner,
        width=WIDTH - 8 * mm,
        size=BODY,
        leading=LEADING,
    )
    draw_text(
        canvas,
        [Run(words.received_by + " ", SERIF), Run("." * 60, SERIF)],
        x=LEFT + 4 * mm,
        y=inner,
        width=WIDTH - 8 * mm,
        size=BODY,
        leading=LEADING,
    )
    return top - BOX_HEIGHT - LEADING


def _draw_footer(canvas: Canvas, page: FormPage, batch: _Batch) -> None:
    words = batch.words
    draw_qr(canvas, page.code, x=LEFT - 2 * mm, y=BOTTOM - 2 * mm, size=QR_SIZE, known=batch.runs)
    x = LEFT + QR_SIZE + 2 * mm
    width = WIDTH - QR_SIZE - 2 * mm
    y = BOTTOM + QR_SIZE - 9 * mm
    y = draw_text(
        canvas,
        [Run(words.code_label + " ", SERIF), Run(page.code, SERIF_BOLD)],
        x=x,
        y=y,
        width=width,
        size=11,
        leading=14,
    )
    hint = words.code_hint.format(code=page.code)
    y = draw_text(canvas, [Run(hint, SERIF_ITALIC)], x=x, y=y, width=width, size=10, leading=12.5)
    printed = words.printed.format(id=page.form.request.id, day=batch.day(page.printed_on))
    draw_text(canvas, [Run(printed, SERIF)], x=x, y=y, width=width, size=10, leading=12.5)


def _draw_form(canvas: Canvas, page: FormPage, batch: _Batch) -> None:
    words = batch.words
    level_3 = page.form.request.channel == Channel.LEVEL_3
    top = _draw_header(canvas, page, words)
    blocks = _body_blocks(page, batch)
    signatures = _signature_layout(page, words)
    room = top - FOOTER_TOP - signatures.height - (BOX_HEIGHT + 4 if level_3 else 0)
    # The largest body size at which the page holds it (each size's lines are kept for drawing).
    for size in BODY_SIZES:
        lines, height = _set_blocks(blocks, size)
        if height <= room:
            break
    y = _draw_blocks(canvas, blocks, lines, top, size)
    y = _draw_signatures(canvas, signatures, words.signature_hint, y)
    if level_3:
        _draw_original_box(canvas, page, batch, y + LEADING - 10)
    _draw_footer(canvas, page, batch)
