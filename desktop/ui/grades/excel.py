"""The grade book's Excel actions: save the shown subject's grade-entry template, import a
filled one, and list an import's problems in a table the teacher can sort.

Files are written and read on the database lane (the import through ``run_change``, so the
grade book and the other screens refresh the rows it touched); the GUI thread only asks for
the file name.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import IntEnum
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHeaderView,
    QMenu,
    QTableView,
    QToolButton,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.exchange.excel.problems import CellProblem, WorkbookRejected
from desktop.i18n import N_, _
from desktop.services import workspace
from desktop.services.changes import Changes
from desktop.services.grade_book import GradeBook
from desktop.ui import table_dialog
from desktop.ui.table_model import RowsTableModel
from desktop.ui.tasks import TaskRunner

WorkFactory = Callable[..., AbstractContextManager[workspace.Work]]
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_FILTER = N_("Excel workbooks (*.xlsx)")


class ProblemColumn(IntEnum):
    SHEET = 0
    CELL = 1
    VALUE = 2
    WHY = 3


class ProblemsModel(RowsTableModel[CellProblem]):
    headers: ClassVar[dict[Any, str]] = {
        ProblemColumn.SHEET: N_("Sheet"),
        ProblemColumn.CELL: N_("Cell"),
        ProblemColumn.VALUE: N_("Value"),
        ProblemColumn.WHY: N_("Problem"),
    }

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid():
            return None
        problem = self.row_at(index.row())
        column = ProblemColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                ProblemColumn.SHEET: problem.sheet,
                ProblemColumn.CELL: f"{problem.column}{problem.row or ''}",
                ProblemColumn.VALUE: problem.value,
                ProblemColumn.WHY: problem.why,
            }[column]
        if role == SORT_ROLE:
            if column is ProblemColumn.CELL:
                # Row first, then the column as Excel orders it (Z before AA).
                return f"{problem.row:07d}{len(problem.column):02d}{problem.column}"
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None


class ProblemsDialog(QDialog):
    """Every problem of a rejected workbook, sortable by any column."""

    def __init__(self, rejected: WorkbookRejected, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Problems in the workbook"))
        self.model = ProblemsModel(self)
        self.model.set_rows(rejected.cells)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("excel_problems")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ProblemColumn.CELL, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            ProblemColumn.WHY, QHeaderView.ResizeMode.Stretch
        )
        self.table.setWordWrap(True)
        table_dialog.lay_out(self, rejected.message, self.table, height=420)


class ExcelActions(QObject):
    """The two actions of the grade book screen, with their file dialogs and lanes."""

    def __init__(
        self,
        screen: QWidget,
        runner: TaskRunner,
        work: WorkFactory,
        book: Callable[[], GradeBook | None],
        say: Callable[..., None],
    ) -> None:
        super().__init__(screen)
        self._screen, self._runner, self._work, self._book, self._say = (
            screen,
            runner,
            work,
            book,
            say,
        )
        self.dialog: ProblemsDialog | None = None
        self.export_action = self._action(
            _("Export grade-entry template…"), "Ctrl+Shift+E", self.export_template
        )
        self.import_action = self._action(_("Import from Excel…"), "Ctrl+Shift+N", self.import_file)
        self.ask_save: Callable[[str], Path | None] = self._ask_save
        self.ask_open: Callable[[], Path | None] = self._ask_open
        """Replaced in tests, where a native dialog would block."""

    @property
    def actions(self) -> tuple[QAction, QAction]:
        return self.export_action, self.import_action

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self._screen)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(
            f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        action.triggered.connect(slot)
        self._screen.addAction(action)
        return action

    def _ask_save(self, suggested: str) -> Path | None:
        name, _chosen = QFileDialog.getSaveFileName(
            self._screen, _("Export grade-entry template…"), suggested, _(_FILTER)
        )
        return Path(name) if name else None

    def _ask_open(self) -> Path | None:
        name, _chosen = QFileDialog.getOpenFileName(
            self._screen, _("Import from Excel…"), "", _(_FILTER)
        )
        return Path(name) if name else None

    def export_template(self) -> None:
        book = self._book()
        if book is None:
            return
        path = self.ask_save(f"{book.subject.code}-HK{book.semester}.xlsx")
        if path is None:
            return
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        code, semester = book.subject.code, book.semester

        def write() -> int:
            # On the database lane, at the first use: openpyxl is not on the window's way up.
            from desktop.exchange.excel import template

            with self._work(write=False) as unit:
                return template.export_template(
                    unit.session,
                    unit.scope,
                    subject_code=code,
                    semester=semester,
                    today=unit.today,
                    path=path,
                )

        def done(count: int) -> None:
            self._say(
                _("{count} rows written to {path}.").format(count=count, path=path), error=False
            )

        self._runner.run_database(write, done, self._failed)

    def import_file(self) -> None:
        path = self.ask_open()
        if path is None:
            return

        def work() -> Changes:
            from desktop.exchange.excel import grade_import

            with self._work(write=True) as unit:
                return grade_import.import_template(
                    unit.session, unit.scope, path, actor=unit.actor, today=unit.today
                ).changes

        self._runner.run_change(
            work,
            lambda changes: self._say(changes.summary, error=False),
            self._failed,
            initiator=self,
        )

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)
        if isinstance(error, WorkbookRejected):
            self.dialog = ProblemsDialog(error, self._screen)
            self.dialog.open()


def excel_button(actions: ExcelActions) -> QToolButton:
    """ "Excel ▾" beside the choosers, holding both actions."""
    button = QToolButton()
    button.setObjectName("excel_button")
    button.setText(_("Excel"))
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addActions(list(actions.actions))
    button.setMenu(menu)
    return button
