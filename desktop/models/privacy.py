"""Personal-data incidents the teacher recorded (a lost PC, a wrong disclosure), kept with the
profile for the notification report (never synced: the school's own record of the breach)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, UtcDateTime


class PrivacyIncident(Base):
    __tablename__ = "privacy_incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    """A ``desktop.domain.incidents.IncidentKind`` value."""
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    discovered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    description: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the notification report was last made from this record."""
