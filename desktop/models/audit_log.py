"""The append-only, hash-chained audit log of every decision and change.

Each row's ``hash`` covers its content and the previous row's hash, so editing or deleting any
row breaks the chain from there on (``desktop.services.audit_log.verify`` finds where).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, UtcDateTime


class AuditLogEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    # Not a unique index: the chain is what makes the log tamper-evident (an index is dropped as
    # easily as a row is edited), and a random key costs a page written on every entry.
    hash: Mapped[str] = mapped_column(String(64))
