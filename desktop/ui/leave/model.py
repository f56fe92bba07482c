"""The leave requests as a table: a model over the service's rows and a filtering proxy.

The model is refreshed by what changed: ``merge`` updates, inserts and removes single rows
(never a reset), so the view keeps its selection and scroll position. Its cells are Qt items,
so painting, sorting and filtering read them in C++.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel

from desktop.domain.leave import LeaveStatus, ReasonCategory
from desktop.domain.names import search_key, sort_text
from desktop.i18n import N_, _
from desktop.services import leave_text
from desktop.services.leave import LeaveRow
from desktop.ui.table_model import RowsFilter

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""A column's sort key as a string or an int, so Qt compares them itself (a Python
``lessThan`` halved the speed of typing in the search box)."""
AnyIndex = QModelIndex | QPersistentModelIndex
_ROLES = (
    int(Qt.ItemDataRole.DisplayRole),
    SORT_ROLE,
    int(Qt.ItemDataRole.ToolTipRole),
)
"""The roles a row's refresh sets again (the alignment is the column's, set once)."""


class Column(IntEnum):
    STUDENT = 0
    PERIOD = 1
    SESSIONS = 2
    FLAGS = 3
    REASON = 4
    LEVEL = 5
    STATE = 6


_HEADERS = {
    Column.STUDENT: N_("Student"),
    Column.PERIOD: N_("Leave"),
    Column.SESSIONS: N_("Sessions"),
    Column.FLAGS: N_("Flags"),
    Column.REASON: N_("Reason"),
    Column.LEVEL: N_("Level"),
    Column.STATE: N_("State"),
}
_HEADER_TIPS = {
    Column.SESSIONS: N_("Number of school sessions missed"),
    Column.FLAGS: N_("S: special case · R: submitted after the absence began · O: overlaps"),
    Column.LEVEL: N_("Online procedure level (3: the paper original follows; 4: fully online)"),
}


class LeaveTableModel(QStandardItemModel):
    """The service's rows and, for Qt, one ``QStandardItem`` per cell made from them: the
    view and the filter read and paint every cell in C++ (a model answering from Python was
    asked a dozen times per cell at each repaint, through the filter)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(Column), parent)
        self._rows: list[LeaveRow] = []
        # Worked out once per row, not at every keystroke or comparison: normalising a name
        # costs far more than the filtering and sorting themselves.
        self._keys: list[Keys] = []
        self._positions: dict[int, int] = {}
        self._prototypes = [_prototype(column) for column in Column]
        self._label_columns()

    def set_rows(self, rows: Sequence[LeaveRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._keys = [_keys(row) for row in self._rows]
        self._positions = {row.id: number for number, row in enumerate(self._rows)}
        # Filled unheard inside the reset: the filter and the view read it all at its end.
        blocked = self.blockSignals(True)
        try:
            for column in reversed(range(self.columnCount())):
                # Taken, not removed: PySide keeps the Python side of an item Qt deletes, and
                # a later object at its address came back as that stale item (the grade grid).
                self.takeColumn(column)
            self.setRowCount(0)
            self.setColumnCount(len(Column))
            self._label_columns()
            for number in range(len(self._rows)):
                self.appendRow(self._items(number))
        finally:
            self.blockSignals(blocked)
        self.endResetModel()

    def merge(self, rows: Iterable[LeaveRow], asked: Iterable[int]) -> None:
        """Show what a re-read found: ``rows`` replace or join the table; an id of ``asked``
        not among them no longer exists (or left the class) and its row goes."""
        fresh = {row.id: row for row in rows}
        touched = set(asked) | set(fresh)
        for request_id in set(asked) - set(fresh):
            self._remove(request_id)
        for row in fresh.values():
            number = self._positions.get(row.id)
            if number is None:
                number = len(self._rows)
                self._rows.append(row)
                self._keys.append(_keys(row))
                self._positions[row.id] = number
                self.appendRow(self._items(number))
            elif self._rows[number] != row:
                self._rows[number] = row
                self._keys[number] = _keys(row)
                self._put(number, self._items(number))
        # An overlap's tooltip names the other request's period: it may have changed or gone.
        for number, row in enumerate(self._rows):
            if row.id not in fresh and touched.intersection(row.overlaps_with):
                self._put(number, self._items(number))

    def replace_row(self, row: LeaveRow) -> None:
        """Show a request's new state without resetting the view (selection and scroll stay)."""
        if row.id in self._positions:
            self.merge([row], [])

    def _remove(self, request_id: int) -> None:
        number = self._positions.get(request_id)
        if number is None:
            return
        del self._rows[number]
        del self._keys[number]
        self._positions = {row.id: n for n, row in enumerate(self._rows)}
        self.takeRow(number)  # taken, not removed: see ``set_rows``

    def _put(self, number: int, items: list[QStandardItem]) -> None:
        """What ``items`` show, copied into row ``number``'s items (an item put in another's
        place would drop the view's indexes on it), told to the views as one change."""
        blocked = self.blockSignals(True)
        try:
            for column, item in enumerate(items):
                cell = self.item(number, column)
                for role in _ROLES:
                    cell.setData(item.data(role), role)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(Column) - 1))

    def _items(self, number: int) -> list[QStandardItem]:
        row, keys = self._rows[number], self._keys[number]
        items = []
        for column in Column:
            item = self._prototypes[column].clone()
            item.setText(_display(row, column))
            if column is Column.FLAGS:
                tip: str | None = "\n".join(leave_text.flag_texts(row, self.by_id)) or None
            else:
                tip = _tooltip(row, column)
            if tip is not None:
                item.setToolTip(tip)
            if column is Column.STUDENT:
                sort: Any = keys[1]
            elif column is Column.STATE:
                sort = keys[2]
            else:
                sort = _sort_value(row, column)
            item.setData(sort, SORT_ROLE)
            items.append(item)
        return items

    def row_at(self, number: int) -> LeaveRow:
        return self._rows[number]

    def by_id(self, request_id: int) -> LeaveRow | None:
        number = self._positions.get(request_id)
        return None if number is None else self._rows[number]

    def rows(self) -> list[LeaveRow]:
        return list(self._rows)

    def search_text(self, number: int) -> str:
        return self._keys[number][0]

    def _label_columns(self) -> None:
        """The headers as Qt items, read in C++: a ``headerData`` in Python was asked for each
        section and role whenever the header repainted (49 calls on a click that moved the
        focus), each taking the interpreter's lock from the database lane mid-decision. A
        language change rebuilds the window, so the labels are translated once here."""
        for column in Column:
            header = QStandardItem(_(_HEADERS[column]))
            if column in _HEADER_TIPS:
                header.setToolTip(_(_HEADER_TIPS[column]))
            self.setHorizontalHeaderItem(column, header)


def _prototype(column: Column) -> QStandardItem:
    """A cell of ``column`` before its text: read-only, centred where the column is short."""
    item = QStandardItem()
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if column in (Column.SESSIONS, Column.LEVEL, Column.FLAGS):
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


def _display(row: LeaveRow, column: Column) -> str:
    match column:
        case Column.STUDENT:
            return row.student_name
        case Column.PERIOD:
            return leave_text.compact_period(row)
        case Column.SESSIONS:
            return str(row.sessions)
        case Column.FLAGS:
            return " ".join(mark for mark, _text in leave_text.flag_marks(row))
        case Column.REASON:
            return ReasonCategory(row.reason_category).label
        case Column.LEVEL:
            return str(row.channel)
        case Column.STATE:
            return row.state_label


def _tooltip(row: LeaveRow, column: Column) -> str | None:
    match column:
        case Column.PERIOD:
            return leave_text.period(row)
        case Column.REASON:
            return row.reason_text or None
        case Column.STATE:
            return row.state_label
    return None


Keys = tuple[str, str, str]


def _keys(row: LeaveRow) -> Keys:
    """``(search text, sort text)`` of a row's student, and the row's place in the default
    order: what waits for the teacher first, oldest first."""
    pending = row.status == LeaveStatus.SUBMITTED.value
    return (
        search_key(f"{row.student_name} {row.student_code}"),
        sort_text(row.student_name),
        f"{0 if pending else 1} {row.submitted_at.isoformat()} {row.id:09d}",
    )


def _sort_value(row: LeaveRow, column: Column) -> Any:
    match column:
        case Column.PERIOD:
            # Morning before afternoon ("m" < "a" would not do): sorted as 0 and 1.
            return f"{row.first_day.isoformat()} {int(row.first_session != 'morning')}"
        case Column.SESSIONS:
            return row.sessions
        case Column.LEVEL:
            return row.channel
    return _display(row, column)


class LeaveFilter(RowsFilter[LeaveRow]):
    """Narrows the table to a status, a date range (requests that overlap it), one student and
    students whose name or code matches the search, with or without diacritics ("nguyen" finds
    "Nguyễn"); sorts names the Vietnamese way."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status: str | None = None
        self._query = ""
        self._student_id: int | None = None
        self._from: date | None = None
        self._to: date | None = None
        self.setSortRole(SORT_ROLE)

    def set_status(self, status: str | None) -> None:
        with self.refiltering():
            self._status = status

    def set_search(self, text: str) -> None:
        with self.refiltering():
            self._query = search_key(text)

    def set_student(self, student_id: int | None) -> None:
        with self.refiltering():
            self._student_id = student_id

    def set_dates(self, first: date | None, last: date | None) -> None:
        """Keep requests with at least one day in ``first``..``last`` (either may be open)."""
        with self.refiltering():
            self._from, self._to = first, last

    def key_of(self, row: LeaveRow) -> int:
        return row.id

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, LeaveTableModel)
        row = model.row_at(source_row)
        if self._status is not None and row.status != self._status:
            return False
        if self._student_id is not None and row.student_id != self._student_id:
            return False
        if self._from is not None and row.last_day < self._from:
            return False
        if self._to is not None and row.first_day > self._to:
            return False
        return not self._query or self._query in model.search_text(source_row)
