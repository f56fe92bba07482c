"""Undo a leave decision the server has not seen yet.

A decision is a local effect plus its ``decide_leave`` intent in the outbox. While the intent
waits there, undoing it removes the intent and puts the request back as the audit log's
"before" snapshot of that decision recorded it; the attendance marks are re-derived from the
restored request (the ledger is a cache of the rules). The audit log is append-only: the undo
is a new ``leave.undo`` entry. Once the intent has left the outbox the server has applied or
refused it, and only the parent and the school can change it now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.calendar import format_moment
from desktop.domain.leave import LeaveStatus
from desktop.errors import IllegalTransition
from desktop.i18n import _
from desktop.models import AuditLogEntry, LeaveRequest, OutboxIntent, SyncState
from desktop.services import attendance, audit_log, leave
from desktop.services.changes import Changes
from desktop.services.scope import ClassScope

DECISIONS = ("leave.approve", "leave.reject")
_LAST_SUCCESS = "last_success"
"""The sync state key of the last successful sync (``desktop.sync.state.LAST_SUCCESS``; the
services do not import the sync layer, which imports them)."""


def unsent_decisions(session: Session, ids: Iterable[int] | None = None) -> frozenset[int]:
    """Requests whose decision is still waiting in the outbox (so it can be undone)."""
    wanted = None if ids is None else set(ids)
    # The arguments alone, not whole intents: a decision reads this back each time.
    found = {
        _request_in(args)
        for args in session.scalars(
            select(OutboxIntent.args).where(OutboxIntent.name == "decide_leave")
        )
    }
    return frozenset(i for i in found if i is not None and (wanted is None or i in wanted))


def undo_decision(session: Session, scope: ClassScope, *, request_id: int, actor: str) -> Changes:
    """Take back the decision on ``request_id`` if it has not been sent; refuse with the reason
    otherwise. Everything happens in the caller's transaction."""
    request = leave.get_request(session, scope, request_id)
    intents = [
        intent
        for intent in session.scalars(select(OutboxIntent).order_by(OutboxIntent.seq))
        if _request_of(intent) == request_id
    ]
    decisions = [intent for intent in intents if intent.name == "decide_leave"]
    if not decisions:
        raise IllegalTransition(_refusal(session, request))
    if intents[-1] is not decisions[-1]:
        raise IllegalTransition(
            _(
                "Request #{id} changed again after the decision (a paper original or a "
                "sign-off); the decision can no longer be undone on its own."
            ).format(id=request_id)
        )
    entry = session.scalars(
        select(AuditLogEntry)
        .where(
            AuditLogEntry.entity == "leave_request",
            AuditLogEntry.entity_id == str(request_id),
            AuditLogEntry.action.in_(DECISIONS),
        )
        .order_by(AuditLogEntry.id.desc())
        .limit(1)
    ).first()
    before: dict[str, Any] = json.loads(entry.before) if entry is not None else {}
    after: dict[str, Any] = json.loads(entry.after) if entry is not None else {}
    if entry is None or after.get("version") != request.version:
        raise IllegalTransition(
            _(
                "Request #{id} changed after the decision (version {current}); the decision "
                "can no longer be undone here."
            ).format(id=request_id, current=request.version)
        )
    current = leave.snapshot(request)
    # A decision is only ever taken on a pending request, which has no decision fields yet.
    request.status = str(before["status"])
    request.version = int(before["version"])
    request.decided_by = str(before.get("decided_by") or "")
    request.decision_note = ""
    request.decided_at = None
    session.delete(decisions[-1])
    session.flush()
    marks = attendance.recompute_request(session, scope, request)
    audit_log.append(
        session,
        actor=actor,
        action="leave.undo",
        entity="leave_request",
        entity_id=request_id,
        before=current,
        after=leave.snapshot(request),
    )
    return Changes.of(
        _("Decision on request #{id} undone; it is awaiting a decision again.").format(
            id=request_id
        ),
        leave_request=[request_id],
        attendance_mark=marks,
    )


def _request_of(intent: OutboxIntent) -> int | None:
    return _request_in(intent.args)


def _request_in(args: str) -> int | None:
    value = json.loads(args).get("request_id")
    return value if isinstance(value, int) else None


def _refusal(session: Session, request: LeaveRequest) -> str:
    if request.status == LeaveStatus.SUBMITTED.value or request.decided_at is None:
        return _(
            "Request #{id} has no decision waiting to be sent; there is nothing to undo."
        ).format(id=request.id)
    synced = session.get(SyncState, _LAST_SUCCESS)
    when = (
        format_moment(datetime.fromisoformat(synced.value))
        if synced is not None and synced.value
        else format_moment(request.decided_at)
    )
    return _(
        "The decision on request #{id} was sent to the server at {when}; it cannot be undone. "
        "Contact the parent, and the school's office if the decision must change."
    ).format(id=request.id, when=when)
