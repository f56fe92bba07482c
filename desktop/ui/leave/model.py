"""The leave requests as a table: a model over the service's rows and a filtering proxy."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop.domain.leave import ReasonCategory
from desktop.domain.names import search_key, sort_text
from desktop.i18n import N_, _
from desktop.services import leave_text
from desktop.services.leave import LeaveRow

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    STUDENT = 0
    PERIOD = 1
    SESSIONS = 2
    REASON = 3
    LEVEL = 4
    STATE = 5
    FLAGS = 6


_HEADERS = {
    Column.STUDENT: N_("Student"),
    Column.PERIOD: N_("Leave"),
    Column.SESSIONS: N_("Sessions"),
    Column.REASON: N_("Reason"),
    Column.LEVEL: N_("Level"),
    Column.STATE: N_("State"),
    Column.FLAGS: N_("Flags"),
}


class LeaveTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LeaveRow] = []
        # Worked out once per row, not at every keystroke or comparison: normalising a name
        # costs far more than the filtering and sorting themselves.
        self._keys: list[tuple[str, str]] = []

    def set_rows(self, rows: Sequence[LeaveRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._keys = [_keys(row) for row in self._rows]
        self.endResetModel()

    def replace_row(self, row: LeaveRow) -> None:
        """Show a request's new state without resetting the view (selection and scroll stay)."""
        for number, current in enumerate(self._rows):
            if current.id == row.id:
                self._rows[number] = row
                self._keys[number] = _keys(row)
                self.dataChanged.emit(self.index(number, 0), self.index(number, len(Column) - 1))
                return

    def row_at(self, number: int) -> LeaveRow:
        return self._rows[number]

    def search_text(self, number: int) -> str:
        return self._keys[number][0]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(_HEADERS[Column(section)])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == SORT_ROLE:
            return (
                self._keys[index.row()][1] if column is Column.STUDENT else _sort_value(row, column)
            )
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.REASON:
            return row.reason_text
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.SESSIONS, Column.LEVEL):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _display(row: LeaveRow, column: Column) -> str:
    match column:
        case Column.STUDENT:
            return row.student_name
        case Column.PERIOD:
            return leave_text.period(row)
        case Column.SESSIONS:
            return str(row.sessions)
        case Column.REASON:
            return ReasonCategory(row.reason_category).label
        case Column.LEVEL:
            return str(row.channel)
        case Column.STATE:
            return row.state_label
        case Column.FLAGS:
            return leave_text.flags(row)


def _keys(row: LeaveRow) -> tuple[str, str]:
    """``(search text, sort text)`` of a row's student."""
    return search_key(f"{row.student_name} {row.student_code}"), sort_text(row.student_name)


def _sort_value(row: LeaveRow, column: Column) -> Any:
    match column:
        case Column.PERIOD:
            return (row.first_day.isoformat(), row.first_session)
        case Column.SESSIONS:
            return row.sessions
        case Column.LEVEL:
            return row.channel
    return _display(row, column)


class LeaveFilter(QSortFilterProxyModel):
    """Narrows the table to a status and to students whose name or code matches the search,
    with or without diacritics ("nguyen" finds "Nguyễn"); sorts names the Vietnamese way."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status: str | None = None
        self._query = ""
        self.setSortRole(SORT_ROLE)

    def set_status(self, status: str | None) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._query = search_key(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def row_at(self, proxy_row: int) -> LeaveRow:
        source = self.mapToSource(self.index(proxy_row, 0))
        model = self.sourceModel()
        assert isinstance(model, LeaveTableModel)
        return model.row_at(source.row())

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, LeaveTableModel)
        if self._status is not None and model.row_at(source_row).status != self._status:
            return False
        return not self._query or self._query in model.search_text(source_row)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802 - Qt API
        mine, theirs = left.data(SORT_ROLE), right.data(SORT_ROLE)
        return bool(mine < theirs)
