"""Checking a class exchange file, in layers, collecting every problem with its location.

1. The file itself (:func:`read_document`): size, UTF-8, JSON, an object of this format and
   version. These are refused at once: nothing further can be said about such a file.
2. The JSON Schema: every error, located by a JSON pointer (``/tables/student/3/date_of_birth``)
   and explained in the user's language.
3. Each value decoded by its column (a date that matches the pattern may still not exist).
4. The keys: unique ids and unique columns, every reference present in the file.
5. The class's own rules (``desktop.exchange.rules``): dates inside the school year, grades under
   Circular 22, guardians of the right student, the school policy…

Layers 3-5 run on the rows the schema accepted, so one pass reports as much as possible; a row
the schema refused still counts as present for references, so one bad student is reported once,
not again by every row that names it. Only when the file's outline is broken (a table missing or
not a list) do the later layers not run.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from sqlalchemy import Column, Table, UniqueConstraint

from desktop.domain import grading, names
from desktop.errors import ImportRejected, InvalidGrade
from desktop.exchange.layout import (
    DATE_PATTERN,
    FORMAT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    PERSON_NAMES,
    SCORE_PATTERN,
    TIME_PATTERN,
    VERSION,
    column_kind,
    exchange_tables,
    json_schema,
)
from desktop.exchange.problems import Problem, pointer, reject, row_pointer
from desktop.exchange.rules import rule_problems
from desktop.i18n import N_, _
from desktop.validation_text import os_error_reason

Row = dict[str, Any]
DecodedTables = dict[str, dict[int, Row]]
"""Per table, the rows that passed every per-row check, by their index in the file."""


def _refuse(message: str) -> ImportRejected:
    return ImportRejected(message, [])


# --------------------------------------------------------------------------------------------
# Layer 1: the file
# --------------------------------------------------------------------------------------------


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _NotANumber(ValueError):
    pass


def _pairs_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON allows a key twice and Python keeps the last; a reader might keep the first, so an
    # ambiguous file is refused rather than half-understood.
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _DuplicateKey(key)
        document[key] = value
    return document


def _refuse_constant(name: str) -> Any:
    raise _NotANumber(name)


def read_document(path: Path) -> dict[str, Any]:
    """The file's JSON object; refuses (``ImportRejected``) a file that is not a readable class
    file of this format and version. Nothing is read past ``MAX_FILE_BYTES``."""
    limit_mib = MAX_FILE_BYTES // (1024 * 1024)
    too_big = _("The file is larger than {limit} MiB; it is not a class file.").format(
        limit=limit_mib
    )
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _refuse(
            _("Cannot read {path}: {error}").format(path=path, error=os_error_reason(error))
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(too_big)
    try:
        # A byte-order mark is what Notepad adds when a teacher edits the file: harmless.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            _("The file is not UTF-8 text (byte {offset}).").format(offset=error.start)
        ) from None
    del data
    try:
        document = json.loads(
            text,
            object_pairs_hook=_pairs_without_duplicates,
            parse_constant=_refuse_constant,
            # Exact decimals: no float rounding, no "1e999" turning into infinity, and 7.0 is
            # not mistaken for the integer 7.
            parse_float=Decimal,
        )
    except json.JSONDecodeError as error:
        raise _refuse(
            _("The file is not valid JSON (line {line}, column {column}).").format(
                line=error.lineno, column=error.colno
            )
        ) from None
    except _DuplicateKey as error:
        raise _refuse(
            _("The file names the field {field} twice in one object.").format(
                field=json.dumps(error.key[:40], ensure_ascii=False)
            )
        ) from None
    except _NotANumber as error:
        raise _refuse(
            _("The file holds {value}, which is not a number JSON allows.").format(value=str(error))
        ) from None
    except RecursionError:
        raise _refuse(_("The file is nested too deeply.")) from None
    except ValueError:
        # Python refuses integers of thousands of digits (int_max_str_digits).
        raise _refuse(_("The file holds a number too long to be a class value.")) from None
    if not isinstance(document, dict):
        raise _refuse(_("The file does not hold a class (a JSON object is expected)."))
    if document.get("format") != FORMAT:
        raise _refuse(_("This is not a Homeroom class file."))
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        if type(version) is int and version > VERSION:
            raise _refuse(
                _(
                    "This class file has version {version}, written by a newer Homeroom; this "
                    "app reads version {ours}. Please update the app."
                ).format(version=version, ours=VERSION)
            )
        raise _refuse(
            _(
                "Class file version {version} is not supported by this app (it reads {ours})."
            ).format(version=_preview(version), ours=VERSION)
        )
    if _deeper_than(document, MAX_DEPTH):
        raise _refuse(_("The file is nested too deeply."))
    return document


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether containers nest more than ``limit`` levels (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return False


# --------------------------------------------------------------------------------------------
# Layer 2: the JSON Schema
# --------------------------------------------------------------------------------------------

_TYPE_NAMES = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "null": N_("null"),
    "object": N_("an object"),
    "array": N_("a list"),
}


def _preview(value: Any) -> str:
    """A short, bounded rendering of a value for a message (never recursive)."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | Decimal):
        text = str(value)
        return text if len(text) <= 40 else text[:40] + "…"
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json_schema())


def _score_explanation(value: Any) -> str:
    """Why a score is refused, in the words the grade book uses (Circular 22)."""
    try:
        grading.parse_score(str(value))
    except InvalidGrade as error:
        return error.message
    return _(
        "{value} is not written as a score in the file: digits with at most one decimal after "
        "a point, such as 7 or 7.5"
    ).format(value=_preview(value))


def _explain(error: SchemaError) -> list[Problem]:
    where = pointer(*error.absolute_path)
    # jsonschema types these as "maybe unset"; an error from iter_errors always has them.
    rule: Any = error.validator
    value: Any = error.instance
    limit: Any = error.validator_value
    schema: Any = error.schema
    if rule == "required":
        present = value if isinstance(value, dict) else {}
        return [
            Problem(pointer(*error.absolute_path, name), _("required field missing"))
            for name in limit
            if name not in present
        ]
    if rule == "additionalProperties":
        known = schema.get("properties", {})
        return [
            Problem(pointer(*error.absolute_path, name), _("unknown field"))
            for name in value
            if name not in known
        ]
    if rule == "type":
        kinds = limit if isinstance(limit, list) else [limit]
        expected = " / ".join(_(_TYPE_NAMES.get(str(k), str(k))) for k in kinds)
        text = _("expected {expected}, found {value}").format(
            expected=expected, value=_preview(value)
        )
    elif rule == "enum":
        text = _("{value} is not allowed; use one of: {allowed}").format(
            value=_preview(value), allowed=", ".join(_preview(v) for v in limit)
        )
    elif rule == "const":
        text = _("{value} is not allowed; expected {expected}").format(
            value=_preview(value), expected=_preview(limit)
        )
    elif rule == "pattern":
        text = _pattern_explanation(limit, value)
    elif rule == "minLength":
        text = _("must not be empty")
    elif rule == "maxLength":
        text = _("too long: at most {limit} characters").format(limit=limit)
    elif rule == "minimum":
        text = _("{value} is less than {limit}").format(value=_preview(value), limit=limit)
    elif rule == "maximum":
        text = _("{value} is more than {limit}").format(value=_preview(value), limit=limit)
    elif rule == "maxItems":
        text = _("too many rows: at most {limit}").format(limit=limit)
    else:
        text = _("invalid value ({rule})").format(rule=rule)
    return [Problem(where, text)]


def _pattern_explanation(pattern: str, value: Any) -> str:
    if pattern == SCORE_PATTERN:
        return _score_explanation(value)
    if pattern == DATE_PATTERN:
        return _("{value} is not a date written YYYY-MM-DD").format(value=_preview(value))
    if pattern == TIME_PATTERN:
        return _(
            "{value} is not a date and time in ISO 8601 with its UTC offset, "
            "such as 2026-03-16T08:00:00+00:00"
        ).format(value=_preview(value))
    return _("{value} is not in the expected form").format(value=_preview(value))


@dataclass
class _SchemaResult:
    problems: list[Problem]
    bad_rows: set[tuple[str, int]]
    """Rows (table, index) with at least one schema problem: left out of the later layers."""
    outline_broken: bool
    """A table missing or not a list: the later layers cannot run at all."""


def _schema_check(document: dict[str, Any]) -> _SchemaResult:
    problems: list[Problem] = []
    bad_rows: set[tuple[str, int]] = set()
    try:
        errors: Iterable[SchemaError] = _validator().iter_errors(document)
        for error in errors:
            problems += _explain(error)
            path = list(error.absolute_path)
            if len(path) >= 3 and path[0] == "tables" and isinstance(path[2], int):
                bad_rows.add((str(path[1]), path[2]))
    except RecursionError:  # pragma: no cover - MAX_DEPTH makes this unreachable
        raise _refuse(_("The file is nested too deeply.")) from None
    tables = document.get("tables")
    outline_ok = isinstance(tables, dict) and all(
        isinstance(tables.get(table.name), list) for table in exchange_tables()
    )
    return _SchemaResult(problems, bad_rows, not outline_ok)


def _normalize_strings(document: dict[str, Any]) -> None:
    # Older Windows input methods send decomposed (NFD) text: "Chưa đạt" must match its enum
    # value and a name must sort like its composed twin, so every text becomes NFC first.
    tables = document.get("tables")
    if not isinstance(tables, dict):
        return
    for rows in tables.values():
        if not isinstance(rows, list):
            continue
        for row in rows:
            if isinstance(row, dict):
                for key, value in row.items():
                    if isinstance(value, str) and not value.isascii():
                        row[key] = unicodedata.normalize("NFC", value)


# --------------------------------------------------------------------------------------------
# Layer 3: values
# --------------------------------------------------------------------------------------------


def _decode_row(table: Table, index: int, raw: Row) -> tuple[Row | None, list[Problem]]:
    row: Row = {}
    problems: list[Problem] = []
    for column in table.columns:
        value = raw[column.name]
        try:
            row[column.key] = _decode_value(column, value)
        except (ValueError, OverflowError):
            where = row_pointer(table.name, index, column.name)
            if column_kind(column) == "date":
                text = _("{value} is not a real date").format(value=_preview(value))
            else:
                text = _("{value} is not a real date and time").format(value=_preview(value))
            problems.append(Problem(where, text))
    if (table.name, "full_name") in PERSON_NAMES:
        row["full_name"] = names.normalize(row["full_name"])
        if not row["full_name"]:
            problems.append(
                Problem(row_pointer(table.name, index, "full_name"), _("the name is blank"))
            )
    if table.name == "student" and not problems:
        # Derived keys are recomputed, whatever the file says (see layout.DERIVED_COLUMNS).
        row["sort_key"] = names.sort_text(row["full_name"])
        row["search_key"] = names.search_key(row["full_name"])
    return (None if problems else row), problems


def _decode_value(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "datetime":
        # In UTC, as stored; a far-off offset near year 1 or 9999 overflows here, not later.
        return datetime.fromisoformat(value).astimezone(UTC)
    if kind == "decimal":
        return Decimal(value)
    return value


# --------------------------------------------------------------------------------------------
# Layer 4: keys
# --------------------------------------------------------------------------------------------


def _key_text(columns: Sequence[Column[Any]], values: tuple[Any, ...]) -> str:
    return ", ".join(
        f"{c.name} {_preview(v if isinstance(v, str | int) else str(v))}"
        for c, v in zip(columns, values, strict=True)
    )


def _unique_problems(table: Table, rows: dict[int, Row]) -> list[Problem]:
    problems: list[Problem] = []
    keys: list[Sequence[Column[Any]]] = [list(table.primary_key.columns)]
    keys += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    for columns in keys:
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in rows.items():
            values = tuple(row[c.key] for c in columns)
            if any(v is None for v in values):
                continue  # SQL treats nulls as distinct
            first = seen.setdefault(values, index)
            if first != index:
                problems.append(
                    Problem(
                        # The last column is the one that says what is duplicated: the
                        # code within a class, the slot within a grade-book cell…
                        row_pointer(table.name, index, columns[-1].name),
                        _("{key} is used twice (also at {other})").format(
                            key=_key_text(columns, values), other=row_pointer(table.name, first)
                        ),
                    )
                )
    return problems


def _reference_problems(
    table: Table, rows: dict[int, Row], raw_tables: dict[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    for foreign_key in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        target = foreign_key.column
        # Every row of the target table counts, even one refused above: it is reported there.
        present = {
            raw.get(target.name)
            for raw in raw_tables[target.table.name]
            if isinstance(raw, dict) and type(raw.get(target.name)) is int
        }
        for index, row in rows.items():
            value = row[foreign_key.parent.key]
            if value is not None and value not in present:
                problems.append(
                    Problem(
                        row_pointer(table.name, index, foreign_key.parent.name),
                        _("{table} {value} is not in the file").format(
                            table=target.table.name, value=value
                        ),
                    )
                )
    return problems


# --------------------------------------------------------------------------------------------
# All layers
# --------------------------------------------------------------------------------------------


def _export_time_problems(document: dict[str, Any], found: list[Problem]) -> list[Problem]:
    where = pointer("exported_at")
    value = document.get("exported_at")
    if not isinstance(value, str) or any(p.where == where for p in found):
        return []  # missing or malformed: the schema said so
    try:
        datetime.fromisoformat(value).astimezone(UTC)
    except (ValueError, OverflowError):
        return [
            Problem(where, _("{value} is not a real date and time").format(value=_preview(value)))
        ]
    return []


def check_document(document: dict[str, Any]) -> dict[str, list[Row]]:
    """The decoded rows of every table, in file order, ready to insert; raises
    ``ImportRejected`` listing every problem found if there is any.

    ``document`` is what :func:`read_document` returned; its texts are normalised to NFC in place.
    """
    _normalize_strings(document)
    schema = _schema_check(document)
    problems = list(schema.problems)
    if schema.outline_broken:
        raise reject(problems)
    problems += _export_time_problems(document, problems)
    raw_tables: dict[str, Any] = document["tables"]
    decoded: DecodedTables = {}
    for table in exchange_tables():
        decoded[table.name] = {}
        for index, raw in enumerate(raw_tables[table.name]):
            if (table.name, index) in schema.bad_rows:
                continue
            row, row_problems = _decode_row(table, index, raw)
            problems += row_problems
            if row is not None:
                decoded[table.name][index] = row
    for table in exchange_tables():
        problems += _unique_problems(table, decoded[table.name])
        problems += _reference_problems(table, decoded[table.name], raw_tables)
    problems += rule_problems(decoded)
    if problems:
        raise reject(problems)
    return {name: list(rows.values()) for name, rows in decoded.items()}
