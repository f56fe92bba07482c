"""Provisional ids for rows the client creates before the server has seen them.

Rows a local intent creates in tables whose ids the server allocates get negative ids, so they
can never collide with a server row; the sync replaces them with the server's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, Select, event, func, select
from sqlalchemy.orm import Session

from desktop.models.base import Base
from desktop.models.grades import GradeChange, GradeEntry
from desktop.models.leave import AttendanceMark, PostAudit
from desktop.models.people import Guardian

PROVISIONAL_FLAG = "provisional_ids"
CLIENT_CREATED = (GradeChange, PostAudit, AttendanceMark, GradeEntry, Guardian)
"""Child tables first: the order provisional rows are deleted in."""


_LOWEST: dict[type[Base], Select[int | None]] = {
    model: select(func.min(model.__table__.c.id)) for model in CLIENT_CREATED
}
"""Prepared once: a decision on the desktop creates marks with these ids."""


def next_id(model: type[Base]) -> ScalarSelect[int]:
    """The next provisional id of ``model`` as SQL, for an INSERT to evaluate row by row: one
    below the lowest provisional id, or -1. A row written so costs no query before it."""
    ids = model.__table__.c.id
    return select(func.coalesce(func.min(ids), 0) - 1).where(ids < 0).scalar_subquery()


def lowest_id(session: Session, model: type[Base]) -> int:
    """The lowest id in ``model``'s table, or 0: the next provisional id is one below."""
    lowest: int | None = session.connection().execute(_LOWEST[model]).scalar()
    return min(lowest or 0, 0)


@event.listens_for(Session, "before_flush")
def _assign_negative_ids(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(PROVISIONAL_FLAG):
        return
    for obj in list(session.new):
        if isinstance(obj, CLIENT_CREATED) and obj.id is None:
            model = type(obj)
            pending = [o.id for o in session.new if type(o) is model and o.id is not None]
            obj.id = min([lowest_id(session, model), *pending]) - 1
