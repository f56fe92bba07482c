"""Purge the leave details of school years past the school's retention period.

The purge is local to this profile and is not an intent: the server is the school's own record
(the controller keeps it under its own retention, and the desktop has no say over it), while
this profile is a copy on a shared PC that should hold no more than the teacher still needs.
Text is blanked in place rather than archived: an archive would be one more copy of the same
minors' data on the same PC, which is what the setting is meant to end.

The audit log already holds no reason text (``leave.snapshot``), so no entry is rewritten and the
hash chain stays intact; the purge adds one entry per year with the counts only.

The other copies of the same text are purged with it: the refused changes the sync kept
(``sync_conflict``: the teacher's note, the server's rows). Which years are purged is kept in
the profile (``PURGED_YEARS_KEY``), because a later sync pulls whole rows from the server, text
included: the sync blanks them again before anything is shown (``keep_purged``). The outbox is
left alone: an intent not yet sent is the teacher's own work, still on its way to the server.

The text is removed from the file, not only from the rows: the purge runs with SQLite's
``secure_delete`` (the old cells are zeroed, not left in free space), and ``settle`` then
copies the write-ahead log back and empties it, which held the text's earlier pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from desktop.domain import retention
from desktop.models import (
    LeaveRequest,
    PostAudit,
    SchoolClass,
    SchoolYear,
    Student,
    SyncConflict,
)
from desktop.models.db import Database
from desktop.services import audit_log
from desktop.services.profile import get_setting, set_setting
from desktop.services.scope import load_policy

PURGED_YEARS_KEY = "retention.purged_years"
"""The ids of the school years whose leave details were purged, as a JSON list."""

_TEXT_FIELDS = ("reason_text", "decision_note", "note")
"""The free text in a conflict's two sides: the request's reason and decision note, a
post-audit's note (a row of the server's), the note of the teacher's refused change."""


@dataclass(frozen=True)
class YearPurge:
    """What was (or would be) removed from one school year."""

    year: str
    due_since: date
    reasons: int
    decision_notes: int
    audit_notes: int
    conflicts: int = 0
    """Refused changes kept by the sync that held some of the year's text."""

    @property
    def total(self) -> int:
        return self.reasons + self.decision_notes + self.audit_notes + self.conflicts


@dataclass(frozen=True)
class PurgeReport:
    years: tuple[YearPurge, ...]
    applied: bool

    @property
    def total(self) -> int:
        return sum(year.total for year in self.years)


def purge(session: Session, *, today: date, actor: str, dry_run: bool = False) -> PurgeReport:
    """Blank the leave details of every year due on ``today``, in the caller's transaction
    (then ``settle`` the database once it is committed)."""
    if not dry_run:
        _secure_delete(session)
    purged = []
    due: set[int] = set()
    for year in session.scalars(select(SchoolYear).order_by(SchoolYear.first_day)):
        days = load_policy(session, year.school_id).leave_detail_retention_days
        if not retention.is_due(year.last_day, days, today):
            continue
        due.add(year.id)
        found = _purge_year(session, year, days, dry_run=dry_run)
        if found.total == 0:
            continue
        purged.append(found)
        if not dry_run:
            audit_log.append(
                session,
                actor=actor,
                action="retention_purge",
                entity="school_year",
                entity_id=year.id,
                after={
                    "reasons": found.reasons,
                    "decision_notes": found.decision_notes,
                    "audit_notes": found.audit_notes,
                    "conflicts": found.conflicts,
                    "retention_days": days,
                },
            )
    if not dry_run and not due <= purged_years(session):
        set_setting(session, PURGED_YEARS_KEY, json.dumps(sorted(due | purged_years(session))))
    return PurgeReport(tuple(purged), applied=not dry_run)


def purged_years(session: Session) -> set[int]:
    raw = get_setting(session, PURGED_YEARS_KEY)
    if not raw:
        return set()
    try:
        return {int(year) for year in json.loads(raw)}
    except (ValueError, TypeError):
        # Only this module writes it; an edited value is read as "none", and the next purge
        # (the teacher's, confirmed) writes it again. Guessing years would blank text still kept.
        return set()


def keep_purged(session: Session) -> int:
    """Blank again, in the caller's transaction, the text of purged years that a sync has just
    written back (the server's rows are whole); how many texts. Not audited: it carries out the
    purge already recorded."""
    years = purged_years(session)
    if not years:
        return 0
    _secure_delete(session)
    total = 0
    for year in session.scalars(select(SchoolYear).where(SchoolYear.id.in_(years))):
        total += _purge_year(session, year, 0, dry_run=False).total
    return total


def settle(database: Database) -> None:
    """After a purge is committed: copy the write-ahead log into the file and empty it (its
    frames hold pages from before the purge, text included)."""
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _secure_delete(session: Session) -> None:
    # Per connection, and it stays on for the pooled connection: zeroing freed cells costs
    # little, and anything deleted later is then gone from the file too.
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def _purge_year(session: Session, year: SchoolYear, days: int, *, dry_run: bool) -> YearPurge:
    requests = (
        select(LeaveRequest.id)
        .join(Student, Student.id == LeaveRequest.student_id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .where(SchoolClass.school_year_id == year.id)
    )
    with_reason = list(session.scalars(requests.where(LeaveRequest.reason_text != "")))
    with_note = list(session.scalars(requests.where(LeaveRequest.decision_note != "")))
    audits = list(
        session.scalars(
            select(PostAudit.id).where(PostAudit.request_id.in_(requests), PostAudit.note != "")
        )
    )
    conflicts = _conflicts_of(session, requests)
    if not dry_run:
        # The version stays: a purge is not a change of the request for sync to propose.
        if with_reason:
            session.execute(
                update(LeaveRequest).where(LeaveRequest.id.in_(with_reason)).values(reason_text="")
            )
        if with_note:
            session.execute(
                update(LeaveRequest).where(LeaveRequest.id.in_(with_note)).values(decision_note="")
            )
        if audits:
            session.execute(update(PostAudit).where(PostAudit.id.in_(audits)).values(note=""))
        for conflict in conflicts:
            conflict.mine = _blanked(conflict.mine)
            conflict.theirs = _blanked(conflict.theirs)
        session.flush()
        session.expire_all()
    return YearPurge(
        year=year.name,
        due_since=retention.purge_from(year.last_day, days),
        reasons=len(with_reason),
        decision_notes=len(with_note),
        audit_notes=len(audits),
        conflicts=len(conflicts),
    )


def _conflicts_of(session: Session, requests: Select[Any]) -> list[SyncConflict]:
    """The kept conflicts about one of ``requests`` that still hold some text."""
    ids = set(session.scalars(requests))
    found = []
    for conflict in session.scalars(select(SyncConflict).order_by(SyncConflict.id)):
        mine, theirs = _loads(conflict.mine), _loads(conflict.theirs)
        about = mine.get("request_id") if isinstance(mine, dict) else None
        if about in ids and (_has_text(mine) or _has_text(theirs)):
            found.append(conflict)
    return found


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _has_text(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_text(item) for item in value)
    return isinstance(value, dict) and any(value.get(field) for field in _TEXT_FIELDS)


def _blanked(text: str) -> str:
    """The JSON of a conflict's side with every free text emptied (the rest stays readable)."""
    value = _loads(text)
    rows = value if isinstance(value, list) else [value]
    for row in rows:
        if isinstance(row, dict):
            for field in _TEXT_FIELDS:
                if row.get(field):
                    row[field] = ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
