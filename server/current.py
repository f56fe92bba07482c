"""For a refused intent: the server's present rows it touched (and deletes for those it would
have created), so the client can undo its optimistic change, and the refusal's code and message
in the domain's words. What each intent touches, creates and says is in its declaration
(``desktop.services.intents``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from desktop.errors import (
    IllegalTransition,
    InvalidDate,
    InvalidGrade,
    InvalidInput,
    NotFound,
    NotPermitted,
    StaleVersion,
)
from desktop.models import Base
from desktop.services import intents
from desktop.sync.protocol import Change
from desktop.sync.rows import encode_row


def _parsed(
    name: str, raw: dict[str, Any]
) -> tuple[intents.Intent[Any], intents.IntentArgs] | None:
    try:
        return intents.INTENTS[name], intents.parse_args(name, raw)
    except InvalidInput:
        return None


def touched(session: Session, class_id: int, name: str, raw: dict[str, Any]) -> list[Base]:
    """The rows of this class an intent reads or writes, as they are now."""
    parsed = _parsed(name, raw)
    return [] if parsed is None else parsed[0].touched(session, class_id, parsed[1])


def as_changes(rows: Iterable[Base]) -> list[Change]:
    """Rows encoded like the change feed."""
    found: list[Change] = []
    for row in rows:
        table: Table = row.__table__  # type: ignore[assignment]
        found.append(Change(entity=table.name, op="upsert", data=encode_row(table, row)))
    return found


def absent(session: Session, class_id: int, name: str, raw: dict[str, Any]) -> list[Change]:
    """Deletes for the rows keyed by what they describe that a refused intent would have
    created and the server does not have (a subject's term, a conduct rating). The client
    created them optimistically; rows with ids the server allocates are provisional there and
    dropped anyway, but these would stay for ever."""
    parsed = _parsed(name, raw)
    key = None if parsed is None else parsed[0].created(session, class_id, parsed[1])
    return [] if key is None else [Change(entity=key[0], op="delete", key=key[1])]


def refusal(
    session: Session, class_id: int, name: str, raw: dict[str, Any], error: InvalidInput
) -> tuple[str, str, str]:
    """``(status, code, message)`` of a refused intent: ``conflict`` when the record moved on,
    ``rejected`` for data the domain does not accept."""
    status = "conflict" if isinstance(error, IllegalTransition) else "rejected"
    parsed = _parsed(name, raw)
    own = None if parsed is None else parsed[0].conflict(session, class_id, parsed[1], error)
    code, message = own if own is not None else (generic_code(error), error.message)
    return status, code, message


def converged(session: Session, name: str, raw: dict[str, Any]) -> bool:
    """A refused intent whose wish the record already carries (another device of the same
    teacher got there first): converged, nothing to undo."""
    parsed = _parsed(name, raw)
    return parsed is not None and parsed[0].converged(session, parsed[1])


def generic_code(error: InvalidInput) -> str:
    if isinstance(error, NotPermitted):
        return "not_owner"
    if isinstance(error, StaleVersion):
        return "stale_version"
    if isinstance(error, IllegalTransition):
        return "illegal_transition"
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, InvalidGrade):
        return "invalid_grade"
    if isinstance(error, InvalidDate):
        return "invalid_date"
    return "invalid_input"
