"""The leave screen on the demo profile, driven by the keyboard: finding, sorting, reading,
deciding, bulk approval, undo, paper originals and sign-offs, and refreshing by what changed —
real widgets, a real SQLite file, every change committed with its outbox intent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken
from sqlalchemy import delete, func, select, update

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.domain.names import search_key, sort_text
from desktop.models import AuditLogEntry, LeaveRequest, OutboxIntent, SyncConflict
from desktop.models.base import utc_now
from desktop.models.db import Database
from desktop.services import leave, workspace
from desktop.services.changes import Changes
from desktop.services.leave import LeaveRow
from desktop.services.scope import load_scope, load_scope_by_id
from desktop.sync import state
from desktop.sync.engine import sync_once
from desktop.ui import navigation
from desktop.ui.leave.dialogs import OriginalDialog, SignoffDialog
from desktop.ui.leave.model import Column
from desktop.ui.leave.screen import LeaveScreen
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Target
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
DEMO_TODAY = date(2026, 3, 16)


def total_requests(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(LeaveRequest)) or 0


def loaded_screen(qtbot: QtBot, database: Database, runner: TaskRunner) -> LeaveScreen:
    screen = LeaveScreen(database, runner)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    screen.reload()
    total = total_requests(database)
    qtbot.waitUntil(lambda: screen.filter.rowCount() == total)
    screen.table.setFocus()
    return screen


def visible(screen: LeaveScreen) -> list[LeaveRow]:
    return [screen.filter.row_at(n) for n in range(screen.filter.rowCount())]


def row_of(screen: LeaveScreen, request_id: int) -> LeaveRow:
    found = screen.model.by_id(request_id)
    assert found is not None
    return found


def key(
    widget: QWidget, which: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    QTest.keyClick(widget, which, modifiers)


def type_text(widget: QWidget, text: str) -> None:
    """Vietnamese typed key by key (``keyClicks`` aborts on non-ASCII)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def go_to(
    screen: LeaveScreen,
    request_id: int,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Move the table's cursor to ``request_id`` with the arrow keys (Shift extends)."""
    table = screen.table
    table.setFocus()
    if modifiers == Qt.KeyboardModifier.NoModifier:
        key(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        key(table, Qt.Key.Key_Space)
    for _step in range(screen.filter.rowCount()):
        current = table.currentIndex()
        if current.isValid() and screen.filter.row_at(current.row()).id == request_id:
            break
        key(table, Qt.Key.Key_Down, modifiers)
    assert screen.filter.row_at(table.currentIndex().row()).id == request_id
    assert request_id in {row.id for row in screen.selected_rows()}


def stored(database: Database, request_id: int) -> LeaveRequest:
    with database.reading() as session:
        request = session.get_one(LeaveRequest, request_id)
        session.expunge(request)
        return request


def outbox(database: Database) -> list[tuple[str, dict[str, object]]]:
    with database.reading() as session:
        return [
            (i.name, json.loads(i.args))
            for i in session.scalars(select(OutboxIntent).order_by(OutboxIntent.seq))
        ]


def plain_pending(screen: LeaveScreen) -> list[LeaveRow]:
    return [
        r
        for r in visible(screen)
        if r.status == "submitted"
        and not r.special_case
        and not r.overlaps_with
        and not r.retroactive
    ]


def test_search_ignores_diacritics_and_status_narrows(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """ "nguyen" and "Nguyễn" find the same students; the state filter keeps one state."""
    screen = loaded_screen(qtbot, database, runner)
    total = screen.filter.rowCount()
    screen.search.setText("nguyen")
    plain = [r.id for r in visible(screen)]
    assert 0 < len(plain) < total
    assert all("nguyen" in search_key(r.student_name) for r in visible(screen))
    screen.search.setText("Nguyễn")
    assert [r.id for r in visible(screen)] == plain
    screen.search.clear()
    screen.status.setCurrentIndex(screen.status.findData("submitted"))
    assert screen.status.currentText() == "Chờ duyệt"
    assert 0 < screen.filter.rowCount() < total
    assert {r.status for r in visible(screen)} == {"submitted"}


def test_oldest_pending_first_by_default(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Pending requests come first, oldest submitted first; the other states follow."""
    screen = loaded_screen(qtbot, database, runner)
    rows = visible(screen)
    pending = [r for r in rows if r.status == "submitted"]
    assert rows[: len(pending)] == pending
    assert [r.submitted_at for r in pending] == sorted(r.submitted_at for r in pending)


def test_students_sort_by_given_name_the_vietnamese_way(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The given name (last word) decides before the family name."""
    screen = loaded_screen(qtbot, database, runner)
    screen.table.sortByColumn(Column.STUDENT, Qt.SortOrder.AscendingOrder)
    names = list(dict.fromkeys(r.student_name for r in visible(screen)))
    assert names == sorted(names, key=sort_text)
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


def test_filters_by_dates_and_student_and_open_with(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The date range keeps requests with a day inside it; the student filter one student;
    ``open_with`` sets the state and student and selects a request, clearing what hides it."""
    screen = loaded_screen(qtbot, database, runner)
    key(screen.table, Qt.Key.Key_F, CTRL | SHIFT)
    assert screen.status.hasFocus()
    key(screen.status, Qt.Key.Key_Tab)
    assert screen.date_from.hasFocus() and screen.date_from.text() == "Từ ngày bất kỳ"
    QTest.keyClicks(screen.date_from, "16/03/2026")
    key(screen.date_from, Qt.Key.Key_Tab)
    QTest.keyClicks(screen.date_to, "17032026")
    assert (screen.date_from.text(), screen.date_to.text()) == ("16/03/2026", "17/03/2026")
    shown = visible(screen)
    assert shown and all(
        r.last_day >= date(2026, 3, 16) and r.first_day <= date(2026, 3, 17) for r in shown
    )
    key(screen.date_to, Qt.Key.Key_X, CTRL | SHIFT)
    assert screen.filter.rowCount() == total_requests(database)
    assert screen.date_from.value() is None

    target = plain_pending(screen)[0]
    screen.open_with({"status": "submitted", "student_id": target.student_id})
    assert {(r.status, r.student_id) for r in visible(screen)} == {("submitted", target.student_id)}
    approved = next(r for r in screen.model.rows() if r.status == "approved")
    screen.open_with({"request_id": approved.id})
    assert screen.selected() == approved
    assert screen.status.currentData() is None


def test_columns_fit_1366x768_beside_the_side_list(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """In the main window at 1366×768 every column, the flags included, is in view without
    scrolling sideways; flags are short marks whose tooltip is the full sentence."""
    with database.reading() as session:
        scope = load_scope(session)
    shown = MainWindow(
        database, scope, runner, SyncController(database, runner, lambda *_: pytest.fail())
    )
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    qtbot.waitExposed(shown)
    shown.open_target(Target(navigation.LEAVE))
    screen = shown.leave
    qtbot.waitUntil(lambda: screen.filter.rowCount() == total_requests(database))
    QApplication.processEvents()
    table = screen.table
    assert table.horizontalScrollBar().maximum() == 0
    for column in Column:
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), column
        assert table.columnWidth(column) >= 28, column
    special = next(n for n, r in enumerate(visible(screen)) if r.special_case)
    cell = screen.filter.index(special, Column.FLAGS)
    assert "Đ" in cell.data().split()
    assert "Trường hợp đặc biệt" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "Đơ&n" in [action.text() for action in shown.menuBar().actions()]
    assert any(a.shortcut().toString() == "Ctrl+Z" for a in screen.menu.actions())
    assert "(Ctrl+Return)" in screen.approve_button.toolTip()


def test_the_overlap_names_the_other_request_and_opens_it(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The detail pane says "Trùng với đơn #N (dd/mm – dd/mm)" as a link; Ctrl+J or the link
    selects the other request."""
    screen = loaded_screen(qtbot, database, runner)
    row = next(r for r in visible(screen) if r.overlaps_with and r.status == "submitted")
    other = row_of(screen, row.overlaps_with[0])
    go_to(screen, row.id)
    html = screen.details.toHtml()
    period = other.first_day.strftime("%d/%m")
    if other.last_day != other.first_day:
        period += " – " + other.last_day.strftime("%d/%m")
    assert f"Trùng với đơn #{other.id} ({period})" in screen.details.toPlainText()
    assert f'href="request:{other.id}"' in html
    cell = screen.filter.index(screen.table.currentIndex().row(), Column.FLAGS)
    assert cell.data() == "Tr"
    assert f"Trùng với đơn #{other.id} ({period})" in cell.data(Qt.ItemDataRole.ToolTipRole)
    key(screen.table, Qt.Key.Key_J, CTRL)
    assert screen.selected() == other
    go_to(screen, row.id)
    screen.details.anchorClicked.emit(f"request:{other.id}")  # type: ignore[arg-type]
    assert screen.selected() == other


def test_headers_and_cells_are_vietnamese(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Headers, the detail pane and the buttons speak Vietnamese."""
    screen = loaded_screen(qtbot, database, runner)
    headers = [screen.filter.headerData(c, Qt.Orientation.Horizontal) for c in Column]
    assert headers[:4] == ["Học sinh", "Thời gian nghỉ", "Số buổi", "Lưu ý"]
    tips = [
        screen.filter.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        for c in Column
    ]
    assert tips[Column.STUDENT] is None
    assert tips[Column.SESSIONS] == "Số buổi học nghỉ"
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    lines = screen.details.toPlainText().split("\n")
    assert lines[lines.index("Đơn") + 1] == f"#{row.id} (v{row.version})"
    assert lines[lines.index("Trạng thái") + 1] == "Chờ duyệt"
    assert screen.approve_button.text() == "Duyệt" and screen.approve_button.isEnabled()


def test_ctrl_enter_approves_and_the_row_updates_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+N, a note typed, Ctrl+Enter: the decision and its intent are committed, the row is
    redrawn in place (no reset) and stays selected."""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    resets: list[bool] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    key(screen.table, Qt.Key.Key_N, CTRL)
    assert screen.note.hasFocus()
    type_text(screen.note, "Đã gọi điện cho phụ huynh")
    with qtbot.waitSignal(screen.decided) as decided:
        key(screen.note, Qt.Key.Key_Return, CTRL)
    assert decided.args == [f"Đã duyệt đơn #{row.id}."]
    request = stored(database, row.id)
    assert (request.status, request.decision_note, request.version) == (
        "approved",
        "Đã gọi điện cho phụ huynh",
        row.version + 1,
    )
    assert outbox(database) == [
        (
            "decide_leave",
            {
                "request_id": row.id,
                "approve": True,
                "note": "Đã gọi điện cho phụ huynh",
                "base_version": row.version,
            },
        )
    ]
    qtbot.waitUntil(
        lambda: screen.selected() is not None and screen.selected().status == "approved"
    )  # type: ignore[union-attr]
    assert screen.selected_rows() == [row_of(screen, row.id)]
    assert resets == []
    assert not screen.approve_button.isEnabled() and screen.note.text() == ""
    assert "có thể hoàn tác (Ctrl+Z)" in screen.details.toPlainText()


def test_rejecting_needs_a_reason_and_saves_nothing_without_one(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+R without a note is refused in Vietnamese and nothing is saved; with a note the
    request is rejected and the parent reads the note."""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    key(screen.table, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: screen.message.text() != "")
    assert screen.message.property("error") is True
    assert "lý do" in screen.message.text()
    assert stored(database, row.id).status == "submitted"
    assert outbox(database) == []
    qtbot.waitUntil(screen.reject_button.isEnabled)

    key(screen.table, Qt.Key.Key_N, CTRL)
    type_text(screen.note, "Chưa có giấy khám bệnh")
    with qtbot.waitSignal(screen.decided):
        key(screen.note, Qt.Key.Key_R, CTRL)
    request = stored(database, row.id)
    assert (request.status, request.decision_note) == ("rejected", "Chưa có giấy khám bệnh")
    assert [name for name, _args in outbox(database)] == ["decide_leave"]


def test_bulk_approval_leaves_out_the_special_case_and_says_why(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Shift+arrows select the pending requests, Ctrl+Shift+Enter approves the ordinary ones,
    one intent each; the special case and the flagged ones stay pending and the summary names
    each with its reason."""
    screen = loaded_screen(qtbot, database, runner)
    pending = [r for r in visible(screen) if r.status == "submitted"]
    go_to(screen, pending[0].id)
    go_to(screen, pending[-1].id, SHIFT)
    assert screen.selected_rows() == pending
    special = next(r for r in pending if r.special_case and not r.principal_signoff_on)
    ordinary = [r for r in pending if r in plain_pending(screen)]
    with qtbot.waitSignal(screen.decided) as decided:
        key(screen.table, Qt.Key.Key_Return, CTRL | SHIFT)
    summary = decided.args[0]
    left_out = len(pending) - len(ordinary)
    assert summary.startswith(f"Đã duyệt {len(ordinary)} đơn; bỏ qua {left_out}: ")
    assert f"đơn #{special.id} cần chữ ký hiệu trưởng" in summary
    assert screen.message.text() == summary
    for row in pending:
        assert stored(database, row.id).status == ("approved" if row in ordinary else "submitted")
    assert sorted(args["request_id"] for _n, args in outbox(database)) == sorted(
        r.id for r in ordinary
    )  # type: ignore[type-var]


def test_undo_before_sync_restores_the_request(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+Z after an approval not yet sent: the intent is gone, the request is pending at
    its old version again, the audit log has 'leave.undo', and the row shows it."""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    with qtbot.waitSignal(screen.decided):
        key(screen.table, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: screen.undo_action.isEnabled())
    with qtbot.waitSignal(screen.decided) as undone:
        key(screen.table, Qt.Key.Key_Z, CTRL)
    assert undone.args == [f"Đã hoàn tác quyết định về đơn #{row.id}; đơn lại chờ duyệt."]
    request = stored(database, row.id)
    assert (request.status, request.version, request.decided_at) == ("submitted", row.version, None)
    assert outbox(database) == []
    with database.reading() as session:
        actions = session.scalars(
            select(AuditLogEntry.action).where(AuditLogEntry.entity_id == str(row.id))
        ).all()
    assert actions[-2:] == ["leave.approve", "leave.undo"]
    qtbot.waitUntil(lambda: screen.selected() == row)
    assert screen.approve_button.isEnabled()


def test_undo_after_the_decision_left_the_outbox_is_refused(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """With the intent gone (sent), Ctrl+Z says it was sent and cannot be undone; the decision
    stays. (The real server round trip is in tests/services/test_undo.py.)"""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    with qtbot.waitSignal(screen.decided):
        key(screen.table, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "có thể hoàn tác" in screen.details.toPlainText())
    with database.transaction() as session:
        session.execute(delete(OutboxIntent))
    runner.announce(Changes.of("", leave_request=[row.id]))
    qtbot.waitUntil(lambda: "có thể hoàn tác" not in screen.details.toPlainText())
    key(screen.table, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: "không thể hoàn tác" in screen.message.text())
    assert screen.message.text().startswith(
        f"Quyết định về đơn #{row.id} đã được gửi lên máy chủ lúc "
    )
    assert stored(database, row.id).status == "approved"


def test_ctrl_o_records_the_paper_original_on_the_schools_today(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A level-3 approved request awaiting its original: Ctrl+O opens the form on the demo's
    today (not the real clock); Enter records it with its intent."""
    screen = loaded_screen(qtbot, database, runner)
    row = next(r for r in visible(screen) if r.status == "approved" and r.original == "awaiting")
    go_to(screen, row.id)
    key(screen.table, Qt.Key.Key_O, CTRL)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, OriginalDialog))
    dialog = screen.dialog
    assert isinstance(dialog, OriginalDialog)
    assert dialog.day.text() == DEMO_TODAY.strftime("%d/%m/%Y")
    with qtbot.waitSignal(screen.decided):
        key(dialog.day, Qt.Key.Key_Return)
    assert stored(database, row.id).original_received_on == DEMO_TODAY
    assert outbox(database) == [
        ("receive_original", {"request_id": row.id, "received_on": DEMO_TODAY.isoformat()})
    ]
    qtbot.waitUntil(lambda: "đã nhận bản chính" in row_of(screen, row.id).state_label)
    assert not screen.original_action.isEnabled()


def test_ctrl_k_records_the_principals_sign_off_then_approval_is_possible(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A special case without sign-off cannot be approved; Ctrl+K asks who signed (an empty
    name is refused in place), records it, and approval opens."""
    screen = loaded_screen(qtbot, database, runner)
    row = next(
        r
        for r in visible(screen)
        if r.status == "submitted" and r.special_case and not r.principal_signoff_on
    )
    go_to(screen, row.id)
    assert not screen.approve_button.isEnabled()
    key(screen.table, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, SignoffDialog))
    dialog = screen.dialog
    assert isinstance(dialog, SignoffDialog)
    qtbot.waitUntil(dialog.by.hasFocus)
    key(dialog.by, Qt.Key.Key_Return)
    assert dialog.error.text() == "Cần họ tên hiệu trưởng để ghi nhận ký duyệt."
    assert stored(database, row.id).principal_signoff_by == ""
    type_text(dialog.by, "Lê Thị Hiệu")
    with qtbot.waitSignal(screen.decided):
        key(dialog.by, Qt.Key.Key_Return)
    request = stored(database, row.id)
    assert (request.principal_signoff_by, request.principal_signoff_on) == (
        "Lê Thị Hiệu",
        DEMO_TODAY,
    )
    assert [name for name, _a in outbox(database)] == ["record_signoff"]
    qtbot.waitUntil(screen.approve_button.isEnabled)


def test_a_request_cancelled_under_the_selection_updates_in_place_and_shows_the_conflict(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The teacher approved offline; a sync brings the parent's cancellation and the server's
    refusal of the decision: the selected row turns cancelled in place (no reset, still
    selected) and the detail pane says the decision became a conflict."""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    with qtbot.waitSignal(screen.decided):
        key(screen.table, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: row_of(screen, row.id).status == "approved")
    resets: list[bool] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    scroll = screen.table.verticalScrollBar().value()

    # What a sync does: the refused intent leaves the outbox as a conflict; the server's row
    # (cancelled by the parent) replaces the local one.
    with database.transaction() as session:
        intent = session.scalars(select(OutboxIntent)).one()
        session.add(
            SyncConflict(
                intent_id=intent.id,
                intent_name=intent.name,
                code="stale_version",
                message="Phụ huynh đã hủy đơn lúc 07:42 16/03/2026.",
                mine=intent.args,
                theirs="[]",
                created_at=utc_now(),
            )
        )
        session.delete(intent)
        session.execute(
            update(LeaveRequest)
            .where(LeaveRequest.id == row.id)
            .values(
                status="cancelled",
                version=row.version + 1,
                decided_by="",
                decided_at=None,
                decision_note="",
            )
        )
    runner.announce(Changes.of("", leave_request=[row.id]))

    qtbot.waitUntil(lambda: row_of(screen, row.id).status == "cancelled")
    assert screen.selected() == row_of(screen, row.id)
    assert resets == []
    assert screen.table.verticalScrollBar().value() == scroll
    text = screen.details.toPlainText()
    assert (
        "Quyết định của thầy/cô về đơn này đã thành xung đột: Phụ huynh đã hủy đơn lúc 07:42"
        in text
    )
    assert "Phụ huynh đã hủy" in text
    assert not screen.approve_button.isEnabled()


def test_new_and_removed_requests_arrive_as_row_inserts_and_removals(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Announced ids that are new are inserted, ids that are gone removed, never a reset;
    the selection stays on its request."""
    screen = loaded_screen(qtbot, database, runner)
    keep = plain_pending(screen)[0]
    go_to(screen, keep.id)
    inserted: list[int] = []
    removed: list[int] = []
    resets: list[bool] = []
    screen.model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    screen.model.rowsRemoved.connect(lambda _p, first, _last: removed.append(first))
    screen.model.modelReset.connect(lambda: resets.append(True))
    gone = next(
        r for r in plain_pending(screen) if r.id != keep.id and r.student_id != keep.student_id
    )
    with workspace.work(database, None) as unit:
        original = unit.session.get_one(LeaveRequest, keep.id)
        changes = leave.submit(
            unit.session,
            unit.scope,
            leave.NewRequest(
                student_id=original.student_id,
                guardian_id=original.guardian_id or 0,
                first=Slot.of(date(2026, 3, 25), SchoolSession.MORNING),
                last=Slot.of(date(2026, 3, 25), SchoolSession.MORNING),
                reason_category="illness",
                reason_text="Sốt",
                channel=4,
                submitted_at=utc_now(),
            ),
            actor="parent",
        )
        unit.session.execute(delete(LeaveRequest).where(LeaveRequest.id == gone.id))
    new_id = int(next(iter(changes.ids("leave_request"))))
    runner.announce(Changes.of("", leave_request=[new_id, gone.id]))
    qtbot.waitUntil(
        lambda: screen.model.by_id(new_id) is not None and screen.model.by_id(gone.id) is None
    )
    assert len(inserted) == 1 and len(removed) == 1 and resets == []
    assert screen.selected() == row_of(screen, keep.id)


def test_a_refused_decision_rereads_the_row_so_the_next_one_works(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The parent edited the request after it was loaded: the approval is refused with a clear
    message, the row is read again (new version), and approving again then works."""
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    with database.transaction() as session:
        session.execute(
            update(LeaveRequest)
            .where(LeaveRequest.id == row.id)
            .values(version=LeaveRequest.version + 1)
        )
    key(screen.table, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: screen.message.text() != "")
    assert screen.message.property("error") is True
    assert "đã thay đổi" in screen.message.text()
    assert stored(database, row.id).status == "submitted" and outbox(database) == []
    qtbot.waitUntil(lambda: row_of(screen, row.id).version == row.version + 1)
    assert f"#{row.id} (v{row.version + 1})" in screen.details.toPlainText()
    assert screen.approve_button.isEnabled()
    with qtbot.waitSignal(screen.decided):
        key(screen.table, Qt.Key.Key_Return, CTRL)
    assert stored(database, row.id).status == "approved"


def test_the_table_model_and_its_filter_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, database: Database, runner: TaskRunner
) -> None:
    """LeaveTableModel and LeaveFilter keep Qt's model contract, through merges and filters."""
    screen = loaded_screen(qtbot, database, runner)
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    qtmodeltester.check(screen.filter)  # type: ignore[attr-defined]
    rows = screen.model.rows()
    screen.model.merge(rows[:3], [r.id for r in rows[:5]])
    screen.filter.set_status("submitted")
    screen.filter.set_dates(date(2026, 3, 1), None)
    assert screen.model.rowCount() == len(rows) - 2
    assert screen.filter.rowCount(QModelIndex()) > 0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_a_parent_cancelling_during_a_real_sync_turns_the_decision_into_a_conflict(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    """Against the real reference server: the teacher approves offline while the parent cancels
    on the server; after the sync the selected row is cancelled in place, still selected, and
    the detail pane shows the conflict in the server's words."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))

    def sync() -> Changes:
        summary = sync_once(database, harness.transport(url, token), class_id=1)
        return Changes.of(summary.describe())

    synced: list[str] = []
    runner.run_network(sync, lambda changes: synced.append(changes.summary), pytest.fail)
    qtbot.waitUntil(lambda: bool(synced))
    screen = loaded_screen(qtbot, database, runner)
    row = plain_pending(screen)[0]
    go_to(screen, row.id)
    with qtbot.waitSignal(screen.decided):
        key(screen.table, Qt.Key.Key_Return, CTRL)
    with store.write() as session:
        leave.cancel(session, load_scope_by_id(session, 1), request_id=row.id, actor="Phụ huynh")

    runner.run_network(sync, lambda changes: synced.append(changes.summary), pytest.fail)
    qtbot.waitUntil(lambda: len(synced) == 2)
    assert stored(database, row.id).status == "cancelled" and outbox(database) == []
    # What the sync announces once it reports its Changes (until then the test says it).
    runner.announce(Changes.of(synced[-1], leave_request=[row.id]))
    qtbot.waitUntil(lambda: row_of(screen, row.id).status == "cancelled")
    assert screen.selected() == row_of(screen, row.id)
    text = screen.details.toPlainText()
    assert "Quyết định của thầy/cô về đơn này đã thành xung đột:" in text
    assert f"Phụ huynh đã hủy đơn #{row.id} lúc " in text
    assert not screen.approve_button.isEnabled()


def test_open_with_before_the_first_load_applies_once_loaded(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A link followed while the list is still loading (the overview at start-up) is not lost:
    the state, the student and the selected request apply when the rows arrive."""
    with workspace.work(database, None, write=False) as unit:
        rows = leave.list_requests(unit.session, unit.scope, today=unit.today)
    target = next(r for r in rows if r.status == "submitted")
    screen = LeaveScreen(database, runner)
    qtbot.addWidget(screen)
    screen.open_with(
        {"status": "submitted", "student_id": target.student_id, "request_id": target.id}
    )
    screen.reload()
    qtbot.waitUntil(lambda: screen.selected() == target)
    assert {(r.status, r.student_id) for r in visible(screen)} == {("submitted", target.student_id)}
    assert screen.student.currentText() == target.student_name


def test_an_overlaps_tooltip_follows_the_other_request(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The flags' tooltip names the other request's period as it is now: moved, then gone."""
    screen = loaded_screen(qtbot, database, runner)
    row = next(r for r in visible(screen) if r.overlaps_with)
    other = row_of(screen, row.overlaps_with[0])

    def tooltip() -> str:
        number = screen.model.rows().index(row_of(screen, row.id))
        return str(screen.model.index(number, Column.FLAGS).data(Qt.ItemDataRole.ToolTipRole))

    moved = replace(other, first_day=date(2026, 1, 5), last_day=date(2026, 1, 6))
    screen.model.merge([moved], ())
    assert f"Trùng với đơn #{other.id} (05/01 – 06/01)" in tooltip()
    screen.model.merge((), {other.id})
    assert f"Trùng với đơn #{other.id}" in tooltip() and "05/01" not in tooltip()


def test_rows_shown_before_are_let_go(qtbot: QtBot, database: Database, runner: TaskRunner) -> None:
    """Loading the rows again and again keeps one load's cells alive on the Python side (PySide
    keeps the Python side of an item Qt deletes itself: see the grade grid's test)."""
    screen = loaded_screen(qtbot, database, runner)
    rows = screen.model.rows()

    def cells() -> int:
        return sum(isinstance(w, QStandardItem) for w in Shiboken.getAllValidWrappers())

    before = cells()
    for _ in range(3):
        screen.model.set_rows(rows)
        screen.model.merge([rows[0]], ())
    assert cells() - before < len(rows) * len(Column)
