"""What the exchange file holds: its tables in dependency order, and its JSON Schema.

The schema is generated from the SQLAlchemy tables plus the value rules below, so the file
format and the database cannot drift apart; ``resources/schemas/class-exchange.v1.schema.json``
is the committed copy (a test checks it is current).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table

from desktop.models import Base
from desktop.models.base import DecimalText, UtcDateTime
from desktop.resources import resource
from desktop.sync.rows import synced_tables

FORMAT = "homeroom-class-exchange"
VERSION = 1
SCHEMA_FILE = "class-exchange.v1.schema.json"
MAX_FILE_BYTES = 50 * 1024 * 1024

SESSIONS = ["morning", "afternoon"]
VALUE_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("school", "level"): {"enum": ["primary", "lower_secondary", "upper_secondary"]},
    ("teacher", "role"): {"enum": ["homeroom", "subject", "principal"]},
    ("student", "gender"): {"enum": ["male", "female"]},
    ("subject", "assessment"): {"enum": ["score", "comment"]},
    ("grade_entry", "kind"): {"enum": ["TX", "GK", "CK"]},
    ("grade_entry", "semester"): {"enum": [1, 2]},
    ("grade_entry", "slot"): {"minimum": 1, "maximum": 4},
    ("grade_entry", "comment"): {"enum": ["Đ", "CĐ", None]},
    ("grade_deadline", "kind"): {"enum": ["TX", "GK", "CK"]},
    ("grade_deadline", "semester"): {"enum": [1, 2]},
    ("subject_term", "semester"): {"enum": [1, 2]},
    ("subject_term", "review_state"): {"enum": ["pending", "reviewed", "returned"]},
    ("grade_change", "kind"): {"enum": ["direct", "change_request"]},
    ("grade_change", "review_state"): {"enum": ["pending", "checked", "queried", "not_listed"]},
    ("conduct_rating", "term"): {"enum": [0, 1, 2]},
    ("conduct_rating", "level"): {"enum": ["Tốt", "Khá", "Đạt", "Chưa đạt"]},
    ("leave_request", "first_session"): {"enum": SESSIONS},
    ("leave_request", "last_session"): {"enum": SESSIONS},
    ("leave_request", "reason_category"): {"enum": ["illness", "family", "bereavement", "other"]},
    ("leave_request", "channel"): {"enum": [3, 4]},
    ("leave_request", "status"): {
        "enum": ["submitted", "approved", "rejected", "cancelled", "withdrawn"]
    },
    ("leave_request", "audit_status"): {"enum": ["none", "selected", "confirmed", "discrepancy"]},
    ("post_audit", "method"): {"enum": ["phone", "meeting", "document", None]},
    ("post_audit", "outcome"): {"enum": ["confirmed", "discrepancy", None]},
    ("attendance_mark", "session"): {"enum": SESSIONS},
    ("attendance_mark", "observed"): {
        "enum": ["present", "absent", "late", "excused_by_teacher", None]
    },
    ("attendance_mark", "status"): {"enum": ["present", "excused", "unexcused", "late"]},
    ("attendance_mark", "source"): {"enum": ["roll_call", "leave", "audit"]},
}
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"
DECIMAL_PATTERN = r"^(10(\.0)?|\d(\.\d)?)$"


def exchange_tables() -> list[Table]:
    """The synced tables, parents before children."""
    synced = synced_tables()
    return [table for table in Base.metadata.sorted_tables if table.name in synced]


def _column_schema(table: Table, column: Column[Any]) -> dict[str, Any]:
    kind = column.type
    schema: dict[str, Any]
    if isinstance(kind, UtcDateTime):
        schema = {"type": "string", "pattern": TIME_PATTERN}
    elif isinstance(kind, DecimalText):
        schema = {"type": "string", "pattern": DECIMAL_PATTERN}
    elif kind.python_type is int:
        schema = {"type": "integer"}
    elif kind.python_type is bool:
        schema = {"type": "boolean"}
    elif kind.python_type.__name__ == "date":
        schema = {"type": "string", "pattern": DATE_PATTERN}
    else:
        schema = {"type": "string"}
        length = getattr(kind, "length", None)
        if length:
            schema["maxLength"] = length
    schema.update(VALUE_RULES.get((table.name, column.name), {}))
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def json_schema() -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in exchange_tables():
        tables[table.name] = {
            "type": "array",
            "maxItems": 1_000_000,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [c.name for c in table.columns],
                "properties": {c.name: _column_schema(table, c) for c in table.columns},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://homeroom.example/schemas/{SCHEMA_FILE}",
        "title": "Homeroom class exchange file, version 1",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "exported_at", "tables"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            "exported_at": {"type": "string", "pattern": TIME_PATTERN},
            "tables": {
                "type": "object",
                "additionalProperties": False,
                "required": list(tables),
                "properties": tables,
            },
        },
    }


def committed_schema_path() -> Any:
    return resource("schemas", SCHEMA_FILE)
