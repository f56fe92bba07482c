"""The leave screen on the demo profile: finding, sorting, reading, deciding — real widgets,
a real SQLite file, decisions committed with their outbox intent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from desktop.domain.names import search_key, sort_text
from desktop.models import LeaveRequest, OutboxIntent
from desktop.models.db import Database
from desktop.services.leave import LeaveRow
from desktop.ui.leave.model import Column
from desktop.ui.leave.screen import LeaveScreen
from desktop.ui.tasks import TaskRunner


def loaded_screen(qtbot: QtBot, database: Database, runner: TaskRunner) -> LeaveScreen:
    screen = LeaveScreen(database, runner)
    qtbot.addWidget(screen)
    screen.reload()
    with database.reading() as session:
        total = session.scalar(select(func.count()).select_from(LeaveRequest))
    qtbot.waitUntil(lambda: screen.filter.rowCount() == total)
    return screen


def visible(screen: LeaveScreen) -> list[LeaveRow]:
    return [screen.filter.row_at(n) for n in range(screen.filter.rowCount())]


def select_request(qtbot: QtBot, screen: LeaveScreen, request_id: int) -> None:
    number = next(n for n, row in enumerate(visible(screen)) if row.id == request_id)
    screen.table.selectRow(number)
    qtbot.waitUntil(lambda: screen.selected() is not None)


def first_plain_pending(screen: LeaveScreen) -> LeaveRow:
    return next(r for r in visible(screen) if r.status == "submitted" and not r.special_case)


def test_search_ignores_diacritics_and_status_narrows(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = loaded_screen(qtbot, database, runner)
    total = screen.filter.rowCount()
    screen.search.setText("nguyen")
    plain = [r.id for r in visible(screen)]
    assert 0 < len(plain) < total
    assert all("nguyen" in search_key(r.student_name) for r in visible(screen))
    screen.search.setText("Nguyễn")
    assert [r.id for r in visible(screen)] == plain
    screen.search.clear()
    pending = screen.status.findData("submitted")
    screen.status.setCurrentIndex(pending)
    assert screen.status.currentText() == "Chờ duyệt"
    assert 0 < screen.filter.rowCount() < total
    assert {r.status for r in visible(screen)} == {"submitted"}


def test_students_sort_by_given_name_the_vietnamese_way(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = loaded_screen(qtbot, database, runner)
    screen.table.sortByColumn(Column.STUDENT, Qt.SortOrder.AscendingOrder)
    names = list(dict.fromkeys(r.student_name for r in visible(screen)))
    assert names == sorted(names, key=sort_text)
    # By hand: the given name (last word) decides before the family name. Take two students
    # whose given names start with different plain letters and whose family names disagree.
    plain = [n for n in names if n.split()[-1][0] in "ABCEGHKLMNPQSTVXY"]
    pairs = [
        (a, b)
        for a in plain
        for b in plain
        if a.split()[-1][0] < b.split()[-1][0] and a.split()[0][0] > b.split()[0][0]
    ]
    assert pairs
    first, second = pairs[0]
    assert names.index(first) < names.index(second)


def test_headers_and_cells_are_vietnamese(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = loaded_screen(qtbot, database, runner)
    headers = [screen.filter.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers[:3] == ["Học sinh", "Thời gian nghỉ", "Số buổi"]
    row = first_plain_pending(screen)
    select_request(qtbot, screen, row.id)
    lines = screen.details.toPlainText().split("\n")
    assert lines[lines.index("Đơn") + 1] == f"#{row.id} (v{row.version})"
    assert lines[lines.index("Trạng thái") + 1] == "Chờ duyệt"
    assert screen.approve_button.text() == "Duyệt" and screen.approve_button.isEnabled()


def test_approving_commits_the_decision_and_its_intent(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = loaded_screen(qtbot, database, runner)
    row = first_plain_pending(screen)
    select_request(qtbot, screen, row.id)
    screen.note.setText("Đã gọi điện cho phụ huynh")
    with qtbot.waitSignal(screen.decided, timeout=10_000) as decided:
        screen.approve_button.click()
    assert decided.args == [f"Đã duyệt đơn #{row.id}."]
    with database.reading() as session:
        stored = session.get_one(LeaveRequest, row.id)
        assert (stored.status, stored.decision_note) == ("approved", "Đã gọi điện cho phụ huynh")
        intents = session.scalars(select(OutboxIntent.name)).all()
    assert intents == ["decide_leave"]
    assert screen.selected() is not None and screen.selected().status == "approved"  # type: ignore[union-attr]
    assert not screen.approve_button.isEnabled()
    assert screen.note.text() == ""


def test_rejecting_without_a_reason_is_refused_in_vietnamese_and_changes_nothing(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = loaded_screen(qtbot, database, runner)
    row = first_plain_pending(screen)
    select_request(qtbot, screen, row.id)
    screen.reject_button.click()
    qtbot.waitUntil(lambda: screen.message.text() != "")
    assert screen.message.property("error") is True
    assert "lý do" in screen.message.text()
    with database.reading() as session:
        assert session.get_one(LeaveRequest, row.id).status == "submitted"
        assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 0
    assert screen.reject_button.isEnabled()


def test_a_request_changed_meanwhile_is_not_decided_blindly(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The parent edited the request after the list was loaded: the decision is refused
    with a clear message rather than applied to a version the teacher did not read."""
    screen = loaded_screen(qtbot, database, runner)
    row = first_plain_pending(screen)
    select_request(qtbot, screen, row.id)
    with database.transaction() as session:
        session.execute(
            update(LeaveRequest)
            .where(LeaveRequest.id == row.id)
            .values(version=LeaveRequest.version + 1)
        )
    screen.approve_button.click()
    qtbot.waitUntil(lambda: screen.message.text() != "")
    assert screen.message.property("error") is True
    with database.reading() as session:
        assert session.get_one(LeaveRequest, row.id).status == "submitted"
        assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 0
