"""A push is one write transaction: its intents commit together (one commit, not one per
intent: 100 intents after a week offline cost the server 7–8 ms each). A push that meets a
refusal is redone with a savepoint per intent, so the refused intent rolls back only itself
and the class's seqs stay gap-free."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, func, select

from server.tables import ChangeCounter, ChangeLogEntry
from tests.server.helpers import mutation, served, sync_body

DAYS = ("2025-10-13", "2025-10-14", "2025-10-15", "2025-10-16", "2025-10-17")


def _mark(seq: int, student_id: int, day: str) -> dict[str, Any]:
    args = {"student_id": student_id, "day": day, "session": "morning", "observed": "absent"}
    return mutation(seq, "set_attendance", args)


@contextmanager
def _heard(engine: Engine, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """The arguments of every ``name`` event of ``engine`` while the block runs."""
    heard: list[tuple[Any, ...]] = []

    def listener(*args: Any) -> None:
        heard.append(args)

    event.listen(engine, name, listener)
    try:
        yield heard
    finally:
        event.remove(engine, name, listener)


def test_a_push_commits_once_and_a_refusal_rolls_back_only_itself(db_url: str) -> None:
    with served(db_url) as (store, seeded, api):
        class_id, student = seeded.small.class_id, seeded.small.student_ids[0]
        with store.read() as session:
            before = session.scalar(
                select(ChangeCounter.seq).where(ChangeCounter.class_id == class_id)
            )
        marks = [_mark(seq, student, day) for seq, day in enumerate(DAYS, start=1)]
        # The third names a student of another class: refused by the domain. The push is
        # then redone with savepoints, and the refusal rolls back only its own.
        marks[2] = _mark(3, 10**6, DAYS[2])
        api.token("gvcn")  # signing in commits too
        with _heard(store.engine, "commit") as commits:
            answer = api.sync(sync_body(class_id, marks))
        assert answer.status_code == 200, answer.text
        statuses = [r["status"] for r in answer.json()["results"]]
        assert statuses == ["applied", "applied", "rejected", "applied", "applied"]
        assert answer.json()["last_seq_processed"] == 5
        assert len(commits) == 1
        with store.read() as session:
            after = session.scalar(
                select(ChangeCounter.seq).where(ChangeCounter.class_id == class_id)
            )
            top = session.scalar(
                select(func.max(ChangeLogEntry.seq)).where(ChangeLogEntry.class_id == class_id)
            )
        # Every seq handed out by this push is in the log: the refusal's were rolled back.
        assert before is not None and after is not None and after > before
        assert top == after


def test_a_push_without_refusals_takes_no_savepoints_and_reads_the_audit_chain_once(
    db_url: str,
) -> None:
    """Savepoints cost two round trips an intent on PostgreSQL; only a push that meets a
    refusal is redone with them (the test above)."""
    with served(db_url) as (store, seeded, api):
        class_id = seeded.small.class_id
        marks = [
            _mark(seq, seeded.small.student_ids[seq % 2], day)
            for seq, day in enumerate(DAYS, start=1)
        ]
        api.token("gvcn")
        with _heard(store.engine, "before_cursor_execute") as executed:
            answer = api.sync(sync_body(class_id, marks))
        statements = [str(args[2]).lstrip() for args in executed]
        assert answer.status_code == 200, answer.text
        assert [r["status"] for r in answer.json()["results"]] == ["applied"] * len(DAYS)
        assert not [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]
        assert len([s for s in statements if s.startswith("SELECT audit_log.hash")]) == 1
