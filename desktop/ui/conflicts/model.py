"""The conflicts and refusals as a table over ``desktop.services.conflict_text``'s texts."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.i18n import N_
from desktop.services.conflict_text import ConflictText
from desktop.ui.table_model import RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    WHEN = 0
    STUDENT = 1
    ABOUT = 2
    MINE = 3
    THEIRS = 4


_HEADERS = {
    Column.WHEN: N_("When"),
    Column.STUDENT: N_("Student"),
    Column.ABOUT: N_("About"),
    Column.MINE: N_("What you did"),
    Column.THEIRS: N_("What happened on the server"),
}


class ConflictTableModel(RowsTableModel[ConflictText]):
    """Newest first, as the service lists them; a seen conflict is greyed."""

    headers = _HEADERS

    def row_of(self, conflict_id: int) -> int | None:
        return next((n for n, row in enumerate(self._rows) if row.id == conflict_id), None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _display(row, Column(index.column()))
        if role == Qt.ItemDataRole.ForegroundRole and row.seen:
            return Qt.GlobalColor.gray
        return None


def _display(row: ConflictText, column: Column) -> str:
    match column:
        case Column.WHEN:
            return row.when
        case Column.STUDENT:
            return row.student_name
        case Column.ABOUT:
            return row.about
        case Column.MINE:
            return row.mine
        case Column.THEIRS:
            return row.theirs
