"""The results screen by keyboard: the demo class's semester results in the Vietnamese form, a
class of five worked out by hand (tests/promotion_class.py) for the year's promotion list, the
conduct proposed and recorded as intents, a refresh that keeps the selection, and a conduct
reaching the real reference server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.domain.names import sort_text
from desktop.models import ConductRating, OutboxIntent
from desktop.models.db import Database, open_database
from desktop.services import grades, workspace
from desktop.services.changes import Changes
from desktop.services.scope import load_scope
from desktop.sync import state
from desktop.ui import navigation
from desktop.ui.main_window import MainWindow
from desktop.ui.summary.model import ACADEMIC, AWARD, CONDUCT, PROMOTION, SUBJECT
from desktop.ui.summary.screen import SummaryScreen
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.promotion_class import PromotionClass, build_promotion_class
from tests.sync_faults import harness


@pytest.fixture
def hand_worked(tmp_path: Path) -> Iterator[tuple[Database, PromotionClass]]:
    database = open_database(tmp_path / "hand" / "homeroom.sqlite3")
    with database.transaction() as session:
        made = build_promotion_class(session)
    yield database, made
    database.close()


def shown(qtbot: QtBot, database: Database, runner: TaskRunner, term: str) -> SummaryScreen:
    screen = SummaryScreen(database, runner)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0 and not runner.busy)
    screen.open_with({"term": term})
    qtbot.waitUntil(lambda: screen.model.term == term and not runner.busy)
    return screen


def cell(screen: SummaryScreen, name: str, kind: str) -> QModelIndex:
    model = screen.model
    number = next(
        n for n in range(model.rowCount()) if model.row_at(n).report.student_name.endswith(name)
    )
    return model.index(number, model.column_of(kind))


def go_to(qtbot: QtBot, screen: SummaryScreen, target: QModelIndex) -> None:
    """From the first cell, down and right with the arrow keys."""
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _step in range(target.row()):
        qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    for _step in range(target.column()):
        qtbot.keyClick(screen.table, Qt.Key.Key_Right)
    assert screen.table.currentIndex() == target


def queued(database: Database) -> list[dict[str, Any]]:
    with database.reading() as session:
        return [
            json.loads(row.args)
            for row in session.scalars(
                select(OutboxIntent)
                .where(OutboxIntent.name == "set_conduct")
                .order_by(OutboxIntent.created_at)
            )
        ]


def promotion_list(screen: SummaryScreen) -> dict[str, list[tuple[str, str]]]:
    model = screen.promotion_model
    found = {}
    for number in range(model.rowCount()):
        group = model.index(number, 0)
        found[group.data()] = [
            (model.index(child, 0, group).data(), model.index(child, 1, group).data())
            for child in range(model.rowCount(group))
        ]
    return found


def test_the_models_hold_the_qt_contract(
    qtbot: QtBot, database: Database, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    """The results table (semester and year) and the promotion tree pass Qt's model tester."""
    screen = shown(qtbot, database, runner, "1")
    qtmodeltester.check(screen.model)
    screen.open_with({"term": "year"})
    qtbot.waitUntil(lambda: screen.model.term == "year" and not runner.busy)
    assert screen.promotion_model.rowCount() > 0
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.promotion_model)


def test_the_demo_semester_reads_in_vietnamese_name_order_with_decimal_commas(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Semester I of 11A1: names sorted by given name, averages "6,5", comment subjects Đ/CĐ,
    levels in Vietnamese; no promotion list for a semester."""
    screen = shown(qtbot, database, runner, "1")
    model = screen.model
    names = [model.row_at(n).report.student_name for n in range(model.rowCount())]
    assert names == sorted(names, key=sort_text)
    texts = {
        model.index(n, c).data()
        for n in range(model.rowCount())
        for c in range(model.columnCount())
        if model.kind_of(c) == SUBJECT
    }
    assert any("," in text for text in texts)
    assert not any("." in text for text in texts)
    assert "Đ" in texts
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Toán"
    assert {model.index(n, model.column_of(CONDUCT)).data() for n in range(3)} <= {
        "Tốt",
        "Khá",
        "Đạt",
        "Chưa đạt",
    }
    assert screen.promotion_box.isHidden()


def test_a_semester_under_way_says_what_its_dashes_mean(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """On the demo's day (16/03/2026) semester II is under way and its results are dashes: a
    line under the table says why; semester I, complete, has no such line."""
    screen = shown(qtbot, database, runner, "2")
    assert all(
        screen.model.index(n, screen.model.column_of(ACADEMIC)).data() == "–"
        for n in range(screen.model.rowCount())
    )
    assert screen.legend.isVisible()
    assert screen.legend.text().startswith("–: chưa tính được, còn thiếu điểm")
    screen.open_with({"term": "1"})
    qtbot.waitUntil(lambda: screen.model.term == "1" and not runner.busy)
    assert screen.legend.isHidden()


def test_the_year_promotion_list_is_the_hand_worked_one(
    qtbot: QtBot, hand_worked: tuple[Database, PromotionClass], runner: TaskRunner
) -> None:
    """An and Em promoted (45 sessions is within the limit), Bình re-assessed in Toán (3,4) and
    Tiếng Anh (4,9), Đức to summer conduct training, Châu kept back for 46 sessions; An is
    Học sinh Xuất sắc."""
    database, _made = hand_worked
    screen = shown(qtbot, database, runner, "year")
    assert promotion_list(screen) == {
        "Được lên lớp: 2": [("Nguyễn Văn An", ""), ("Võ Văn Em", "")],
        "Kiểm tra, đánh giá lại trong hè: 1": [
            ("Lê Thị Bình", "Kết quả học tập cả năm: Chưa đạt; Toán 3,4 < 5,0; Tiếng Anh 4,9 < 5,0")
        ],
        "Rèn luyện trong kì nghỉ hè: 1": [("Phạm Minh Đức", "Kết quả rèn luyện cả năm: Chưa đạt")],
        "Ở lại lớp do nghỉ quá số buổi: 1": [
            ("Trần Thị Châu", "Nghỉ 46 buổi, quá giới hạn 45 buổi")
        ],
    }
    assert screen.promotion_title.text() == "<b>Danh sách xét lên lớp</b> — 5 học sinh"
    assert not screen.promotion_box.isHidden()
    assert cell(screen, "An", AWARD).data() == "Học sinh Xuất sắc"
    assert cell(screen, "Châu", PROMOTION).data() == "Ở lại lớp do nghỉ quá số buổi"
    assert cell(screen, "Bình", PROMOTION).data(Qt.ItemDataRole.ToolTipRole).splitlines() == [
        "Kết quả học tập cả năm: Chưa đạt.",
        "Toán 3,4 < 5,0",
        "Tiếng Anh 4,9 < 5,0",
    ]
    toan = screen.model.index(cell(screen, "Bình", CONDUCT).row(), 1)
    assert toan.data() == "3,4"
    assert toan.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"


def test_the_proposed_year_conduct_is_shown_and_can_be_taken(
    qtbot: QtBot, hand_worked: tuple[Database, PromotionClass], runner: TaskRunner
) -> None:
    """Unset year conduct shows the level derived from the semesters as proposed (cell, tooltip,
    editor); Ctrl+Shift+P records the proposal of the selected students as intents."""
    database, made = hand_worked
    screen = shown(qtbot, database, runner, "year")
    duc = cell(screen, "Đức", CONDUCT)
    assert duc.data() == "Chưa đạt (đề xuất)"
    assert duc.data(Qt.ItemDataRole.ToolTipRole).splitlines()[0] == (
        "Đề xuất từ học kì I (Đạt) và học kì II (Chưa đạt): Chưa đạt."
    )
    go_to(qtbot, screen, duc)
    qtbot.keyClick(screen.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    assert editor.currentText() == "Chưa đạt (đề xuất)"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert queued(database) == []

    # An and Bình: Shift+Up from Bình's conduct selects both.
    go_to(qtbot, screen, cell(screen, "Bình", CONDUCT))
    qtbot.keyClick(screen.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert screen.selected_students() == [made.ids["An"], made.ids["Bình"]]
    assert screen.propose_button.isEnabled()
    qtbot.keyClick(
        screen.table,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: len(queued(database)) == 2)
    assert queued(database) == [
        {"student_id": made.ids["An"], "term": 0, "level": "Tốt"},
        {"student_id": made.ids["Bình"], "term": 0, "level": "Khá"},
    ]
    qtbot.waitUntil(lambda: cell(screen, "An", CONDUCT).data() == "Tốt")
    assert cell(screen, "Bình", CONDUCT).data() == "Khá"
    assert screen.message.text() == "Đã ghi kết quả rèn luyện cho 2 học sinh."
    assert not screen.propose_button.isEnabled()  # both now hold their proposal


def test_a_year_conduct_chosen_by_keyboard_is_an_intent_and_moves_the_list(
    qtbot: QtBot, hand_worked: tuple[Database, PromotionClass], runner: TaskRunner
) -> None:
    """Đức's year conduct raised to Đạt with F2, Up, Enter: one set_conduct intent, Đức moves to
    the promoted group, and his conduct cell stays the current one."""
    database, made = hand_worked
    screen = shown(qtbot, database, runner, "year")
    duc = cell(screen, "Đức", CONDUCT)
    go_to(qtbot, screen, duc)
    qtbot.keyClick(screen.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    qtbot.keyClick(editor, Qt.Key.Key_Up)  # Chưa đạt → Đạt
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(queued(database)) == 1)
    assert queued(database) == [{"student_id": made.ids["Đức"], "term": 0, "level": "Đạt"}]
    qtbot.waitUntil(lambda: "Được lên lớp: 3" in promotion_list(screen))
    assert [name for name, _why in promotion_list(screen)["Được lên lớp: 3"]] == [
        "Nguyễn Văn An",
        "Phạm Minh Đức",
        "Võ Văn Em",
    ]
    assert "Rèn luyện trong kì nghỉ hè: 1" not in promotion_list(screen)
    assert cell(screen, "Đức", CONDUCT).data() == "Đạt"
    assert screen.table.currentIndex() == cell(screen, "Đức", CONDUCT)
    assert screen.message.text() == "Đã ghi rèn luyện của HS003: Đạt."


def test_a_semester_conduct_typed_on_the_demo_is_queued(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """On the demo, semester I: typing a level's first letter on a conduct cell opens the
    choice on that level, Enter records it as a set_conduct intent for term 1."""
    screen = shown(qtbot, database, runner, "1")
    target = screen.model.index(2, screen.model.column_of(CONDUCT))
    row = screen.model.row_at(2)
    assert row.conduct_recorded in ("Tốt", "Khá", "Đạt", "Chưa đạt")
    letter, chosen = ("k", "Khá") if row.conduct_recorded != "Khá" else ("t", "Tốt")
    go_to(qtbot, screen, target)
    qtbot.keyClick(screen.table, letter)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    assert editor.currentData() == chosen
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(queued(database)) == 1)
    assert queued(database) == [{"student_id": row.student_id, "term": 1, "level": chosen}]
    qtbot.waitUntil(lambda: not runner.busy)
    assert screen.model.row_at(2).conduct_recorded == chosen
    assert target.data() == chosen


def test_a_grade_changed_elsewhere_refreshes_the_average_and_keeps_the_selection(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A grade committed by another part of the window (operation_did_execute) is read again:
    the student's Toán average changes in place and the selected cell stays selected."""
    screen = shown(qtbot, database, runner, "1")
    row = screen.model.row_at(4)
    target = screen.model.index(4, 1)
    go_to(qtbot, screen, target)
    before = target.data()

    def change() -> Changes:
        with workspace.work(database, None) as unit:
            return grades.set_grade(
                unit.session,
                unit.scope,
                student_ref=str(row.student_id),
                subject_code="TOAN",
                semester=1,
                kind="CK",
                slot=1,
                value="0" if before != "0,0" else "10",
                reason="Sửa theo bài thi",
                actor=unit.actor,
                today=unit.today,
            )

    runner.run_change(change, lambda _c: None, lambda error: pytest.fail(error.message))
    qtbot.waitUntil(lambda: screen.model.index(4, 1).data() != before)
    assert screen.table.currentIndex() == screen.model.index(4, 1)
    assert screen.table.selectionModel().isSelected(screen.model.index(4, 1))
    assert screen.model.row_at(4).student_id == row.student_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_a_conduct_rated_in_the_window_reaches_the_server(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    """Ctrl+8 opens the results; a semester I conduct typed there is queued, and the next sync
    records it on the reference server."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
        scope = load_scope(session)
    sync = SyncController(database, runner, lambda address, _u: harness.transport(address, token))
    window = MainWindow(database, scope, runner, sync)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.sync.synced):
        window.sync_action.trigger()
    qtbot.keyClick(window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == navigation.SUMMARY
    screen = window.summary
    screen.open_with({"term": "1"})
    qtbot.waitUntil(lambda: screen.model.term == "1" and not runner.busy)
    row = screen.model.row_at(0)
    letter, chosen = ("k", "Khá") if row.conduct_recorded != "Khá" else ("t", "Tốt")
    go_to(qtbot, screen, screen.model.index(0, screen.model.column_of(CONDUCT)))
    qtbot.keyClick(screen.table, letter)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Chờ gửi: 1" in window.sync_line.text())

    with qtbot.waitSignal(window.sync.synced) as synced:
        window.sync_action.trigger()
    assert "gửi 1 thay đổi" in synced.args[0]
    with store.read() as session:
        assert session.get_one(ConductRating, (row.student_id, 1)).level == chosen


def test_a_change_arriving_while_choosing_waits_until_the_choice_is_closed(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A grade committed elsewhere while the conduct choice is open leaves the choice open;
    once it is closed (Esc), the results are read again."""
    screen = shown(qtbot, database, runner, "1")
    row = screen.model.row_at(1)
    before = screen.model.index(1, 1).data()
    go_to(qtbot, screen, screen.model.index(1, screen.model.column_of(CONDUCT)))
    qtbot.keyClick(screen.table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)

    def change() -> Changes:
        with workspace.work(database, None) as unit:
            return grades.set_grade(
                unit.session,
                unit.scope,
                student_ref=str(row.student_id),
                subject_code="TOAN",
                semester=1,
                kind="CK",
                slot=1,
                value="0" if before != "0,0" else "10",
                reason="Sửa theo bài thi",
                actor=unit.actor,
                today=unit.today,
            )

    with qtbot.waitSignal(runner.operation_did_execute):
        runner.run_change(change, lambda _c: None, lambda error: pytest.fail(error.message))
    qtbot.waitUntil(lambda: not runner.busy)
    assert QApplication.focusWidget() is editor
    assert screen.model.index(1, 1).data() == before
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.model.index(1, 1).data() != before)
    assert queued(database) == []
