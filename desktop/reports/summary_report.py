"""The class's results for a semester or the year: each student's subject averages (or
Đ/CĐ), academic result and conduct; for the year also the absences, the award, the promotion
list grouped by outcome with its reasons, and the awards.

Every figure is ``results.results``' (``grade_report.report`` under Circular 22): this only sets
them on paper, in class-list order, with the decimal comma.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy.orm import Session

from desktop.domain.calendar import format_date
from desktop.domain.grading import Level, format_score_display
from desktop.i18n import _
from desktop.reports.completeness_report import semesters_of
from desktop.reports.fonts import SERIF_BOLD
from desktop.reports.layout import Column, Frame, render, table, text
from desktop.services.grade_report import SubjectResult
from desktop.services.profile import effective_today
from desktop.services.results import results
from desktop.services.scope import ClassScope

PAGE_WIDTH = 297 * mm - 24 * mm


def _level(value: str | None) -> str:
    return Level(value).label if value else "–"


def _subject(result: SubjectResult) -> str:
    if result.average is not None:
        return format_score_display(result.average)
    return result.result or "–"


def render_summary(
    session: Session, scope: ClassScope, *, semester: str = "year", **options: Any
) -> bytes:
    today = effective_today(session)
    chosen = semesters_of(semester)
    term = "year" if chosen == (1, 2) else str(chosen[0])
    found = results(session, scope, term=term)
    year = term == "year"
    size = 8.5
    fixed = [
        Column(_("Row number"), 8 * mm),
        Column(_("Full name"), 42 * mm, align="LEFT"),
    ]
    tail = [Column(_("Academic result"), 16 * mm), Column(_("Conduct"), 16 * mm)]
    if year:
        tail += [Column(_("Absences"), 12 * mm), Column(_("Award"), 24 * mm)]
    free = PAGE_WIDTH - sum(c.width for c in (*fixed, *tail))
    width = min(18 * mm, free / max(len(found.subjects), 1))
    heads = [*fixed, *(Column(s.name, width) for s in found.subjects), *tail]
    rows = []
    for number, row in enumerate(found.rows, start=1):
        report = row.report
        line = [
            str(number),
            report.student_name,
            *(_subject(result) for result in report.subjects),
            _level(report.academic),
            _level(report.conduct),
        ]
        if year:
            line += [
                "" if report.absences is None else str(report.absences),
                report.award_label or "",
            ]
        rows.append(line)
    period = _("year") if year else _("semester {number}").format(number=term)
    frame = Frame(
        scope,
        _("Results of the class"),
        _("Class {name}, {period}, school year {year}, as of {day}").format(
            name=scope.class_name, period=period, year=scope.year_name, day=format_date(today)
        ),
        today,
        landscape=True,
    )
    story: list[Any] = [table(heads, rows, size=size)]
    if year:
        story.append(Spacer(1, 8))
        story.append(text(_("Promotion list"), size=12, font=SERIF_BOLD, space_after=3))
        for group in found.promotion:
            story.append(
                text(
                    _("{outcome}: {count} students").format(outcome=group.label, count=group.count),
                    size=10.5,
                    font=SERIF_BOLD,
                )
            )
            for entry in group.students:
                reasons = " ".join(entry.reasons)
                who = f"– {entry.student_code} {entry.student_name}"
                story.append(text(f"{who}: {reasons}" if reasons else who, size=10))
        awarded = [r.report for r in found.rows if r.report.award_label]
        story.append(Spacer(1, 6))
        story.append(text(_("Awards"), size=12, font=SERIF_BOLD, space_after=3))
        if awarded:
            for report in awarded:
                story.append(
                    text(
                        f"– {report.student_code} {report.student_name}: {report.award_label}",
                        size=10,
                    )
                )
        else:
            story.append(text(_("No student receives an award."), size=10))
    return render(frame, story)
