"""The pilot notes dialog on the demo profile (its today is 16/03/2026), driven with
pytest-qt: a note added, chosen, changed and deleted through the database lane; an empty note
refused; the Tools menu's action opens it with Ctrl+Alt+N."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from desktop.models.db import Database
from desktop.services import pilot_notes
from desktop.services.pilot_notes import Category
from desktop.services.scope import load_scope
from desktop.ui.main_window import MainWindow
from desktop.ui.pilot_notes.dialog import PilotNotesDialog
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner


def opened(qtbot: QtBot, database: Database, runner: TaskRunner) -> PilotNotesDialog:
    dialog = PilotNotesDialog(database, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled())
    return dialog


def rows(dialog: PilotNotesDialog) -> list[list[str]]:
    return [
        [dialog.list.topLevelItem(i).text(c) for c in range(3)]  # type: ignore[union-attr]
        for i in range(dialog.list.topLevelItemCount())
    ]


def stored(database: Database) -> list[tuple[str, Category | None, str]]:
    with database.reading() as session:
        return [(n.day.isoformat(), n.category, n.text) for n in pilot_notes.notes(session)]


def test_a_note_is_added_changed_and_deleted(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    dialog = opened(qtbot, database, runner)
    assert rows(dialog) == []
    assert dialog.day.date() == QDate(2026, 3, 16)
    assert "không gửi lên máy chủ" in dialog.hint.text()
    dialog.text.setFocus()
    dialog.text.setPlainText("phụ huynh không nhận được mã OTP")  # QTest types Latin-1 only
    dialog.category.setCurrentIndex(dialog.category.findData(Category.REGISTRATION.value))
    qtbot.keyClick(dialog.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
    assert rows(dialog) == [
        ["16/03/2026", "Đăng kí của phụ huynh", "phụ huynh không nhận được mã OTP"]
    ]
    assert dialog.message.text() == "Đã lưu ghi nhận số 1."
    assert dialog.selected_id() == 1  # the note just saved stays chosen, ready to change

    dialog.start_new()
    dialog.day.setDate(QDate(2026, 3, 10))
    dialog.text.setPlainText("mạng trường mất cả buổi sáng")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: len(rows(dialog)) == 2)
    assert [r[0] for r in rows(dialog)] == ["16/03/2026", "10/03/2026"]  # newest first

    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))
    assert dialog.text.toPlainText() == "mạng trường mất cả buổi sáng"
    assert dialog.category.currentText() == "Chưa phân loại"
    dialog.category.setCurrentIndex(dialog.category.findData(Category.CONNECTION.value))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.text() == "Đã sửa ghi nhận số 2.")
    qtbot.waitUntil(lambda: rows(dialog)[1][1] == "Kết nối mạng")
    assert stored(database) == [
        ("2026-03-16", Category.REGISTRATION, "phụ huynh không nhận được mã OTP"),
        ("2026-03-10", Category.CONNECTION, "mạng trường mất cả buổi sáng"),
    ]

    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    assert dialog.delete_button.isEnabled()
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    assert dialog.confirmation is not None
    assert dialog.confirmation.text() == (
        "Xoá ghi nhận số 1? Báo cáo thí điểm sẽ không còn liệt kê ghi nhận này."
    )
    qtbot.keyClick(dialog.confirmation, Qt.Key.Key_Escape)  # the default keeps it
    qtbot.waitUntil(lambda: dialog.confirmation is None)
    assert len(stored(database)) == 2
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: dialog.confirmation is not None and dialog.confirmation.isVisible())
    box = dialog.confirmation
    assert box is not None
    delete = next(b for b in box.buttons() if b.text() == "Xoá")
    delete.click()
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1)
    assert dialog.message.text() == "Đã xoá ghi nhận số 1."
    assert stored(database) == [("2026-03-10", Category.CONNECTION, "mạng trường mất cả buổi sáng")]
    assert dialog.selected_id() is None and dialog.text.toPlainText() == ""


def test_an_empty_note_is_refused_and_nothing_is_stored(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    dialog = opened(qtbot, database, runner)
    qtbot.keyClicks(dialog.text, "   ")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert dialog.message.text() == "Hãy ghi vướng mắc gặp phải trước khi lưu."
    assert dialog.save_button.isEnabled()
    assert stored(database) == []


def _no_server(_url: str, _user: str) -> Any:
    raise AssertionError("no sync expected")


def test_the_tools_menu_opens_the_dialog_with_ctrl_alt_n(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    with database.reading() as session:
        scope = load_scope(session)
    window = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    menu = window.menuBar().findChild(QMenu, "tools_menu")
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts.index("&Ghi nhận vướng mắc…") == texts.index("Trung tâm &in…") + 1
    assert window.pilot_notes_action.shortcut().toString() == "Ctrl+Alt+N"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(
        window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    qtbot.waitUntil(lambda: window.findChild(PilotNotesDialog) is not None)
    dialog = window.findChild(PilotNotesDialog)
    assert dialog is not None and dialog.windowTitle() == "Vướng mắc trong đợt thí điểm"
    dialog.reject()
