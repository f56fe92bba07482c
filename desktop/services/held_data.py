"""What personal data this profile holds, as an incident notification states it: the school and
classes, each kind of data with how many records and since when, whether the file is encrypted,
when it last synced and what has not reached the server yet.

Counts only, never a value: the report made from this goes to people outside the class.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from desktop.domain.calendar import school_time
from desktop.i18n import N_, _
from desktop.models import (
    AttendanceMark,
    AuditLogEntry,
    ConductRating,
    GradeChange,
    GradeEntry,
    Guardian,
    LeaveRequest,
    OutboxIntent,
    PostAudit,
    School,
    SchoolClass,
    Student,
)
from desktop.services.intents import attendance, grades, leave, roster
from desktop.services.intents.registry import UNKNOWN_LABEL
from desktop.sync import state


@dataclass(frozen=True)
class DataKind:
    label: str
    count: int
    since: date | None
    """The earliest record's day, where the records carry one."""


@dataclass(frozen=True)
class HeldData:
    school: str
    governing_body: str
    province: str
    classes: tuple[str, ...]
    """"11A1 (2025-2026)", in the order the profile holds them."""
    kinds: tuple[DataKind, ...]
    since: date | None
    encrypted: bool
    last_sync: datetime | None
    unsynced: tuple[tuple[str, int], ...]
    """Each kind of change still waiting for the server, with how many."""


def _count(session: Session, *where: ColumnElement[bool], model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _first(session: Session, column: Any) -> date | None:
    value = session.scalar(select(func.min(column)))
    if isinstance(value, datetime):
        return school_time(value).date()
    return value if isinstance(value, date) else None


def _kinds(session: Session) -> list[DataKind]:
    leave_since = _first(session, LeaveRequest.submitted_at)
    return [
        DataKind(
            _("Students' names, dates of birth and genders"),
            _count(session, model=Student),
            None,
        ),
        DataKind(
            _("Guardians' names and relation to the student"), _count(session, model=Guardian), None
        ),
        DataKind(
            _("Guardians' phone numbers"),
            _count(session, Guardian.phone != "", model=Guardian),
            None,
        ),
        DataKind(
            _("Consent and e-contact-book registrations"),
            _count(
                session,
                Guardian.consent_recorded_on.is_not(None)
                | Guardian.econtact_registered_on.is_not(None),
                model=Guardian,
            ),
            _first(session, Guardian.econtact_registered_on),
        ),
        DataKind(_("Leave requests"), _count(session, model=LeaveRequest), leave_since),
        DataKind(
            _("Reasons for absence written by guardians"),
            _count(session, LeaveRequest.reason_text != "", model=LeaveRequest),
            leave_since,
        ),
        DataKind(
            _("Notes on decisions and post-audits"),
            _count(session, LeaveRequest.decision_note != "", model=LeaveRequest)
            + _count(session, PostAudit.note != "", model=PostAudit),
            leave_since,
        ),
        DataKind(
            _("Attendance marks (sessions)"),
            _count(session, model=AttendanceMark),
            _first(session, AttendanceMark.day),
        ),
        DataKind(
            _("Grades"), _count(session, model=GradeEntry), _first(session, GradeEntry.entered_at)
        ),
        DataKind(
            _("Grade changes with their reasons"),
            _count(session, model=GradeChange),
            _first(session, GradeChange.changed_at),
        ),
        DataKind(_("Conduct ratings"), _count(session, model=ConductRating), None),
        DataKind(
            _("Audit log of decisions"),
            _count(session, model=AuditLogEntry),
            _first(session, AuditLogEntry.at),
        ),
    ]


_AREAS = (
    (leave.DECLARED, N_("Leave requests and post-audits")),
    (attendance.DECLARED, N_("Attendance")),
    (grades.DECLARED, N_("Grades and conduct")),
    (roster.DECLARED, N_("Students and guardians")),
)


def _area(name: str) -> str:
    for declared, label in _AREAS:
        if any(intent.name == name for intent in declared):
            return _(label)
    return _(UNKNOWN_LABEL)


def _unsynced(session: Session) -> tuple[tuple[str, int], ...]:
    """The changes waiting in the outbox by area (an intent's own label names one record)."""
    areas = Counter(_area(name) for name in session.scalars(select(OutboxIntent.name)))
    return tuple(sorted(areas.items()))


def held_data(session: Session, *, encrypted: bool) -> HeldData:
    """The profile's inventory; ``encrypted`` is whether its file opens only with a key (the
    open database knows, the session does not)."""
    school = session.scalars(select(School).order_by(School.id)).first()
    classes = tuple(
        f"{c.name} ({c.year.name})"
        for c in session.scalars(select(SchoolClass).order_by(SchoolClass.id))
    )
    kinds = tuple(_kinds(session))
    starts = [kind.since for kind in kinds if kind.since is not None and kind.count]
    synced = state.get(session, state.LAST_SUCCESS)
    return HeldData(
        school=school.name if school else "",
        governing_body=school.governing_body if school else "",
        province=school.province if school else "",
        classes=classes,
        kinds=kinds,
        since=min(starts) if starts else None,
        encrypted=encrypted,
        last_sync=datetime.fromisoformat(synced) if synced else None,
        unsynced=_unsynced(session),
    )
