"""Problems the teacher noted during the pilot, kept with the profile (never synced)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, UtcDateTime


class PilotNote(Base):
    __tablename__ = "pilot_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    """The school day the problem happened (the profile's today by default)."""
    category: Mapped[str | None] = mapped_column(String(20))
    """A ``desktop.services.pilot_notes.Category`` value, or none when the teacher gave none."""
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
