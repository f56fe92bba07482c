"""Purge the leave details of school years past the school's retention period.

The purge is local to this profile and is not an intent: the server is the school's own record
(the controller keeps it under its own retention, and the desktop has no say over it), while
this profile is a copy on a shared PC that should hold no more than the teacher still needs.
Text is blanked in place rather than archived: an archive would be one more copy of the same
minors' data on the same PC, which is what the setting is meant to end.

The audit log already holds no reason text (``leave.snapshot``), so no entry is rewritten and the
hash chain stays intact; the purge adds one entry per year with the counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.domain import retention
from desktop.models import LeaveRequest, PostAudit, SchoolClass, SchoolYear, Student
from desktop.services import audit_log
from desktop.services.scope import load_policy


@dataclass(frozen=True)
class YearPurge:
    """What was (or would be) removed from one school year."""

    year: str
    due_since: date
    reasons: int
    decision_notes: int
    audit_notes: int

    @property
    def total(self) -> int:
        return self.reasons + self.decision_notes + self.audit_notes


@dataclass(frozen=True)
class PurgeReport:
    years: tuple[YearPurge, ...]
    applied: bool

    @property
    def total(self) -> int:
        return sum(year.total for year in self.years)


def purge(session: Session, *, today: date, actor: str, dry_run: bool = False) -> PurgeReport:
    """Blank the leave details of every year due on ``today``, in the caller's transaction."""
    purged = []
    for year in session.scalars(select(SchoolYear).order_by(SchoolYear.first_day)):
        days = load_policy(session, year.school_id).leave_detail_retention_days
        if not retention.is_due(year.last_day, days, today):
            continue
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
                    "retention_days": days,
                },
            )
    return PurgeReport(tuple(purged), applied=not dry_run)


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
        session.expire_all()
    return YearPurge(
        year=year.name,
        due_since=retention.purge_from(year.last_day, days),
        reasons=len(with_reason),
        decision_notes=len(with_note),
        audit_notes=len(audits),
    )
