"""Migration 0005 (privacy incidents): a profile at 0004 holding a class, a leave request and a
pilot note opens upgraded with all of it kept and an empty incidents table; downgrading drops
only that table (the rest still there), and upgrading again restores it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from desktop.domain.incidents import IncidentFacts, IncidentKind, parse_moment
from desktop.models import LeaveRequest, PilotNote, PrivacyIncident, Student
from desktop.models.db import APPLICATION_ID, alembic_config, open_database
from desktop.services import incidents
from desktop.services.profile import TODAY_KEY, set_setting
from tests.factories import at, build_small_class


def _tables(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _a_0004_profile(path: Path) -> None:
    """The class written through the models at 0004 (the tables they map existed then)."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0004")
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        conn.commit()
    with Session(engine) as session, session.begin():
        build_small_class(session)
        student = session.scalars(select(Student).order_by(Student.id)).first()
        assert student is not None
        session.add(
            LeaveRequest(student_id=student.id, submitted_at=at(date(2025, 10, 6)),
                         first_day=date(2025, 10, 6), first_session="morning",
                         last_day=date(2025, 10, 6), last_session="morning",
                         reason_category="illness", reason_text="Con bị sốt", channel=4,
                         status="submitted")
        )  # fmt: skip
        session.add(PilotNote(day=date(2025, 10, 6), text="mạng mất", created_at=at(date.today())))
    engine.dispose()


def test_a_0004_profile_opens_with_an_empty_incidents_table_and_its_data_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "homeroom.sqlite3"
    _a_0004_profile(path)
    assert "privacy_incident" not in _tables(path)
    db = open_database(path)
    try:
        with db.transaction() as s:
            assert [r.reason_text for r in s.scalars(select(LeaveRequest))] == ["Con bị sốt"]
            assert [n.text for n in s.scalars(select(PilotNote))] == ["mạng mất"]
            assert s.scalars(select(PrivacyIncident)).all() == []
            set_setting(s, TODAY_KEY, "2025-10-20")
            incidents.add(
                s,
                IncidentFacts(IncidentKind.LOST_DEVICE, parse_moment("19/10/2025 16:30"),
                              parse_moment("19/10/2025 20:00"), "Mất máy tính phòng giáo viên"),
                actor="Cô Nhung",
            )  # fmt: skip
        with db.reading() as s:
            assert [i.facts.description for i in incidents.incidents(s)] == [
                "Mất máy tính phòng giáo viên"
            ]
    finally:
        db.close()
    assert list((tmp_path / "backups").glob("before-upgrade-0004-*.sqlite"))


def test_downgrading_drops_only_the_incidents_table_and_upgrading_restores_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "homeroom.sqlite3"
    _a_0004_profile(path)
    open_database(path).close()
    assert "privacy_incident" in _tables(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0004")
        conn.commit()
        after_down = set(inspect(conn).get_table_names())
        kept = conn.exec_driver_sql("SELECT reason_text FROM leave_request").scalars().all()
        command.upgrade(alembic_config(conn), "0005")
        conn.commit()
        after_up = set(inspect(conn).get_table_names())
        indexes = {i["name"] for i in inspect(conn).get_indexes("privacy_incident")}
    engine.dispose()
    assert "privacy_incident" not in after_down and "pilot_note" in after_down
    assert kept == ["Con bị sốt"]
    assert after_up == after_down | {"privacy_incident"}
    assert indexes == {"ix_privacy_incident_occurred_at"}


def test_the_migration_makes_the_table_the_model_describes(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from desktop.models import Base

    path = tmp_path / "homeroom.sqlite3"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert [d for d in differences if "privacy_incident" in repr(d)] == []
