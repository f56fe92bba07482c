"""Every intent, by name, and the two ways one is run: ``perform`` on the client (the use case
and its outbox entry in one transaction) and ``apply_intent`` on the server (the use case from a
pushed intent). Both validate the arguments with the same model, check the same right and run
the same domain rules."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import N_, _
from desktop.models import OutboxIntent
from desktop.models.base import pinned_now
from desktop.models.provisional import PROVISIONAL_FLAG
from desktop.services.changes import Changes
from desktop.services.direct_writes import table_of
from desktop.services.intents import attendance, grades, leave, roster
from desktop.services.intents.declaration import Intent, IntentArgs
from desktop.services.profile import effective_now
from desktop.services.scope import ClassScope
from desktop.validation_text import validation_text

INTENTS: dict[str, Intent[Any]] = {
    intent.name: intent
    for intent in (*leave.DECLARED, *attendance.DECLARED, *grades.DECLARED, *roster.DECLARED)
}

UNKNOWN_LABEL = N_("A change")
"""The label of an intent this version does not know (written by a newer one)."""


def label_of(name: str) -> str:
    """The untranslated label of intent ``name`` in a list of changes."""
    intent = INTENTS.get(name)
    return intent.label if intent is not None else UNKNOWN_LABEL


def parse_args(name: str, raw: dict[str, Any]) -> IntentArgs:
    """Validated arguments of intent ``name``; anything malformed is ``InvalidInput``."""
    intent = INTENTS.get(name)
    if intent is None:
        raise InvalidInput(_("Unknown action: {name}").format(name=name))
    try:
        args: IntentArgs = intent.args.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(validation_text(exc.errors())) from None
    return args


def apply_intent(
    session: Session,
    scope: ClassScope,
    name: str,
    raw: dict[str, Any],
    *,
    actor: str,
    teacher_id: int | None,
    now: datetime,
) -> Changes:
    """Run an intent's use case for ``teacher_id`` at ``now`` (the server side of a push, or the
    client replaying what it has not yet sent); nothing goes to an outbox."""
    args = parse_args(name, raw)
    intent = INTENTS[name]
    intent.permitted(session, scope, args, teacher_id)
    with pinned_now(now):
        return intent.apply(session, scope, args, actor, now)


_QUEUE = insert(table_of(OutboxIntent))
"""Prepared once: every action the teacher takes queues one row."""


def perform(
    session: Session,
    scope: ClassScope,
    name: str,
    raw: dict[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> Changes:
    """Run a user action locally and queue its intent, in the caller's transaction.

    The action is the class's homeroom teacher's: what they may not do (``NotPermitted``) is
    refused here, before anything is queued, with the sentence the server would give. Every time
    the action records is ``now``, by default ``effective_now``: on the demo, the demo's school
    day at the current time of day."""
    args = parse_args(name, raw)
    intent = INTENTS[name]
    intent.permitted(session, scope, args, scope.teacher_id)
    moment = now or effective_now(session)
    session.info[PROVISIONAL_FLAG] = True
    try:
        with pinned_now(moment):
            changes = intent.apply(session, scope, args, actor, moment)
            session.flush()
    finally:
        session.info.pop(PROVISIONAL_FLAG, None)
    session.connection().execute(_QUEUE, queued(name, args, actor=actor, moment=moment))
    return changes


def queued(name: str, args: IntentArgs, *, actor: str, moment: datetime) -> dict[str, Any]:
    """The outbox row of intent ``name`` with ``args``, performed by ``actor`` at ``moment``."""
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "args": json.dumps(args.model_dump(mode="json"), ensure_ascii=False, sort_keys=True),
        "actor": actor,
        "created_at": moment,
    }


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0
