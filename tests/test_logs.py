"""The log file: in the profile's log folder, bounded, and free of personal data after what a
real run does (the demo's first sync, an approval sent on the next, and a bug whose exception
quotes a guardian's row); the crash dialog names the log folder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from desktop import paths
from desktop.demo.local_server import LocalDemoServer, server_file
from desktop.errors import HomeroomError
from desktop.logs import BACKUPS, MAX_BYTES, log_to_file
from desktop.models import Guardian, LeaveRequest, Student, Teacher
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.services import leave, workspace
from desktop.services.intents import perform
from desktop.sync.signed_in import sync_signed_in
from desktop.ui.crash_dialog import CrashReporter
from desktop.ui.tasks import TaskRunner


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[Path]:
    """The profile folder, with this test's warnings and errors going to its log file."""
    folder = tmp_path / "profile"
    handler = log_to_file(folder)
    yield folder
    logging.getLogger().removeHandler(handler)
    handler.close()


def personal_data(database: Database) -> set[str]:
    with database.reading() as session:
        values = [
            *session.scalars(select(Student.full_name)),
            *session.scalars(select(Guardian.full_name)),
            *session.scalars(select(Guardian.phone)),
            *session.scalars(select(Teacher.full_name)),
            *session.scalars(select(LeaveRequest.reason_text)),
            *session.scalars(select(LeaveRequest.decision_note)),
        ]
    return {value for value in values if value and len(value.strip()) >= 4}


def approve_one(database: Database) -> None:
    with workspace.work(database, None, write=False) as unit:
        rows = leave.list_requests(unit.session, unit.scope, today=unit.today)
    plain = next(
        row
        for row in rows
        if row.status == "submitted"
        and not (row.special_case or row.retroactive or row.overlaps_with)
    )
    with workspace.work(database, None) as unit:
        perform(
            unit.session,
            unit.scope,
            "decide_leave",
            {
                "request_id": plain.id,
                "approve": True,
                "note": "Đã gọi điện cho phụ huynh",
                "base_version": plain.version,
            },
            actor=unit.actor,
        )


def a_bug_quoting_a_guardian(qtbot: QtBot, database: Database) -> None:
    """A background task fails on a statement that carries a guardian's name and phone (as
    SQLAlchemy's error text then does): the runner logs it."""
    with database.reading() as session:
        guardian = session.scalars(select(Guardian).limit(1)).one()
        row = {
            "id": guardian.id,
            "student": guardian.student_id,
            "name": guardian.full_name,
            "phone": guardian.phone,
        }
    raised: list[str] = []

    def work() -> None:
        with database.transaction() as session:
            try:
                session.execute(
                    text(
                        "INSERT INTO guardian (id, student_id, full_name, relation, phone, "
                        "consent_note) VALUES (:id, :student, :name, 'mother', :phone, '')"
                    ),
                    row,
                )
            except Exception as error:
                raised.append(str(error))
                raise

    failures: list[HomeroomError] = []
    runner = TaskRunner()
    runner.run_database(work, lambda _none: None, failures.append)
    qtbot.waitUntil(lambda: bool(failures))
    runner.wait()
    assert row["name"] in raised[0] and row["phone"] in raised[0]  # the text would leak


def test_the_log_holds_no_personal_data_after_a_sync_an_approval_and_an_error(
    qtbot: QtBot, logged: Path
) -> None:
    server = LocalDemoServer(server_file(logged))
    database = open_database(logged / DATABASE_FILE)
    try:
        server.start()
        server.sign_in(database)
        connector = server.connector(database)
        sync_signed_in(database, connector)
        approve_one(database)
        sync_signed_in(database, connector)
        logging.getLogger("desktop.sync.engine").warning("server clock differs by %.0f s", 42)
        a_bug_quoting_a_guardian(qtbot, database)
        people = personal_data(database)
    finally:
        database.close()
        server.close()

    log = (paths.log_dir(logged) / paths.LOG_FILE).read_text(encoding="utf-8")
    assert "server clock differs by 42 s" in log
    assert "a background task failed" in log and "IntegrityError" in log
    assert "tests/test_logs.py" in log  # the frames are there to find the bug
    assert len(people) > 100
    assert sorted(value for value in people if value in log) == []
    assert "Đã gọi điện" not in log


def test_the_log_is_bounded(logged: Path) -> None:
    line = "x" * 200
    for number in range(int(MAX_BYTES * (BACKUPS + 2) / 250)):
        logging.getLogger("desktop.test").warning("%d %s", number, line)
    files = sorted(paths.log_dir(logged).glob(paths.LOG_FILE + "*"))
    assert [file.name for file in files] == [
        paths.LOG_FILE,
        *(f"{paths.LOG_FILE}.{n}" for n in range(1, BACKUPS + 1)),
    ]
    assert all(file.stat().st_size <= MAX_BYTES for file in files)


def test_a_folder_that_cannot_hold_the_log_does_not_stop_the_app(tmp_path: Path) -> None:
    blocked = tmp_path / "profile"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    handler = log_to_file(blocked)
    logging.getLogger("desktop.test").warning("still running")
    assert isinstance(handler, logging.NullHandler)
    assert logging.getLogger().handlers.count(handler) == 0


def test_the_crash_dialog_names_the_log_folder(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    reporter = CrashReporter(folder)
    reporter.crashed.emit(str(folder / paths.CRASH_FILE))
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog is not None
    details = reporter.dialog.informativeText()
    assert f"Thư mục nhật ký: {folder}" in details
    assert str(folder / paths.CRASH_FILE) in details
    reporter.dialog.close()


def test_a_traceback_another_handler_formatted_first_is_not_reused(tmp_path: Path) -> None:
    """A console (or a test runner's) handler ahead of the log's formats the record first, and
    ``logging.Formatter`` caches its traceback, message included, on the record: the log file
    writes its own, without the message."""
    import io

    console = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()
    root.addHandler(console)
    folder = tmp_path / "profile"
    handler = log_to_file(folder)
    try:
        try:
            raise ValueError("Nguyễn Thị Mai 0912 345 678")
        except ValueError:
            logging.getLogger("desktop.test").exception("a task failed")
    finally:
        for added in (handler, console):
            root.removeHandler(added)
            added.close()
    log = (paths.log_dir(folder) / paths.LOG_FILE).read_text(encoding="utf-8")
    assert "a task failed" in log and "ValueError" in log and "tests/test_logs.py" in log
    assert "Nguyễn" not in log and "0912" not in log
