"""The post-audit screen on the demo class, by keyboard: the selected requests and why, a
discrepancy confirmed then shown as the marks it changed, the database after, the history."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import AttendanceMark, LeaveRequest, OutboxIntent
from desktop.models.db import Database
from desktop.services.changes import Changes
from desktop.ui import navigation
from desktop.ui.navigation import Navigator, Target
from desktop.ui.post_audit.screen import PostAuditScreen
from desktop.ui.tasks import TaskRunner


def type_text(widget: QWidget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shown(
    qtbot: QtBot, database: Database, runner: TaskRunner, navigator: Navigator | None = None
) -> PostAuditScreen:
    screen = PostAuditScreen(database, runner, navigator or Navigator())
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.reload()
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 0)
    return screen


def choose_one_with_excused_sessions(qtbot: QtBot, screen: PostAuditScreen) -> int:
    """Down the list by keyboard to the first awaiting request that excuses sessions now."""
    screen.table.setFocus()
    for _step in range(screen.filter.rowCount()):
        qtbot.keyClick(screen.table, Qt.Key.Key_Down)
        row = screen.selected()
        if row is not None and row.excused_sessions > 0:
            return row.request_id
    raise AssertionError("no selected request excuses a session")


def excused_marks(database: Database, request_id: int) -> list[tuple[str, str, str]]:
    with database.reading() as session:
        return [
            (mark.day.strftime("%d/%m/%Y"), mark.session, mark.status)
            for mark in session.scalars(
                select(AttendanceMark)
                .where(AttendanceMark.leave_request_id == request_id)
                .order_by(AttendanceMark.day, AttendanceMark.session.desc())
            )
        ]


def test_the_models_hold_the_qt_contract(
    qtbot: QtBot, database: Database, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    """Table, filter, history and changed-marks models pass Qt's model tester."""
    screen = shown(qtbot, database, runner)
    qtbot.waitUntil(lambda: screen.history_model.rowCount() > 0)
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.filter)
    qtmodeltester.check(screen.history_model)
    qtmodeltester.check(screen.marks_model)


def test_each_selected_request_says_why_it_was_selected(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Only requests awaiting the check by default, each with its reasons in Vietnamese."""
    screen = shown(qtbot, database, runner)
    rows = [screen.filter.row_at(n) for n in range(screen.filter.rowCount())]
    assert {row.audit_status for row in rows} == {"selected"}
    labels = {label for row in rows for label in row.reason_labels}
    assert labels <= {
        "Chọn ngẫu nhiên",
        "Trường hợp đặc biệt",
        "Gửi muộn sau khi đã nghỉ",
        "Học sinh xin nghỉ nhiều lần",
    }
    assert labels
    assert screen.filter.index(0, 4).data() == ", ".join(rows[0].reason_labels)


def test_a_discrepancy_is_confirmed_then_shows_the_marks_it_turned_unexcused(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Confirm → the intent is queued, the excused marks are unexcused, and each is shown."""
    screen = shown(qtbot, database, runner)
    request_id = choose_one_with_excused_sessions(qtbot, screen)
    row = screen.selected()
    assert row is not None
    before = excused_marks(database, request_id)
    assert {status for _d, _s, status in before} == {"excused"}

    screen.method.setFocus()
    qtbot.keyClick(screen.method, Qt.Key.Key_Down)  # phone → meeting
    screen.outcome.setFocus()
    qtbot.keyClick(screen.outcome, Qt.Key.Key_Down)  # confirmed → discrepancy
    screen.note.setFocus()
    type_text(screen.note, "Phụ huynh xác nhận con đi chơi")
    qtbot.keyClick(screen.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.confirmation is not None and screen.confirmation.isVisible())
    box = screen.confirmation
    assert box is not None
    assert box.text() == (
        f"Ghi nhận sai lệch cho đơn #{request_id} của học sinh {row.student_name}?"
    )
    assert box.informativeText().startswith(
        f"{len(before)} buổi nghỉ có phép của đơn này sẽ chuyển thành nghỉ không phép."
    )
    qtbot.keyClick(box, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: screen.marks_model.rowCount() == len(before))
    words = {"morning": "sáng", "afternoon": "chiều"}
    assert screen.marks_model.lines() == [
        f"{row.student_name} · {day} {words[part]}: có phép → không phép"
        for day, part, _status in before
    ]
    assert screen.marks.isVisibleTo(screen)
    assert screen.selected() is not None and screen.selected().request_id == request_id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: screen.selected().audit_status == "discrepancy")  # type: ignore[union-attr]
    assert "Có sai lệch" in screen.message.text()

    assert {status for _d, _s, status in excused_marks(database, request_id)} == {"unexcused"}
    with database.reading() as session:
        intents = session.scalars(select(OutboxIntent)).all()
        request = session.get_one(LeaveRequest, request_id)
        audit = request.audits[-1]
        assert request.audit_status == "discrepancy"
        assert (audit.method, audit.outcome) == ("meeting", "discrepancy")
        assert audit.note == "Phụ huynh xác nhận con đi chơi"
    assert [(i.name, json.loads(i.args)) for i in intents] == [
        (
            "record_audit",
            {
                "request_id": request_id,
                "method": "meeting",
                "outcome": "discrepancy",
                "note": "Phụ huynh xác nhận con đi chơi",
            },
        )
    ]

    screen.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: screen.history_model.row_at(0).request_id == request_id)
    newest = screen.history_model
    assert newest.index(0, 3).data() == "Đã hậu kiểm (gặp trực tiếp): có sai lệch"
    assert newest.index(0, 4).data() == request.audits[-1].auditor != ""


def test_going_back_from_the_confirmation_records_nothing(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Escape on the confirmation: no intent, the marks stay excused, the form stays open."""
    screen = shown(qtbot, database, runner)
    request_id = choose_one_with_excused_sessions(qtbot, screen)
    before = excused_marks(database, request_id)
    screen.outcome.setFocus()
    qtbot.keyClick(screen.outcome, Qt.Key.Key_Down)
    qtbot.keyClick(screen.outcome, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.confirmation is not None and screen.confirmation.isVisible())
    box = screen.confirmation
    assert box is not None
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.confirmation is None)
    runner.wait()
    assert excused_marks(database, request_id) == before
    with database.reading() as session:
        assert session.scalars(select(OutboxIntent)).all() == []
    assert screen.record_button.isEnabled()


def test_a_link_opens_a_checked_request_and_the_request_opens_on_the_leave_screen(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """``open_with(request_id)`` shows it even when filtered out; Ctrl+O asks for the leave
    screen on that request."""
    navigator = Navigator()
    screen = shown(qtbot, database, runner, navigator)
    checked = next(
        screen.model.row_at(n)
        for n in range(screen.model.rowCount())
        if screen.model.row_at(n).audit_status == "confirmed"
    )
    screen.open_with({"request_id": checked.request_id})
    assert screen.selected() == checked
    assert "Xác nhận đúng" in screen.details.toPlainText()
    assert not screen.record_button.isEnabled()
    with qtbot.waitSignal(navigator.open_requested) as asked:  # after the button's animation
        qtbot.keyClick(screen.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked.args == [Target(navigation.LEAVE, {"request_id": checked.request_id})]


def test_a_burst_of_changes_costs_one_or_two_reads(
    qtbot: QtBot, database: Database, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """4,000 announcements in a row (a large sync) do not queue 4,000 reads on the lane."""
    screen = shown(qtbot, database, runner)
    qtbot.waitUntil(lambda: not runner.busy)
    reads: list[None] = []
    read = runner.run_database

    def counted(*args: Any) -> None:
        reads.append(None)
        read(*args)

    monkeypatch.setattr(runner, "run_database", counted)
    for number in range(4000):
        runner.announce(Changes.of("", attendance_mark=[f"1:2026-03-0{number % 9 + 1}:morning"]))
    qtbot.waitUntil(lambda: not runner.busy)
    assert 1 <= len(reads) <= 2
    assert screen.filter.rowCount() > 0
