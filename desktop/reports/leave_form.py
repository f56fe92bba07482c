"""The approved leave form ("Đơn xin nghỉ học"): one A4 page per request, in the administrative
layout of Decree 30/2020 (domain.md §5), with the record's verification code as a QR code.

``collect_pages`` reads everything a batch needs in one go (on the database lane: the first
print of a profile stores its verification key); ``draw_pages`` only draws, so it may run on any
thread. ``render_leave_forms`` does both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, school_time
from desktop.domain.guardians import relation_label
from desktop.domain.leave import AuditMethod, AuditOutcome, Channel, ReasonCategory
from desktop.i18n import _
from desktop.reports import verification
from desktop.reports.fonts import SERIF, SERIF_BOLD, SERIF_ITALIC, register_fonts
from desktop.reports.qr import draw_qr
from desktop.reports.text_layout import Align, Run, clean, draw_text
from desktop.services.attendance import session_label
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
SIGNATURE_ROOM = 50.0
"""Blank height left for a handwritten signature, in points."""


@dataclass(frozen=True)
class FormPage:
    form: LeaveForm
    code: str
    printed_on: date


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
    for page in pages:
        _draw_form(canvas, page)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def administrative_date(day: date) -> tuple[str, str, str]:
    """Day, month, year as Decree 30 writes them: a day below 10 and the months January and
    February with a leading zero ("05", "02"; "3" for March)."""
    return f"{day.day:02d}", f"{day.month:02d}" if day.month < 3 else str(day.month), str(day.year)


def place_and_date(place: str, day: date) -> str:
    dd, month, year = administrative_date(day)
    return _("{place}, day {day} month {month} year {year}").format(
        place=clean(place), day=dd, month=month, year=year
    )


def _slot(session_value: str, day: date) -> str:
    return _("the {session} of {day}").format(
        session=session_label(SchoolSession(session_value)), day=format_date(day)
    )


def _moment(moment: datetime) -> str:
    local = school_time(moment)
    return _("{time} on {day}").format(time=local.strftime("%H:%M"), day=format_date(local.date()))


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
    length = min(stringWidth(text, font, size), NATION_WIDTH) * share
    canvas.setLineWidth(0.6)
    canvas.line(center - length / 2, y, center + length / 2, y)


def _fitted(text: str, font: str, width: float) -> float:
    """The header size at which ``text`` holds on one line, down to 10.5 pt (a longer name
    wraps at that size)."""
    for size in (HEADER, 11.5, 11.0):
        if stringWidth(text, font, size) <= width:
            return size
    return 10.5


def _draw_header(canvas: Canvas, page: FormPage) -> float:
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
        _("Request No. {id}").format(id=form.request.id),
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
        _("SOCIALIST REPUBLIC OF VIET NAM"),
        SERIF_BOLD,
        HEADER,
        x=nation_x,
        width=NATION_WIDTH,
        y=top,
        leading=HEADER * 1.25,
    )
    motto = _("Independence - Freedom - Happiness")
    y = _centered(
        canvas, motto, SERIF_BOLD, BODY, x=nation_x, width=NATION_WIDTH, y=y, leading=BODY * 1.25
    )
    _rule_under(canvas, motto, SERIF_BOLD, BODY, center=nation_center, y=y + BODY * 0.75)
    submitted = school_time(form.request.submitted_at).date()
    right_end = _centered(
        canvas,
        place_and_date(form.province, submitted),
        SERIF_ITALIC,
        BODY,
        x=nation_x,
        width=NATION_WIDTH,
        y=y - 4,
        leading=LEADING,
    )
    return min(left_end, right_end)


def _line(canvas: Canvas, y: float, label: str, value: str, *, indent: float = 0) -> float:
    runs = [Run(label + " ", SERIF_BOLD if not indent else SERIF), Run(clean(value), SERIF)]
    return draw_text(
        canvas, runs, x=LEFT + indent, y=y, width=WIDTH - indent, size=BODY, leading=LEADING
    )


def _sentence(canvas: Canvas, y: float, runs: list[Run]) -> float:
    return draw_text(canvas, runs, x=LEFT, y=y, width=WIDTH, size=BODY, leading=LEADING)


def _draw_body(canvas: Canvas, page: FormPage, y: float) -> float:
    form, row = page.form, page.form.request
    y -= 10
    y = _centered(
        canvas,
        _("LEAVE OF ABSENCE APPLICATION"),
        SERIF_BOLD,
        14,
        x=LEFT,
        width=WIDTH,
        y=y,
        leading=LEADING * 1.6,
    )
    to_whom = _("{teacher}, homeroom teacher of class {class_name}, {school}").format(
        teacher=clean(form.homeroom_teacher),
        class_name=clean(form.class_name),
        school=clean(form.school_name),
    )
    y = (
        draw_text(
            canvas,
            [Run(_("To:") + " ", SERIF_BOLD), Run(to_whom, SERIF)],
            x=LEFT + 15 * mm,
            y=y,
            width=WIDTH - 15 * mm,
            size=BODY,
            leading=LEADING,
        )
        - 4
    )
    y = _line(canvas, y, _("Student's full name:"), row.student_name)
    y = _line(canvas, y, _("Date of birth:"), format_date(form.student_date_of_birth))
    y = _line(
        canvas,
        y,
        _("Class:"),
        _("{class_name}, {school}").format(
            class_name=clean(form.class_name), school=clean(form.school_name)
        ),
    )
    y = _line(
        canvas,
        y,
        _("Parent or guardian:"),
        _("{name} ({relation} of the student)").format(
            name=clean(row.guardian_name) or "…",
            relation=clean(relation_label(row.guardian_relation)),
        ),
    )
    leave_text = _("from {first} to {last}, {sessions} sessions in all.").format(
        first=_slot(row.first_session, row.first_day),
        last=_slot(row.last_session, row.last_day),
        sessions=row.sessions,
    )
    y = _line(canvas, y, _("Asks leave for the student"), leave_text)
    reason = ReasonCategory(row.reason_category).label
    y = _line(
        canvas, y, _("Reason:"), f"{reason}: {row.reason_text}" if row.reason_text else reason
    )
    y = _sentence(
        canvas,
        y,
        [
            Run(
                _(
                    "I pledge that the above is true and that I will see to it that my child "
                    "catches up on the lessons missed."
                ),
                SERIF_ITALIC,
            )
        ],
    )
    channel = Channel(row.channel)
    y = _line(
        canvas,
        y,
        _("Submitted:"),
        _("online, {channel}, at {time}.").format(
            channel=channel.label, time=_moment(row.submitted_at)
        ),
    )
    y -= 4
    decided = _moment(row.decided_at) if row.decided_at else "…"
    y = _line(
        canvas,
        y,
        _("Decision of the homeroom teacher:"),
        _("approved, excused absence ({sessions} sessions), by {teacher} at {time}.").format(
            sessions=row.sessions, teacher=clean(row.decided_by) or "…", time=decided
        ),
    )
    if form.decided_by_substitute:
        y = _line(
            canvas,
            y,
            "",
            _(
                "Decided under a substitute assignment, on behalf of the homeroom teacher "
                "{teacher}."
            ).format(teacher=clean(form.homeroom_teacher)),
            indent=10 * mm,
        )
    if row.decision_note:
        y = _line(canvas, y, _("Note:"), row.decision_note)
    if row.special_case and row.principal_signoff_by:
        signed = format_date(row.principal_signoff_on) if row.principal_signoff_on else "…"
        y = _line(
            canvas,
            y,
            _("Principal's sign-off (special case):"),
            _("{name}, {day}.").format(name=clean(row.principal_signoff_by), day=signed),
        )
    if form.audit is not None:
        outcome = AuditOutcome(form.audit.outcome).label
        method = f" ({AuditMethod(form.audit.method).label.lower()})" if form.audit.method else ""
        when = (
            f", {format_date(school_time(form.audit.recorded_at).date())}"
            if form.audit.recorded_at
            else ""
        )
        y = _line(canvas, y, _("Post-audit result:"), f"{outcome}{method}{when}.")
    return y


def _signature_title(canvas: Canvas, *, center: float, width: float, y: float, title: str) -> float:
    x = center - width / 2
    size = (
        BODY if stringWidth(title, SERIF_BOLD, BODY) <= width else _fitted(title, SERIF_BOLD, width)
    )
    y = _centered(canvas, title, SERIF_BOLD, size, x=x, width=width, y=y, leading=LEADING)
    return _centered(
        canvas,
        _("(signature and full name)"),
        SERIF_ITALIC,
        BODY - 1,
        x=x,
        width=width,
        y=y,
        leading=LEADING,
    )


def _draw_signatures(canvas: Canvas, page: FormPage, y: float) -> float:
    """Guardian (right, as the applicant) and the teacher who decided (left); a special case
    adds the principal between them."""
    form, row = page.form, page.form.request
    teacher_title = (
        _("APPROVED ON BEHALF OF THE HOMEROOM TEACHER")
        if form.decided_by_substitute
        else _("HOMEROOM TEACHER")
    )
    blocks = [(teacher_title, row.decided_by or form.homeroom_teacher)]
    if row.special_case:
        blocks.append((_("PRINCIPAL"), row.principal_signoff_by))
    blocks.append((_("PARENT OR GUARDIAN"), row.guardian_name))
    column = WIDTH / len(blocks)
    centers = [LEFT + column * (index + 0.5) for index in range(len(blocks))]
    width = column - 4 * mm
    ends = [
        _signature_title(canvas, center=center, width=width, y=y - 10, title=title)
        for center, (title, _name) in zip(centers, blocks, strict=True)
    ]
    # The names on one line, below the room for the signatures.
    names_y = min(ends) - SIGNATURE_ROOM
    return min(
        _centered(
            canvas,
            clean(name),
            SERIF_BOLD,
            BODY,
            x=center - width / 2,
            width=width,
            y=names_y,
            leading=LEADING,
        )
        for center, (_title, name) in zip(centers, blocks, strict=True)
    )


def _draw_original_box(canvas: Canvas, page: FormPage, y: float) -> float:
    """Level 3: the paper original follows; the box records the day it was handed in."""
    row = page.form.request
    received = (
        format_date(row.original_received_on)
        if row.original_received_on
        else "....../....../.........."
    )
    height = LEADING * 2 + 8
    top = y - 4
    canvas.setLineWidth(0.8)
    canvas.rect(LEFT, top - height, WIDTH, height, stroke=1, fill=0)
    inner = top - 6 - BODY
    inner = draw_text(
        canvas,
        [Run(_("Paper original received on:") + " ", SERIF_BOLD), Run(received, SERIF)],
        x=LEFT + 4 * mm,
        y=inner,
        width=WIDTH - 8 * mm,
        size=BODY,
        leading=LEADING,
    )
    draw_text(
        canvas,
        [Run(_("Received by (signature):") + " ", SERIF), Run("." * 60, SERIF)],
        x=LEFT + 4 * mm,
        y=inner,
        width=WIDTH - 8 * mm,
        size=BODY,
        leading=LEADING,
    )
    return top - height - LEADING


def _draw_footer(canvas: Canvas, page: FormPage) -> None:
    draw_qr(canvas, page.code, x=LEFT - 2 * mm, y=BOTTOM - 2 * mm, size=QR_SIZE)
    x = LEFT + QR_SIZE + 2 * mm
    width = WIDTH - QR_SIZE - 2 * mm
    y = BOTTOM + QR_SIZE - 9 * mm
    y = draw_text(
        canvas,
        [Run(_("Verification code:") + " ", SERIF), Run(page.code, SERIF_BOLD)],
        x=x,
        y=y,
        width=width,
        size=11,
        leading=14,
    )
    hint = _(
        "Scan it in Homeroom, or run \u201chomeroom leave verify {code}\u201d, to check "
        "that this paper matches the record book."
    ).format(code=page.code)
    y = draw_text(canvas, [Run(hint, SERIF_ITALIC)], x=x, y=y, width=width, size=10, leading=12.5)
    draw_text(
        canvas,
        [
            Run(
                _("Request No. {id}, printed on {day}.").format(
                    id=page.form.request.id, day=format_date(page.printed_on)
                ),
                SERIF,
            )
        ],
        x=x,
        y=y,
        width=width,
        size=10,
        leading=12.5,
    )


def _draw_form(canvas: Canvas, page: FormPage) -> None:
    y = _draw_header(canvas, page)
    y = _draw_body(canvas, page, y)
    y = _draw_signatures(canvas, page, y)
    if page.form.request.channel == Channel.LEVEL_3:
        _draw_original_box(canvas, page, y)
    _draw_footer(canvas, page)
