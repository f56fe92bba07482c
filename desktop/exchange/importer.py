"""Reading a class exchange file: every problem found and reported, or everything imported.

Checks run in layers — the file (size, UTF-8, JSON), the JSON Schema, each value's type, then
the class's own rules (unique keys, references, dates inside the school year, Circular 22
grades) — and all of them run before the first row is written, so an invalid file changes
nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from desktop.domain import grading
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.domain.names import normalize, search_key, sort_text
from desktop.errors import HomeroomError, ImportRejected, InvalidInput
from desktop.exchange.layout import FORMAT, MAX_FILE_BYTES, VERSION, exchange_tables, json_schema
from desktop.i18n import _
from desktop.models import School
from desktop.sync.rows import decode_row, row_key

MAX_PROBLEMS = 200


@dataclass(frozen=True)
class ImportSummary:
    rows: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in self.rows.items() if count)


def read_document(path: Path) -> dict[str, Any]:
    """The file's JSON object; a missing, huge, non-UTF-8 or non-JSON file is refused."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                _("The file is larger than {limit} MiB; it is not a class file.").format(
                    limit=MAX_FILE_BYTES // (1024 * 1024)
                )
            )
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InvalidInput(
            _("Cannot read {path}: {error}").format(path=path, error=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text.")) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            _("The file is not valid JSON (line {line}, column {column}).").format(
                line=exc.lineno, column=exc.colno
            )
        ) from None
    except RecursionError:
        raise InvalidInput(_("The file is nested too deeply.")) from None
    if not isinstance(document, dict):
        raise InvalidInput(_("The file does not hold a class (a JSON object is expected)."))
    if document.get("format") != FORMAT:
        raise InvalidInput(_("This is not a Homeroom class file."))
    if document.get("version") != VERSION:
        raise InvalidInput(
            _(
                "Class file version {version} is not supported by this app (it reads {ours})."
            ).format(version=document.get("version"), ours=VERSION)
        )
    return document


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path)


def _schema_problem(error: SchemaError) -> str:
    where = _pointer(error.absolute_path)
    validator = error.validator
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        text = _("the field {field} is missing").format(field=missing)
    elif validator == "additionalProperties":
        text = _("unknown field(s)")
    elif validator in ("enum", "const"):
        text = _("{value} is not an allowed value").format(
            value=json.dumps(error.instance, ensure_ascii=False)[:60]
        )
    elif validator == "type":
        text = _("wrong type of value: {value}").format(
            value=json.dumps(error.instance, ensure_ascii=False)[:60]
        )
    elif validator == "pattern":
        text = _("{value} is not in the expected form").format(
            value=json.dumps(error.instance, ensure_ascii=False)[:60]
        )
    elif validator in ("maxLength", "maxItems"):
        text = _("too long")
    else:
        text = _("invalid value")
    return f"{where}: {text}"


def validate(document: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Decoded rows per table, and every problem found (empty when the file is valid)."""
    validator = Draft202012Validator(json_schema())
    problems = [_schema_problem(e) for e in validator.iter_errors(document)]
    if problems:
        return {}, problems
    decoded: dict[str, list[dict[str, Any]]] = {}
    for table in exchange_tables():
        decoded[table.name] = []
        for index, raw in enumerate(document["tables"][table.name]):
            try:
                decoded[table.name].append(decode_row(table.name, raw))
            except InvalidInput as error:
                problems.append(f"/tables/{table.name}/{index}: {error.message}")
    if not problems:
        problems += _check_keys(decoded) + _check_rules(decoded)
    return decoded, problems


def _check_keys(decoded: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    keys: dict[str, set[str]] = {}
    tables = {t.name: t for t in exchange_tables()}
    for name, rows in decoded.items():
        seen: set[str] = set()
        for index, row in enumerate(rows):
            key = row_key(tables[name], row)
            if key in seen:
                problems.append(
                    f"/tables/{name}/{index}: " + _("the key {key} is used twice").format(key=key)
                )
            seen.add(key)
        keys[name] = seen
    for name, rows in decoded.items():
        for fk in tables[name].foreign_keys:
            target = fk.column.table.name
            for index, row in enumerate(rows):
                value = row[fk.parent.key]
                if value is not None and str(value) not in keys.get(target, set()):
                    problems.append(
                        f"/tables/{name}/{index}/{fk.parent.name}: "
                        + _("refers to {table} {value}, which is not in the file").format(
                            table=target, value=value
                        )
                    )
    return problems


def _check_rules(decoded: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    years = {y["id"]: y for y in decoded["school_year"]}
    class_year = {c["id"]: years.get(c["school_year_id"]) for c in decoded["school_class"]}
    student_year = {s["id"]: class_year.get(s["class_id"]) for s in decoded["student"]}
    subjects = {s["id"]: s for s in decoded["subject"]}

    def outside(student_id: int, day: date) -> bool:
        year = student_year.get(student_id)
        return year is not None and not year["first_day"] <= day <= year["last_day"]

    for index, r in enumerate(decoded["leave_request"]):
        where = f"/tables/leave_request/{index}"
        first = Slot.of(r["first_day"], SchoolSession(r["first_session"]))
        last = Slot.of(r["last_day"], SchoolSession(r["last_session"]))
        if last < first:
            problems.append(f"{where}: " + _("The last day of the leave is before its first day."))
        for field in ("first_day", "last_day"):
            if outside(r["student_id"], r[field]):
                problems.append(f"{where}/{field}: " + _("outside the school year"))
    for index, m in enumerate(decoded["attendance_mark"]):
        if outside(m["student_id"], m["day"]):
            problems.append(f"/tables/attendance_mark/{index}/day: " + _("outside the school year"))
    for index, e in enumerate(decoded["grade_entry"]):
        problems += _grade_problems(f"/tables/grade_entry/{index}", e, subjects)
    return problems


def _grade_problems(where: str, entry: dict[str, Any], subjects: dict[int, Any]) -> list[str]:
    subject = subjects.get(entry["subject_id"])
    if subject is None:
        return []
    assessment = grading.Assessment(subject["assessment"])
    slots = grading.expected_slots(subject["periods_per_year"], assessment)
    problems = []
    if (grading.GradeKind(entry["kind"]), entry["slot"]) not in slots:
        problems.append(
            f"{where}/slot: "
            + _("{subject} has no column {kind}{slot}").format(
                subject=subject["code"], kind=entry["kind"], slot=entry["slot"]
            )
        )
    try:
        if assessment is grading.Assessment.SCORE:
            if entry["score"] is None or entry["comment"] is not None:
                raise InvalidInput(_("a scored subject needs a score"))
            grading.validate_score(entry["score"])
        elif entry["comment"] is None or entry["score"] is not None:
            raise InvalidInput(_("a comment subject needs Đ or CĐ"))
    except HomeroomError as error:
        problems.append(f"{where}/score: {error.message}")
    return problems


def import_file(session: Session, path: Path, *, replace: bool = False) -> ImportSummary:
    """Import the file into the profile in the caller's transaction, or change nothing."""
    document = read_document(path)
    decoded, problems = validate(document)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(
                _("… and {count} more problems").format(count=len(problems) - MAX_PROBLEMS)
            )
        raise ImportRejected(
            _("The class file has {count} problem(s); nothing was imported.").format(
                count=len(problems)
            ),
            shown,
        )
    if session.scalars(select(School).limit(1)).first() is not None:
        if not replace:
            raise InvalidInput(
                _("This profile already holds a class; use --replace to replace it.")
            )
        for table in reversed(exchange_tables()):
            session.execute(delete(table))
    for student in decoded["student"]:
        student["full_name"] = normalize(student["full_name"])
        student["sort_key"] = sort_text(student["full_name"])
        student["search_key"] = search_key(student["full_name"])
    for guardian in decoded["guardian"]:
        guardian["full_name"] = normalize(guardian["full_name"])
    counts: dict[str, int] = defaultdict(int)
    for table in exchange_tables():
        rows = decoded[table.name]
        if rows:
            _insert(session, table, rows)
        counts[table.name] = len(rows)
    session.flush()
    return ImportSummary(dict(counts))


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(table), rows)
