"""Importing a class exchange file: every problem reported, or everything imported.

All checks (``desktop.exchange.validation``) run before the first row is written, so an invalid
file changes nothing; the rows are then inserted in the caller's transaction, which also rolls
back if anything fails after that. Ids are kept, so every reference in the file stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.exchange.layout import exchange_tables
from desktop.exchange.validation import check_document, read_document
from desktop.i18n import N_, _
from desktop.models import OutboxIntent, SyncConflict, SyncInbox, SyncState

TABLE_LABELS: dict[str, str] = {
    "school": N_("schools"),
    "policy_setting": N_("policy settings"),
    "school_year": N_("school years"),
    "teacher": N_("teachers"),
    "holiday": N_("holidays"),
    "school_class": N_("classes"),
    "grade_deadline": N_("grade deadlines"),
    "student": N_("students"),
    "subject": N_("subjects"),
    "conduct_rating": N_("conduct ratings"),
    "grade_entry": N_("grades"),
    "guardian": N_("guardians"),
    "subject_term": N_("subject terms"),
    "grade_change": N_("grade changes"),
    "leave_request": N_("leave requests"),
    "attendance_mark": N_("attendance marks"),
    "post_audit": N_("post-audits"),
}


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote: rows per table (every exchanged table, in insert order)."""

    rows: dict[str, int]
    replaced: bool = field(default=False)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def __str__(self) -> str:
        """The counts in the user's language: "students: 3, grades: 8" (empty tables left out)."""
        counts = [
            f"{_(TABLE_LABELS.get(name, name))}: {count}"
            for name, count in self.rows.items()
            if count
        ]
        return ", ".join(counts) if counts else _("no rows")


def has_class_data(session: Session) -> bool:
    """Whether any exchanged table holds a row (the profile already has a class)."""
    return any(
        session.execute(select(1).select_from(table).limit(1)).first() is not None
        for table in exchange_tables()
    )


def import_file(session: Session, path: Path, *, replace: bool = False) -> ImportSummary:
    """Import the exchange file at ``path`` into the profile, in the caller's transaction.

    Raises ``ImportRejected`` (every problem, located) for an invalid file, and
    ``InvalidInput`` if the profile already holds a class and ``replace`` is false; with
    ``replace`` the profile's class data is deleted first, in the same transaction, and so is
    the sync bookkeeping: intents queued against the replaced class must not reach the server
    as if made on the new one, so the profile starts unsynced (sign in and sync again). The
    audit log stays: it records the replacement too.
    """
    document = read_document(path)
    rows = check_document(document)
    del document
    existing = has_class_data(session)
    if existing and not replace:
        raise InvalidInput(_("This profile already holds a class; use --replace to replace it."))
    tables = exchange_tables()
    if existing:
        for table in reversed(tables):  # children first: foreign keys are enforced
            session.execute(delete(table))
        for model in (OutboxIntent, SyncInbox, SyncConflict, SyncState):
            session.execute(delete(model))
    counts: dict[str, int] = {}
    for table in tables:
        if rows[table.name]:
            session.execute(insert(table), rows[table.name])
        counts[table.name] = len(rows[table.name])
    session.flush()
    # Objects loaded before the import describe deleted rows; never hand them out again.
    session.expire_all()
    return ImportSummary(counts, replaced=existing)
