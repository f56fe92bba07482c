"""Record, change and list the personal-data incidents of this profile (``desktop.domain.
incidents`` holds the rules), and mark when a notification report was made.

Moments are the profile's (``effective_now``: the demo's pinned day), like the decisions'.
The audit log says that an incident was recorded, changed or reported, with its kind only:
what happened may name a student or a guardian, and the log is kept longer than the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.incidents import IncidentFacts, IncidentKind, checked
from desktop.errors import NotFound
from desktop.i18n import _
from desktop.models import PrivacyIncident
from desktop.services import audit_log
from desktop.services.changes import Changes
from desktop.services.profile import effective_now

ENTITY = "privacy_incident"


@dataclass(frozen=True)
class Incident:
    id: int
    facts: IncidentFacts
    recorded_at: datetime
    reported_at: datetime | None


def _incident(row: PrivacyIncident) -> Incident:
    facts = IncidentFacts(
        IncidentKind(row.kind), row.occurred_at, row.discovered_at, row.description, row.measures
    )
    return Incident(row.id, facts, row.created_at, row.reported_at)


def _get(session: Session, incident_id: int) -> PrivacyIncident:
    row = session.get(PrivacyIncident, incident_id)
    if row is None:
        raise NotFound(_("There is no incident #{id}.").format(id=incident_id))
    return row


def get(session: Session, incident_id: int) -> Incident:
    return _incident(_get(session, incident_id))


def _store(row: PrivacyIncident, facts: IncidentFacts) -> None:
    row.kind = facts.kind.value
    row.occurred_at = facts.occurred_at
    row.discovered_at = facts.discovered_at
    row.description = facts.description
    row.measures = facts.measures


def add(session: Session, facts: IncidentFacts, *, actor: str) -> Changes:
    now = effective_now(session)
    good = checked(facts, now=now)
    row = PrivacyIncident(created_at=now)
    _store(row, good)
    session.add(row)
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="privacy_incident_recorded",
        entity=ENTITY,
        entity_id=row.id,
        after={"kind": good.kind.value},
        at=now,
    )
    return Changes.of(_("Incident #{id} recorded.").format(id=row.id), **{ENTITY: [row.id]})


def edit(session: Session, incident_id: int, facts: IncidentFacts, *, actor: str) -> Changes:
    row = _get(session, incident_id)
    before = row.kind
    now = effective_now(session)
    good = checked(facts, now=now)
    _store(row, good)
    row.updated_at = now
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="privacy_incident_changed",
        entity=ENTITY,
        entity_id=incident_id,
        before={"kind": before},
        after={"kind": good.kind.value},
        at=now,
    )
    summary = _("Incident #{id} changed.").format(id=incident_id)
    return Changes.of(summary, **{ENTITY: [incident_id]})


def mark_reported(session: Session, incident_id: int, *, actor: str, now: datetime) -> Incident:
    """Note that the notification report of ``incident_id`` was made at ``now``."""
    row = _get(session, incident_id)
    row.reported_at = now
    session.flush()
    audit_log.append(
        session,
        actor=actor,
        action="privacy_incident_reported",
        entity=ENTITY,
        entity_id=incident_id,
        after={"kind": row.kind},
        at=now,
    )
    return _incident(row)


def incidents(session: Session) -> list[Incident]:
    """Every incident, the most recent first."""
    query = select(PrivacyIncident).order_by(
        PrivacyIncident.occurred_at.desc(), PrivacyIncident.id.desc()
    )
    return [_incident(row) for row in session.scalars(query)]
