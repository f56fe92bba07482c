"""Settings stored with the profile's database, and the date the app treats as today."""

from __future__ import annotations

import os
from datetime import date

from sqlalchemy.orm import Session

from desktop.models import ProfileSetting

TODAY_KEY = "clock.today"
TODAY_ENV = "HOMEROOM_TODAY"


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(ProfileSetting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(ProfileSetting(key=key, value=value))


def effective_today(session: Session) -> date:
    """``HOMEROOM_TODAY`` if set, else the profile's fixed date (the demo), else the real date.

    The demo lives in the 2025-2026 school year; pinning its "today" keeps its overdue originals,
    deadlines and warnings meaningful whatever the real date is.
    """
    override = os.environ.get(TODAY_ENV) or get_setting(session, TODAY_KEY)
    return date.fromisoformat(override) if override else date.today()
