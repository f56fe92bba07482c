"""Intents: a local action and its outbox row commit together; arguments are validated."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from desktop.domain.calendar import Session, Slot
from desktop.errors import InvalidInput
from desktop.models import LeaveRequest, OutboxIntent
from desktop.models.db import Database
from desktop.services import intents, leave
from desktop.services.leave import NewRequest
from desktop.services.scope import load_scope
from tests.factories import SmallClass, at

NOW = at(date(2025, 10, 20))

THU = date(2025, 10, 2)


@pytest.fixture
def request_id(db: Database, small: SmallClass) -> int:
    with db.transaction() as s:
        changes = leave.submit(
            s,
            load_scope(s),
            NewRequest(
                student_id=small.student_ids[0],
                guardian_id=small.guardian_ids[0],
                first=Slot.of(THU, Session.MORNING),
                last=Slot.of(THU, Session.AFTERNOON),
                reason_category="illness",
                reason_text="Ốm",
                channel=4,
                submitted_at=at(THU),
            ),
            actor="parent",
        )
    return int(next(iter(changes.ids("leave_request"))))


def test_perform_applies_locally_and_queues_the_intent(db: Database, request_id: int) -> None:
    """The approval and its outbox row are in the same transaction."""
    with db.transaction() as s:
        intents.perform(
            s,
            load_scope(s),
            "decide_leave",
            {
                "request_id": request_id,
                "approve": True,
                "note": "",
                "base_version": 1,
            },
            actor="GV",
        )
    with db.reading() as s:
        assert s.get_one(LeaveRequest, request_id).status == "approved"
        queued = s.scalars(select(OutboxIntent)).one()
        assert queued.name == "decide_leave"
        assert json.loads(queued.args)["base_version"] == 1


def test_a_refused_action_queues_nothing(db: Database, request_id: int) -> None:
    """When the local rules refuse an action, no intent is left behind."""
    with pytest.raises(InvalidInput), db.transaction() as s:
        intents.perform(
            s,
            load_scope(s),
            "decide_leave",
            {
                "request_id": request_id,
                "approve": False,
                "note": "",
                "base_version": 1,
            },
            actor="GV",
        )
    with db.reading() as s:
        assert s.scalars(select(OutboxIntent)).all() == []


@pytest.mark.parametrize(
    "raw",
    [
        {"request_id": "abc", "approve": True, "base_version": 1},
        {"request_id": 1, "approve": True, "base_version": 1, "extra": 1},
        {"request_id": -1, "approve": True, "base_version": 1},
        {"request_id": 1, "approve": True, "base_version": 1, "note": "x" * 501},
    ],
)
def test_malformed_arguments_are_invalid_input(
    db: Database, small: SmallClass, raw: dict[str, object]
) -> None:
    """Hostile or malformed intent arguments never reach a use case."""
    with pytest.raises(InvalidInput), db.transaction() as s:
        intents.apply_intent(
            s, load_scope(s), "decide_leave", raw, actor="GV", teacher_id=None, now=NOW
        )


def test_unknown_intent_is_invalid_input(db: Database, small: SmallClass) -> None:
    """An intent name outside the registry is refused."""
    with pytest.raises(InvalidInput), db.transaction() as s:
        intents.apply_intent(
            s, load_scope(s), "drop_tables", {}, actor="GV", teacher_id=None, now=NOW
        )


def test_apply_intent_does_not_queue(db: Database, request_id: int) -> None:
    """The server side runs the same use case without writing an outbox."""
    with db.transaction() as s:
        intents.apply_intent(
            s,
            load_scope(s),
            "decide_leave",
            {"request_id": request_id, "approve": True, "base_version": 1},
            actor="GV",
            teacher_id=None,
            now=NOW,
        )
    with db.reading() as s:
        assert s.get_one(LeaveRequest, request_id).status == "approved"
        assert s.scalars(select(OutboxIntent)).all() == []
