"""The notification report of a personal-data incident: for the principal, who notifies the
authorities as the controller, the facts the app knows — the incident as recorded, the deadline
and the hours left, the school and classes on this computer, each kind of data held with its
count and earliest record, whether the file is encrypted, when it last synced and what has not
reached the server.

``collect`` reads everything (on the database lane); ``draw`` only draws, so it may run on any
thread; ``incidents.mark_reported`` records that it was made, once the file is there.
``render_incident_report`` does all three in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy.orm import Session

from desktop.domain import incidents as rules
from desktop.domain.calendar import format_date, school_time
from desktop.domain.incidents import format_moment
from desktop.i18n import _
from desktop.reports.administrative import (
    BODY,
    WIDTH,
    Issuer,
    field,
    paragraphs,
    render_administrative,
    section,
    signature,
)
from desktop.reports.fonts import SERIF_BOLD, SERIF_ITALIC
from desktop.reports.layout import Column, table, text
from desktop.services import incidents
from desktop.services.held_data import HeldData, held_data
from desktop.services.profile import effective_now
from desktop.services.scope import ClassScope


@dataclass(frozen=True)
class IncidentReport:
    incident: incidents.Incident
    held: HeldData
    reporter: str
    made_at: datetime
    """The profile's now (the demo's pinned day at the current hour)."""


def collect(
    session: Session,
    scope: ClassScope,
    incident_id: int,
    *,
    encrypted: bool,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> IncidentReport:
    """The report's facts, read only. ``clock`` is the real time, moved to the profile's day."""
    incident = incidents.get(session, incident_id)
    now = effective_now(session, clock=clock)
    return IncidentReport(
        incident, held_data(session, encrypted=encrypted), scope.teacher_name, now
    )


def render_incident_report(
    session: Session,
    scope: ClassScope,
    incident_id: int,
    *,
    encrypted: bool,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> bytes:
    """The PDF, recorded as made on the incident and in the audit log."""
    report = collect(session, scope, incident_id, encrypted=encrypted, clock=clock)
    data = draw(report)
    incidents.mark_reported(session, incident_id, actor=scope.teacher_name, now=report.made_at)
    return data


def _day(value: date | None) -> str:
    return format_date(value) if value is not None else "–"


def _incident(report: IncidentReport) -> list[Any]:
    facts = report.incident.facts
    story: list[Any] = section(_("I. The incident"))
    story += [
        field(_("Incident no.:"), str(report.incident.id)),
        field(_("Kind:"), facts.kind.label),
        field(_("Happened:"), format_moment(facts.occurred_at)),
        field(_("Discovered:"), format_moment(facts.discovered_at)),
        field(_("Recorded in Homeroom:"), format_moment(report.incident.recorded_at)),
        text(_("What happened:"), size=BODY, font=SERIF_BOLD),
        *paragraphs(facts.description),
        text(_("Measures taken:"), size=BODY, font=SERIF_BOLD),
    ]
    story += paragraphs(facts.measures) or [
        text(_("None recorded yet."), size=BODY, font=SERIF_ITALIC)
    ]
    return story


def _deadline(report: IncidentReport) -> list[Any]:
    occurred = report.incident.facts.occurred_at
    left = rules.hours_left(occurred, report.made_at)
    made = format_moment(report.made_at)
    if left is not None:
        remaining = _("{hours} hours left when this report was made ({moment}).").format(
            hours=left, moment=made
        )
    elif overdue := rules.hours_overdue(occurred, report.made_at):
        remaining = _(
            "The deadline passed {hours} hours before this report was made ({moment})."
        ).format(hours=overdue, moment=made)
    else:
        remaining = _(
            "The deadline passed less than an hour before this report was made ({moment})."
        ).format(moment=made)
    return [
        *section(_("II. Notification deadline")),
        text(
            _(
                "The project's sources give {hours} hours from the incident for the controller's "
                "notice to the Ministry of Public Security (Department A05), a period they cite "
                "from Decree 13/2023/NĐ-CP, Article 23. Check the period Decree 356/2025/NĐ-CP "
                "sets, which replaced it."
            ).format(hours=rules.NOTIFICATION_HOURS),
            size=BODY,
        ),
        field(_("Deadline:"), format_moment(rules.deadline(occurred))),
        text(remaining, size=BODY, font=SERIF_BOLD),
    ]


def _computer(held: HeldData) -> list[Any]:
    encrypted = (
        _("yes: the database file opens only with the teacher's key")
        if held.encrypted
        else _("no: anyone who has the file can read it")
    )
    synced = (
        format_moment(held.last_sync)
        if held.last_sync
        else _("never (this profile has not synced with the school's server)")
    )
    waiting = sum(count for _label, count in held.unsynced)
    story: list[Any] = [
        *section(_("III. The data on this computer")),
        field(_("School:"), held.school),
        field(_("Classes:"), ", ".join(held.classes) or "–"),
        field(_("Held since (earliest record):"), _day(held.since)),
        field(_("Database encrypted:"), encrypted),
        field(_("Last sync with the school's server:"), synced),
        field(
            _("Changes not yet on the server:"),
            str(waiting) if waiting else _("none"),
        ),
    ]
    story += [
        text(f"– {label}: {count}", size=BODY, space_after=1) for label, count in held.unsynced
    ]
    heads = [
        Column(_("Kind of data"), WIDTH - 55 * mm, align="LEFT"),
        Column(_("Records"), 25 * mm),
        Column(_("Since"), 30 * mm),
    ]
    rows = [[kind.label, str(kind.count), _day(kind.since)] for kind in held.kinds]
    return [
        *story,
        *section(_("IV. Kinds of personal data held")),
        table(heads, rows, size=11.5),
    ]


def _signature(report: IncidentReport) -> list[Any]:
    return [
        Spacer(1, 16),
        signature(_("Reported by"), _("(homeroom teacher)"), report.reporter),
    ]


def draw(report: IncidentReport) -> bytes:
    held = report.held
    issuer = Issuer(held.governing_body, held.school, held.province)
    story: list[Any] = [
        field(_("To:"), _("the Principal of {school}").format(school=held.school)),
        Spacer(1, 4),
        text(
            _(
                "Homeroom on this computer holds personal data of the students of the classes "
                "below. This report gives the facts the app knows about the incident recorded "
                "here, for the school's notification. It holds counts only, no student's data."
            ),
            size=BODY,
        ),
        *_incident(report),
        *_deadline(report),
        *_computer(held),
        *_signature(report),
    ]
    return render_administrative(
        issuer,
        school_time(report.made_at).date(),
        _("Report of a personal data incident"),
        story,
    )
