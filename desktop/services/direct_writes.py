"""Rows of the teacher's hot path (a leave decision and the marks it moves) written with
prepared Core statements instead of the unit of work.

The ORM's flush costs more than the SQL it sends: one UPDATE and one INSERT flushed take about
twice a bare INSERT + COMMIT. On the desktop nothing watches flushes (its sync sends intents, not
rows), so these rows go straight to SQL. The server's change feed reads every flush of a session
whose ``info`` holds ``FLUSH_OBSERVED``; there, and for any object the session already holds (so
it never goes stale), the unit of work writes them as before.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from desktop.models import Base

FLUSH_OBSERVED = "homeroom_capture"
"""The ``Session.info`` key of the server's write sessions (``server.changes`` sets it)."""

M = TypeVar("M", bound=Base)


def direct(session: Session) -> bool:
    """Whether rows may be written without the unit of work in ``session``."""
    return not session.info.get(FLUSH_OBSERVED)


def held(session: Session, model: type[M], ident: Any) -> M | None:
    """The session's own object for row ``ident`` of ``model``, if it holds one."""
    found = session.identity_map.get(identity_key(model, ident))
    return found if isinstance(found, model) else None


def table_of(model: type[Base]) -> Table:
    """The table ``model`` maps, for prepared Core statements on it."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
