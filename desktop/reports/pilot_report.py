"""The pilot report for the Department of Education: over a period, how many guardians are
registered for the e-contact book, the leave requests by channel, outcome and special case,
the median time to a decision, the level-3 originals received on time, the post-audits
with their discrepancies, and the problems the teacher noted (``pilot_notes``) in the period.

The requests are ``leave.list_requests``', the audits ``post_audit.audit_rows``', the
registrations the roster's; whether an original came on time is the domain's own
``original_state`` asked on the day it was received.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from datetime import date, datetime
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import leave as rules
from desktop.domain.calendar import format_date, school_time
from desktop.errors import InvalidInput
from desktop.i18n import _, format_decimal
from desktop.models import LeaveRequest
from desktop.reports.fonts import SERIF_BOLD
from desktop.reports.layout import Column, Frame, render, table, text
from desktop.services import leave, pilot_notes, post_audit, students
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope


def parse_day(value: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise InvalidInput(_("'{text}' is not a valid date (use dd/mm/yyyy).").format(text=value))


def render_pilot(
    session: Session, scope: ClassScope, *, first: str = "", last: str = "", **options: Any
) -> bytes:
    """The period ``first``-``last`` (dd/mm/yyyy; the school year's start and today when empty)."""
    today = effective_today(session)
    start = parse_day(first) if first else scope.calendar.first_day
    end = parse_day(last) if last else today
    if end < start:
        raise InvalidInput(_("The period ends before it starts."))
    story: list[Any] = []
    story += _section(
        _("Guardians registered for the e-contact book"), _registrations(session, scope, end)
    )
    requests = [
        row
        for row in leave.list_requests(session, scope, today=today)
        if start <= school_time(row.submitted_at).date() <= end
    ]
    story += _section(_("Leave requests"), _requests(requests))
    story += _section(
        _("Paper originals of level-3 requests"), _originals(session, scope, requests)
    )
    story += _section(_("Post-audits"), _audits(session, scope, {r.id for r in requests}))
    story += _problems(pilot_notes.notes(session, first=start, last=end))
    frame = Frame(
        scope,
        _("Report on the pilot of online leave requests"),
        _("Class {name}, school year {year}, from {first} to {last}").format(
            name=scope.class_name,
            year=scope.year_name,
            first=format_date(start),
            last=format_date(end),
        ),
        today,
    )
    return render(frame, story)


def _section(title: str, rows: list[tuple[str, str]]) -> list[Any]:
    heads = [Column(_("Indicator"), 130 * mm, align="LEFT"), Column(_("Figure"), 50 * mm)]
    return [
        Spacer(1, 6),
        text(title, size=12, font=SERIF_BOLD, space_after=3),
        table(heads, [list(row) for row in rows], size=10.5),
    ]


def _share(part: int, whole: int) -> str:
    if whole == 0:
        return str(part)
    return _("{part} of {whole} ({percent}%)").format(
        part=part, whole=whole, percent=format_decimal(f"{100 * part / whole:.1f}")
    )


def _registrations(session: Session, scope: ClassScope, end: date) -> list[tuple[str, str]]:
    roster = students.roster(session, scope)
    guardians = [g for row in roster for g in row.guardians]
    registered = [
        g for g in guardians if g.econtact_registered_on and g.econtact_registered_on <= end
    ]
    reached = [
        row
        for row in roster
        if any(g.econtact_registered_on and g.econtact_registered_on <= end for g in row.guardians)
    ]
    return [
        (_("Students with a registered guardian"), _share(len(reached), len(roster))),
        (_("Guardians registered"), _share(len(registered), len(guardians))),
    ]


def _requests(requests: list[leave.LeaveRow]) -> list[tuple[str, str]]:
    channels = Counter(rules.Channel(r.channel) for r in requests)
    statuses = Counter(rules.LeaveStatus(r.status) for r in requests)
    rows = [(_("Requests received"), str(len(requests)))]
    rows += [
        (_("Channel: {channel}").format(channel=channel.label), str(channels[channel]))
        for channel in rules.Channel
    ]
    rows += [
        (_("Outcome: {status}").format(status=status.label), str(statuses[status]))
        for status in rules.LeaveStatus
    ]
    rows.append((_("Special cases"), str(sum(r.special_case for r in requests))))
    waits = [
        (r.decided_at - r.submitted_at).total_seconds() / 3600
        for r in requests
        if r.decided_at is not None
    ]
    median = (
        _("{hours} hours").format(hours=format_decimal(f"{statistics.median(waits):.1f}"))
        if waits
        else "–"
    )
    rows.append((_("Median time from submission to decision"), median))
    return rows


def _originals(
    session: Session, scope: ClassScope, requests: list[leave.LeaveRow]
) -> list[tuple[str, str]]:
    needed = [
        r.id
        for r in requests
        if r.status == rules.LeaveStatus.APPROVED.value
        and rules.requires_original(rules.Channel(r.channel), r.special_case)
    ]
    on_time = late = awaited = 0
    for request in session.scalars(select(LeaveRequest).where(LeaveRequest.id.in_(needed))):
        facts = leave.facts_of(request, scope)
        received = request.original_received_on
        if received is None:
            awaited += 1
            continue
        # The rule as it stood on the day the paper came: overdue then, or not yet.
        then = rules.original_state(
            dataclasses.replace(facts, original_received_on=None),
            received,
            scope.calendar,
            scope.policy,
        )
        if then is rules.OriginalState.OVERDUE:
            late += 1
        else:
            on_time += 1
    return [
        (_("Originals required"), str(len(needed))),
        (_("Received on time"), _share(on_time, len(needed))),
        (_("Received late"), str(late)),
        (_("Not received yet"), str(awaited)),
    ]


def _audits(session: Session, scope: ClassScope, ids: set[int]) -> list[tuple[str, str]]:
    rows = [row for row in post_audit.audit_rows(session, scope) if row.request_id in ids]
    checked = [row for row in rows if row.outcome is not None]
    discrepancies = [row for row in checked if row.outcome == rules.AuditOutcome.DISCREPANCY.value]
    return [
        (_("Requests selected for post-audit"), str(len(rows))),
        (_("Post-audits done"), _share(len(checked), len(rows))),
        (_("Confirmed"), str(len(checked) - len(discrepancies))),
        (_("Discrepancies"), str(len(discrepancies))),
    ]


def _problems(noted: list[pilot_notes.Note]) -> list[Any]:
    """The problems noted in the period: how many per category, then each, oldest first (the
    order the Department reads a pilot's story in)."""
    counts = [
        (pilot_notes.category_label(category), str(count))
        for category, count in pilot_notes.by_category(noted)
        if count or category is not None
    ]
    story = _section(
        _("Problems the teacher noted"), [(_("Problems noted"), str(len(noted))), *counts]
    )
    if not noted:
        return story
    heads = [
        Column(_("Date"), 24 * mm),
        Column(_("Category"), 36 * mm, align="LEFT"),
        Column(_("What happened"), 120 * mm, align="LEFT"),
    ]
    rows = [
        [format_date(note.day), pilot_notes.category_label(note.category), note.text]
        for note in reversed(noted)
    ]
    return [*story, Spacer(1, 4), table(heads, rows, size=10.5)]
