"""Append to and verify the hash-chained audit log (``desktop.models.audit_log``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, SessionTransaction

from desktop.models import AuditLogEntry
from desktop.models.base import utc_now
from desktop.services.direct_writes import table_of

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: str,
    after: str,
) -> str:
    payload = _canonical(
        [prev_hash, at.isoformat(), actor, action, entity, entity_id, before, after]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Record:
    """What one audit entry says, before it is chained."""

    actor: str
    action: str
    entity: str
    entity_id: object
    before: Any = None
    after: Any = None
    at: datetime | None = None


def _chained(prev_hash: str, record: Record) -> dict[str, Any]:
    """The columns of ``record``'s row after the entry whose hash is ``prev_hash``."""
    moment = record.at or utc_now()
    before_text, after_text = _canonical(record.before), _canonical(record.after)
    entity_key = str(record.entity_id)
    digest = entry_hash(
        prev_hash=prev_hash,
        at=moment,
        actor=record.actor,
        action=record.action,
        entity=record.entity,
        entity_id=entity_key,
        before=before_text,
        after=after_text,
    )
    return {
        "at": moment,
        "actor": record.actor,
        "action": record.action,
        "entity": record.entity,
        "entity_id": entity_key,
        "before": before_text,
        "after": after_text,
        "prev_hash": prev_hash,
        "hash": digest,
    }


_TABLE = table_of(AuditLogEntry)
_LAST_HASH = select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = insert(_TABLE)
"""Prepared once: an entry is written on every decision, and building the statements costs
more than running them."""


_WRITTEN = "homeroom_audit_last_written"
"""``Session.info``: ``(transaction, hash)`` of the entry this session appended last."""


def _innermost(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def _last_hash(session: Session) -> str:
    """The chain's last hash, after what the session holds is written (as the ORM's autoflush
    before a query would). The hash this session appended last, while the transaction (or
    savepoint) that appended it is still the innermost one: nothing can have rolled it back,
    and every entry goes through this module. A push of a hundred intents then reads the chain
    once instead of a hundred times."""
    written = session.info.get(_WRITTEN)
    if written is not None and written[0] is _innermost(session):
        return str(written[1])
    session.flush()
    last: str | None = session.connection().execute(_LAST_HASH).scalar()
    return last or GENESIS


def _remember(session: Session, last: str) -> None:
    session.info[_WRITTEN] = (_innermost(session), last)


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> None:
    """Add one entry chained to the last one, in the caller's transaction."""
    record = Record(actor, action, entity, entity_id, before, after, at)
    row = _chained(_last_hash(session), record)
    session.connection().execute(_INSERT, row)
    _remember(session, row["hash"])


def append_many(session: Session, records: Sequence[Record]) -> None:
    """``append`` of each record in turn, as one INSERT: the same rows, the same chain, for an
    action that records thousands (a workbook's grades) without a flush per entry."""
    prev_hash = _last_hash(session)
    rows = []
    for record in records:
        rows.append(_chained(prev_hash, record))
        prev_hash = rows[-1]["hash"]
    if rows:
        session.connection().execute(_INSERT, rows)
        _remember(session, prev_hash)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify(session: Session) -> ChainReport:
    """Recompute the chain; report the first entry whose content or link does not match."""
    prev_hash = GENESIS
    count = 0
    for entry in session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id)):
        count += 1
        expected = entry_hash(
            prev_hash=prev_hash,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            before=entry.before,
            after=entry.after,
        )
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return ChainReport(count, entry.id)
        prev_hash = entry.hash
    return ChainReport(count, None)
