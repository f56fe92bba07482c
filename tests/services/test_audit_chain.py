"""The audit chain's last hash is read from the log once per transaction, and the hash
remembered after an append never outlives a rollback of the savepoint that wrote it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select

from desktop.models import AuditLogEntry
from desktop.models.db import Database
from desktop.services import audit_log


def _append(session: Any, note: str) -> None:
    audit_log.append(
        session, actor="GVCN", action="test.note", entity="note", entity_id=note, after=note
    )


def _reads_of_the_chain(db: Database) -> list[str]:
    seen: list[str] = []

    def noted(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().startswith("SELECT audit_log.hash"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", noted)
    return seen


def test_appends_in_one_transaction_read_the_chain_once(db: Database) -> None:
    reads = _reads_of_the_chain(db)
    with db.transaction() as session:
        for index in range(5):
            _append(session, f"n{index}")
    assert len(reads) == 1
    with db.transaction() as session:
        _append(session, "next transaction")
    assert len(reads) == 2  # another transaction reads the chain again
    with db.reading() as session:
        assert audit_log.verify(session).intact


def test_an_entry_rolled_back_with_its_savepoint_is_not_chained_to(db: Database) -> None:
    with db.transaction() as session:
        _append(session, "kept")
        savepoint = session.begin_nested()
        _append(session, "rolled back")
        _append(session, "rolled back too")
        savepoint.rollback()
        _append(session, "after the rollback")
        with session.begin_nested():
            _append(session, "in a released savepoint")
        _append(session, "after the release")
    with db.reading() as session:
        report = audit_log.verify(session)
        kept = list(session.scalars(select(AuditLogEntry.entity_id).order_by(AuditLogEntry.id)))
        count = session.scalar(select(func.count()).select_from(AuditLogEntry))
    assert report.intact, report
    assert kept[-4:] == [
        "kept",
        "after the rollback",
        "in a released savepoint",
        "after the release",
    ]
    assert count == report.entries


def test_a_transaction_rolled_back_leaves_no_remembered_hash(db: Database) -> None:
    class Stop(Exception):
        pass

    try:
        with db.transaction() as session:
            _append(session, "rolled back")
            raise Stop
    except Stop:
        pass
    with db.transaction() as session:
        _append(session, "written")
        _append(session, "written too")
    with db.reading() as session:
        assert audit_log.verify(session).intact
        notes = list(session.scalars(select(AuditLogEntry.entity_id).order_by(AuditLogEntry.id)))
    assert "rolled back" not in notes
    assert notes[-2:] == ["written", "written too"]
