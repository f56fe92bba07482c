"""Rows of the synced tables as JSON-ready dicts, and applying them to the local database.

The server encodes every column of a ``desktop.models`` row the same way (``encode_row``);
the client decodes by the column's type, so a malformed value is refused, not stored.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, Table, delete
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import Base
from desktop.models.base import DecimalText, UtcDateTime

LOCAL_ONLY = frozenset(
    {
        "audit_log",
        "outbox",
        "sync_state",
        "sync_conflict",
        "sync_inbox",
        "profile_setting",
        "pilot_note",
        "privacy_incident",
    }
)


def synced_tables() -> dict[str, Table]:
    return {
        name: table
        for name, table in Base.metadata.tables.items()
        if name not in LOCAL_ONLY and name != "alembic_version"
    }


def encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    """Every column of an ORM object or row mapping, JSON-ready."""
    getter = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {column.name: encode_value(getter(column.key)) for column in table.columns}


def row_key(table: Table, row: Any) -> str:
    getter = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return ":".join(str(encode_value(getter(c.key))) for c in table.primary_key.columns)


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        if not column.nullable:
            raise ValueError("null")
        return None
    kind = column.type
    if isinstance(kind, UtcDateTime):
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment
    if isinstance(kind, DecimalText):
        return Decimal(str(value))
    python_type = kind.python_type
    if python_type is date:
        return date.fromisoformat(str(value))
    if python_type is bool:
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value
    if python_type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("not an integer")
        return value
    if python_type is str:
        if not isinstance(value, str):
            raise ValueError("not text")
        length = getattr(kind, "length", None)
        if length is not None and len(value) > length * 4:
            raise ValueError("too long")
        return value
    return value


def decode_row(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Column values of a pulled row, checked against the local schema."""
    table = synced_tables().get(entity)
    if table is None:
        raise InvalidInput(
            _("The server sent data of an unknown kind: {entity}").format(entity=entity)
        )
    values: dict[str, Any] = {}
    for column in table.columns:
        try:
            values[column.key] = _decode(column, data.get(column.name))
        except (ValueError, TypeError, InvalidOperation, NotImplementedError):
            raise InvalidInput(
                _("The server sent an invalid value for {entity}.{column}.").format(
                    entity=entity, column=column.name
                )
            ) from None
    return values


def key_values(entity: str, key: str) -> dict[str, Any]:
    table = synced_tables()[entity]
    parts = key.split(":")
    columns = list(table.primary_key.columns)
    if len(parts) != len(columns):
        raise InvalidInput(_("The server sent an invalid key for {entity}.").format(entity=entity))
    try:
        return {
            c.key: _decode(c, int(p) if c.type.python_type is int else p)
            for c, p in zip(columns, parts, strict=True)
        }
    except (ValueError, TypeError):
        raise InvalidInput(
            _("The server sent an invalid key for {entity}.").format(entity=entity)
        ) from None


def upsert_many(session: Session, entity: str, data: list[dict[str, Any]]) -> None:
    """Insert or replace whole rows, checked against the local schema, in one statement."""
    table = synced_tables()[entity]
    values = [decode_row(entity, row) for row in data]
    primary = [c.key for c in table.primary_key.columns]
    statement = sqlite_insert(table)
    others = [c.key for c in table.columns if c.key not in primary]
    statement = (
        statement.on_conflict_do_update(
            index_elements=primary, set_={k: statement.excluded[k] for k in others}
        )
        if others
        else statement.on_conflict_do_nothing()
    )
    session.execute(statement, values)


def remove(session: Session, entity: str, key: str) -> None:
    table = synced_tables()[entity]
    where = key_values(entity, key)
    session.execute(delete(table).where(*(table.c[k] == v for k, v in where.items())))
