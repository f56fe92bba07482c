"""Carry the current profile's sync bookkeeping into a restored copy, so no intent is lost or
sent twice.

The server applies a client's intents once each, in ``seq`` order, deduplicating by intent id
(``server/sync.py``); the client deletes an intent from its outbox once the server has processed
it. So the current profile's outbox is exactly what the server has not processed yet: the
restored copy's outbox is replaced by it (same ids, same seqs), and an intent the copy still
held but the current profile no longer does was processed already and is not sent again. The
outbox's seq counter continues from the higher of the two (a reused seq would stop every later
push), the device's client id and account stay the current ones, and the copy's pull cursor is
reset: the next sync takes the class's whole state from the server, which replaces whatever the
copy showed of intents since processed. The carried intents the copy never held are applied to
its records at once (as the sync replays pending intents), so the teacher's unsynced work shows
in the restored profile before any sync.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from desktop.errors import HomeroomError
from desktop.models import OutboxIntent, SchoolClass, SyncState
from desktop.models.cipher import DatabaseKey
from desktop.models.db import Database, make_engine
from desktop.models.provisional import PROVISIONAL_FLAG
from desktop.services.backup_copy import connect
from desktop.services.scope import load_scope

CARRIED_TABLES = ("outbox", "sync_conflict", "sync_state")
"""What the current profile knows better than any copy: what is still to send, what the server
refused (the teacher may not have seen it yet) and the device's identity and account."""
RESET = {"cursor": "0", "staged_cursor": ""}


@dataclass(frozen=True)
class Carried:
    pending: Counter[str]
    """The current profile's unsynced intents, by name: carried into the restored copy."""
    already_sent: int
    """Intents the copy held as pending that the server has processed since: not sent again."""


def current_state(database: Database) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The carried tables' columns and rows, and the outbox's seq counter (``sqlite_sequence``)."""
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with database.reading() as session:
        connection = session.connection()
        for table in (*CARRIED_TABLES, "sqlite_sequence"):
            result = connection.exec_driver_sql(f"SELECT * FROM {table}")
            tables[table] = (list(result.keys()), [tuple(row) for row in result])
    return tables


def pending_names(database: Database) -> Counter[str]:
    with database.reading() as session:
        rows = session.connection().exec_driver_sql("SELECT name FROM outbox")
        return Counter(str(name) for (name,) in rows)


def carry(database: Database, candidate: Path, key: DatabaseKey | None) -> Carried:
    """Write the current profile's outbox, conflicts and sync state into ``candidate``."""
    tables = current_state(database)
    columns, outbox = tables["outbox"]
    carried_ids = {row[columns.index("id")] for row in outbox}
    sequence = max(
        (int(row[1]) for row in tables["sqlite_sequence"][1] if row[0] == "outbox"), default=0
    )
    connection = connect(candidate, key)
    try:
        connection.execute("BEGIN IMMEDIATE")
        held = {str(row[0]) for row in connection.execute("SELECT id FROM outbox")}
        for table in CARRIED_TABLES:
            names, rows = tables[table]
            connection.execute(f"DELETE FROM {table}")
            if rows:
                marks = ", ".join("?" for _name in names)
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                    rows,
                )
        for state_key, value in RESET.items():
            connection.execute(
                "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?, ?)", (state_key, value)
            )
        connection.execute("DELETE FROM sync_inbox")
        restored = connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"
        ).fetchone()
        if restored is None:
            connection.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", (sequence,)
            )
        elif int(restored[0]) < sequence:
            connection.execute(
                "UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'", (sequence,)
            )
        connection.execute("COMMIT")
    finally:
        connection.close()
    _replay(candidate, key, carried_ids - held)
    pending = Counter(str(row[columns.index("name")]) for row in outbox)
    return Carried(pending=pending, already_sent=len(held - carried_ids))


def _replay(candidate: Path, key: DatabaseKey | None, new: set[str]) -> None:
    """Apply the carried intents the copy never held to its records, as the sync replays
    pending intents on the server's state: the teacher's unsynced work shows at once, not only
    after the next sync. Those the copy held already have their effect in it. An intent that
    no longer applies is left to the server, which will refuse it and say why."""
    if not new:
        return
    from desktop.services.intents.registry import apply_intent  # pydantic: only when replaying

    engine = make_engine(candidate, key)
    try:
        with sessionmaker(engine).begin() as session:
            pending = session.scalars(
                select(OutboxIntent).where(OutboxIntent.id.in_(new)).order_by(OutboxIntent.seq)
            ).all()
            class_id = session.get(SyncState, "class_id")
            school_class = (
                session.get(SchoolClass, int(class_id.value))
                if class_id is not None and class_id.value.isdigit()
                else None
            )
            try:
                scope = load_scope(session, school_class.name if school_class else None)
            except HomeroomError:
                return  # no class to apply them in: the next sync shows them
            # New rows get provisional ids, as the sync's replay gives them.
            session.info[PROVISIONAL_FLAG] = True
            for intent in pending:
                try:
                    with session.begin_nested():
                        apply_intent(
                            session,
                            scope,
                            intent.name,
                            json.loads(intent.args),
                            actor=intent.actor,
                            teacher_id=scope.teacher_id,
                            now=intent.created_at,
                        )
                except HomeroomError:
                    continue
    finally:
        engine.dispose()
