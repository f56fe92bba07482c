"""The reports the print centre and ``homeroom report NAME`` offer: name → title, options and
the renderer ``render(session, scope, **options) -> bytes`` (run on the database lane)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import N_, _
from desktop.reports.attendance_reports import render_absence_limit, render_attendance
from desktop.reports.completeness_report import render_completeness
from desktop.reports.leaflet import render_leaflet
from desktop.reports.pilot_report import render_pilot
from desktop.reports.summary_report import render_summary
from desktop.services.scope import ClassScope

Renderer = Callable[..., bytes]


class Option(StrEnum):
    """An option a report takes, as a keyword of its renderer."""

    MONTH = "month"
    """``MM/YYYY``."""
    SEMESTER = "semester"
    """``1``, ``2`` or ``year``."""
    FIRST = "first"
    """The period's first day, ``dd/mm/yyyy``."""
    LAST = "last"
    """The period's last day, ``dd/mm/yyyy``."""
    ADDRESS = "address"
    """The registration address for the leaflet's QR code (the profile's when empty)."""


@dataclass(frozen=True)
class Report:
    name: str
    title_source: str
    options: tuple[Option, ...]
    render: Renderer

    @property
    def title(self) -> str:
        return _(self.title_source)


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            "attendance",
            N_("Attendance register of a month"),
            (Option.MONTH,),
            render_attendance,
        ),
        Report(
            "absence-limit",
            N_("Students near the absence limit"),
            (),
            render_absence_limit,
        ),
        Report(
            "completeness",
            N_("Grade entry completeness (for the principal)"),
            (Option.SEMESTER,),
            render_completeness,
        ),
        Report(
            "summary",
            N_("Results of a semester or the year"),
            (Option.SEMESTER,),
            render_summary,
        ),
        Report(
            "pilot",
            N_("Pilot report for the Department of Education"),
            (Option.FIRST, Option.LAST),
            render_pilot,
        ),
        Report(
            "leaflet",
            N_("Leaflet for parents: e-contact book and leave requests"),
            (Option.ADDRESS,),
            render_leaflet,
        ),
    )
}


def report_named(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise InvalidInput(
            _("There is no report {name}; the reports are: {names}.").format(
                name=name, names=", ".join(REPORTS)
            )
        ) from None


def render_report(session: Session, scope: ClassScope, name: str, **options: str) -> bytes:
    """The PDF of report ``name`` with the options it takes (others are ignored)."""
    report = report_named(name)
    wanted = {o.value: options[o.value] for o in report.options if options.get(o.value)}
    return report.render(session, scope, **wanted)
