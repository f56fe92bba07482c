"""Client-side sync bookkeeping: the outbox of intents, sync state, and conflicts to show.

An intent is written to the outbox in the same transaction as its optimistic local effect, so a
decision is never applied locally without also being queued for the server (or vice versa).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, UtcDateTime


class OutboxIntent(Base):
    """One pending intent; ``seq`` is this client's order, ``id`` its idempotency key (UUID)."""

    __tablename__ = "outbox"
    # AUTOINCREMENT: a processed (deleted) intent's seq must never be handed out again.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy reads it once

    seq: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    args: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(default=0)


class SyncState(Base):
    """Key/value sync state: client id, cursor, last success, last error, clock skew."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncConflict(Base):
    """An intent the server did not apply, in the domain's words, with both sides."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent_id: Mapped[str] = mapped_column(String(36))
    intent_name: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    mine: Mapped[str] = mapped_column(Text)
    theirs: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SyncInbox(Base):
    """Pulled rows staged until the last page arrives, so nothing half-applied is shown.

    ``kind`` is ``change`` for the change feed, ``current`` for the server's rows sent back
    with a refused intent (applied first, since the feed may hold newer versions); within a
    kind, rows are applied in the order they arrived (``id``).
    """

    __tablename__ = "sync_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    op: Mapped[str] = mapped_column(String(10))
    data: Mapped[str | None] = mapped_column(Text)
