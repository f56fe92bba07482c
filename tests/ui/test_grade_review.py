"""The grade review screen on the demo class: each subject's completeness and review state,
a review with missing entries confirmed first, a send-back that reaches the reference server
through a sync, and the post-audit of grade changes (checked, queried, or waiting for sync)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from desktop.models import GradeChange, GradeEntry, OutboxIntent, Subject, SubjectTerm
from desktop.models.db import Database
from desktop.services import intents
from desktop.services.scope import load_scope
from desktop.sync import state
from desktop.ui.grade_review.model import ChangeColumn, SubjectColumn
from desktop.ui.grade_review.screen import GradeReviewScreen
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Navigator
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def type_text(widget: QWidget, text: str) -> None:
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shown(qtbot: QtBot, database: Database, runner: TaskRunner) -> GradeReviewScreen:
    screen = GradeReviewScreen(database, runner, Navigator())
    qtbot.addWidget(screen)
    screen.resize(1366, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.subjects_filter.rowCount() > 0)
    return screen


def choose(qtbot: QtBot, table: QTableView, wanted: Callable[[Any], bool], row_at: Any) -> Any:
    """Down the table by keyboard to the first row ``wanted`` accepts."""
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    for _page in range(3):
        qtbot.keyClick(table, Qt.Key.Key_PageUp)  # to the first row, selected
    if not table.selectionModel().selectedRows():
        qtbot.keyClick(table, Qt.Key.Key_Space)  # it was current already, not selected
    for _step in range(table.model().rowCount()):
        current = table.selectionModel().selectedRows()
        if current and wanted(row_at(current[0].row())):
            return row_at(current[0].row())
        qtbot.keyClick(table, Qt.Key.Key_Down)
    raise AssertionError("no row as wanted")


def outbox(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.reading() as session:
        return [
            (i.name, json.loads(i.args))
            for i in session.scalars(select(OutboxIntent).order_by(OutboxIntent.seq))
        ]


def reopen_changes(database: Database, count: int) -> list[int]:
    """Some of the demo's checked changes back to "not checked yet", as when subject teachers'
    changes arrive from the server."""
    with database.transaction() as session:
        ids = list(session.scalars(select(GradeChange.id).order_by(GradeChange.id).limit(count)))
        session.execute(
            update(GradeChange).where(GradeChange.id.in_(ids)).values(review_state="pending")
        )
    return ids


def test_the_models_hold_the_qt_contract(
    qtbot: QtBot, database: Database, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    """Subjects, semester filter, changes and open-changes filter pass Qt's model tester."""
    reopen_changes(database, 2)
    screen = shown(qtbot, database, runner)
    qtbot.waitUntil(lambda: screen.changes_filter.rowCount() == 2)
    qtmodeltester.check(screen.subjects_model)
    qtmodeltester.check(screen.subjects_filter)
    qtmodeltester.check(screen.changes_model)
    qtmodeltester.check(screen.changes_filter)


def test_each_subject_shows_its_completeness_teacher_and_state(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The demo's day is in semester II: its twelve subjects, Toán first with 121 of 246
    entered, 125 missing, its teacher and "waiting for review"; the other semester on demand."""
    screen = shown(qtbot, database, runner)
    rows = [screen.subjects_filter.row_at(n) for n in range(screen.subjects_filter.rowCount())]
    assert len(rows) == 12 and {row.semester for row in rows} == {2}
    cells = [screen.subjects_filter.index(0, column).data() for column in SubjectColumn]
    assert cells == ["Toán", "II", "Mai Thị Tuyết", "121/246", "125", "–", "Chờ kiểm tra"]
    waiting = sum(1 for row in rows if row.review_state != "reviewed")
    assert screen.summary.text() == f"{waiting}/12 môn chưa kiểm tra · 0 lần sửa điểm chờ hậu kiểm"
    screen.semester.setCurrentIndex(0)
    first = screen.subjects_filter.row_at(0)
    assert (first.subject_code, first.semester, first.late) == ("TOAN", 1, 43)
    screen.semester.setCurrentIndex(2)
    assert screen.subjects_filter.rowCount() == 24


def test_marking_reviewed_with_missing_entries_asks_first(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ctrl+R on Toán II (125 missing): a warning naming them; Escape queues nothing; the
    confirmation queues the intent and only Toán's row is redrawn, still selected."""
    screen = shown(qtbot, database, runner)
    toan = choose(
        qtbot, screen.subjects, lambda r: r.subject_code == "TOAN", screen.subjects_filter.row_at
    )
    qtbot.keyClick(screen.subjects, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: screen.confirmation is not None and screen.confirmation.isVisible())
    box = screen.confirmation
    assert box is not None
    assert box.text() == "Xác nhận đã kiểm tra môn Toán, học kì 2, dù còn thiếu điểm?"
    first = toan.missing_students[0]
    assert box.informativeText().startswith(
        "Toán, học kì 2: còn thiếu 125/246 đầu điểm của 41 học sinh: "
        f"{first.student_name} ({', '.join(first.columns)})"
    )
    assert box.informativeText().endswith("; và 36 học sinh khác.")
    assert len(box.detailedText().splitlines()) == 41
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.confirmation is None)
    assert outbox(database) == []
    assert screen.selected_subject().review_state == "pending"  # type: ignore[union-attr]

    screen.activateWindow()  # the offscreen platform leaves no window active after the box
    qtbot.waitUntil(screen.isActiveWindow)
    qtbot.keyClick(screen.subjects, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: screen.confirmation is not None and screen.confirmation.isVisible())
    box = screen.confirmation
    assert box is not None
    confirm = next(
        b for b in box.findChildren(QPushButton) if b.text() == "Vẫn xác nhận đã kiểm tra"
    )
    with qtbot.assertNotEmitted(screen.subjects_model.modelReset, wait=0):
        with qtbot.waitSignal(runner.operation_did_execute):
            confirm.click()
        qtbot.waitUntil(lambda: screen.selected_subject().review_state == "reviewed")  # type: ignore[union-attr]
    assert outbox(database) == [
        ("review_subject", {"subject_code": "TOAN", "semester": 2, "send_back": False, "note": ""})
    ]
    assert screen.selected_subject().subject_code == "TOAN"  # type: ignore[union-attr]
    assert screen.subjects_filter.index(0, SubjectColumn.STATE).data() == "Đã kiểm tra"
    assert "sẽ nhận được ở lần đồng bộ tới" in screen.message.text()
    assert not screen.review_button.isEnabled()


def test_a_complete_subject_is_marked_without_a_question(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Semester I of Vật lí is complete (and was reviewed): sending it back needs no question,
    marking it again needs none either."""
    screen = shown(qtbot, database, runner)
    screen.semester.setCurrentIndex(0)
    choose(qtbot, screen.subjects, lambda r: r.subject_code == "LY", screen.subjects_filter.row_at)
    screen.review_note.setFocus()
    type_text(screen.review_note, "Kiểm tra lại điểm TX3")
    with qtbot.waitSignal(runner.operation_did_execute):
        qtbot.keyClick(screen.review_note, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(lambda: screen.selected_subject().review_state == "returned")  # type: ignore[union-attr]
    with qtbot.waitSignal(runner.operation_did_execute):
        qtbot.keyClick(screen.subjects, Qt.Key.Key_R, CTRL)
    assert screen.confirmation is None
    qtbot.waitUntil(lambda: screen.selected_subject().review_state == "reviewed")  # type: ignore[union-attr]
    assert [args["send_back"] for _name, args in outbox(database)] == [True, False]


def test_checking_and_querying_grade_changes(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Two changes to check: Ctrl+K marks the first checked (it leaves the open list); Ctrl+Shift+K
    without a question says what is missing, with one queues the query; both are intents."""
    first_id, second_id = reopen_changes(database, 2)
    screen = shown(qtbot, database, runner)
    qtbot.waitUntil(lambda: screen.changes_filter.rowCount() == 2)
    row = screen.changes_filter.row_at(0)
    assert screen.changes_filter.index(0, ChangeColumn.VALUES).data() == (
        f"{row.shown_old} → {row.shown_new}"
    )
    assert "." not in screen.changes_filter.index(0, ChangeColumn.VALUES).data()
    assert screen.changes_filter.index(0, ChangeColumn.STATE).data() == "Chưa kiểm tra"

    choose(qtbot, screen.changes, lambda r: r.id == first_id, screen.changes_filter.row_at)
    with qtbot.waitSignal(runner.operation_did_execute):
        qtbot.keyClick(screen.changes, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: screen.changes_filter.rowCount() == 1)
    assert "Đã kiểm tra" in screen.message.text()

    choose(qtbot, screen.changes, lambda r: r.id == second_id, screen.changes_filter.row_at)
    qtbot.keyClick(screen.changes, Qt.Key.Key_K, CTRL_SHIFT)
    # A button's shortcut clicks it after its short press animation.
    qtbot.waitUntil(lambda: screen.message.property("error") is True)
    assert screen.message.text() == "Hãy ghi câu hỏi gửi giáo viên đã sửa điểm."
    assert screen.query_note.hasFocus()
    type_text(screen.query_note, "Thầy/cô gửi lại bài kiểm tra gốc giúp em")
    with qtbot.waitSignal(runner.operation_did_execute):
        qtbot.keyClick(screen.query_note, Qt.Key.Key_K, CTRL_SHIFT)
    qtbot.waitUntil(lambda: screen.selected_change().review_state == "queried")  # type: ignore[union-attr]
    assert screen.selected_change().id == second_id  # type: ignore[union-attr]
    assert screen.changes_filter.index(0, ChangeColumn.STATE).data() == "Đã yêu cầu giải trình"
    assert outbox(database) == [
        ("check_grade_change", {"change_id": first_id, "query_note": None}),
        (
            "check_grade_change",
            {"change_id": second_id, "query_note": "Thầy/cô gửi lại bài kiểm tra gốc giúp em"},
        ),
    ]


def test_a_change_not_synced_yet_waits_for_sync(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The homeroom teacher's own change to a locked score: shown waiting for sync, in
    italics, without the check actions, and the screen says why."""
    with database.transaction() as session:
        scope = load_scope(session)
        van = session.scalars(select(Subject).where(Subject.code == "VAN")).one()
        entry = next(e for e in van_entries(session, van.id))
        intents.perform(
            session,
            scope,
            "set_grade",
            {
                "student_id": entry.student_id,
                "subject_code": "VAN",
                "semester": 1,
                "kind": "CK",
                "slot": 1,
                "value": "3" if entry.score != 3 else "4",
                "reason": "Chấm phúc khảo",
                "base_version": entry.version,
            },
            actor=scope.teacher_name,
        )
    screen = shown(qtbot, database, runner)
    qtbot.waitUntil(lambda: screen.changes_filter.rowCount() == 1)
    assert screen.changes_filter.index(0, ChangeColumn.STATE).data() == "Chờ đồng bộ"
    choose(qtbot, screen.changes, lambda r: r.waiting_for_sync, screen.changes_filter.row_at)
    assert not screen.check_button.isEnabled() and not screen.query_button.isEnabled()
    assert "sau lần đồng bộ tới" in screen.message.text()


def van_entries(session: Any, subject_id: int) -> Iterator[GradeEntry]:
    yield from session.scalars(
        select(GradeEntry).where(
            GradeEntry.subject_id == subject_id, GradeEntry.semester == 1, GradeEntry.kind == "CK"
        )
    )


# --------------------------------------------------------------------------- with the server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_a_send_back_needs_a_note_and_reaches_the_server_through_a_sync(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    """In the window (Ctrl+7): Ctrl+B without a note queues nothing and says so; with a note it
    is queued, and the sync sends it: the server's term of Toán is sent back with the note,
    which the maths teacher reads through the subject teachers' API."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
        scope = load_scope(session)
    window = MainWindow(
        database,
        scope,
        runner,
        SyncController(database, runner, lambda address, _user: harness.transport(address, token)),
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    with qtbot.waitSignal(window.sync.synced):
        window.sync_action.trigger()
    qtbot.keyClick(window, Qt.Key.Key_7, CTRL)
    screen = window.grade_review
    assert window.stack.currentWidget() is screen
    qtbot.waitUntil(lambda: screen.subjects_filter.rowCount() == 12)
    row = choose(
        qtbot,
        screen.subjects,
        lambda r: r.subject_code == "TOAN",
        screen.subjects_filter.row_at,
    )

    qtbot.keyClick(screen.subjects, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(lambda: screen.message.property("error") is True)
    assert screen.message.text() == "Hãy ghi nội dung giáo viên bộ môn cần sửa trước khi trả lại."
    assert screen.review_note.hasFocus()
    assert outbox(database) == []

    note = "Còn thiếu điểm TX4, GK và CK của nhiều học sinh; thầy/cô nhập bổ sung giúp em"
    type_text(screen.review_note, note)
    with qtbot.waitSignal(runner.operation_did_execute):
        qtbot.keyClick(screen.review_note, Qt.Key.Key_B, CTRL)
    qtbot.waitUntil(lambda: screen.selected_subject().review_state == "returned")  # type: ignore[union-attr]
    assert outbox(database) == [
        (
            "review_subject",
            {"subject_code": row.subject_code, "semester": 2, "send_back": True, "note": note},
        )
    ]
    assert screen.review_note.text() == ""

    with qtbot.waitSignal(window.sync.synced) as synced:
        window.sync_action.trigger()
    assert "gửi 1 thay đổi" in synced.args[0]
    assert outbox(database) == []
    with store.read() as session:
        term = session.get_one(SubjectTerm, (row.subject_id, 2))
        assert (term.review_state, term.review_note) == ("returned", note)
        assert term.reviewed_by != ""
    # The maths teacher reads it from the server.
    answer = httpx.get(
        f"{url}/api/v1/subject/classes/1/subjects/TOAN/review",
        headers={"Authorization": f"Bearer {harness.issue_token(store, 'gv-toan')}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    returned = {r["semester"]: r for r in answer.json()}[2]
    assert (returned["review_state"], returned["review_note"]) == ("returned", note)
    qtbot.waitUntil(lambda: screen.selected_subject() is not None)
    assert screen.selected_subject().subject_code == row.subject_code  # type: ignore[union-attr]
    assert screen.selected_subject().review_note == note  # type: ignore[union-attr]
