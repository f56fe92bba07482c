"""A change the server refused or that conflicted, in the teacher's words, built when shown.

The engine stores what it was told (``desktop.sync.engine``): the intent's name and arguments
(``mine``), the server's present rows it touched (``theirs``) and the refusal's code. Each
intent's declaration reads those (its ``reading``, built with ``conflict_reading``); this module
adds the student's name, when it was learned and what the teacher can do about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.calendar import format_moment
from desktop.models import Student
from desktop.services.conflict_reading import Facts, generic
from desktop.sync import state
from desktop.sync.state import ConflictView

Row = dict[str, Any]


class Choice(StrEnum):
    """What the teacher can do about a conflict."""

    DECIDE_AGAIN = "decide_again"
    """Open the request (or, later, the grade) and act on it again."""
    TAKE_THEIRS = "take_theirs"
    """Keep the server's value: already applied locally by the sync, so this acknowledges it."""
    DISMISS = "dismiss"


@dataclass(frozen=True)
class ConflictText:
    id: int
    intent_name: str
    code: str
    created_at: datetime
    when: str
    """When this computer learned of it, in school time."""
    student_id: int | None
    student_name: str
    """Empty when the change named no student."""
    about: str
    """The request or grade: "Leave request #12 (morning 12/03/2026 – afternoon 12/03/2026)"."""
    mine: str
    """What the teacher did."""
    theirs: str
    """What happened on the server."""
    request_id: int | None
    choices: tuple[Choice, ...]
    seen: bool


def conflicts(session: Session, *, include_seen: bool = False) -> list[ConflictText]:
    """Every conflict and refusal, newest first; those already seen only if asked."""
    found = [
        describe(session, conflict)
        for conflict in state.status(session).conflicts
        if include_seen or not conflict.seen
    ]
    return sorted(found, key=lambda text: (text.created_at, text.id), reverse=True)


def describe(session: Session, conflict: ConflictView) -> ConflictText:
    """One conflict in the teacher's words (see the module docstring)."""
    # Here, on the database lane, not at import: the declarations bring pydantic and every
    # use case, which the window's first screen does without.
    from desktop.services.intents import INTENTS

    facts = Facts(session, conflict, _json_object(conflict.mine), _json_rows(conflict.theirs))
    intent = INTENTS.get(conflict.intent_name)
    try:
        told = intent.reading(facts) if intent is not None else generic(facts)
    except (KeyError, TypeError, ValueError):
        # Arguments of an older or newer app version: still shown, in general words.
        told = generic(facts)
    student = session.get(Student, told.student_id) if told.student_id is not None else None
    choices = [Choice.DECIDE_AGAIN] if told.can_redo else []
    if _server_has_a_value(conflict.code):
        choices.append(Choice.TAKE_THEIRS)
    choices.append(Choice.DISMISS)
    return ConflictText(
        id=conflict.id,
        intent_name=conflict.intent_name,
        code=conflict.code,
        created_at=conflict.created_at,
        when=format_moment(conflict.created_at),
        student_id=told.student_id,
        student_name=student.full_name if student else "",
        about=told.about,
        mine=told.mine,
        theirs=told.theirs,
        request_id=told.request_id,
        choices=tuple(choices),
        seen=conflict.seen,
    )


def _server_has_a_value(code: str) -> bool:
    """Whether the record moved on (there is a server's value to take) rather than the data
    being refused outright."""
    return code in {
        "leave_cancelled",
        "leave_withdrawn",
        "already_decided",
        "stale_request",
        "stale_version",
        "illegal_transition",
        "grade_conflict",
    }


def _json_object(text: str) -> Row:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _json_rows(text: str) -> tuple[Row, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(row for row in value if isinstance(row, dict)) if isinstance(value, list) else ()
