"""Every row a run of leave decisions writes, as comparable JSON: the golden snapshot of
``test_decision_golden``.

A run decides, as the window does (``perform("decide_leave")``, one transaction each, the time
pinned), every pending request of a class plus a few fresh ones (a single session with no mark
yet, two days over an approved request, one whose slots roll call saw), approving most and
rejecting every third; a refused decision is recorded with its error. The snapshot is the
difference between every table before and after the run (the outbox's random ids replaced by a
placeholder once checked to be UUIDs), what each decision answered, the class's attendance totals
and the audit chain's verdict.

Captured from the code before the decision was made cheaper; rewrite it only for a change that
means to alter what a decision writes: ``.venv/bin/python -m tests.services.decision_golden``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop.demo.generator import generate_demo_class, generate_demo_school
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.errors import InvalidInput
from desktop.models import AttendanceMark, LeaveRequest, SchoolClass, Student
from desktop.models.base import pinned_now
from desktop.models.db import Database, open_database
from desktop.services import attendance, audit_log, leave
from desktop.services.intents.registry import perform
from desktop.services.scope import ClassScope, load_scope

GOLDEN = Path(__file__).parent / "golden"
PLACEHOLDER = "<uuid4>"
DECIDED_AT = datetime(2026, 3, 16, 2, 30, tzinfo=UTC)
SUBMITTED_AT = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
SCHOOL_CLASSES = 40


def build(path: Path, *, school: bool) -> str | None:
    """The demo profile at ``path``: one class, or the 40-class school; the class to decide in
    (``None``: the profile's only one)."""
    database = open_database(path)
    try:
        with database.transaction() as session:
            if not school:
                generate_demo_class(session, seed=2025)
                return None
            generate_demo_school(session, seed=2025, classes=SCHOOL_CLASSES)
            name = session.scalars(select(SchoolClass.name).order_by(SchoolClass.id.desc())).first()
            assert name is not None
            return name
    finally:
        database.close()


def _tables(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: set(connection.execute(f'SELECT * FROM "{name}"')) for name in names}
    finally:
        connection.close()


def _columns(path: Path, table: str) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
    finally:
        connection.close()


def _fresh_requests(database: Database, scope: ClassScope) -> list[int]:
    """Three requests beside the demo's pending ones, each taking another path of the ledger."""
    with database.transaction() as session, pinned_now(SUBMITTED_AT):
        students = session.scalars(
            select(Student).where(Student.class_id == scope.class_id).order_by(Student.id)
        ).all()
        registered = [
            (s, g) for s in students for g in s.guardians if g.econtact_registered_on is not None
        ]
        days = [d for d in scope.calendar.iter_school_days() if d.month == 5]
        approved = session.scalars(
            select(LeaveRequest)
            .join(Student)
            .where(Student.class_id == scope.class_id, LeaveRequest.status == "approved")
            .order_by(LeaveRequest.id)
        ).first()
        observed = session.scalars(
            select(AttendanceMark)
            .join(Student)
            .where(Student.class_id == scope.class_id, AttendanceMark.observed.is_not(None))
            .order_by(AttendanceMark.id)
        ).first()
        assert approved is not None and observed is not None
        shapes: list[tuple[int, Slot, Slot]] = [
            (
                registered[0][0].id,
                Slot.of(days[3], SchoolSession.MORNING),
                Slot.of(days[3], SchoolSession.MORNING),
            ),
            (
                approved.student_id,
                Slot.of(approved.first_day, SchoolSession.MORNING),
                Slot.of(
                    approved.last_day + timedelta(days=1)
                    if scope.calendar.is_school_day(approved.last_day + timedelta(days=1))
                    else approved.last_day,
                    SchoolSession.AFTERNOON,
                ),
            ),
            (
                observed.student_id,
                Slot.of(observed.day, SchoolSession(observed.session)),
                Slot.of(observed.day, SchoolSession(observed.session)),
            ),
        ]
        guardians = {s.id: g for s, g in reversed(registered)}
        ids = []
        for student_id, first, last in shapes:
            guardian = guardians.get(student_id)
            if guardian is None:
                guardian = next(g for g in session.get_one(Student, student_id).guardians)
                guardian.econtact_registered_on = date(2025, 9, 1)
            changes = leave.submit(
                session,
                scope,
                leave.NewRequest(
                    student_id=student_id,
                    guardian_id=guardian.id,
                    first=first,
                    last=last,
                    reason_category="illness",
                    reason_text="Ốm",
                    channel=4,
                    submitted_at=SUBMITTED_AT,
                ),
                actor="golden",
            )
            ids.extend(int(i) for i in changes.ids("leave_request"))
    return ids


def _run(database: Database, class_name: str | None) -> list[dict[str, Any]]:
    with database.reading() as session:
        scope = load_scope(session, class_name)
        pending = list(
            session.scalars(
                select(LeaveRequest.id)
                .join(Student)
                .where(Student.class_id == scope.class_id, LeaveRequest.status == "submitted")
                .order_by(LeaveRequest.id)
            )
        )
    pending += _fresh_requests(database, scope)
    answers: list[dict[str, Any]] = []
    for index, request_id in enumerate(pending):
        with database.reading() as session:
            version = session.get_one(LeaveRequest, request_id).version
        approve = index % 3 != 2
        args = {
            "request_id": request_id,
            "approve": approve,
            "note": "" if approve else "Thiếu xác nhận của phụ huynh",
            "base_version": version,
        }
        try:
            with database.transaction() as session:
                changes = perform(
                    session,
                    scope,
                    "decide_leave",
                    args,
                    actor="golden",
                    now=DECIDED_AT + timedelta(minutes=index),
                )
        except InvalidInput as error:
            answers.append(
                {"request_id": request_id, "error": type(error).__name__, "message": error.message}
            )
            continue
        answers.append(
            {
                "request_id": request_id,
                "summary": changes.summary,
                "ids": {kind: sorted(ids) for kind, ids in sorted(changes.touched.items())},
            }
        )
    return answers


def _jsonable(row: tuple[Any, ...]) -> list[Any]:
    """SQLite's own values (text, numbers, NULL) are JSON's already."""
    return list(row)


def capture(path: Path, class_name: str | None) -> dict[str, Any]:
    """Run the decisions on the profile at ``path`` and return what they wrote."""
    before = _tables(path)
    database = open_database(path)
    try:
        answers = _run(database, class_name)
        with database.reading() as session:
            scope = load_scope(session, class_name)
            totals = [asdict(row) for row in attendance.summary(session, scope)]
            chain = audit_log.verify(session)
    finally:
        database.close()
    after = _tables(path)
    written: dict[str, dict[str, list[list[Any]]]] = {}
    for table in sorted(after):
        added = after[table] - before.get(table, set())
        removed = before.get(table, set()) - after[table]
        if not added and not removed:
            continue
        columns = _columns(path, table)
        rows = sorted(_jsonable(row) for row in added)
        if table == "outbox":
            at = columns.index("id")
            for row in rows:
                assert uuid.UUID(row[at]).version == 4
                row[at] = PLACEHOLDER
            rows.sort(key=json.dumps)
        written[table] = {
            "columns": columns,
            "added": rows,
            "removed": sorted(_jsonable(row) for row in removed),
        }
    return {
        "answers": answers,
        "written": written,
        "totals": json.loads(json.dumps(totals, default=str)),
        "chain": {"entries": chain.entries, "intact": chain.intact},
    }


def golden_path(school: bool) -> Path:
    return GOLDEN / ("decision-school.json" if school else "decision-demo.json")


def main() -> None:
    import tempfile

    GOLDEN.mkdir(exist_ok=True)
    for school in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "homeroom.sqlite3"
            snapshot = capture(path, build(path, school=school))
        text = json.dumps(snapshot, ensure_ascii=False, indent=1, sort_keys=True)
        golden_path(school).write_text(text + "\n", encoding="utf-8")
        print(f"{golden_path(school)}: {len(snapshot['answers'])} decisions")


if __name__ == "__main__":
    main()
