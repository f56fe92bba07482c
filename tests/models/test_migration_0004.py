"""Migration 0004 (the pilot notes): a profile at 0003 opens upgraded with its data kept and an
empty notes table; downgrading drops only that table, and upgrading again restores it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, select

from desktop.models import PilotNote, School
from desktop.models.db import APPLICATION_ID, alembic_config, open_database
from desktop.services import pilot_notes


def _tables(path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_0003_profile_opens_with_an_empty_notes_table_and_its_data_kept(tmp_path: Path) -> None:
    path = tmp_path / "homeroom.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        conn.exec_driver_sql(
            "INSERT INTO school (id, code, name, governing_body, province, level) "
            "VALUES (1, 'NDC', 'Trường THPT Nguyễn Đình Chiểu', 'SỞ GD&ĐT BẾN TRE', 'Bến Tre', "
            "'upper_secondary')"
        )
        conn.commit()
    engine.dispose()
    assert "pilot_note" not in _tables(path)
    db = open_database(path)
    try:
        with db.transaction() as s:
            assert s.scalar(select(School.name)) == "Trường THPT Nguyễn Đình Chiểu"
            assert s.scalars(select(PilotNote)).all() == []
            pilot_notes.add(s, day=date(2026, 3, 16), text="mạng trường mất cả buổi sáng")
        with db.reading() as s:
            assert [n.text for n in pilot_notes.notes(s)] == ["mạng trường mất cả buổi sáng"]
    finally:
        db.close()
    assert list((tmp_path / "backups").glob("before-upgrade-0003-*.sqlite"))


def test_downgrading_drops_the_notes_table_and_upgrading_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "homeroom.sqlite3"
    open_database(path).close()
    assert "pilot_note" in _tables(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0003")
        conn.commit()
        after_down = set(inspect(conn).get_table_names())
        command.upgrade(alembic_config(conn), "0004")
        conn.commit()
        after_up = set(inspect(conn).get_table_names())
        indexes = {i["name"] for i in inspect(conn).get_indexes("pilot_note")}
    engine.dispose()
    assert "pilot_note" not in after_down and "school" in after_down
    assert after_up == after_down | {"pilot_note"}
    assert indexes == {"ix_pilot_note_day"}


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
    assert [d for d in differences if "pilot_note" in repr(d)] == []
