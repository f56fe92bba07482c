"""The batched import of a grade workbook is the per-intent import, done in bulk: the same
workbook through ``perform`` one grade at a time and through ``import_template`` gives the same
grades, history, audit chain, reviews and outbox payloads (compared as data), refuses the same
way with nothing kept, and syncs to the real reference server to the same rows."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, StaleVersion
from desktop.exchange.excel import grade_import, template
from desktop.models import (
    AuditLogEntry,
    ConductRating,
    GradeChange,
    GradeDeadline,
    GradeEntry,
    OutboxIntent,
    Subject,
    SubjectTerm,
)
from desktop.models.db import Database, open_database
from desktop.services import audit_log, intents, workspace
from desktop.services.intents.batch import BULK, perform_many
from desktop.services.profile import TODAY_KEY, set_setting
from desktop.sync.engine import sync_once
from desktop.sync.protocol import SyncRequest, SyncResponse
from server.store import Store
from tests.factories import build_small_class
from tests.server.helpers import Api, Seeded, served
from tests.sync_faults.harness import assert_converged, server_rows

NOW = datetime(2025, 10, 20, 2, 30, tzinfo=UTC)
"""The import's moment on both paths, so that their rows can be compared as data."""
LATER = datetime(2025, 10, 21, 2, 30, tzinfo=UTC)
TABLES = (GradeEntry, GradeChange, SubjectTerm, AuditLogEntry, OutboxIntent, ConductRating)

Import = Callable[[Session, Any, Path, datetime], int]


def one_by_one(session: Session, scope: Any, path: Path, now: datetime) -> int:
    """The import as it was: the checked plan, then ``perform`` of each grade."""
    plan = grade_import.check_workbook(session, scope, path, today=now.date())
    count = 0
    for *_head, planned in plan.sheets:
        for grade in planned:
            intents.perform(
                session, scope, "set_grade", grade.raw, actor=scope.teacher_name, now=now
            )
            count += 1
    return count


def batched(session: Session, scope: Any, path: Path, now: datetime) -> int:
    result = grade_import.import_template(
        session, scope, path, actor=scope.teacher_name, today=now.date(), now=now
    )
    return result.changed


PATHS: dict[str, Import] = {"one by one": one_by_one, "batched": batched}


def run(database: Database, how: Import, path: Path, now: datetime) -> int:
    with workspace.work(database, None) as w:
        return how(w.session, w.scope, path, now)


def contents(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row the import may write, table by table in key order; an outbox row without its
    random idempotency key."""
    found: dict[str, list[dict[str, Any]]] = {}
    with database.reading() as session:
        for model in TABLES:
            table = model.__table__
            keys = [column for column in table.primary_key.columns]
            rows = session.connection().execute(select(table).order_by(*keys)).mappings()
            found[table.name] = [
                {k: v for k, v in row.items() if not (model is OutboxIntent and k == "id")}
                for row in rows
            ]
    return found


def grade_workbook(
    database: Database, path: Path, codes: list[str], rng: random.Random, *, share: float
) -> Path:
    """The template of ``codes``, each grade cell filled with probability ``share``."""
    with workspace.work(database, None, write=False) as w:
        template.export_templates(
            w.session, w.scope, subject_codes=codes, semester=1, today=w.today, path=path
        )
    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        comment = sheet["B2"].value == "GDTC"
        last = sheet.max_column - 1
        for row in sheet.iter_rows(min_row=template.FIRST_ROW, min_col=3, max_col=last):
            for cell in row:
                if cell.value is None and rng.random() >= share:
                    continue
                cell.value = rng.choice(["Đ", "CĐ"]) if comment else rng.randint(0, 100) / 10
        for line in range(template.FIRST_ROW, sheet.max_row + 1):
            sheet.cell(row=line, column=last + 1, value="Chấm lại bài")
    workbook.save(path)
    return path


def subject_codes(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(Subject.code).order_by(Subject.position, Subject.id)))


@pytest.fixture
def seed() -> int:
    value = random.SystemRandom().randrange(10**6)
    print(f"seed {value}")
    return value


@pytest.fixture
def original(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "original" / "homeroom.sqlite3"
    database = open_database(path)
    with database.transaction() as session:
        build_small_class(session)
        set_setting(session, TODAY_KEY, "2025-10-20")
    database.close()
    yield path


def copies(original: Path, folder: Path) -> dict[str, Database]:
    found = {}
    for index, name in enumerate(PATHS):
        target = folder / f"copy{index}" / "homeroom.sqlite3"
        target.parent.mkdir(parents=True)
        shutil.copy(original, target)
        found[name] = open_database(target)
    return found


def test_the_batched_import_writes_what_intents_one_by_one_write(
    original: Path, tmp_path: Path, seed: int
) -> None:
    """Entered, then changed after the deadline (change requests with their reason, listed for
    post-audit), then some unchanged: grades, history, audit chain, reviews and outbox are the
    same rows on both paths, and the chain verifies."""
    rng = random.Random(seed)
    databases = copies(original, tmp_path)
    try:
        first = databases["one by one"]
        codes = subject_codes(first)
        entered = grade_workbook(first, tmp_path / "entered.xlsx", codes, rng, share=0.7)
        counts = {name: run(db, PATHS[name], entered, NOW) for name, db in databases.items()}
        assert counts["batched"] == counts["one by one"] > 0
        assert contents(databases["batched"]) == contents(first)

        for database in databases.values():
            with database.transaction() as session:
                class_id = session.scalars(select(Subject.class_id)).first()
                session.add(
                    GradeDeadline(
                        class_id=class_id, semester=1, kind="TX", due_on=date(2025, 10, 1)
                    )
                )
                session.add(
                    GradeDeadline(
                        class_id=class_id, semester=1, kind="GK", due_on=date(2025, 12, 1)
                    )
                )
        changed = grade_workbook(first, tmp_path / "changed.xlsx", codes, rng, share=0.5)
        counts = {name: run(db, PATHS[name], changed, LATER) for name, db in databases.items()}
        assert counts["batched"] == counts["one by one"] > 0
        both = {name: contents(db) for name, db in databases.items()}
        assert both["batched"] == both["one by one"]
        changes = both["batched"]["grade_change"]
        assert changes and all(row["id"] < 0 for row in changes)
        assert {row["kind"] for row in changes} >= {"change_request"}
        assert {row["review_state"] for row in changes} >= {"pending"}
        for database in databases.values():
            with database.reading() as session:
                assert audit_log.verify(session).intact
    finally:
        for database in databases.values():
            database.close()


def test_grades_entered_by_hand_before_are_changed_the_same_way(
    original: Path, tmp_path: Path, seed: int
) -> None:
    """Grades typed in the grade book, then a workbook: the batch reads the stored entries and
    their versions as ``perform`` does."""
    rng = random.Random(seed)
    databases = copies(original, tmp_path)
    try:
        for database in databases.values():
            with workspace.work(database, None) as w:
                intents.perform(
                    w.session,
                    w.scope,
                    "set_grade",
                    {
                        "student_id": 1,
                        "subject_code": "GDQP",
                        "semester": 1,
                        "kind": "TX",
                        "slot": 1,
                        "value": "5",
                        "base_version": 0,
                    },
                    actor="Cô Nhung",
                    now=NOW,
                )
        path = grade_workbook(databases["batched"], tmp_path / "w.xlsx", ["GDQP"], rng, share=1)
        for name, database in databases.items():
            run(database, PATHS[name], path, LATER)
        assert contents(databases["batched"]) == contents(databases["one by one"])
    finally:
        for database in databases.values():
            database.close()


def grade(student_id: int, value: str, *, slot: int = 1, base: int = 0) -> dict[str, Any]:
    return {
        "student_id": student_id,
        "subject_code": "GDQP",
        "semester": 1,
        "kind": "TX",
        "slot": slot,
        "value": value,
        "base_version": base,
    }


@pytest.mark.parametrize(
    ("raws", "error"),
    [
        ([grade(1, "7"), grade(999, "7")], NotFound),
        ([grade(1, "7"), grade(2, "11")], InvalidInput),
        ([grade(1, "7"), grade(2, "7", slot=4)], InvalidInput),
        ([grade(1, "7"), grade(1, "8", base=0)], StaleVersion),
        ([grade(1, "7"), {**grade(2, "7"), "kind": "XX"}], InvalidInput),
    ],
)
def test_a_batch_refuses_as_the_first_refused_intent_and_keeps_nothing(
    original: Path, tmp_path: Path, raws: list[dict[str, Any]], error: type[Exception]
) -> None:
    """An unknown student, a score out of range, a column the subject lacks (GDQP has two TX),
    the same cell changed from a stale version, a malformed argument: the batch raises what
    ``perform`` of that intent raises, with the same sentence, and keeps nothing."""
    databases = copies(original, tmp_path)
    untouched = open_database(original)
    try:
        messages = {}
        for name, database in databases.items():
            with pytest.raises(error) as caught, workspace.work(database, None) as w:
                if name == "batched":
                    perform_many(w.session, w.scope, "set_grade", raws, actor="Cô", now=NOW)
                else:
                    for raw in raws:
                        intents.perform(w.session, w.scope, "set_grade", raw, actor="Cô", now=NOW)
            messages[name] = str(caught.value)
        assert messages["batched"] == messages["one by one"]
        assert contents(databases["batched"]) == contents(untouched)
    finally:
        untouched.close()
        for database in databases.values():
            database.close()


def test_an_intent_without_a_bulk_use_case_is_performed_one_by_one_in_the_batch(
    original: Path, tmp_path: Path
) -> None:
    """Conduct has no bulk use case: ``perform_many`` applies each in turn and queues them as
    ``perform`` does, with one ``Changes`` naming every rating."""
    assert "set_conduct" not in BULK
    raws = [
        {"student_id": student, "term": 1, "level": level}
        for student, level in ((1, "Tốt"), (2, "Khá"), (3, "Đạt"), (1, "Khá"))
    ]
    databases = copies(original, tmp_path)
    try:
        with workspace.work(databases["one by one"], None) as w:
            for raw in raws:
                intents.perform(w.session, w.scope, "set_conduct", raw, actor="Cô", now=NOW)
        with workspace.work(databases["batched"], None) as w:
            changes = perform_many(w.session, w.scope, "set_conduct", raws, actor="Cô", now=NOW)
        assert changes.ids("conduct_rating") == {"1:1", "2:1", "3:1"}
        assert contents(databases["batched"]) == contents(databases["one by one"])
    finally:
        for database in databases.values():
            database.close()


# --------------------------------------------------------------------------- the server


class Pushed:
    """The engine's ``SyncServer`` over real HTTP to the reference server, as ``gvcn``."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def sync(self, request: SyncRequest) -> SyncResponse:
        response = self.api.http.post(
            "/api/v1/sync",
            content=request.model_dump_json(),
            headers={**self.api.auth("gvcn"), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        return SyncResponse.model_validate_json(response.content)


def synced_world(
    folder: Path, how: Import, seed: int
) -> tuple[dict[str, dict[str, dict[str, Any]]], int]:
    """A server and a profile that pulled from it; a workbook of every subject the homeroom
    teacher enters imported ``how``, pushed; what the server then holds, and the refusals."""
    with served(f"sqlite:///{folder / 'server.sqlite3'}") as (store, seeded, api):
        profile = open_database(folder / "profile" / "homeroom.sqlite3")
        try:
            server = Pushed(api)
            sync_once(profile, server, class_id=seeded.small.class_id)
            codes = [code for code in subject_codes(profile) if code != "TOAN"]
            path = grade_workbook(profile, folder / "w.xlsx", codes, random.Random(seed), share=1)
            assert run(profile, how, path, NOW) > 0
            summary = sync_once(profile, server, class_id=seeded.small.class_id)
            assert_converged(store, profile, seeded.small.class_id)
            return _grades_of(store, seeded), summary.refused
        finally:
            profile.close()


def _grades_of(store: Store, seeded: Seeded) -> dict[str, dict[str, dict[str, Any]]]:
    """The grade tables as the server holds them, without the times its own clock stamps (the
    two servers run seconds apart)."""
    rows = server_rows(store, seeded.small.class_id)
    return {
        name: {
            key: {column: v for column, v in row.items() if not column.endswith("_at")}
            for key, row in rows[name].items()
        }
        for name in ("grade_entry", "grade_change", "subject_term")
    }


def test_both_imports_sync_to_the_same_rows_on_the_reference_server(
    tmp_path: Path, seed: int
) -> None:
    """Each path on its own server (TOAN is another teacher's there): every grade pushed is
    applied, client and server converge, and the two servers hold the same grades."""
    worlds = {}
    for index, (name, how) in enumerate(PATHS.items()):
        folder = tmp_path / f"world{index}"
        folder.mkdir()
        worlds[name] = synced_world(folder, how, seed)
    assert worlds["batched"][1] == worlds["one by one"][1] == 0
    assert worlds["batched"][0]["grade_entry"]
    assert worlds["batched"][0] == worlds["one by one"][0]
