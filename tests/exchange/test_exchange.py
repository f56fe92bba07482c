"""The class exchange file: identical round trips, every problem located, nothing half-imported."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from desktop.demo import generate_demo_class
from desktop.errors import ImportRejected, InvalidInput
from desktop.exchange.export import dumps, export_database, write_export
from desktop.exchange.importer import import_file
from desktop.exchange.layout import committed_schema_path, json_schema
from desktop.models import GradeEntry, LeaveRequest, Student
from desktop.models.db import Database, open_database

AT = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    database = open_database(tmp_path_factory.mktemp("demo") / "homeroom.sqlite3")
    with database.transaction() as session:
        generate_demo_class(session, seed=7)
    with database.reading() as session:
        document = export_database(session, exported_at=AT)
    database.close()
    return document


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "fresh" / "homeroom.sqlite3")
    yield database
    database.close()


def write(tmp_path: Path, document: dict[str, Any], name: str = "class.json") -> Path:
    path = tmp_path / name
    path.write_text(dumps(document), encoding="utf-8")
    return path


def count(database: Database, model: type) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_committed_schema_is_current_and_valid(demo_document: dict[str, Any]) -> None:
    """The shipped JSON Schema is the one the code generates, and a real export follows it."""
    committed = json.loads(committed_schema_path().read_text(encoding="utf-8"))
    assert committed == json_schema()
    Draft202012Validator.check_schema(committed)
    assert list(Draft202012Validator(committed).iter_errors(demo_document)) == []


def test_export_import_export_is_identical(
    demo_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """A class survives the trip through the file byte for byte."""
    with fresh.transaction() as session:
        summary = import_file(session, write(tmp_path, demo_document))
    assert summary.rows["student"] == len(demo_document["tables"]["student"])
    target = tmp_path / "again.json"
    with fresh.reading() as session:
        write_export(session, target, exported_at=AT)
    assert target.read_text(encoding="utf-8") == dumps(demo_document)


Mutation = Callable[[dict[str, Any]], None]


def set_field(table: str, index: int, field: str, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["tables"][table][index][field] = value

    return mutate


def drop_field(table: str, index: int, field: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        del document["tables"][table][index][field]

    return mutate


def first_scored(document: dict[str, Any]) -> int:
    return next(i for i, e in enumerate(document["tables"]["grade_entry"]) if e["score"])


@pytest.mark.parametrize(
    ("mutation", "where"),
    [
        (set_field("grade_entry", 0, "score", "11"), "/tables/grade_entry/0/score"),
        (set_field("grade_entry", 0, "score", "7.25"), "/tables/grade_entry/0/score"),
        (set_field("grade_entry", 0, "score", "abc"), "/tables/grade_entry/0/score"),
        (
            set_field("leave_request", 0, "first_day", "2024-01-01"),
            "/tables/leave_request/0/first_day",
        ),
        (set_field("leave_request", 0, "first_day", "2026-05-30"), "/tables/leave_request/0"),
        (set_field("leave_request", 0, "student_id", 9999), "/tables/leave_request/0/student_id"),
        (set_field("leave_request", 0, "status", "maybe"), "/tables/leave_request/0/status"),
        (set_field("attendance_mark", 0, "day", "2027-01-01"), "/tables/attendance_mark/0/day"),
        (drop_field("student", 2, "date_of_birth"), "/tables/student/2"),
        (set_field("student", 1, "id", 1), "/tables/student/1"),
    ],
)
def test_an_invalid_record_is_reported_with_its_location_and_nothing_is_imported(
    demo_document: dict[str, Any],
    fresh: Database,
    tmp_path: Path,
    mutation: Mutation,
    where: str,
) -> None:
    """Grades 11 / 7.25 / "abc", dates outside the year, broken references, bad enums…"""
    document = copy.deepcopy(demo_document)
    document["tables"]["grade_entry"].insert(
        0, document["tables"]["grade_entry"].pop(first_scored(document))
    )
    mutation(document)
    with pytest.raises(ImportRejected) as caught, fresh.transaction() as session:
        import_file(session, write(tmp_path, document))
    assert any(problem.startswith(where) for problem in caught.value.problems), (
        caught.value.problems[:5]
    )
    assert count(fresh, Student) == 0


def test_every_problem_is_reported_not_just_the_first(
    demo_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """Three bad records give three located problems."""
    document = copy.deepcopy(demo_document)
    for index in (0, 1, 2):
        document["tables"]["leave_request"][index]["channel"] = 5
    with pytest.raises(ImportRejected) as caught, fresh.transaction() as session:
        import_file(session, write(tmp_path, document))
    assert [p.split(":")[0] for p in caught.value.problems] == [
        f"/tables/leave_request/{i}/channel" for i in (0, 1, 2)
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"format": "something-else", "version": 1}',
        b'{"format": "homeroom-class-exchange", "version": 99}',
        b"[" * 100_000,
    ],
)
def test_malformed_files_are_refused_clearly(
    fresh: Database, tmp_path: Path, content: bytes
) -> None:
    """Not JSON, not UTF-8, not an object, another format, a future version, absurd nesting."""
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught, fresh.transaction() as session:
        import_file(session, path)
    assert caught.value.message
    assert count(fresh, Student) == 0


def test_import_into_a_profile_with_data_needs_replace(
    demo_document: dict[str, Any], fresh: Database, tmp_path: Path
) -> None:
    """The class in the profile is only replaced on request."""
    path = write(tmp_path, demo_document)
    with fresh.transaction() as session:
        import_file(session, path)
    with pytest.raises(InvalidInput), fresh.transaction() as session:
        import_file(session, path)
    with fresh.transaction() as session:
        import_file(session, path, replace=True)
    assert count(fresh, LeaveRequest) == len(demo_document["tables"]["leave_request"])


@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 10_000),
    edits=st.lists(
        st.tuples(st.integers(0, 3000), st.sampled_from(["0", "5.5", "10", "7"])), max_size=5
    ),
)
def test_round_trip_holds_for_any_class(
    tmp_path: Path, seed: int, edits: list[tuple[int, str]]
) -> None:
    """Property: export → import → export is identical for generated classes and edits."""
    folder = tmp_path / f"p{seed}-{len(edits)}-{abs(hash(tuple(edits))) % 10_000}"
    source = open_database(folder / "a" / "homeroom.sqlite3")
    with source.transaction() as session:
        generate_demo_class(session, seed=seed)
        entries = session.scalars(
            select(GradeEntry).where(GradeEntry.score.is_not(None)).order_by(GradeEntry.id)
        ).all()
        for index, value in edits:
            from decimal import Decimal

            entries[index % len(entries)].score = Decimal(value)
    with source.reading() as session:
        first = dumps(export_database(session, exported_at=AT))
    source.close()
    path = folder / "class.json"
    path.write_text(first, encoding="utf-8")
    target = open_database(folder / "b" / "homeroom.sqlite3")
    with target.transaction() as session:
        import_file(session, path)
    with target.reading() as session:
        second = dumps(export_database(session, exported_at=AT))
    target.close()
    assert first == second
