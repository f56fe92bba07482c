"""The attendance screen on the demo class (its school day is 16/03/2026), driven by the
keyboard: a month of roll call typed and synced to the real server on loopback, a mark changed
on the server updating in place, marks from leave requests and holidays refusing a letter,
the warning colours at the policy's levels, and the follow-up list."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.domain.attendance import MarkStatus, Observation
from desktop.domain.policy import SchoolPolicy
from desktop.models import AttendanceMark, OutboxIntent
from desktop.models.db import Database
from desktop.services.changes import Changes
from desktop.services.scope import load_scope, save_policy
from desktop.sync import engine, state
from desktop.ui import navigation
from desktop.ui.attendance.model import (
    OFF_BACKGROUND,
    OVER_LIMIT_BACKGROUND,
    REQUEST_BACKGROUND,
    WARNING_BACKGROUNDS,
    Total,
)
from desktop.ui.attendance.screen import AttendanceScreen
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Navigator, Target
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

NONE = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
LETTERS = {
    Observation.ABSENT: Qt.Key.Key_K,
    Observation.EXCUSED_BY_TEACHER: Qt.Key.Key_P,
    Observation.LATE: Qt.Key.Key_M,
    Observation.PRESENT: Qt.Key.Key_C,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def opened(qtbot: QtBot, database: Database, runner: TaskRunner) -> AttendanceScreen:
    screen = AttendanceScreen(database, runner, Navigator(), None)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    with qtbot.waitSignal(screen.refreshed):
        screen.show()
    return screen


def settled(qtbot: QtBot, screen: AttendanceScreen, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.busy and not screen._reading)


def go_to(qtbot: QtBot, screen: AttendanceScreen, row: int, column: int) -> None:
    """The current cell moved there with the arrow keys, from the top-left cell."""
    table = screen.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, CTRL)
    for _ in range(row):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    for _ in range(column):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (row, column)


def month_of(qtbot: QtBot, screen: AttendanceScreen, wanted: tuple[int, int]) -> None:
    """The chooser moved to ``wanted`` with Ctrl+PgUp / Ctrl+PgDown."""
    while screen.model.grid is None or screen.model.grid.month != wanted:
        shown = screen.model.grid.month if screen.model.grid else wanted
        key = Qt.Key.Key_PageUp if wanted < shown else Qt.Key.Key_PageDown
        with qtbot.waitSignal(screen.refreshed):
            qtbot.keyClick(screen.table, key, CTRL)


def queued(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def background(screen: AttendanceScreen, row: int, column: int) -> object:
    return screen.model.index(row, column).data(Qt.ItemDataRole.BackgroundRole)


def test_the_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, database: Database, runner: TaskRunner
) -> None:
    """The grid and the follow-up list keep Qt's model contract, filled and refreshed."""
    screen = opened(qtbot, database, runner)
    assert screen.model.grid is not None and screen.model.grid.month == (2026, 3)
    qtmodeltester.check(screen.model, force_py=True)
    qtmodeltester.check(screen.follow_up_model, force_py=True)
    month_of(qtbot, screen, (2026, 2))
    qtmodeltester.check(screen.model, force_py=True)


def test_a_month_typed_with_the_keyboard_reaches_the_server_and_a_sync_updates_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str], tmp_path: Path
) -> None:
    """February typed for one student, K P M C in turn down the school sessions (holidays
    refuse): each an intent, all on the server after F5; then a mark another computer changed
    arrives by sync in place, the current cell kept."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    with database.reading() as session:
        scope = load_scope(session)
    sync = SyncController(
        database, runner, lambda address, _user: harness.transport(address, token)
    )
    window = MainWindow(database, scope, runner, sync)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.sync.synced):
        window.sync_action.trigger()
    window.open_target(Target(navigation.ATTENDANCE))
    screen = window.attendance
    qtbot.waitUntil(lambda: screen.model.rowCount() > 30)
    settled(qtbot, screen, runner)
    month_of(qtbot, screen, (2026, 2))
    grid = screen.model.grid
    assert grid is not None
    row = next(n for n, r in enumerate(grid.students) if not any(r.cells))
    student = grid.students[row]
    go_to(qtbot, screen, row, 0)
    cycle = list(LETTERS)
    typed: dict[tuple[date, str], Observation] = {}
    holidays = 0
    for number, column in enumerate(grid.columns):
        table = screen.table
        assert table.currentIndex().column() == number
        if column.off is not None:
            holidays += 1
            qtbot.keyClick(table, Qt.Key.Key_K)
            assert "không điểm danh" in screen.message.text()
            assert table.currentIndex().row() == row  # a refused letter does not move on
        else:
            seen = cycle[len(typed) % len(cycle)]
            typed[(column.day, column.session.value)] = seen
            qtbot.keyClick(table, LETTERS[seen])
            assert table.currentIndex().row() == row + 1  # on to the next student
            qtbot.keyClick(table, Qt.Key.Key_Up)
        qtbot.keyClick(table, Qt.Key.Key_Right)
    assert holidays == 22 and len(typed) == 22
    settled(qtbot, screen, runner)
    assert queued(database) == 22
    shown = screen.model.row_at(row)
    expected = {
        Observation.ABSENT: MarkStatus.UNEXCUSED,
        Observation.EXCUSED_BY_TEACHER: MarkStatus.EXCUSED,
        Observation.LATE: MarkStatus.LATE,
        Observation.PRESENT: MarkStatus.PRESENT,
    }
    marks = {
        (c.day, c.session.value): cell.status
        for c, cell in zip(grid.columns, shown.cells, strict=True)
        if cell is not None
    }
    assert marks == {key: expected[seen] for key, seen in typed.items()}

    with qtbot.waitSignal(window.sync.synced) as synced:
        window.sync_action.trigger()
    assert "gửi 22 thay đổi" in synced.args[0]
    with store.read() as session:
        on_server = {
            (m.day, m.session): m.observed
            for m in session.scalars(
                select(AttendanceMark).where(
                    AttendanceMark.student_id == student.student_id,
                    AttendanceMark.day.between(date(2026, 2, 1), date(2026, 2, 28)),
                )
            )
        }
    assert on_server == {key: seen.value for key, seen in typed.items()}

    # Another computer of the teacher marks the first typed session absent instead.
    first_day, first_session = next(iter(typed))
    other = harness.open_clone(database.path, tmp_path / "other" / "homeroom.sqlite3")
    try:
        with other.transaction() as session:
            state.put(session, state.CLIENT_ID, str(uuid.uuid4()))  # a computer of its own
        harness.roll_call(other, student.student_id, first_day, first_session, "excused_by_teacher")
        engine.sync_once(other, harness.transport(url, token), class_id=1)
    finally:
        other.close()
    go_to(qtbot, screen, 2, 3)
    resets: list[object] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(window.sync.synced):
        window.sync_action.trigger()
    qtbot.waitUntil(
        lambda: (
            screen.model.row_at(row).cells[0] is not None
            and screen.model.row_at(row).cells[0].status is MarkStatus.EXCUSED
        ),  # type: ignore[union-attr]
        timeout=10_000,
    )
    assert resets == []
    index = screen.table.currentIndex()
    assert (index.row(), index.column()) == (2, 3)


def test_a_mark_from_a_leave_request_is_changed_only_through_the_request(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A letter on a mark from a request changes nothing, queues nothing, says to use the
    request; Ctrl+O opens that request in the leave screen."""
    screen = opened(qtbot, database, runner)
    grid = screen.model.grid
    assert grid is not None
    row, column = next(
        (r, c)
        for r, student in enumerate(grid.students)
        for c, cell in enumerate(student.cells)
        if cell is not None and cell.from_request and cell.request_id is not None
    )
    cell = grid.students[row].cells[column]
    assert cell is not None
    assert background(screen, row, column) == REQUEST_BACKGROUND
    assert f"#{cell.request_id}" in screen.model.index(row, column).data(
        Qt.ItemDataRole.ToolTipRole
    )
    go_to(qtbot, screen, row, column)
    assert screen.open_button.isEnabled()
    qtbot.keyClick(screen.table, Qt.Key.Key_K)
    assert f"đơn xin nghỉ #{cell.request_id}" in screen.message.text()
    assert "sửa qua đơn" in screen.message.text()
    assert screen.table.currentIndex().row() == row
    settled(qtbot, screen, runner)
    assert queued(database) == 0
    assert screen.model.row_at(row).cells[column] == cell
    asked: list[Target] = []
    screen._navigator.open_requested.connect(asked.append)
    qtbot.keyClick(screen.table, Qt.Key.Key_O, CTRL)
    # A button's shortcut clicks it after its short press animation.
    qtbot.waitUntil(lambda: asked == [Target(navigation.LEAVE, {"request_id": cell.request_id})])


def test_holidays_are_greyed_and_take_no_mark(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Tết (11-24/02/2026): grey columns; Delete or a letter there records nothing."""
    screen = opened(qtbot, database, runner)
    month_of(qtbot, screen, (2026, 2))
    grid = screen.model.grid
    assert grid is not None
    column = next(n for n, c in enumerate(grid.columns) if c.day == date(2026, 2, 16))
    assert grid.columns[column].off is not None
    assert all(background(screen, r, column) == OFF_BACKGROUND for r in range(len(grid.students)))
    go_to(qtbot, screen, 3, column)
    for key in (Qt.Key.Key_P, Qt.Key.Key_Delete, Qt.Key.Key_Space):
        qtbot.keyClick(screen.table, key)
        assert screen.message.text() == "16/02/2026: Ngày lễ, ngày nghỉ, không điểm danh."
    settled(qtbot, screen, runner)
    assert queued(database) == 0


def test_warnings_are_coloured_at_the_policys_levels(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """With warnings at 5, 10 and 15 and a limit of 15: amber from 5, orange from 10, red at
    15, dark red over it; the tooltip says it."""
    with database.transaction() as session:
        school = load_scope(session).school_id
        save_policy(session, school, SchoolPolicy(absence_warnings=(5, 10, 15), absence_limit=15))
    screen = opened(qtbot, database, runner)
    grid = screen.model.grid
    assert grid is not None
    total_column = len(grid.columns) + Total.ABSENT
    seen: set[str] = set()
    amber, orange, red = WARNING_BACKGROUNDS
    for number, student in enumerate(grid.students):
        absent = student.totals.total_absent
        colour = background(screen, number, total_column)
        if absent > 15:
            want: QColor | None = OVER_LIMIT_BACKGROUND
        elif absent == 15:
            want = red
        elif absent >= 10:
            want = orange
        elif absent >= 5:
            want = amber
        else:
            want = None
        assert colour == want, (student.name, absent)
        tip = screen.model.index(number, total_column).data(Qt.ItemDataRole.ToolTipRole)
        if want is not None:
            assert str(absent) in tip
            seen.add(want.name())
    assert {amber.name(), orange.name()} <= seen


def test_the_follow_up_list_leads_to_the_absence_and_shrinks_when_excused(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Enter on a follow-up line shows that absence in the grid; P there excuses it and the
    line leaves the list."""
    screen = opened(qtbot, database, runner)
    before = screen.follow_up_model.rowCount()
    assert before > 0
    first = screen.follow_up_model.row_at(0)
    screen.follow_up.setFocus()
    qtbot.keyClick(screen.follow_up, Qt.Key.Key_Home, CTRL)
    qtbot.keyClick(screen.follow_up, Qt.Key.Key_Return)

    def shown() -> tuple[int, date, object] | None:
        index = screen.table.currentIndex()
        column = screen.model.column_at(index.column())
        if column is None or not screen.table.hasFocus():
            return None
        return screen.model.row_at(index.row()).student_id, column.day, column.session

    qtbot.waitUntil(lambda: shown() == (first.student_id, first.day, first.session))
    index = screen.table.currentIndex()
    assert screen.model.cell_at(index) is not None
    qtbot.keyClick(screen.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: screen.follow_up_model.rowCount() == before - 1)
    assert first not in [
        screen.follow_up_model.row_at(n) for n in range(screen.follow_up_model.rowCount())
    ]
    excused = screen.model.cell_at(screen.model.index(index.row(), index.column()))
    assert excused is not None and excused.status is MarkStatus.EXCUSED
    assert screen.model.index(index.row(), index.column()).data() == "P"


def test_delete_takes_a_roll_call_mark_back(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """K then Delete on the same session: the cell is empty again, two intents queued."""
    screen = opened(qtbot, database, runner)
    grid = screen.model.grid
    assert grid is not None
    row = next(n for n, r in enumerate(grid.students) if not any(r.cells))
    column = next(n for n, c in enumerate(grid.columns) if c.off is None)
    go_to(qtbot, screen, row, column)
    qtbot.keyClick(screen.table, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: screen.model.row_at(row).cells[column] is not None)
    assert screen.model.index(row, column).data() == "K"
    qtbot.keyClick(screen.table, Qt.Key.Key_Up)
    qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: screen.model.row_at(row).cells[column] is None)
    assert queued(database) == 2
    assert screen.model.index(row, column).data() == ""
    assert screen.table.currentIndex() != QModelIndex()


def test_the_overviews_links_open_the_student_at_today(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A student's link puts the current cell on that student's today; a warning level's
    link on the student with most absences at that level."""
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(
        database, scope, runner, SyncController(database, runner, lambda _a, _u: pytest.fail())
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    screen = window.attendance
    qtbot.waitUntil(lambda: screen.model.rowCount() > 30)
    settled(qtbot, screen, runner)
    rows = screen.model.rows()
    student = rows[7]
    window.open_target(Target(navigation.ATTENDANCE, {"student_id": student.student_id}))
    assert window.current_key() == navigation.ATTENDANCE
    index = screen.table.currentIndex()
    column = screen.model.column_at(index.column())
    assert column is not None and column.day == date(2026, 3, 16) and column.off is None
    assert screen.model.row_at(index.row()).student_id == student.student_id
    level = scope.policy.absence_warnings[0]
    most = max((r for r in rows if r.totals.warning == level), key=lambda r: r.totals.total_absent)
    window.open_target(Target(navigation.ATTENDANCE, {"warning": level}))
    assert screen.model.row_at(screen.table.currentIndex().row()).student_id == most.student_id


def test_a_new_policy_recolours_the_open_grid(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The policy arriving by sync (announced as changed) is read again: a student amber at
    the default 30 turns dark red when the limit becomes 15."""
    screen = opened(qtbot, database, runner)
    grid = screen.model.grid
    assert grid is not None
    total_column = len(grid.columns) + Total.ABSENT
    number, student = next((n, r) for n, r in enumerate(grid.students) if r.totals.warning == 30)
    assert student.totals.total_absent > 15
    assert background(screen, number, total_column) == WARNING_BACKGROUNDS[0]
    with database.transaction() as session:
        school = load_scope(session).school_id
        save_policy(session, school, SchoolPolicy(absence_warnings=(5, 10, 15), absence_limit=15))
    runner.announce(Changes.of("", policy_setting=["absence_limit"]))
    qtbot.waitUntil(lambda: background(screen, number, total_column) == OVER_LIMIT_BACKGROUND)
