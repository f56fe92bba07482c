"""The grade book's Excel actions on the demo class, by their shortcuts: the template saved
off the GUI thread, a wrong workbook's problems in a sortable table, a right one imported
and shown in the grid."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.models import OutboxIntent
from desktop.models.db import Database
from desktop.ui.grades.excel import ProblemColumn
from desktop.ui.tasks import TaskRunner
from tests.ui.test_grades_screen import CTRL, SHIFT, press, shown


def queued(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def test_export_fill_and_import_from_the_window(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path, qtmodeltester: object
) -> None:
    """Ctrl+Shift+E writes the shown subject's template; Ctrl+Shift+N imports it: two wrong
    cells are listed (sortable, nothing queued), then the corrected file changes the grid."""
    screen = shown(qtbot, database, runner)
    book = screen.model.book
    assert book is not None
    target = tmp_path / "mau.xlsx"
    screen.excel.ask_save = lambda _suggested: target
    screen.excel.ask_open = lambda: target
    press(Qt.Key.Key_E, CTRL | SHIFT)
    qtbot.waitUntil(lambda: target.exists() and "mau.xlsx" in screen.message.text())
    workbook = load_workbook(target)
    sheet = workbook.worksheets[0]
    assert sheet["B2"].value == book.subject.code
    original = sheet["D9"].value
    sheet["C8"], sheet["D9"] = 12, "chín"
    workbook.save(target)
    before = queued(database)
    press(Qt.Key.Key_N, CTRL | SHIFT)
    qtbot.waitUntil(lambda: screen.excel.dialog is not None)
    dialog = screen.excel.dialog
    assert dialog is not None
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert dialog.proxy.rowCount() == 2
    dialog.table.sortByColumn(ProblemColumn.CELL, Qt.SortOrder.DescendingOrder)
    first = dialog.proxy.index(0, ProblemColumn.CELL).data()
    assert first == "D9"
    assert queued(database) == before
    dialog.close()
    sheet["C8"], sheet["D9"] = 9.5, original
    sheet.cell(row=8, column=3 + len(book.columns), value="Sửa theo bài kiểm tra")
    workbook.save(target)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    screen.table.setFocus()
    press(Qt.Key.Key_N, CTRL | SHIFT)
    qtbot.waitUntil(lambda: queued(database) == before + 1)
    qtbot.waitUntil(lambda: screen.model.row_at(0).cells[0].value == "9,5")
