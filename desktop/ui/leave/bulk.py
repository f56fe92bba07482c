"""Approving the selected ordinary requests at once; the others are left for one by one.

Runs on the database lane. One transaction per request: each decision is its own intent and
audit entry, exactly as if approved one at a time (so each can be undone or refused by the
server on its own), and a request changed meanwhile is reported without undoing the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import leave_text, workspace
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.leave import LeaveRow


def approve_ordinary(
    database: Database, class_name: str | None, chosen: Sequence[LeaveRow]
) -> Changes:
    """Approve the plain pending requests of ``chosen`` (each at the version shown); the
    summary counts them and names each one left out with why."""
    approved: list[int] = []
    marks: set[str] = set()
    left_out = [reason for row in chosen if (reason := leave_text.bulk_skip_reason(row))]
    for row in chosen:
        if leave_text.bulk_skip_reason(row) is not None:
            continue
        args = {"request_id": row.id, "approve": True, "note": "", "base_version": row.version}
        try:
            with workspace.work(database, class_name) as unit:
                done = perform(unit.session, unit.scope, "decide_leave", args, actor=unit.actor)
        except HomeroomError as error:
            left_out.append(error.message.rstrip("."))
            continue
        approved.append(row.id)
        marks |= done.ids("attendance_mark")
    summary = _("Approved {count} requests").format(count=len(approved))
    if left_out:
        summary += _("; left out {count}: {reasons}").format(
            count=len(left_out), reasons=", ".join(left_out)
        )
    # Every chosen row is read again, approved or not: one left out may have changed too.
    return Changes(
        summary + ".",
        {
            "leave_request": frozenset(str(row.id) for row in chosen),
            "attendance_mark": frozenset(marks),
        },
    )
