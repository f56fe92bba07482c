"""Many intents of one kind as one user action (a workbook's grades, a roster's students):
``perform_many`` is ``perform`` of each, in one transaction, with the same guarantees.

- Every argument set is validated by the intent's model; one malformed refuses them all.
- The right is checked before anything is applied, with the sentence ``perform`` would give:
  by the family's ``Bulk.permitted`` when it declares one (grades: once per subject, not per
  cell), else the intent's ``permitted`` for each.
- The use case runs once for all, at one moment (the action's: ``effective_now`` by default),
  in the caller's transaction, new rows taking provisional ids: through the family's bulk use
  case (``Bulk.apply``) when it declares one, else the intent's ``apply`` of each in turn.
- Each intent is queued exactly as ``perform`` queues it (``registry.queued``: the same
  payload), in the order given (the outbox's ``seq`` rises with it), with one INSERT.
- One ``Changes`` comes back for the screen's refresh.

Any refusal raises before the outbox is written, and the caller's transaction, rolled back,
keeps nothing of the batch. A family makes its intents fast in bulk by adding a ``Bulk`` to
``BULK``: a use case taking the whole list and writing each table with one statement must give
the rows, the errors and the order ``perform`` one by one gives (a test compares them as data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic

from sqlalchemy import insert
from sqlalchemy.orm import Session

from desktop.domain.calendar import school_time
from desktop.i18n import _
from desktop.models import OutboxIntent
from desktop.models.base import pinned_now
from desktop.models.provisional import PROVISIONAL_FLAG
from desktop.services import grades, rights
from desktop.services.changes import Changes
from desktop.services.intents.declaration import A
from desktop.services.intents.grades import SetGrade
from desktop.services.intents.registry import INTENTS, parse_args, queued
from desktop.services.profile import effective_now
from desktop.services.scope import ClassScope


@dataclass(frozen=True)
class Bulk(Generic[A]):
    """How a family performs a list of its intent at once."""

    permitted: Callable[[Session, ClassScope, Sequence[A], int | None], None]
    """``(session, scope, args, teacher_id)``: ``NotPermitted`` for the first one refused."""
    apply: Callable[[Session, ClassScope, Sequence[A], str, datetime], Changes]
    """``(session, scope, args, actor, now)``: every use case, in bulk."""


def perform_many(
    session: Session,
    scope: ClassScope,
    name: str,
    raws: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    now: datetime | None = None,
) -> Changes:
    """``perform`` of intent ``name`` with each of ``raws``, as one action of the class's
    homeroom teacher at ``now``, in the caller's transaction."""
    args = [parse_args(name, dict(raw)) for raw in raws]
    if not args:
        return Changes.of(_("Nothing to change."))
    intent = INTENTS[name]
    bulk = BULK.get(name)
    if bulk is not None:
        bulk.permitted(session, scope, args, scope.teacher_id)
    else:
        for one in args:
            intent.permitted(session, scope, one, scope.teacher_id)
    moment = now or effective_now(session)
    session.info[PROVISIONAL_FLAG] = True
    try:
        with pinned_now(moment):
            if bulk is not None:
                changes = bulk.apply(session, scope, args, actor, moment)
            else:
                changes = _merged([intent.apply(session, scope, a, actor, moment) for a in args])
            session.flush()
    finally:
        session.info.pop(PROVISIONAL_FLAG, None)
    session.connection().execute(
        insert(OutboxIntent),
        [queued(name, one, actor=actor, moment=moment) for one in args],
    )
    return changes


def _merged(each: Sequence[Changes]) -> Changes:
    if len(each) == 1:
        return each[0]
    touched: dict[str, set[str]] = {}
    for changes in each:
        for kind, ids in changes.touched.items():
            touched.setdefault(kind, set()).update(ids)
    return Changes.of(_("{count} changes made.").format(count=len(each)), **touched)


# ------------------------------------------------------------------------------ grades


def _grades_permitted(
    session: Session, scope: ClassScope, args: Sequence[SetGrade], teacher_id: int | None
) -> None:
    for code in dict.fromkeys(one.subject_code for one in args):
        rights.require_grade_entry(session, scope.class_id, code, teacher_id)


def _set_grades(
    session: Session, scope: ClassScope, args: Sequence[SetGrade], actor: str, now: datetime
) -> Changes:
    orders = [
        grades.GradeOrder(
            student_id=one.student_id,
            subject_code=one.subject_code,
            semester=one.semester,
            kind=one.kind,
            slot=one.slot,
            value=one.value,
            reason=one.reason,
            base_version=one.base_version,
        )
        for one in args
    ]
    return grades.set_grades(
        session, scope, orders, actor=actor, today=school_time(now).date(), now=now
    )


BULK: dict[str, Bulk[Any]] = {
    SetGrade.NAME: Bulk[SetGrade](permitted=_grades_permitted, apply=_set_grades),
}
"""The intents performed in bulk by their family's own use case, by name."""
