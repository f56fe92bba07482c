"""The conflicts screen in the main window, by keyboard, on a profile holding real refusals from
the reference server: each names the student, "decide again" opens the leave screen on the
request, keeping the server's version and dismissing mark it seen, a new one appears after a
sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop import i18n
from desktop.models import LeaveRequest, OutboxIntent, SyncConflict
from desktop.models.db import Database
from desktop.services import leave
from desktop.services.changes import Changes
from desktop.services.scope import load_scope
from desktop.ui import navigation
from desktop.ui.conflicts.model import Column
from desktop.ui.conflicts.screen import ConflictsScreen
from desktop.ui.main_window import MainWindow
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.scope import load_scope_by_id
from tests.services.conflict_scenario import CLASS_ID, Conflicts
from tests.services.conflict_scenario import conflicts as produce
from tests.sync_faults import harness


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conflicts]:
    with produce(tmp_path_factory.mktemp("conflicts")) as produced:
        yield produced


@pytest.fixture
def profile(scenario: Conflicts, tmp_path: Path) -> Iterator[Database]:
    database = harness.open_clone(scenario.profile, tmp_path / "copy" / scenario.profile.name)
    yield database
    database.close()


def window(qtbot: QtBot, scenario: Conflicts, database: Database, runner: TaskRunner) -> MainWindow:
    with database.reading() as session:
        scope = load_scope(session)
    sync = SyncController(
        database, runner, lambda address, _user: harness.transport(address, scenario.token)
    )
    shown = MainWindow(database, scope, runner, sync)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow)
    return shown


def open_conflicts(qtbot: QtBot, shown: MainWindow) -> ConflictsScreen:
    """Ctrl+4 from anywhere in the window; the list read, the first line chosen."""
    qtbot.keyClick(shown.sidebar, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert shown.current_key() == navigation.CONFLICTS
    screen = shown.conflicts
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0)
    screen.table.setFocus()
    return screen


def choose(qtbot: QtBot, screen: ConflictsScreen, code: str) -> None:
    """Down the list by keyboard to the conflict with ``code``."""
    qtbot.keyClick(screen.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _step in range(screen.model.rowCount()):
        row = screen.selected()
        if row is not None and row.code == code:
            return
        qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    row = screen.selected()
    if row is not None and row.code == code:
        return
    raise AssertionError(f"no conflict {code}")


def seen(database: Database) -> dict[str, bool]:
    with database.reading() as session:
        return {c.code: c.seen_at is not None for c in session.scalars(select(SyncConflict))}


def test_each_line_names_the_student_what_the_teacher_did_and_what_happened(
    qtbot: QtBot,
    scenario: Conflicts,
    profile: Database,
    runner: TaskRunner,
    qtmodeltester: ModelTester,
) -> None:
    """Four refusals, each naming its student; the cancelled one says the parent cancelled."""
    screen = open_conflicts(qtbot, window(qtbot, scenario, profile, runner))
    qtmodeltester.check(screen.model)
    students = {screen.model.row_at(n).student_name for n in range(screen.model.rowCount())}
    assert students == set(scenario.names.values())
    assert screen.count.text() == "4 thay đổi chưa được máy chủ áp dụng."
    choose(qtbot, screen, "leave_cancelled")
    number = screen.table.currentIndex().row()
    cell = screen.model.index(number, Column.STUDENT).data()
    assert cell == scenario.names[scenario.cancelled]
    assert screen.model.index(number, Column.MINE).data() == "Thầy/cô đã duyệt đơn."
    assert screen.model.index(number, Column.THEIRS).data().startswith("Phụ huynh đã hủy đơn lúc ")
    assert f"#{scenario.cancelled}" in screen.details.toPlainText()
    assert not screen.decide_button.isEnabled()
    assert screen.take_button.isEnabled() and screen.dismiss_button.isEnabled()


def test_decide_again_opens_the_leave_screen_on_that_request(
    qtbot: QtBot, scenario: Conflicts, profile: Database, runner: TaskRunner
) -> None:
    """Ctrl+E on the request that moved on: the leave screen, that request selected, pending."""
    shown = window(qtbot, scenario, profile, runner)
    qtbot.waitUntil(lambda: shown.leave.filter.rowCount() > 100)
    screen = open_conflicts(qtbot, shown)
    choose(qtbot, screen, "stale_request")
    assert screen.decide_button.isEnabled()
    qtbot.keyClick(screen.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    # A button's shortcut clicks it after its short press animation.
    qtbot.waitUntil(lambda: shown.current_key() == navigation.LEAVE)
    chosen = shown.leave.selected()
    assert chosen is not None
    assert (chosen.id, chosen.status) == (scenario.signed_off, "submitted")
    assert shown.leave.approve_button.isEnabled()


def test_dismissing_marks_it_seen_on_this_computer_only(
    qtbot: QtBot, scenario: Conflicts, profile: Database, runner: TaskRunner
) -> None:
    """Delete: the line leaves the list, the next one is chosen, nothing queued for the server;
    "show the ones already dealt with" brings it back, greyed, with no action left."""
    screen = open_conflicts(qtbot, window(qtbot, scenario, profile, runner))
    choose(qtbot, screen, "not_owner")
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    assert seen(profile) == {
        "not_owner": True,
        "leave_cancelled": False,
        "already_decided": False,
        "stale_request": False,
    }
    with profile.reading() as session:
        assert session.scalars(select(OutboxIntent)).all() == []
    assert screen.selected() is not None
    assert screen.message.text() == "Đã bỏ qua."

    screen.show_seen.setFocus()
    qtbot.keyClick(screen.show_seen, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4)
    screen.table.setFocus()
    choose(qtbot, screen, "not_owner")
    assert not screen.dismiss_button.isEnabled()
    number = screen.table.currentIndex().row()
    assert screen.model.index(number, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_keeping_the_servers_version_acknowledges_what_the_sync_applied(
    qtbot: QtBot, scenario: Conflicts, profile: Database, runner: TaskRunner
) -> None:
    """Ctrl+K on the cancelled request: seen; the request is cancelled here as on the server."""
    screen = open_conflicts(qtbot, window(qtbot, scenario, profile, runner))
    choose(qtbot, screen, "leave_cancelled")
    qtbot.keyClick(screen.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    # The screen says so once the database lane's answer reaches the GUI thread, which may be
    # after the row is already marked seen in the file.
    qtbot.waitUntil(lambda: screen.message.text() == "Đã giữ theo máy chủ.")
    assert seen(profile)["leave_cancelled"]
    with profile.reading() as session:
        assert session.get_one(LeaveRequest, scenario.cancelled).status == "cancelled"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    codes = {screen.model.row_at(n).code for n in range(screen.model.rowCount())}
    assert "leave_cancelled" not in codes


def test_a_parent_cancelling_during_a_sync_shows_up_here_after_it(
    qtbot: QtBot, scenario: Conflicts, profile: Database, runner: TaskRunner
) -> None:
    """Approve offline, the parent cancels on the server, F5: a fifth line names the student."""
    with profile.reading() as session:
        scope = load_scope(session)
        pending = next(
            r
            for r in session.scalars(
                select(LeaveRequest)
                .where(LeaveRequest.status == "submitted")
                .order_by(LeaveRequest.id.desc())
            )
            if not leave.facts_of(r, scope).special_case
        )
        request_id = pending.id
    assert harness.decide(profile, request_id, approve=True)
    with scenario.store.write() as session:
        leave.cancel(
            session, load_scope_by_id(session, CLASS_ID), request_id=request_id, actor="Phụ huynh"
        )
    shown = window(qtbot, scenario, profile, runner)
    screen = open_conflicts(qtbot, shown)
    assert screen.model.rowCount() == 4
    with qtbot.waitSignal(shown.sync.synced):
        qtbot.keyClick(screen.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 5)
    newest = next(
        screen.model.row_at(n) for n in range(5) if screen.model.row_at(n).request_id == request_id
    )
    assert newest.code == "leave_cancelled"
    with profile.reading() as session:
        student = session.get_one(LeaveRequest, request_id).student_id
    assert newest.student_id == student and newest.student_name


def test_in_english_the_lines_are_english(
    qtbot: QtBot, scenario: Conflicts, profile: Database, runner: TaskRunner
) -> None:
    """The stored server lines are Vietnamese; the screen builds its own, in English."""
    i18n.set_language("en")
    screen = open_conflicts(qtbot, window(qtbot, scenario, profile, runner))
    assert screen.model.headerData(Column.MINE, Qt.Orientation.Horizontal) == "What you did"
    choose(qtbot, screen, "leave_cancelled")
    number = screen.table.currentIndex().row()
    assert screen.model.index(number, Column.MINE).data() == "You approved the request."
    assert (
        screen.model.index(number, Column.THEIRS)
        .data()
        .startswith("The parent cancelled the request at ")
    )
    assert screen.count.text() == "4 changes were not applied by the server."


def test_a_burst_of_changes_costs_one_or_two_reads(
    qtbot: QtBot,
    scenario: Conflicts,
    profile: Database,
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """4,000 announcements in a row (a large sync): the shown conflicts are read once or
    twice, the hidden post-audit screen not at all."""
    screen = open_conflicts(qtbot, window(qtbot, scenario, profile, runner))
    qtbot.waitUntil(lambda: not runner.busy)
    reads: list[None] = []
    read = runner.run_database

    def counted(*args: Any) -> None:
        # Only this screen's reads: the status line and others coalesce their own.
        if args[0].__module__.startswith("desktop.ui.conflicts"):
            reads.append(None)
        read(*args)

    monkeypatch.setattr(runner, "run_database", counted)
    for number in range(4000):
        runner.announce(Changes.of("", attendance_mark=[number], leave_request=[number]))
    qtbot.waitUntil(lambda: not runner.busy)
    assert 1 <= len(reads) <= 2
    assert screen.model.rowCount() == 4
