"""Provisional ids for rows the client creates before the server has seen them.

Rows a local intent creates in tables whose ids the server allocates get negative ids, so they
can never collide with a server row; the sync replaces them with the server's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from desktop.models.grades import GradeChange, GradeEntry
from desktop.models.leave import AttendanceMark, PostAudit
from desktop.models.people import Guardian

PROVISIONAL_FLAG = "provisional_ids"
CLIENT_CREATED = (GradeChange, PostAudit, AttendanceMark, GradeEntry, Guardian)
"""Child tables first: the order provisional rows are deleted in."""


@event.listens_for(Session, "before_flush")
def _assign_negative_ids(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(PROVISIONAL_FLAG):
        return
    for obj in list(session.new):
        if isinstance(obj, CLIENT_CREATED) and obj.id is None:
            model = type(obj)
            lowest = session.execute(select(func.min(model.id))).scalar() or 0
            pending = [o.id for o in session.new if type(o) is model and o.id is not None]
            obj.id = min([lowest, 0, *pending]) - 1
