"""Migration 0006 (the hot path without indexes no query needs): a profile at 0005 with
roll-call marks and an audit log opens upgraded with both kept, three indexes fewer and the log
still append-only; a student's marks are still read through an index (the unique one, which
leads with the student); downgrading restores the indexes, and the models match the head."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.exc import DatabaseError as SqlError
from sqlalchemy.orm import Session

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.models import AttendanceMark, Student
from desktop.models.db import APPLICATION_ID, alembic_config, open_database
from desktop.services import attendance, audit_log
from desktop.services.scope import load_scope
from tests.factories import build_small_class

ROLL_CALL_DAY = date(2025, 10, 6)
AFTER = {
    "ix_attendance_mark_day",
    "ix_leave_request_student_id",
    "uq_attendance_mark_student_id_day_session",
}
BEFORE = AFTER | {"ix_attendance_mark_student_id", "ix_leave_request_status", "uq_audit_log_hash"}


TABLES = ("attendance_mark", "leave_request", "audit_log")


def _indexes(path: Path) -> set[str]:
    """The named indexes and unique constraints of the three tables the migration changes."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        found = inspect(engine)
        return {
            str(item["name"])
            for table in TABLES
            for item in [*found.get_indexes(table), *found.get_unique_constraints(table)]
        }
    finally:
        engine.dispose()


def _a_0005_profile_with_marks(path: Path) -> list[int]:
    """The class and one roll call's absences, written at 0005; the absent students' ids."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0005")
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        conn.commit()
    with Session(engine) as session, session.begin():
        build_small_class(session)
        absent = list(session.scalars(select(Student.id).order_by(Student.id).limit(2)))
        scope = load_scope(session)
        for student_id in absent:
            attendance.mark(
                session,
                scope,
                student_id=student_id,
                slot=Slot.of(ROLL_CALL_DAY, SchoolSession.MORNING),
                observed=Observation.ABSENT,
                actor="Cô Nhung",
            )
    engine.dispose()
    return absent


def test_a_0005_profile_opens_without_the_student_index_and_keeps_its_marks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "homeroom.sqlite3"
    absent = _a_0005_profile_with_marks(path)
    assert _indexes(path) == BEFORE
    open_database(path).close()
    assert _indexes(path) == AFTER
    db = open_database(path)
    try:
        with db.reading() as s:
            marked = s.scalars(select(AttendanceMark.student_id).order_by(AttendanceMark.id))
            assert list(marked) == absent
            report = audit_log.verify(s)
            assert report.intact and report.entries == len(absent)
        with pytest.raises(SqlError, match="append-only"), db.transaction() as s:
            s.connection().exec_driver_sql("UPDATE audit_log SET actor = 'ai đó'")
        with pytest.raises(SqlError, match="append-only"), db.transaction() as s:
            s.connection().exec_driver_sql("DELETE FROM audit_log")
    finally:
        db.close()


def test_a_students_marks_are_read_through_the_unique_index(tmp_path: Path) -> None:
    path = tmp_path / "homeroom.sqlite3"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT observed, status FROM attendance_mark"
            " WHERE student_id = 7 AND day >= '2025-10-01' AND day <= '2025-10-31'"
        ).all()
    engine.dispose()
    assert [row[-1] for row in plan] == [
        "SEARCH attendance_mark USING INDEX sqlite_autoindex_attendance_mark_1"
        " (student_id=? AND day>? AND day<?)"
    ]


def test_downgrading_restores_the_index_and_the_model_matches_the_head(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from desktop.models import Base

    path = tmp_path / "homeroom.sqlite3"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        command.downgrade(alembic_config(conn), "0005")
        conn.commit()
    engine.dispose()
    assert [d for d in differences if any(table in repr(d) for table in TABLES)] == []
    assert _indexes(path) == BEFORE
