"""Settings stored with the profile's database, and the date the app treats as today."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, event, select
from sqlalchemy.orm import Session

from desktop.domain.calendar import school_time
from desktop.models import ProfileSetting
from desktop.services import direct_writes
from desktop.services.direct_writes import table_of

TODAY_KEY = "clock.today"
TODAY_ENV = "HOMEROOM_TODAY"


_SETTINGS = table_of(ProfileSetting)
_VALUE = select(_SETTINGS.c.value).where(_SETTINGS.c.key == bindparam("key"))
"""Prepared once: every intent performed reads the pinned day."""


def get_setting(session: Session, key: str) -> str | None:
    session.flush()  # a setting merged but not yet written counts, as an autoflush would
    held = direct_writes.held(session, ProfileSetting, key)
    if held is not None:
        return held.value
    value: str | None = session.connection().execute(_VALUE, {"key": key}).scalar()
    return value


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(ProfileSetting(key=key, value=value))
    if key == TODAY_KEY:
        _forget_pinned_day(session)
        for ending in ("after_commit", "after_rollback"):
            event.listen(session, ending, _forget_pinned_day, once=True)


_PINNED: WeakKeyDictionary[Engine | Connection, date | None] = WeakKeyDictionary()
"""The pinned day by database, read once: every intent performed needs it (a query's cost on a
leave decision), and it is written once, when the demo is made. ``set_setting`` forgets it,
and so do the commit and the rollback of the session that set it, so a value read before
either is not kept."""


def _forget_pinned_day(session: Session) -> None:
    _PINNED.pop(session.get_bind(), None)


def _pinned_day(session: Session) -> date | None:
    override = os.environ.get(TODAY_ENV)
    if override:
        return date.fromisoformat(override)
    bind = session.get_bind()
    if bind not in _PINNED:
        stored = get_setting(session, TODAY_KEY)
        _PINNED[bind] = date.fromisoformat(stored) if stored else None
    return _PINNED[bind]


def effective_today(
    session: Session, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> date:
    """The school's today, the one source of every rule that depends on it: ``HOMEROOM_TODAY``
    if set, else the profile's fixed date (the demo), else today in the school's time zone (not
    the computer's: a PC left on UTC would change day at 07:00).

    The demo lives in the 2025-2026 school year; pinning its "today" keeps its overdue originals,
    deadlines and warnings meaningful whatever the real date is.
    """
    return school_time(effective_now(session, clock=clock)).date()


def effective_now(
    session: Session, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> datetime:
    """Now, aware UTC, on ``effective_today``: the real time of day moved to the pinned day (a
    decision on the demo is taken on 16/03/2026 at the current hour, not on today's date); the
    real moment when the profile has no pinned day."""
    moment = clock()
    day = _pinned_day(session)
    return moment if day is None else moment + (day - school_time(moment).date())


REGISTRATION_ADDRESS_KEY = "school.registration_address"
"""Where parents register for the e-contact book (the leaflet's QR code)."""


def registration_address(session: Session) -> str:
    """The school's registration address, or "" before the teacher set it."""
    return get_setting(session, REGISTRATION_ADDRESS_KEY) or ""
