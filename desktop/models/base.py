"""The declarative base and the column types every table shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic's batch mode recreate SQLite tables without losing them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DecimalText(TypeDecorator[Decimal]):
    """A ``Decimal`` stored as its exact text: SQLite's NUMERIC would go through binary floats."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime stored as ISO text, so ordering and round trips are exact."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UtcDateTime needs an aware datetime")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


_pinned_now: ContextVar[datetime | None] = ContextVar("homeroom_pinned_now", default=None)


def utc_now() -> datetime:
    """Now, aware UTC; inside ``pinned_now(moment)``, that moment."""
    pinned = _pinned_now.get()
    return pinned if pinned is not None else datetime.now(UTC)


@contextmanager
def pinned_now(moment: datetime) -> Iterator[None]:
    """Every time recorded within (by any service, the audit log included) is ``moment``: one
    user action happens at one time, and on the demo that time is on the demo's school day."""
    token = _pinned_now.set(moment)
    try:
        yield
    finally:
        _pinned_now.reset(token)
