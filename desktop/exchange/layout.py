"""What the class exchange file holds: its tables, every field's meaning, and its JSON Schema.

The file is flat by table: ``{"format", "version", "exported_at", "tables": {name: [rows]}}``,
each row carrying every column of one ``desktop.models`` table under the column's own name. The
JSON Schema is generated from the SQLAlchemy tables plus the value rules and descriptions below,
so the file format, the documentation and the database cannot drift apart silently:
``resources/schemas/class-exchange-v1.schema.json`` is the committed copy and
``docs/exchange-format.md`` embeds :func:`markdown_reference`; tests check both are current, and
a new table or column fails them until it is described here (and the version is considered).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

from sqlalchemy import Column, Table

from desktop.domain.attendance import MarkSource, MarkStatus, Observation
from desktop.domain.calendar import Session
from desktop.domain.grade_review import ChangeReviewState, ReviewState
from desktop.domain.grading import Assessment, ChangeKind, CommentResult, GradeKind, Level
from desktop.domain.leave import (
    AuditMethod,
    AuditOutcome,
    AuditStatus,
    Channel,
    LeaveStatus,
    ReasonCategory,
)
from desktop.domain.policy import SchoolLevel
from desktop.models import Base
from desktop.models.base import DecimalText, UtcDateTime
from desktop.resources import resource

FORMAT = "homeroom-class-exchange"
VERSION = 1
SCHEMA_FILE = "class-exchange-v1.schema.json"
SCHEMA_ID = f"https://homeroom.example/schemas/{SCHEMA_FILE}"

MAX_FILE_BYTES = 128 * 1024 * 1024
"""Larger files are refused unread. The 40-class demo school exports to about 68 MB; one class
is one or two MB. The parsed document takes roughly ten times its size in memory."""
MAX_DEPTH = 16
"""A valid file nests 5 levels deep; anything past this is refused before it is looked at, so
no later step (schema messages, previews) can recurse without bound."""
MAX_ROWS_PER_TABLE = 1_000_000

TEXT_SLACK = 4
"""Text may be up to this many times a column's nominal length: the bound ``desktop.sync.rows``
accepts from the server, so whatever a profile can hold it can also export and import again."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

LOCAL_TABLES: dict[str, str] = {
    "audit_log": "the hash-chained log of this profile's decisions: a copy elsewhere would not "
    "be the same chain; the importing profile records the import in its own log",
    "outbox": "intents not yet sent from this computer: replayed elsewhere they would submit "
    "the same decisions twice",
    "sync_state": "this computer's client id and server cursor",
    "sync_inbox": "rows being pulled from the server, not yet applied",
    "sync_conflict": "this computer's record of intents the server refused",
    "profile_setting": "settings of this computer's profile, such as the demo's pinned date",
    "pilot_note": "problems with the pilot the teacher noted on this computer, for its report "
    "to the Department: not class data",
    "privacy_incident": "personal-data incidents recorded on this computer, for the school's "
    "notification: a record about the profile, not class data",
}
"""Tables that stay on the computer, each with the reason (the documentation lists them)."""

DERIVED_COLUMNS = frozenset({("student", "sort_key"), ("student", "search_key")})
"""Written for completeness, recomputed from ``full_name`` on import (their value is ignored)."""

PERSON_NAMES = frozenset(
    {("student", "full_name"), ("guardian", "full_name"), ("teacher", "full_name")}
)
"""Normalised on import like typed names: NFC, blanks collapsed (``desktop.domain.names``)."""


def _values(kind: type[Enum]) -> list[Any]:
    return [member.value for member in kind]


SEMESTERS = [1, 2]
VALUE_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("school", "code"): {"minLength": 1},
    ("school", "level"): {"enum": _values(SchoolLevel)},
    ("school_year", "name"): {"minLength": 1},
    ("teacher", "code"): {"minLength": 1},
    ("teacher", "full_name"): {"minLength": 1},
    ("teacher", "role"): {"enum": ["homeroom", "subject", "principal"]},
    ("school_class", "name"): {"minLength": 1},
    ("school_class", "grade_level"): {"minimum": 1, "maximum": 12},
    ("student", "code"): {"minLength": 1},
    ("student", "full_name"): {"minLength": 1},
    ("student", "gender"): {"enum": ["male", "female"]},
    ("subject", "code"): {"minLength": 1},
    ("subject", "periods_per_year"): {"minimum": 1, "maximum": 10_000},
    ("subject", "assessment"): {"enum": _values(Assessment)},
    ("grade_entry", "semester"): {"enum": SEMESTERS},
    ("grade_entry", "kind"): {"enum": _values(GradeKind)},
    ("grade_entry", "slot"): {"minimum": 1, "maximum": 4},
    ("grade_entry", "comment"): {"enum": [*_values(CommentResult), None]},
    ("grade_change", "kind"): {"enum": _values(ChangeKind)},
    ("grade_change", "review_state"): {"enum": [*_values(ChangeReviewState), "not_listed"]},
    ("grade_deadline", "semester"): {"enum": SEMESTERS},
    ("grade_deadline", "kind"): {"enum": _values(GradeKind)},
    ("subject_term", "semester"): {"enum": SEMESTERS},
    ("subject_term", "review_state"): {"enum": _values(ReviewState)},
    ("conduct_rating", "term"): {"enum": [0, 1, 2]},
    ("conduct_rating", "level"): {"enum": _values(Level)},
    ("leave_request", "first_session"): {"enum": _values(Session)},
    ("leave_request", "last_session"): {"enum": _values(Session)},
    ("leave_request", "reason_category"): {"enum": _values(ReasonCategory)},
    ("leave_request", "channel"): {"enum": _values(Channel)},
    ("leave_request", "status"): {"enum": _values(LeaveStatus)},
    ("leave_request", "audit_status"): {"enum": _values(AuditStatus)},
    ("post_audit", "method"): {"enum": [*_values(AuditMethod), None]},
    ("post_audit", "outcome"): {"enum": [*_values(AuditOutcome), None]},
    ("attendance_mark", "session"): {"enum": _values(Session)},
    ("attendance_mark", "observed"): {"enum": [*_values(Observation), None]},
    ("attendance_mark", "status"): {"enum": _values(MarkStatus)},
    ("attendance_mark", "source"): {"enum": _values(MarkSource)},
}
"""Domain rules a JSON Schema can state; the enumerations come from the domain's own enums."""

# Patterns use [0-9], not \d: Python's re (which jsonschema uses) lets \d match any Unicode digit.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)
SCORE_PATTERN = r"^(10(\.0)?|[0-9](\.[0-9])?)$"
"""Circular 22: 0 to 10, an integer or one digit after the point."""

TABLE_DOCS: dict[str, str] = {
    "school": "The school: the issuing body of printed forms.",
    "policy_setting": "The school's policy, one setting per row, as text "
    "(`desktop.domain.policy` names and parses them; unknown keys are kept and ignored).",
    "school_year": "A school year with its two semesters.",
    "holiday": "A day off inside a school year; its sessions do not count.",
    "teacher": "A teacher of the school (homeroom, subject teacher or principal).",
    "school_class": "A homeroom class in one school year.",
    "student": "A student of a class: personal data of a minor.",
    "guardian": "A parent or guardian of a student.",
    "subject": "A subject taught to a class and how it is assessed.",
    "grade_entry": "One assessment of one student in one grade-book column.",
    "grade_change": "A change of a recorded grade, kept for ever (after lock: a change request).",
    "grade_deadline": "The school's deadline for one grade column of a class.",
    "subject_term": "Publication, lock and review of one subject in one semester.",
    "conduct_rating": "A student's conduct (rèn luyện) for a semester or the year.",
    "leave_request": "A leave-of-absence request (đơn xin nghỉ học) and its decision.",
    "post_audit": "One post-audit (hậu kiểm) of an approved leave request.",
    "attendance_mark": "One session of the attendance ledger: what roll call saw and the status.",
}

FIELD_DOCS: dict[tuple[str, str], str] = {
    ("school", "id"): "Row id.",
    ("school", "code"): "The school's code, unique.",
    ("school", "name"): "Full name, e.g. “Trường THPT Nguyễn Đình Chiểu”.",
    ("school", "governing_body"): "The body above the school, printed top left of forms.",
    ("school", "province"): "Province, used in the place-and-date line of forms.",
    ("school", "level"): "Primary, lower or upper secondary (decides the rules that apply).",
    ("policy_setting", "school_id"): "The school (`school.id`).",
    ("policy_setting", "key"): "Setting name, e.g. `special_case_sessions`.",
    ("policy_setting", "value"): "Setting value as text, e.g. `6`, `true`, `30,40,45`.",
    ("school_year", "id"): "Row id.",
    ("school_year", "school_id"): "The school (`school.id`).",
    ("school_year", "name"): "E.g. `2025-2026`; unique per school.",
    ("school_year", "first_day"): "First day of the year.",
    ("school_year", "semester2_start"): "First day of semester II (after `first_day`).",
    ("school_year", "last_day"): "Last day of the year (not before `semester2_start`).",
    ("holiday", "id"): "Row id.",
    ("holiday", "school_year_id"): "The year (`school_year.id`).",
    ("holiday", "day"): "The day off, inside its year; one row per day.",
    ("holiday", "name"): "What the holiday is.",
    ("teacher", "id"): "Row id.",
    ("teacher", "school_id"): "The school (`school.id`).",
    ("teacher", "code"): "Staff code, unique.",
    ("teacher", "full_name"): "Full name (NFC).",
    ("teacher", "role"): "`homeroom`, `subject` or `principal`.",
    ("school_class", "id"): "Row id.",
    ("school_class", "school_year_id"): "The year (`school_year.id`).",
    ("school_class", "name"): "E.g. `11A1`; unique per year.",
    ("school_class", "grade_level"): "Grade 1-12.",
    ("school_class", "homeroom_teacher_id"): "The homeroom teacher (`teacher.id`).",
    ("school_class", "week"): 'JSON text: weekday (`"0"` = Monday … `"6"`) → the sessions '
    "the class attends that day; a weekday left out is not a school day.",
    ("student", "id"): "Row id.",
    ("student", "class_id"): "The class (`school_class.id`).",
    ("student", "code"): "Student code, unique per class.",
    ("student", "full_name"): "Full name as typed (NFC), e.g. “Nguyễn Văn An”.",
    ("student", "sort_key"): "Derived class-list order key; recomputed on import.",
    ("student", "search_key"): "Derived search key (no tones, đ → d); recomputed on import.",
    ("student", "date_of_birth"): "Date of birth, before the school year begins.",
    ("student", "gender"): "`male` or `female`.",
    ("guardian", "id"): "Row id.",
    ("guardian", "student_id"): "The student (`student.id`).",
    ("guardian", "full_name"): "Full name (NFC).",
    ("guardian", "relation"): "Relation to the student, e.g. `mẹ`.",
    ("guardian", "phone"): "Phone number.",
    ("guardian", "econtact_registered_on"): "When the guardian registered for the e-contact "
    "book (null: not registered, cannot submit online).",
    ("guardian", "consent_recorded_on"): "When the consent to process the child's data was "
    "recorded (null: none).",
    ("guardian", "consent_note"): "How the consent was given.",
    ("subject", "id"): "Row id.",
    ("subject", "class_id"): "The class (`school_class.id`).",
    ("subject", "code"): "Subject code, unique per class, e.g. `TOAN`.",
    ("subject", "name"): "Subject name, e.g. “Toán”.",
    ("subject", "periods_per_year"): "Periods a year; decides the number of regular scores "
    "(≤ 35: 2, 36-70: 3, > 70: 4).",
    ("subject", "assessment"): "`score` (0-10) or `comment` (Đ / CĐ).",
    ("subject", "teacher_id"): "The subject teacher (`teacher.id`), or null.",
    ("subject", "position"): "Column order in the grade book.",
    ("grade_entry", "id"): "Row id (negative: created offline, not yet on the server).",
    ("grade_entry", "student_id"): "The student (`student.id`).",
    ("grade_entry", "subject_id"): "The subject (`subject.id`), of the student's class.",
    ("grade_entry", "semester"): "1 or 2.",
    ("grade_entry", "kind"): "`TX` regular, `GK` mid-term, `CK` end-of-term.",
    ("grade_entry", "slot"): "Column number: TX 1 up to the subject's regular count; GK, CK 1.",
    ("grade_entry", "score"): 'Scored subjects: `"0"`-`"10"`, at most one decimal '
    '(`"7.5"`), as a string; null for comment subjects.',
    ("grade_entry", "comment"): "Comment subjects: `Đ` (Đạt) or `CĐ` (Chưa đạt); null for "
    "scored subjects.",
    ("grade_entry", "author"): "Who entered it.",
    ("grade_entry", "entered_at"): "When it was first entered.",
    ("grade_entry", "updated_at"): "When it last changed.",
    ("grade_entry", "state"): "Entry state, `entered`.",
    ("grade_entry", "version"): "Increases with every change (conflict detection).",
    ("grade_change", "id"): "Row id (negative: created offline).",
    ("grade_change", "entry_id"): "The grade (`grade_entry.id`).",
    ("grade_change", "old_value"): "The value before, as shown (`7.5`, `Đ`).",
    ("grade_change", "new_value"): "The value after.",
    ("grade_change", "changed_by"): "Who changed it.",
    ("grade_change", "changed_at"): "When.",
    ("grade_change", "reason"): "Why (required for a change request).",
    ("grade_change", "kind"): "`direct` or `change_request`.",
    ("grade_change", "review_state"): "The homeroom teacher's check: `pending`, `checked`, "
    "`queried`, or `not_listed` (needs no check).",
    ("grade_change", "review_note"): "The homeroom teacher's note.",
    ("grade_deadline", "class_id"): "The class (`school_class.id`).",
    ("grade_deadline", "semester"): "1 or 2.",
    ("grade_deadline", "kind"): "`TX` (every regular column), `GK` or `CK`.",
    ("grade_deadline", "due_on"): "The deadline.",
    ("subject_term", "subject_id"): "The subject (`subject.id`).",
    ("subject_term", "semester"): "1 or 2.",
    ("subject_term", "published_at"): "When the grades were published, or null.",
    ("subject_term", "locked_at"): "When the grades were locked, or null.",
    ("subject_term", "review_state"): "`pending`, `reviewed` or `returned`.",
    ("subject_term", "review_note"): "The homeroom teacher's note.",
    ("subject_term", "reviewed_by"): "Who reviewed.",
    ("subject_term", "reviewed_at"): "When, or null.",
    ("conduct_rating", "student_id"): "The student (`student.id`).",
    ("conduct_rating", "term"): "1, 2 (semesters) or 0 (the year).",
    ("conduct_rating", "level"): "`Tốt`, `Khá`, `Đạt` or `Chưa đạt`.",
    ("conduct_rating", "set_by"): "Who set it.",
    ("conduct_rating", "set_at"): "When.",
    ("leave_request", "id"): "Row id.",
    ("leave_request", "student_id"): "The student (`student.id`).",
    ("leave_request", "guardian_id"): "The guardian who submitted it (`guardian.id`, one of "
    "the student's), or null.",
    ("leave_request", "submitted_at"): "When it was submitted.",
    ("leave_request", "first_day"): "First day of the absence, inside the school year.",
    ("leave_request", "first_session"): "`morning` or `afternoon`.",
    ("leave_request", "last_day"): "Last day, inside the school year, not before the first.",
    ("leave_request", "last_session"): "`morning` or `afternoon`; the last session is not "
    "before the first.",
    ("leave_request", "reason_category"): "`illness`, `family`, `bereavement` or `other`.",
    ("leave_request", "reason_text"): "Short free text (health details are sensitive).",
    ("leave_request", "channel"): "3: level 3 (một phần, paper original follows); "
    "4: level 4 (toàn trình, fully online).",
    ("leave_request", "status"): "`submitted`, `approved`, `rejected`, `cancelled` (before a "
    "decision) or `withdrawn` (after approval).",
    ("leave_request", "decision_note"): "The teacher's note; the reason of a rejection.",
    ("leave_request", "decided_by"): "Who decided.",
    ("leave_request", "decided_at"): "When, or null.",
    ("leave_request", "original_received_on"): "Level 3: when the paper original arrived.",
    ("leave_request", "principal_signoff_by"): "Special case: the principal who signed.",
    ("leave_request", "principal_signoff_on"): "When, or null.",
    ("leave_request", "audit_status"): "`none`, `selected`, `confirmed` or `discrepancy`.",
    ("leave_request", "version"): "Increases whenever its content changes.",
    ("post_audit", "id"): "Row id (negative: created offline).",
    ("post_audit", "request_id"): "The request (`leave_request.id`).",
    ("post_audit", "selected_because"): "Why it was selected (comma-separated reasons).",
    ("post_audit", "selection_seed"): "The seed of the reproducible draw, or null.",
    ("post_audit", "method"): "`phone`, `meeting`, `document`, or null before the check.",
    ("post_audit", "outcome"): "`confirmed`, `discrepancy`, or null before the check.",
    ("post_audit", "note"): "The auditor's note.",
    ("post_audit", "auditor"): "Who checked.",
    ("post_audit", "selected_at"): "When it was selected.",
    ("post_audit", "recorded_at"): "When the outcome was recorded, or null.",
    ("attendance_mark", "id"): "Row id (negative: created offline).",
    ("attendance_mark", "student_id"): "The student (`student.id`).",
    ("attendance_mark", "day"): "The day, inside the school year.",
    ("attendance_mark", "session"): "`morning` or `afternoon`.",
    ("attendance_mark", "observed"): "What roll call saw: `present`, `absent`, `late`, "
    "`excused_by_teacher`, or null (not taken).",
    ("attendance_mark", "status"): "`present`, `excused` (P), `unexcused` (K) or `late`.",
    ("attendance_mark", "source"): "What decided it: `roll_call`, `leave` or `audit`.",
    ("attendance_mark", "leave_request_id"): "The request covering it (`leave_request.id`, "
    "same student), or null.",
    ("attendance_mark", "updated_at"): "When it last changed.",
}


def exchange_tables() -> list[Table]:
    """Every table of ``desktop.models`` except the local ones, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in LOCAL_TABLES]


def column_kind(column: Column[Any]) -> str:
    """``datetime``, ``decimal``, ``date``, ``int``, ``bool`` or ``text``: how it is written."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return "datetime"
    if isinstance(kind, DecimalText):
        return "decimal"
    python_type = kind.python_type
    if python_type is bool:
        return "bool"
    if python_type is int:
        return "int"
    if python_type is date:
        return "date"
    return "text"


def encode_value(column: Column[Any], value: Any) -> Any:
    """A column value as it is written in the file."""
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "datetime":
        return encode_time(value)
    if kind == "decimal":
        return str(Decimal(value))
    if kind == "date":
        return value.isoformat()
    return value


def encode_time(moment: datetime) -> str:
    """ISO 8601 in UTC with its offset; a naive time is a programming error."""
    if moment.tzinfo is None:
        raise ValueError("exchange times must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def _column_schema(table: Table, column: Column[Any]) -> dict[str, Any]:
    kind = column_kind(column)
    schema: dict[str, Any] = {"description": FIELD_DOCS[(table.name, column.name)]}
    if kind == "datetime":
        schema.update(type="string", format="date-time", pattern=TIME_PATTERN)
    elif kind == "decimal":
        schema.update(type="string", pattern=SCORE_PATTERN)
    elif kind == "date":
        schema.update(type="string", format="date", pattern=DATE_PATTERN)
    elif kind == "int":
        schema.update(type="integer", minimum=INT64_MIN, maximum=INT64_MAX)
    elif kind == "bool":
        schema.update(type="boolean")
    else:
        schema["type"] = "string"
        length = getattr(column.type, "length", None)
        if length and (table.name, column.name) not in DERIVED_COLUMNS:
            schema["maxLength"] = length * TEXT_SLACK
    schema.update(VALUE_RULES.get((table.name, column.name), {}))
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of version 1 of the file."""
    tables: dict[str, Any] = {}
    for table in exchange_tables():
        tables[table.name] = {
            "description": TABLE_DOCS[table.name],
            "type": "array",
            "maxItems": MAX_ROWS_PER_TABLE,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [c.name for c in table.columns],
                "properties": {c.name: _column_schema(table, c) for c in table.columns},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Homeroom class exchange file, version 1",
        "description": "A Homeroom profile's class data: one array of rows per table, rows "
        "sorted by key. See docs/exchange-format.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "version", "exported_at", "tables"],
        "properties": {
            "format": {"description": "Always this text.", "const": FORMAT},
            "version": {"description": "The format version.", "const": VERSION},
            "exported_at": {
                "description": "When the file was written (ISO 8601, UTC offset).",
                "type": "string",
                "format": "date-time",
                "pattern": TIME_PATTERN,
            },
            "tables": {
                "type": "object",
                "additionalProperties": False,
                "required": list(tables),
                "properties": tables,
            },
        },
    }


def schema_text() -> str:
    """The schema as committed: the same JSON style as the exchange file."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def committed_schema_path() -> Traversable:
    """The schema as shipped in ``resources/schemas/``."""
    return resource("schemas", SCHEMA_FILE)


def _type_text(column_schema: dict[str, Any]) -> str:
    kinds = column_schema["type"]
    names = kinds if isinstance(kinds, list) else [kinds]
    text = " or ".join(names)
    if "enum" in column_schema:
        text += ": " + ", ".join(json.dumps(v, ensure_ascii=False) for v in column_schema["enum"])
    if "format" in column_schema:
        text = text.replace("string", column_schema["format"], 1)
    elif "pattern" in column_schema:
        text = text.replace("string", "score", 1)
    if "maxLength" in column_schema and "enum" not in column_schema:
        text += f" (≤ {column_schema['maxLength']})"
    if "minimum" in column_schema and column_schema["minimum"] != INT64_MIN:
        text += f" ({column_schema['minimum']}-{column_schema['maximum']})"
    return text


def markdown_reference() -> str:
    """The per-table field reference of ``docs/exchange-format.md``, from the same source."""
    lines: list[str] = []
    schema = json_schema()["properties"]["tables"]["properties"]
    for table in exchange_tables():
        lines += [f"### `{table.name}`", "", TABLE_DOCS[table.name], ""]
        lines += ["| field | type | meaning |", "| --- | --- | --- |"]
        properties = schema[table.name]["items"]["properties"]
        for column in table.columns:
            column_schema = properties[column.name]
            lines.append(
                f"| `{column.name}` | {_type_text(column_schema)} | "
                f"{column_schema['description']} |"
            )
        lines.append("")
    return "\n".join(lines)
