"""The attendance reports: a month's register (students × school days × sessions, P/K/M and
totals, landscape A4) and the students at the absence limit's warning levels.

The figures are the services': the month grid of ``attendance_month`` (whose totals are the
whole year's, counted by the policy's rule) and ``attendance.summary``; nothing here decides
what an absence is or what a threshold means.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.lib.units import mm
from sqlalchemy.orm import Session

from desktop.domain import attendance as ledger
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.reports.fonts import SERIF_BOLD
from desktop.reports.layout import OFF_FILL, Column, Frame, cell, render, table, text
from desktop.services import attendance
from desktop.services.attendance_month import Month, month_grid, school_months
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope

_WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
"""The paper register's weekday heads (thứ Hai … Chủ nhật), the same in every language."""


def parse_month(value: str) -> Month:
    """``MM/YYYY`` as ``(year, month)``."""
    try:
        month_text, year_text = value.strip().split("/")
        month, year = int(month_text), int(year_text)
        date(year, month, 1)
    except ValueError:
        raise InvalidInput(
            _("{value} is not a month: write it as MM/YYYY, e.g. 03/2026.").format(value=value)
        ) from None
    return year, month


def render_attendance(
    session: Session, scope: ClassScope, *, month: str = "", **options: Any
) -> bytes:
    """The register of ``month`` (``MM/YYYY``; the school's current month when empty)."""
    today = effective_today(session)
    chosen = parse_month(month) if month else (today.year, today.month)
    if chosen not in school_months(scope.calendar):
        raise InvalidInput(
            _("{month} is outside the school year {year}.").format(
                month=f"{chosen[1]:02d}/{chosen[0]}", year=scope.year_name
            )
        )
    grid = month_grid(session, scope, month=chosen, today=today)
    columns = grid.columns
    size = 6.5
    number_width, name_width, total_width = 6 * mm, 42 * mm, 9 * mm
    page_width = 297 * mm - 24 * mm
    free = page_width - number_width - name_width - 4 * total_width
    slot_width = min(8 * mm, free / max(len(columns), 1))
    heads = [
        Column(_("Row number"), number_width),
        Column(_("Full name"), name_width, align="LEFT"),
        *(
            Column(_("AM") if c.session is SchoolSession.MORNING else _("PM"), slot_width)
            for c in columns
        ),
        Column("P", total_width),
        Column("K", total_width),
        Column("M", total_width),
        Column(_("Year absent"), total_width),
    ]
    days_row = [heads[0].heading, heads[1].heading]
    spans: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
    ]
    index = 0
    while index < len(columns):
        day = columns[index].day
        end = index
        while end + 1 < len(columns) and columns[end + 1].day == day:
            end += 1
        days_row.append(f"{_WEEKDAYS[day.weekday()]}\n{day.day:02d}")
        days_row += [""] * (end - index)
        if end > index:
            spans.append(("SPAN", (2 + index, 0), (2 + end, 0)))
        index = end + 1
    first_total = 2 + len(columns)
    days_row += [
        _("This month"),
        "",
        "",
        cell(heads[-1].heading, total_width - 4, size=size, font=SERIF_BOLD),
    ]
    spans.append(("SPAN", (first_total, 0), (first_total + 2, 0)))
    spans.append(("SPAN", (first_total + 3, 0), (first_total + 3, 1)))
    rows: list[list[str]] = []
    for number, student in enumerate(grid.students, start=1):
        codes = [cell.status.code if cell is not None else "" for cell in student.cells]
        statuses = [cell.status for cell in student.cells if cell is not None]
        rows.append(
            [
                str(number),
                student.name,
                *codes,
                _count(statuses, ledger.MarkStatus.EXCUSED),
                _count(statuses, ledger.MarkStatus.UNEXCUSED),
                _count(statuses, ledger.MarkStatus.LATE),
                str(student.totals.total_absent),
            ]
        )
    heads_count = 2
    for offset, column in enumerate(columns):
        if column.off is not None:
            spans.append(("BACKGROUND", (2 + offset, heads_count), (2 + offset, -1), OFF_FILL))
    compact = [("TOPPADDING", (0, 2), (-1, -1), 0.6), ("BOTTOMPADDING", (0, 2), (-1, -1), 1.4)]
    grid_table = table(heads, rows, size=size, extra_header=[days_row], style=[*compact, *spans])
    year, month_number = chosen
    frame = Frame(
        scope,
        _("Attendance register"),
        _("Class {name}, month {month}, school year {year}").format(
            name=scope.class_name, month=f"{month_number:02d}/{year}", year=scope.year_name
        ),
        today,
        landscape=True,
    )
    legend = _(
        "P: excused absence, K: unexcused absence, M: late; AM/PM: morning/afternoon session; "
        "grey: holiday or no session. Year absent: sessions absent since the start of the "
        "school year, as the school counts them (limit {limit})."
    ).format(limit=scope.policy.absence_limit)
    return render(frame, [grid_table, text(legend, size=8)])


def _count(statuses: list[ledger.MarkStatus], status: ledger.MarkStatus) -> str:
    found = statuses.count(status)
    return str(found) if found else ""


def render_absence_limit(session: Session, scope: ClassScope, **options: Any) -> bytes:
    """The students at or past the policy's warning levels (30/40/45), the most absent first."""
    today = effective_today(session)
    policy = scope.policy
    reached = [
        s for s in attendance.summary(session, scope) if s.warning is not None or s.over_limit
    ]
    reached.sort(key=lambda s: -s.total_absences)  # stable: class-list order among equals
    size = 10.5
    heads = [
        Column(_("Row number"), 10 * mm),
        Column(_("Student code"), 22 * mm),
        Column(_("Full name"), 55 * mm, align="LEFT"),
        Column(_("Excused"), 17 * mm),
        Column(_("Unexcused"), 17 * mm),
        Column(_("Total absent"), 17 * mm),
        Column(_("Level reached"), 48 * mm, align="LEFT"),
    ]
    rows = [
        [
            str(number),
            s.student_code,
            s.student_name,
            str(s.excused),
            str(s.unexcused),
            str(s.total_absences),
            _("over the limit of {limit}: not promoted").format(limit=policy.absence_limit)
            if s.over_limit
            else _("warning level {threshold}").format(threshold=s.warning),
        ]
        for number, s in enumerate(reached, start=1)
    ]
    thresholds = ", ".join(str(t) for t in policy.absence_warnings)
    frame = Frame(
        scope,
        _("Students near the absence limit"),
        _("Class {name}, school year {year}, as of {day}").format(
            name=scope.class_name, year=scope.year_name, day=format_date(today)
        ),
        today,
    )
    story = [
        text(
            _(
                "Warning levels: {thresholds} sessions; a student absent more than {limit} "
                "sessions in the year is not promoted (Circular 22/2021, Art. 12)."
            ).format(thresholds=thresholds, limit=policy.absence_limit),
            size=10.5,
            space_after=6,
        )
    ]
    if not policy.has_absence_limit:
        story.append(text(_("A primary school has no absence limit."), size=11))
    elif rows:
        story.append(
            table(heads, rows, size=size, style=[("FONT", (2, 1), (2, -1), SERIF_BOLD, size)])
        )
    else:
        story.append(text(_("No student has reached a warning level."), size=11, font=SERIF_BOLD))
    return render(frame, story)
