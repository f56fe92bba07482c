"""The students screen's "import the class list from Excel": the file is read, checked and
imported on the database lane (through ``run_change``, so the rows it touched are read again);
a workbook with problems lists them in the grade import's sortable problems dialog, a good one
lists what changed."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHeaderView,
    QTableView,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import N_, _
from desktop.models.db import Database
from desktop.services import workspace
from desktop.services.changes import Changes
from desktop.ui import table_dialog
from desktop.ui.table_model import RowsTableModel
from desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.exchange.excel.roster_rows import PlannedChange

_FILTER = N_("Excel workbooks (*.xlsx)")


class ChangeColumn(IntEnum):
    ROW = 0
    CODE = 1
    STUDENT = 2
    CHANGE = 3


class ChangesModel(RowsTableModel["PlannedChange"]):
    headers: ClassVar[dict[Any, str]] = {
        ChangeColumn.ROW: N_("Row"),
        ChangeColumn.CODE: N_("Code"),
        ChangeColumn.STUDENT: N_("Student"),
        ChangeColumn.CHANGE: N_("Change"),
    }

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        change = self.row_at(index.row())
        return {
            ChangeColumn.ROW: str(change.row),
            ChangeColumn.CODE: change.student_code,
            ChangeColumn.STUDENT: change.student_name,
            ChangeColumn.CHANGE: change.what,
        }[ChangeColumn(index.column())]


class ChangesDialog(QDialog):
    """What an import changed, row by row of the workbook."""

    def __init__(
        self, summary: str, changes: list[PlannedChange], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Class list imported"))
        self.model = ChangesModel(self)
        self.model.set_rows(changes)
        self.table = QTableView()
        self.table.setObjectName("roster_changes")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            ChangeColumn.CHANGE, QHeaderView.ResizeMode.Stretch
        )
        self.table.resizeColumnsToContents()
        table_dialog.lay_out(self, summary, self.table, height=380)


class RosterImport(QObject):
    """The action, its file dialog, and the dialog that answers it."""

    def __init__(
        self,
        screen: QWidget,
        runner: TaskRunner,
        database: Database,
        class_name: str | None,
        say: Callable[[str], None],
    ) -> None:
        super().__init__(screen)
        self._screen, self._runner, self._say = screen, runner, say
        self._database, self._class_name = database, class_name
        self.dialog: QDialog | None = None
        self.action = QAction(_("Import the class list from Excel…"), screen)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key = self.action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.action.setToolTip(f"{self.action.text()} ({key})")
        self.action.triggered.connect(self.import_file)
        screen.addAction(self.action)
        self.ask_open: Callable[[], Path | None] = self._ask_open
        """Replaced in tests, where a native dialog would block."""

    def _ask_open(self) -> Path | None:
        name, _chosen = QFileDialog.getOpenFileName(
            self._screen, self.action.text(), "", _(_FILTER)
        )
        return Path(name) if name else None

    def import_file(self) -> None:
        path = self.ask_open()
        if path is None:
            return
        database, class_name = self._database, self._class_name
        planned: list[PlannedChange] = []

        def work() -> Changes:
            # On the database lane, at the first use: openpyxl is not on the window's way up.
            from desktop.exchange.excel import roster_import

            with workspace.work(database, class_name) as unit:
                result = roster_import.import_roster(
                    unit.session, unit.scope, path, actor=unit.actor
                )
            planned.extend(result.plan.changes)
            return result.changes

        def done(changes: Changes) -> None:
            self._say("")
            self.dialog = ChangesDialog(changes.summary, planned, self._screen)
            self.dialog.open()

        self._runner.run_change(work, done, self._failed, initiator=self)

    def _failed(self, error: HomeroomError) -> None:
        # Loaded at the first failed import (which loaded them already): the exchange
        # format's and the grade book's modules stay off the students screen's way up.
        from desktop.exchange.excel.problems import WorkbookRejected
        from desktop.ui.grades.excel import ProblemsDialog

        self._say(error.message)
        if isinstance(error, WorkbookRejected):
            self.dialog = ProblemsDialog(error, self._screen)
            self.dialog.open()
