"""Conflicts and refusals the teacher has dealt with: marked seen, on this computer only.

Seeing a conflict is not a change the server needs to know of (the server's state is already
applied locally by the sync that recorded it), so this is no intent and queues nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.i18n import _
from desktop.models import SyncConflict
from desktop.models.base import utc_now
from desktop.services.changes import Changes


def mark_seen(session: Session, conflict_ids: Iterable[int]) -> Changes:
    """Mark conflicts seen; those already seen keep the moment they were first seen."""
    wanted = set(conflict_ids)
    unseen = session.scalars(
        select(SyncConflict).where(SyncConflict.id.in_(wanted), SyncConflict.seen_at.is_(None))
    ).all()
    now = utc_now()
    for conflict in unseen:
        conflict.seen_at = now
    session.flush()
    return Changes.of(
        _("{count} changes not applied by the server marked as seen.").format(count=len(unseen)),
        sync_conflict=[conflict.id for conflict in unseen],
    )
