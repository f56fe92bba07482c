"""The students screen's "Nhập danh sách từ Excel…" on the demo class, by its shortcut: a
workbook with problems lists them in the sortable problems dialog and queues nothing; a
corrected one lists what changed and the touched row shows it at once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.exchange.excel import exports
from desktop.models import OutboxIntent
from desktop.models.db import Database
from desktop.services import workspace
from desktop.ui.grades.excel import ProblemColumn, ProblemsDialog
from desktop.ui.students.excel import ChangeColumn, ChangesDialog
from desktop.ui.tasks import TaskRunner
from tests.ui.test_grades_screen import CTRL, SHIFT, press
from tests.ui.test_students_screen import shown


def queued(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(OutboxIntent)) or 0


def edit(source: Path, values: dict[str, object], target: Path) -> None:
    workbook = load_workbook(source)
    for where, value in values.items():
        workbook.worksheets[0][where] = value
    workbook.save(target)


def test_import_the_class_list_from_the_window(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path, qtmodeltester: object
) -> None:
    screen = shown(qtbot, database, runner)
    assert screen.import_button.text() == "Nhập danh sách từ Excel…"
    exported = tmp_path / "goc.xlsx"
    with workspace.work(database, None, write=False) as w:
        exports.export_roster(w.session, w.scope, path=exported)
    first = load_workbook(exported).worksheets[0]
    code, name = str(first["B6"].value), str(first["C6"].value)
    target = tmp_path / "lop.xlsx"
    edit(exported, {"D6": "31/02/2009", "H7": "12345"}, target)
    screen.roster_import.ask_open = lambda: target
    before = queued(database)

    screen.table.setFocus()
    press(Qt.Key.Key_N, CTRL | SHIFT)
    qtbot.waitUntil(lambda: isinstance(screen.roster_import.dialog, ProblemsDialog))
    problems = screen.roster_import.dialog
    assert isinstance(problems, ProblemsDialog)
    qtmodeltester.check(problems.model)  # type: ignore[attr-defined]
    problems.table.sortByColumn(ProblemColumn.CELL, Qt.SortOrder.DescendingOrder)
    assert [problems.proxy.index(r, ProblemColumn.CELL).data() for r in range(2)] == ["H7", "D6"]
    assert queued(database) == before
    problems.close()

    edit(exported, {"D6": datetime(2009, 12, 24), "C6": f"{name} Anh"}, target)
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    screen.table.setFocus()
    press(Qt.Key.Key_N, CTRL | SHIFT)
    qtbot.waitUntil(lambda: isinstance(screen.roster_import.dialog, ChangesDialog))
    changes = screen.roster_import.dialog
    assert isinstance(changes, ChangesDialog)
    qtmodeltester.check(changes.model)  # type: ignore[attr-defined]
    assert changes.model.rowCount() == 1
    assert changes.model.index(0, ChangeColumn.CODE).data() == code
    what = changes.model.index(0, ChangeColumn.CHANGE).data()
    assert what.startswith(f"họ tên {name} → {name} Anh; ngày sinh ")
    assert what.endswith(" → 24/12/2009")
    assert queued(database) == before + 1
    qtbot.waitUntil(lambda: f"{name} Anh" in [
        screen.filter.row_at(n).full_name for n in range(screen.filter.rowCount())
    ])  # fmt: skip
    changes.close()
