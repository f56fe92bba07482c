"""What an intent is: one typed declaration carrying everything both sides know about it.

An intent is a user action that must reach the central server. Its declaration says, in one
place: its arguments (validated alike by the client and the server), how it is applied (the same
use case on both sides: at once on the client, then again on the server when pushed), who may
perform it (checked on both sides with the same sentence, so the client refuses before queueing
what the server would refuse), which rows the server answers a refusal with, how the server words
a conflict, and how the client tells the teacher what happened. ``registry`` lists them;
a test checks that every one has every part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.models import Base
from desktop.services.changes import Changes
from desktop.services.conflict_reading import Facts, Told
from desktop.services.scope import ClassScope


class IntentArgs(BaseModel):
    """An intent's arguments; ``NAME`` is the intent's name on the wire and in the outbox."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    NAME: ClassVar[str]


A = TypeVar("A", bound=IntentArgs)

Apply = Callable[[Session, ClassScope, A, str, datetime], Changes]
"""``(session, scope, args, actor, now)``: ``now`` is when the action happens."""

Permit = Callable[[Session, ClassScope, A, "int | None"], None]
"""``(session, scope, args, teacher_id)``: raises ``NotPermitted`` when that teacher may not."""

Touched = Callable[[Session, int, A], list[Base]]
"""``(session, class_id, args)``: the rows of the class the intent reads or writes, as they are."""

Created = Callable[[Session, int, A], "tuple[str, str] | None"]
"""``(session, class_id, args)``: ``(table, key)`` of a row keyed by what it describes that the
intent would have created and the server does not have, or ``None``."""

Conflict = Callable[[Session, int, A, InvalidInput], "tuple[str, str] | None"]
"""``(session, class_id, args, error)``: the refusal's ``(code, message)`` in the domain's words
when the intent has its own, else ``None`` (the generic code and the error's message)."""

Converged = Callable[[Session, A], bool]
"""``(session, args)``: whether a refused intent's wish is what the record already says (another
device of the same teacher got there first): nothing to undo."""

Reading = Callable[[Facts], Told]
"""The client's account of a refusal or a conflict, in the teacher's words."""


@dataclass(frozen=True)
class Intent(Generic[A]):
    args: type[A]
    label: str
    """The waiting or refused change in a list, untranslated (``N_``); may use ``{id}``."""
    apply: Apply[A]
    permitted: Permit[A]
    touched: Touched[A]
    created: Created[A]
    conflict: Conflict[A]
    converged: Converged[A]
    reading: Reading

    @property
    def name(self) -> str:
        return self.args.NAME


def creates_nothing(session: Session, class_id: int, args: IntentArgs) -> None:
    """For an intent that creates no row keyed by what it describes."""
    return None


def plain_conflict(session: Session, class_id: int, args: IntentArgs, error: InvalidInput) -> None:
    """For an intent whose refusals read as the domain's error says."""
    return None


def never_converged(session: Session, args: IntentArgs) -> bool:
    """For an intent whose refusal always means the server kept something else."""
    return False
