"""Personal-data incidents (Law 91/2025/QH15, Decree 356/2025; domain.md §6): what kinds the
app records, what makes a record consistent, and the notification deadline.

The deadline is the one the project's sources give: 72 hours for the controller's notice to the
Ministry of Public Security (A05), a figure they cite from Decree 13/2023 Art. 23, the decree
the 2026 texts replaced (``docs/research/domain.md`` §4). The sources do not give Decree 356's
own figure, so the report names where the 72 hours come from. It is counted from when the
incident happened, the earlier of the two moments a record holds: a notice made by that
deadline is in time however the period is counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from desktop.domain.calendar import SCHOOL_TIME_ZONE, format_date, school_time
from desktop.errors import InvalidInput
from desktop.i18n import N_, _

NOTIFICATION_HOURS = 72
NOTIFICATION_PERIOD = timedelta(hours=NOTIFICATION_HOURS)
MAX_DESCRIPTION = 4000
"""Characters of what happened or what was done: a page of the report each."""


class IncidentKind(StrEnum):
    LOST_DEVICE = "lost_device"
    WRONG_DISCLOSURE = "wrong_disclosure"
    UNAUTHORISED_ACCESS = "unauthorised_access"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _(_LABELS[self])


_LABELS = {
    IncidentKind.LOST_DEVICE: N_("Computer or storage lost or stolen"),
    IncidentKind.WRONG_DISCLOSURE: N_("Data disclosed to the wrong person"),
    IncidentKind.UNAUTHORISED_ACCESS: N_("Unauthorised access"),
    IncidentKind.OTHER: N_("Other"),
}


def parse_kind(text: str) -> IncidentKind:
    """A kind from its value or its label in the teacher's language."""
    wanted = text.strip().casefold()
    for kind in IncidentKind:
        if wanted in (kind.value, kind.label.casefold()):
            return kind
    choices = ", ".join(kind.value for kind in IncidentKind)
    raise InvalidInput(
        _("'{text}' is not a kind of incident (use one of: {choices}).").format(
            text=text, choices=choices
        )
    )


@dataclass(frozen=True)
class IncidentFacts:
    """What the teacher says about one incident, before it is stored."""

    kind: IncidentKind
    occurred_at: datetime
    """Aware; when it happened (as far as known)."""
    discovered_at: datetime
    """Aware; when the teacher or the school learnt of it."""
    description: str
    measures: str = ""


def _checked_text(text: str, *, empty: str | None, too_long: str) -> str:
    cleaned = text.strip()
    if not cleaned and empty is not None:
        raise InvalidInput(empty)
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidInput(too_long.format(count=MAX_DESCRIPTION, length=len(cleaned)))
    return cleaned


def checked(facts: IncidentFacts, *, now: datetime) -> IncidentFacts:
    """``facts`` with their text trimmed, or ``InvalidInput`` saying what is impossible."""
    if facts.occurred_at.tzinfo is None or facts.discovered_at.tzinfo is None:
        raise ValueError("incident moments must be aware")
    if facts.discovered_at < facts.occurred_at:
        raise InvalidInput(_("The incident cannot have been discovered before it happened."))
    if facts.discovered_at > now:
        raise InvalidInput(_("The moment the incident was discovered is in the future."))
    description = _checked_text(
        facts.description,
        empty=_("Describe what happened before saving the incident."),
        too_long=_("The description holds at most {count} characters; this one has {length}."),
    )
    measures = _checked_text(
        facts.measures,
        empty=None,
        too_long=_("The measures hold at most {count} characters; these have {length}."),
    )
    return IncidentFacts(facts.kind, facts.occurred_at, facts.discovered_at, description, measures)


def format_moment(value: datetime) -> str:
    """ "16:30 ngày 19/10/2025": the school's time of an aware moment."""
    local = school_time(value)
    return _("{time} on {day}").format(time=local.strftime("%H:%M"), day=format_date(local.date()))


def deadline(occurred_at: datetime) -> datetime:
    return occurred_at + NOTIFICATION_PERIOD


def hours_left(occurred_at: datetime, now: datetime) -> int | None:
    """Whole hours from ``now`` to the deadline, rounded down (an hour not wholly left is not
    promised: 0 in the last one); ``None`` once the deadline has passed."""
    left = deadline(occurred_at) - now
    return math.floor(left / timedelta(hours=1)) if left >= timedelta(0) else None


def hours_overdue(occurred_at: datetime, now: datetime) -> int:
    """Whole hours since the deadline passed, rounded down (0 in the first hour after it)."""
    return max(0, math.floor((now - deadline(occurred_at)) / timedelta(hours=1)))


def parse_moment(text: str) -> datetime:
    """``dd/mm/yyyy HH:MM`` (or a day alone, its first minute) in the school's time zone."""
    cleaned = " ".join(text.split())
    for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(cleaned, pattern).replace(tzinfo=SCHOOL_TIME_ZONE)
        except ValueError:
            continue
    raise InvalidInput(
        _("'{text}' is not a valid moment (use dd/mm/yyyy HH:MM).").format(text=text)
    )
