"""The school's today: one source, in the school's time zone, pinned on the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.models.db import Database
from desktop.services.profile import TODAY_KEY, effective_today, set_setting
from tests.factories import SmallClass

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
"""06:30 on 02/12/2026 in Hà Nội."""


def test_today_is_the_schools_not_the_computers_time_zone(db: Database, small: SmallClass) -> None:
    """At 23:30 UTC the school is already in the next morning."""
    with db.reading() as session:
        assert effective_today(session, clock=lambda: LATE_EVENING_UTC) == date(2026, 12, 2)


def test_a_pinned_profile_lives_on_its_day(db: Database, small: SmallClass) -> None:
    """The demo's day wins over the real one, whatever the hour."""
    with db.transaction() as session:
        set_setting(session, TODAY_KEY, "2026-03-16")
    with db.reading() as session:
        assert effective_today(session, clock=lambda: LATE_EVENING_UTC) == date(2026, 3, 16)


def test_the_day_read_before_the_demo_pinned_one_is_not_kept(
    db: Database, small: SmallClass
) -> None:
    """The pinned day is read once per database; pinning it forgets the day read before."""
    with db.reading() as session:
        assert effective_today(session, clock=lambda: LATE_EVENING_UTC) == date(2026, 12, 2)
    with db.transaction() as session:
        set_setting(session, TODAY_KEY, "2026-03-16")
    with db.reading() as session:
        assert effective_today(session, clock=lambda: LATE_EVENING_UTC) == date(2026, 3, 16)


def test_a_pinned_day_rolled_back_is_not_kept(db: Database, small: SmallClass) -> None:
    """A day read inside the transaction that pinned it goes when that transaction rolls back."""
    with db.transaction() as session:
        set_setting(session, TODAY_KEY, "2026-03-16")
    with pytest.raises(RuntimeError), db.transaction() as session:
        set_setting(session, TODAY_KEY, "2026-05-04")
        assert effective_today(session) == date(2026, 5, 4)
        raise RuntimeError("the teacher's action failed")
    with db.reading() as session:
        assert effective_today(session) == date(2026, 3, 16)
