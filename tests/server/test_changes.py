"""Change capture: the log always equals a snapshot of the tables, class by class."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop.demo.generator import generate_demo_class
from desktop.models import Base, Guardian, Student
from desktop.services import intents
from desktop.sync.rows import encode_row, row_key
from server.changes import CAPTURED, Resolver
from server.scope import load_scope_by_id
from server.store import Store, open_store
from server.tables import ChangeCounter, ChangeLogEntry
from tests.server.helpers import NOW, seed

Feed = dict[tuple[str, str], Any]


def _log(store: Store, class_id: int) -> tuple[Feed, Feed]:
    """``(upserts, tombstones)`` of a class's feed, by (entity, key)."""
    with store.read() as session:
        entries = session.scalars(
            select(ChangeLogEntry).where(ChangeLogEntry.class_id == class_id)
        ).all()
    upserts = {(e.entity, e.key): json.loads(e.data) for e in entries if e.op == "upsert"}
    tombstones = {(e.entity, e.key): None for e in entries if e.op == "delete"}
    return upserts, tombstones


def _snapshot(store: Store, class_id: int) -> Feed:
    """What the class's feed must hold, computed from the tables themselves."""
    found: Feed = {}
    with store.read() as session:
        resolver = Resolver(session.connection())
        for table in Base.metadata.sorted_tables:
            if table.name not in CAPTURED:
                continue
            for row in session.execute(select(table)):
                values = dict(row._mapping)
                if class_id in resolver.classes(table.name, values):
                    key = (table.name, row_key(table, values))
                    found[key] = json.loads(json.dumps(encode_row(table, values)))
    return found


def test_every_synced_table_has_a_rule_and_the_demo_class_is_captured(tmp_path: Path) -> None:
    """After seeding the demo class (bulk inserts), every row of every synced table is in the
    class's feed once, and nothing else is."""
    store = open_store(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        with store.write() as session:
            summary = generate_demo_class(session, seed=7)
            from server.changes import capture_all

            written = capture_all(session)
        upserts, tombstones = _log(store, summary.class_id)
        snapshot = _snapshot(store, summary.class_id)
        assert upserts == snapshot and not tombstones
        assert written == len(snapshot)
        assert {entity for entity, _key in upserts} == {
            name for name in CAPTURED if name not in ("audit_log",)
        }
        with store.read() as session:
            counter = session.get_one(ChangeCounter, summary.class_id)
            top = session.scalar(select(func.max(ChangeLogEntry.seq)))
        assert counter.seq == top == written
    finally:
        store.close()


def _apply(store: Store, class_id: int, name: str, args: dict[str, Any]) -> None:
    with store.write() as session:
        scope = load_scope_by_id(session, class_id)
        intents.apply_intent(
            session, scope, name, args, actor="Cô Nhung", teacher_id=scope.teacher_id, now=NOW
        )


def test_incremental_capture_equals_a_snapshot(tmp_path: Path) -> None:
    """Intents, an orphaned guardian, a cleared roll-call mark, a student moved between
    classes: after each, every class's feed equals a snapshot of its rows, plus tombstones
    only for rows that are gone from it."""
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        seeded = seed(store)
        small, other = seeded.small.class_id, seeded.other_class_id
        first, second = seeded.requests
        student = seeded.small.student_ids[0]
        slot = {"student_id": student, "day": "2025-10-22", "session": "morning"}
        steps: list[tuple[str, dict[str, Any]]] = [
            ("set_attendance", {**slot, "observed": "absent"}),
            ("decide_leave", {"request_id": first, "approve": True, "base_version": 1}),
            ("select_for_audit", {"request_id": first, "reasons": ["random_sample"], "seed": 3}),
            ("record_audit", {"request_id": first, "method": "phone", "outcome": "discrepancy"}),
            (
                "decide_leave",
                {"request_id": second, "approve": False, "note": "Thiếu giấy", "base_version": 1},
            ),
            (
                "set_grade",
                {
                    "student_id": student,
                    "subject_code": "GDQP",
                    "semester": 1,
                    "kind": "TX",
                    "slot": 1,
                    "value": "8",
                    "base_version": 0,
                },
            ),
            (
                "set_grade",
                {
                    "student_id": student,
                    "subject_code": "GDQP",
                    "semester": 1,
                    "kind": "TX",
                    "slot": 1,
                    "value": "9",
                    "base_version": 1,
                },
            ),
            ("set_attendance", {**slot, "day": "2025-10-24", "observed": "late"}),
            ("set_attendance", {**slot, "day": "2025-10-24", "observed": None}),
        ]
        for name, args in steps:
            _apply(store, small, name, args)
            upserts, _tombstones = _log(store, small)
            assert upserts == _snapshot(store, small), name
        with store.write() as session:
            pupil = session.get_one(Student, seeded.small.student_ids[1])
            pupil.guardians.clear()  # delete-orphan: the guardian row goes
            moved = session.get_one(Student, seeded.small.student_ids[2])
            moved.class_id = other
        for class_id in (small, other):
            upserts, tombstones = _log(store, class_id)
            assert upserts == _snapshot(store, class_id)
        _upserts, tombstones = _log(store, small)
        assert ("guardian", str(seeded.small.guardian_ids[1])) in tombstones
        assert ("student", str(seeded.small.student_ids[2])) in tombstones
        assert ("attendance_mark", f"{student}:2025-10-24:morning") not in _upserts
        with store.read() as session:
            assert session.get(Guardian, seeded.small.guardian_ids[1]) is None
    finally:
        store.close()


def test_school_wide_rows_reach_every_class_and_a_new_class_gets_them(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        seeded = seed(store)
        from desktop.models import Holiday, SchoolYear

        with store.write() as session:
            year = session.scalars(select(SchoolYear)).one()
            year.holidays.append(Holiday(day=date(2026, 4, 30), name="Giải phóng miền Nam"))
        for class_id in (seeded.small.class_id, seeded.other_class_id):
            upserts, _ = _log(store, class_id)
            assert upserts == _snapshot(store, class_id)
            assert sum(1 for entity, _key in upserts if entity == "holiday") == 2
            assert sum(1 for entity, _key in upserts if entity == "teacher") == 4
    finally:
        store.close()


class _Undone(Exception):
    """Rolls a savepoint back from inside it."""


def test_a_savepoint_rolled_back_takes_its_log_entries_with_it(db_url: str) -> None:
    """The log is written once, at commit: what a rolled-back savepoint flushed (a rename, a
    nested savepoint's too) is neither logged nor given a seq, what its committed neighbours
    wrote is, and a row written twice in one transaction takes one seq."""
    store = open_store(db_url)
    try:
        seeded = seed(store)
        small = seeded.small.class_id
        renamed, kept, twice = seeded.small.student_ids[:3]
        with store.read() as session:
            before = session.get_one(ChangeCounter, small).seq
        with store.write() as session:
            with session.begin_nested():
                session.get_one(Student, kept).full_name = "Đinh Thị Kim"
            try:
                with session.begin_nested():
                    session.get_one(Student, renamed).full_name = "Tên không được ghi"
                    session.flush()
                    with session.begin_nested():
                        session.get_one(Student, twice).full_name = "Cũng không được ghi"
                        session.flush()
                    raise _Undone
            except _Undone:
                pass
            pupil = session.get_one(Student, twice)
            pupil.full_name = "Trần Văn An"
            session.flush()
            pupil.full_name = "Trần Văn Anh"
        upserts, _tombstones = _log(store, small)
        assert upserts == _snapshot(store, small)
        names = {
            key: row["full_name"] for (entity, key), row in upserts.items() if entity == "student"
        }
        assert names[str(kept)] == "Đinh Thị Kim" and names[str(twice)] == "Trần Văn Anh"
        assert "Tên không được ghi" not in names.values()
        with store.read() as session:
            after = session.get_one(ChangeCounter, small).seq
            top = session.scalar(
                select(func.max(ChangeLogEntry.seq)).where(ChangeLogEntry.class_id == small)
            )
        assert (after - before, top) == (2, after)
    finally:
        store.close()
