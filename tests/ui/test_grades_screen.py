"""The grade book screen on the demo class, driven by the keyboard: valid grades saved and the
cursor moving like a spreadsheet's, refused values named under the cell with nothing saved,
comment subjects, another teacher's subject read-only, a change after the lock asking for its
reason, a cell's history, and a grade changed on the server arriving in place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from shiboken6 import Shiboken
from sqlalchemy import func, select

from desktop.models import GradeChange, GradeEntry, OutboxIntent, Student, Subject
from desktop.models.db import Database
from desktop.services import intents
from desktop.services.scope import load_scope_by_id
from desktop.sync import state
from desktop.ui.grades.dialogs import HistoryDialog, ReasonDialog
from desktop.ui.grades.model import FIRST_GRADE, MISSING, NUMBER, READ_ONLY_TEXT, STUDENT
from desktop.ui.grades.screen import GradesScreen
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.sync_faults import harness

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier
VAN, TOAN, HDTN = "VAN", "TOAN", "HDTN"
"""The homeroom teacher of 11A1 teaches Ngữ văn and Hoạt động trải nghiệm; not Toán."""


# --------------------------------------------------------------------------------- helpers


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = NONE) -> None:
    QTest.keyClick(focus(), key, modifiers)


def type_text(text: str) -> None:
    """Typed key by key into whatever has the focus (``keyClicks`` aborts on non-ASCII)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, focus(), Qt.Key.Key_unknown, ch, NONE)


def subject_id(database: Database, code: str) -> int:
    with database.reading() as session:
        found = session.scalar(select(Subject.id).where(Subject.code == code))
    assert found is not None
    return found


def shown(qtbot: QtBot, database: Database, runner: TaskRunner) -> GradesScreen:
    """The screen on its first book (Ngữ văn, semester II on the demo's day), grid focused."""
    screen = GradesScreen(database, runner)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    with qtbot.waitSignal(screen.loaded):
        screen.reload()
    screen.table.setFocus()
    return screen


def open_book(qtbot: QtBot, screen: GradesScreen, code: str, semester: int) -> None:
    """Choose the subject and the semester with the keyboard (Alt+M "Môn", Alt+H "Học kì")."""
    book = screen.model.book
    assert book is not None
    wanted = next(n for n, s in enumerate(book.subjects) if s.code == code)
    press(Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert focus() is screen.subject
    step = Qt.Key.Key_Down if wanted > screen.subject.currentIndex() else Qt.Key.Key_Up
    while screen.subject.currentIndex() != wanted:
        with qtbot.waitSignal(screen.loaded):
            press(step)
    press(Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    assert focus() is screen.semester
    if screen.semester.currentData() != semester:
        with qtbot.waitSignal(screen.loaded):
            press(Qt.Key.Key_Down if semester == 2 else Qt.Key.Key_Up)
    qtbot.waitUntil(
        lambda: screen.model.book is not None and screen.model.book.semester == semester
    )
    screen.table.setFocus()


def go_to(screen: GradesScreen, row: int, column: int) -> None:
    """Move the grid's cursor with Ctrl+Home and the arrow keys."""
    screen.table.setFocus()
    press(Qt.Key.Key_Home, CTRL)
    for _ in range(row):
        press(Qt.Key.Key_Down)
    for _ in range(column):
        press(Qt.Key.Key_Right)
    assert (screen.table.currentIndex().row(), screen.table.currentIndex().column()) == (
        row,
        column,
    )


def column_of(screen: GradesScreen, label: str) -> int:
    book = screen.model.book
    assert book is not None
    return FIRST_GRADE + [c.label for c in book.columns].index(label)


def shown_value(screen: GradesScreen, row: int, column: int) -> str:
    return str(screen.model.index(row, column).data())


def stored(
    database: Database, student_id: int, code: str, semester: int, kind: str, slot: int
) -> str | None:
    with database.reading() as session:
        found = session.execute(
            select(GradeEntry.score, GradeEntry.comment)
            .join(Subject, Subject.id == GradeEntry.subject_id)
            .where(
                GradeEntry.student_id == student_id,
                Subject.code == code,
                GradeEntry.semester == semester,
                GradeEntry.kind == kind,
                GradeEntry.slot == slot,
            )
        ).first()
    if found is None:
        return None
    score, comment = found
    return str(score) if score is not None else comment


def queued(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def empty_cell(screen: GradesScreen, label: str) -> int:
    """The first row whose ``label`` cell is empty."""
    column = column_of(screen, label)
    return next(
        n
        for n in range(screen.model.rowCount())
        if screen.model.cell_at(screen.model.index(n, column)).missing
    )


def enter_value(qtbot: QtBot, screen: GradesScreen, text: str, key: Qt.Key) -> None:
    """Type ``text`` on the current cell and confirm with ``key``; wait until it is saved."""
    with qtbot.waitSignal(screen.saved):
        type_text(text)
        press(key)


# --------------------------------------------------------------------------------- tests


def test_the_model_holds_the_qt_contract(
    qtbot: QtBot, database: Database, runner: TaskRunner, qtmodeltester: ModelTester
) -> None:
    """The grade book model passes Qt's model tester, for a scored and a comment subject."""
    screen = shown(qtbot, database, runner)
    qtmodeltester.check(screen.model)
    open_book(qtbot, screen, HDTN, 1)
    qtmodeltester.check(screen.model)


def test_typed_grades_are_saved_and_enter_moves_down_tab_right(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Typing replaces a cell; Enter saves and moves down, Tab saves and moves right; each value
    is one queued intent, stored as typed ("7,5" is 7.5), shown with the decimal comma and
    counted in the side panel."""
    screen = shown(qtbot, database, runner)
    tx4 = column_of(screen, "TX4")
    row = empty_cell(screen, "TX4")
    go_to(screen, row, tx4)
    before = queued(database)
    first = screen.model.row_at(row).student_id
    second = screen.model.row_at(row + 1).student_id

    enter_value(qtbot, screen, "8", Qt.Key.Key_Return)
    assert (screen.table.currentIndex().row(), screen.table.currentIndex().column()) == (
        row + 1,
        tx4,
    )
    qtbot.waitUntil(lambda: shown_value(screen, row, tx4) == "8")
    enter_value(qtbot, screen, "7,5", Qt.Key.Key_Tab)
    assert (screen.table.currentIndex().row(), screen.table.currentIndex().column()) == (
        row + 1,
        tx4 + 1,
    )
    qtbot.waitUntil(lambda: shown_value(screen, row + 1, tx4) == "7,5")
    assert stored(database, first, VAN, 2, "TX", 4) == "8"
    assert stored(database, second, VAN, 2, "TX", 4) == "7.5"
    assert queued(database) == before + 2
    qtbot.waitUntil(lambda: "Đã nhập 123/246 điểm." in screen.summary.text())


def test_the_average_is_live(qtbot: QtBot, database: Database, runner: TaskRunner) -> None:
    """Filling a student's last missing cells shows the semester average at once, worked out
    as (ΣTX + 2·GK + 3·CK) / (nTX + 5) and rounded half up."""
    screen = shown(qtbot, database, runner)
    book = screen.model.book
    assert book is not None
    last = screen.model.columnCount() - 1
    row = 0
    values = [screen.model.row_at(row).cells[n].value for n in range(3)]
    assert values == ["6", "7,5", "7"]  # TX1..TX3 of the first student on the demo
    assert shown_value(screen, row, last) == ""
    go_to(screen, row, column_of(screen, "TX4"))
    for text in ("8", "7", "9"):
        enter_value(qtbot, screen, text, Qt.Key.Key_Tab)
    # (6 + 7.5 + 7 + 8 + 2·7 + 3·9) / (4 + 5) = 69.5 / 9 = 7.72… → 7.7
    qtbot.waitUntil(lambda: shown_value(screen, row, last) == "7,7")


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("11", "11 nằm ngoài thang điểm từ 0 đến 10."),
        ("-1", "“-1” không phải là điểm."),
        ("7.25", "7.25 có hơn một chữ số sau dấu thập phân"),
        ("abc", "“abc” không phải là điểm."),
    ],
)
def test_a_refused_value_is_named_under_the_cell_and_nothing_is_saved(
    qtbot: QtBot, database: Database, runner: TaskRunner, typed: str, sentence: str
) -> None:
    """11, -1, 7.25 and letters: the domain's sentence under the cell, the editor kept open
    with what was typed, nothing stored or queued; Escape then cancels."""
    screen = shown(qtbot, database, runner)
    row, tx4 = empty_cell(screen, "TX4"), column_of(screen, "TX4")
    go_to(screen, row, tx4)
    student = screen.model.row_at(row).student_id
    before = queued(database)
    type_text(typed)
    press(Qt.Key.Key_Return)
    message = screen.cell_message
    assert message.isVisible()
    assert sentence in message.text()
    editor = focus()
    assert isinstance(editor, QLineEdit) and editor.text() == typed
    assert (
        message.geometry().top() >= screen.table.visualRect(screen.model.index(row, tx4)).bottom()
    )
    press(Qt.Key.Key_Escape)
    assert not message.isVisible()
    assert focus() is screen.table
    assert screen.table.currentIndex().row() == row
    assert stored(database, student, VAN, 2, "TX", 4) is None
    assert queued(database) == before
    assert shown_value(screen, row, tx4) == ""


def test_a_comment_subject_takes_d_and_cd_only(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Hoạt động trải nghiệm is assessed by comment: Đ and CĐ are saved, a score is refused."""
    screen = shown(qtbot, database, runner)
    open_book(qtbot, screen, HDTN, 2)
    gk = column_of(screen, "GK")
    row = empty_cell(screen, "GK")
    go_to(screen, row, gk)
    type_text("8")
    press(Qt.Key.Key_Return)
    assert "“8” không phải là kết quả đánh giá bằng nhận xét" in screen.cell_message.text()
    press(Qt.Key.Key_Escape)
    assert screen.model.cell_at(screen.model.index(row + 1, gk)).missing
    enter_value(qtbot, screen, "CĐ", Qt.Key.Key_Return)
    enter_value(qtbot, screen, "đ", Qt.Key.Key_Return)
    student, next_student = (screen.model.row_at(n).student_id for n in (row, row + 1))
    assert stored(database, student, HDTN, 2, "GK", 1) == "CĐ"
    assert stored(database, next_student, HDTN, 2, "GK", 1) == "Đ"
    qtbot.waitUntil(lambda: shown_value(screen, row, gk) == "CĐ")


def test_another_teachers_subject_is_read_only(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Toán is taught by Mai Thị Tuyết: the line above the grid says so where it said the
    teacher enters Ngữ văn (the grid stays where it was), no editor opens, and typing gives
    the sentence the server would give; nothing is saved."""
    screen = shown(qtbot, database, runner)
    assert screen.access.text() == "Thầy/cô nhập điểm môn này: gõ điểm thẳng vào bảng."
    grid = screen.table.geometry()
    open_book(qtbot, screen, TOAN, 2)
    assert "Môn này do Mai Thị Tuyết dạy" in screen.access.text()
    QApplication.processEvents()  # a relayout, if any, is done
    assert screen.table.geometry() == grid
    before = queued(database)
    go_to(screen, 0, column_of(screen, "TX1"))
    old = shown_value(screen, 0, column_of(screen, "TX1"))
    type_text("9")
    assert focus() is screen.table  # no editor
    assert screen.cell_message.isVisible()
    book = screen.model.book
    assert book is not None and screen.cell_message.text() == book.refusal  # the server's words
    assert book.refusal.startswith("Môn Toán do ")
    assert book.refusal.endswith("; chỉ giáo viên đó được nhập điểm môn này.")
    press(Qt.Key.Key_F2)
    assert focus() is screen.table
    assert shown_value(screen, 0, column_of(screen, "TX1")) == old
    assert queued(database) == before


def test_a_change_after_the_lock_needs_a_reason(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Semester I is locked: changing a grade asks for a reason (OK refused while blank),
    Escape keeps the old grade, and with a reason the change is a change request."""
    screen = shown(qtbot, database, runner)
    open_book(qtbot, screen, VAN, 1)
    assert "Đã khoá sổ" in screen.state.text()
    tx1 = column_of(screen, "TX1")
    go_to(screen, 0, tx1)
    student = screen.model.row_at(0).student_id
    old = stored(database, student, VAN, 1, "TX", 1)
    new = "9" if old != "9" else "8"
    before = queued(database)

    type_text(new)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ReasonDialog))
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(lambda: focus() is dialog.reason)
    press(Qt.Key.Key_Return)  # blank: nothing happens
    assert dialog.isVisible()
    press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.dialog is None)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.table)
    assert stored(database, student, VAN, 1, "TX", 1) == old
    assert queued(database) == before

    go_to(screen, 0, tx1)
    type_text(new)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, ReasonDialog))
    qtbot.waitUntil(lambda: focus() is screen.dialog.reason)  # type: ignore[union-attr]
    with qtbot.waitSignal(screen.saved):
        type_text("Chấm phúc khảo")
        press(Qt.Key.Key_Return)
    assert stored(database, student, VAN, 1, "TX", 1) == new
    with database.reading() as session:
        entry_id = screen.model.row_at(0).cells[0].entry_id
        change = session.scalars(
            select(GradeChange).where(GradeChange.entry_id == entry_id)
        ).first()
        assert change is not None
        assert (change.reason, change.kind, change.new_value) == (
            "Chấm phúc khảo",
            "change_request",
            new,
        )
    assert queued(database) == before + 1


def test_enter_and_tab_move_without_editing(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Tab goes right across the grade columns and on to the next student's TX1, Shift+Tab
    back; Enter goes down and stays on the last student."""
    screen = shown(qtbot, database, runner)
    first, last = column_of(screen, "TX1"), column_of(screen, "CK")
    go_to(screen, 0, last)
    press(Qt.Key.Key_Tab)
    assert (screen.table.currentIndex().row(), screen.table.currentIndex().column()) == (1, first)
    press(Qt.Key.Key_Backtab, SHIFT)
    assert (screen.table.currentIndex().row(), screen.table.currentIndex().column()) == (0, last)
    rows = screen.model.rowCount()
    for _ in range(rows + 2):
        press(Qt.Key.Key_Return)
    assert screen.table.currentIndex().row() == rows - 1
    assert focus() is screen.table


def test_a_cells_history_on_demand(qtbot: QtBot, database: Database, runner: TaskRunner) -> None:
    """Ctrl+H shows who entered a grade and every change since, with its reason, in the
    Vietnamese form of the numbers."""
    with database.reading() as session:
        change = session.scalars(select(GradeChange).order_by(GradeChange.id)).first()
        assert change is not None
        entry = session.get_one(GradeEntry, change.entry_id)
        code = session.get_one(Subject, entry.subject_id).code
        semester, kind, slot, student = entry.semester, entry.kind, entry.slot, entry.student_id
        reason, new_value = change.reason, change.new_value
    screen = shown(qtbot, database, runner)
    open_book(qtbot, screen, code, semester)
    row = screen.model.row_of(student)
    assert row is not None
    label = kind if kind != "TX" else f"TX{slot}"
    go_to(screen, row, column_of(screen, label))
    press(Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, HistoryDialog))
    dialog = screen.dialog
    assert isinstance(dialog, HistoryDialog)
    text = dialog.text.toPlainText()
    assert "đã nhập" in text and f"lý do: {reason}" in text
    assert f"thành {new_value.replace('.', ',')} " in text  # "5,5", never "5.5"
    press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.dialog is None)


# ----------------------------------------------------------------------- with the server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


def test_a_grade_changed_on_the_server_arrives_in_place(
    qtbot: QtBot, database: Database, runner: TaskRunner, server: tuple[Store, str]
) -> None:
    """While the grid is open with an editor half typed, a grade another computer saved on the
    server arrives with the sync: its cell shows the new value, the current cell and the
    editor's text stay."""
    store, url = server
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))
    sync = SyncController(
        database, runner, lambda address, _user: harness.transport(address, token)
    )
    screen = shown(qtbot, database, runner)
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()
    qtbot.waitUntil(lambda: not runner.busy)

    tx1 = column_of(screen, "TX1")
    changed = screen.model.row_at(0)
    old = changed.cells[0]
    new = "9,5" if old.value != "9,5" else "9"
    with store.write() as session:
        scope = load_scope_by_id(session, 1)
        student = session.get_one(Student, changed.student_id)
        intents.apply_intent(
            session,
            scope,
            "set_grade",
            {
                "student_id": student.id,
                "subject_code": VAN,
                "semester": 2,
                "kind": "TX",
                "slot": 1,
                "value": new.replace(",", "."),
                "base_version": old.version,
            },
            actor="Trương Quốc Hải",
            teacher_id=scope.teacher_id,
            now=datetime(2026, 3, 16, 3, 0, tzinfo=UTC),
        )

    editing_row = 0  # the editor on the very row the sync redraws
    go_to(screen, editing_row, column_of(screen, "TX4"))
    type_text("6")
    editor = focus()
    assert isinstance(editor, QLineEdit)
    with qtbot.waitSignal(sync.synced):
        sync.sync_now()
    qtbot.waitUntil(lambda: shown_value(screen, 0, tx1) == new)
    assert screen.model.row_at(0).cells[0].version == old.version + 1
    assert focus() is editor and editor.text() == "6"
    current = screen.table.currentIndex()
    assert (current.row(), current.column()) == (editing_row, column_of(screen, "TX4"))
    press(Qt.Key.Key_Escape)
    assert Decimal(str(stored(database, changed.student_id, VAN, 2, "TX", 1))) == Decimal(
        new.replace(",", ".")
    )


def test_ctrl_6_opens_the_grade_book_in_the_window(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The window lists "Sổ điểm" and Ctrl+6 shows it, on the teacher's own subject."""
    from desktop.services.scope import load_scope
    from desktop.ui import navigation
    from desktop.ui.main_window import MainWindow

    with database.reading() as session:
        scope = load_scope(session)
    sync = SyncController(database, runner, lambda url, user: pytest.fail("no sync expected"))
    window = MainWindow(database, scope, runner, sync)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    titles = [window.sidebar.item(n).text() for n in range(window.sidebar.count())]
    assert "Sổ điểm" in titles
    press(Qt.Key.Key_6, CTRL)
    assert window.current_key() == navigation.GRADES
    qtbot.waitUntil(lambda: window.grades.model.rowCount() == 41)
    book = window.grades.model.book
    assert book is not None and book.subject.code == VAN


def test_a_cell_is_drawn_as_its_answers_say(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """What the grid paints for a cell is the model's answers for it: the missing cell's
    colour, and a value being saved in grey italics."""
    screen = shown(qtbot, database, runner)
    model, table = screen.model, screen.table
    row, column = next(
        (n, c)
        for c in model.grade_columns()
        for n in range(model.rowCount())
        if model.cell_at(model.index(n, c)).missing
    )
    index = model.index(row, column)
    table.setCurrentIndex(model.index(row, NUMBER))  # not selected: drawn in its own colours
    table.scrollTo(index)
    inside = table.visualRect(index).adjusted(3, 3, -3, -3)
    background = index.data(Qt.ItemDataRole.BackgroundRole).color()
    assert background == MISSING
    assert set(painted(table, inside)) == {background.rgb()}
    model.set_pending(index, "8")
    assert index.data(Qt.ItemDataRole.DisplayRole) == "8"
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == READ_ONLY_TEXT
    text = [QColor(rgb) for rgb in painted(table, inside) if rgb != QColor("white").rgb()]
    assert text and all(c.red() == c.green() == c.blue() for c in text)  # grey "8", no colour


def painted(table: QTableView, area: QRect) -> list[int]:
    """The colours the grid's viewport shows in ``area``, one per pixel."""
    image = table.viewport().grab().toImage()
    return [
        image.pixel(x, y)
        for x in range(area.left(), area.right() + 1)
        for y in range(area.top(), area.bottom() + 1)
    ]


def test_cells_of_books_shown_before_are_let_go(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Showing books again and again, saving and re-reading rows, keeps one book's cells alive
    on the Python side, not every book's: PySide keeps the Python side of an item Qt deletes
    itself, and once handed a later object at its address (the view's selection model) back as
    that stale item."""
    screen = shown(qtbot, database, runner)
    model = screen.model
    book = model.book
    assert book is not None
    one_book = model.rowCount() * model.columnCount()

    def cells() -> int:
        return sum(isinstance(w, QStandardItem) for w in Shiboken.getAllValidWrappers())

    before = cells()
    for _ in range(4):
        model.set_book(book)
        model.set_pending(model.index(0, FIRST_GRADE), "8")
        model.merge(book.rows, ())
    assert cells() - before < one_book
    assert isinstance(screen.table.selectionModel(), QItemSelectionModel)


def test_a_student_who_left_goes_and_the_numbers_below_move_up(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    screen = shown(qtbot, database, runner)
    model = screen.model
    count = model.rowCount()
    gone, next_one = model.row_at(2).student_id, model.row_at(3)
    model.merge((), {gone})
    assert model.rowCount() == count - 1
    assert model.row_of(gone) is None and model.row_of(next_one.student_id) == 2
    numbers = [model.index(n, NUMBER).data() for n in range(model.rowCount())]
    assert numbers == [str(n + 1) for n in range(count - 1)]
    assert model.index(2, STUDENT).data() == next_one.student_name
    assert model.index(2, FIRST_GRADE).data() == next_one.cells[0].value


def test_the_headers_name_each_column_and_its_deadline(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Ngữ văn's columns read as vnEdu's, each grade column with its deadline on hover and the
    average with its formula; a comment subject shown next ends on its result instead."""
    screen = shown(qtbot, database, runner)

    def headers(role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> list[object]:
        model = screen.model
        return [
            model.headerData(n, Qt.Orientation.Horizontal, role) for n in range(model.columnCount())
        ]

    book = screen.model.book
    assert book is not None
    due = [column.due for column in book.columns]
    assert None not in due
    assert headers() == ["STT", "Họ và tên", *(column.label for column in book.columns), "ĐTBmhk"]
    tips = headers(Qt.ItemDataRole.ToolTipRole)
    assert tips[:FIRST_GRADE] == [None, None]
    assert tips[FIRST_GRADE:-1] == [f"Hạn nhập: {day:%d/%m/%Y}" for day in due]
    assert tips[-1] == "Điểm trung bình môn học kì: (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (số ĐĐGtx + 5)"
    open_book(qtbot, screen, HDTN, 1)
    comment_book = screen.model.book
    assert comment_book is not None and comment_book.comment
    assert headers()[FIRST_GRADE:] == [*(c.label for c in comment_book.columns), "Kết quả"]
