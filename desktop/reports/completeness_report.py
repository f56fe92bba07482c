"""The principal's report on the grade book: per subject and semester, the cells expected,
entered, missing (and overdue), entered late, and changed after publication or lock, with the
subject teacher and the missing cells per column.

Every figure is the review board's (``grade_review_board.board`` over the domain's
completeness) or its list of traced changes; nothing is counted against a rule here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.lib.units import mm
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.calendar import format_date
from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.reports.fonts import SERIF_BOLD
from desktop.reports.layout import Column, Frame, render, table, text
from desktop.services.grade_report import completeness_report
from desktop.services.grade_review_board import board, changes_to_check
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope


def semesters_of(value: str) -> tuple[int, ...]:
    """``1``, ``2`` or ``year`` (both) as the semesters to show."""
    choices = {"1": (1,), "2": (2,), "year": (1, 2), "": (1, 2)}
    try:
        return choices[value.strip().lower()]
    except KeyError:
        raise InvalidInput(
            _("{value} is not a semester: write 1, 2 or year.").format(value=value)
        ) from None


def render_completeness(
    session: Session, scope: ClassScope, *, semester: str = "year", **options: Any
) -> bytes:
    today = effective_today(session)
    wanted = semesters_of(semester)
    rows = [row for row in board(session, scope, today=today) if row.semester in wanted]
    changed = Counter(
        (c.subject_code, c.semester) for c in changes_to_check(session, scope, open_only=False)
    )
    missing_by_column: dict[tuple[str, int], Counter[str]] = {}
    for item in completeness_report(session, scope, today=today).missing:
        cell = item.entry
        key = (cell.subject_code, cell.semester)
        missing_by_column.setdefault(key, Counter())[
            grading.column_label(cell.kind, cell.slot)
        ] += 1
    size = 9.5
    heads = [
        Column(_("Semester"), 11 * mm),
        Column(_("Subject"), 32 * mm, align="LEFT"),
        Column(_("Subject teacher"), 32 * mm, align="LEFT"),
        Column(_("Expected"), 13 * mm),
        Column(_("Entered"), 13 * mm),
        Column(_("Missing"), 12 * mm),
        Column(_("Overdue"), 12 * mm),
        Column(_("Entered late"), 12 * mm),
        Column(_("Changed after lock"), 14 * mm),
        Column(_("Missing by column"), 35 * mm, align="LEFT"),
    ]
    body = []
    for row in rows:
        columns = missing_by_column.get((row.subject_code, row.semester), Counter())
        body.append(
            [
                str(row.semester),
                row.subject_name,
                row.teacher_name or _("not assigned"),
                str(row.expected),
                str(row.entered),
                str(row.missing),
                str(row.overdue),
                str(row.late),
                str(changed[(row.subject_code, row.semester)]),
                "; ".join(f"{label}: {count}" for label, count in sorted(columns.items())),
            ]
        )
    expected = sum(r.expected for r in rows)
    entered = sum(r.entered for r in rows)
    body.append(
        [
            "",
            _("Total"),
            "",
            str(expected),
            str(entered),
            str(sum(r.missing for r in rows)),
            str(sum(r.overdue for r in rows)),
            str(sum(r.late for r in rows)),
            str(sum(changed[(r.subject_code, r.semester)] for r in rows)),
            "",
        ]
    )
    label = _("year") if wanted == (1, 2) else _("semester {number}").format(number=wanted[0])
    frame = Frame(
        scope,
        _("Grade entry completeness"),
        _("Class {name}, {period}, school year {year}, as of {day}").format(
            name=scope.class_name, period=label, year=scope.year_name, day=format_date(today)
        ),
        today,
    )
    grid = table(heads, body, size=size, style=[("FONT", (0, -1), (-1, -1), SERIF_BOLD, size)])
    note = _(
        "Overdue: missing after the column's deadline. Entered late: first entered after the "
        "deadline. Changed after lock: traced change requests to a published, locked or "
        "overdue score."
    )
    return render(frame, [grid, text(note, size=8.5)])
