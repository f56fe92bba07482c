"""The post-audit screen's models: the selected requests, their history, and the marks changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import format_date, format_moment
from desktop.domain.leave import AuditMethod, AuditStatus
from desktop.domain.names import search_key, sort_text
from desktop.i18n import N_
from desktop.services.attendance import session_label
from desktop.services.post_audit import AuditEvent, AuditRow, MarkChange, mark_change_line
from desktop.ui.table_model import RowsFilter, RowsTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex

AWAITING = "awaiting"
CHECKED = "checked"


class Column(IntEnum):
    STUDENT = 0
    PERIOD = 1
    SESSIONS = 2
    STATE = 3
    WHY = 4


_HEADERS = {
    Column.STUDENT: N_("Student"),
    Column.PERIOD: N_("Leave"),
    Column.SESSIONS: N_("Sessions"),
    Column.STATE: N_("Post-audit"),
    Column.WHY: N_("Why selected"),
}


def period(row: AuditRow) -> str:
    first = f"{session_label(SchoolSession(row.first_session))} {format_date(row.first_day)}"
    last = f"{session_label(SchoolSession(row.last_session))} {format_date(row.last_day)}"
    return f"{first} – {last}"


def checked(row: AuditRow) -> str:
    if row.recorded_at is None or row.method is None:
        return ""
    return f"{AuditMethod(row.method).label} · {format_moment(row.recorded_at)}"


class AuditTableModel(RowsTableModel[AuditRow]):
    headers = _HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys: list[tuple[str, str]] = []

    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._keys = [_keys(row) for row in self._rows]
        self.endResetModel()

    def update_rows(self, rows: Iterable[AuditRow], asked: Iterable[int]) -> None:
        """Put the new state of the ``asked`` requests in place: changed rows redrawn, new ones
        appended, those no longer audited removed; the view keeps its selection."""
        fresh = {row.request_id: row for row in rows}
        asked_ids = set(asked)
        for number in reversed(range(len(self._rows))):
            request_id = self._rows[number].request_id
            if request_id in fresh:
                self._rows[number] = fresh.pop(request_id)
                self._keys[number] = _keys(self._rows[number])
                self.dataChanged.emit(self.index(number, 0), self.index(number, len(Column) - 1))
            elif request_id in asked_ids:
                self.beginRemoveRows(QModelIndex(), number, number)
                del self._rows[number], self._keys[number]
                self.endRemoveRows()
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh.values())
            self._keys.extend(_keys(row) for row in fresh.values())
            self.endInsertRows()

    def search_text(self, number: int) -> str:
        return self._keys[number][0]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column)
        if role == SORT_ROLE:
            return self._keys[index.row()][1] if column is Column.STUDENT else _sort(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.WHY:
            return "\n".join(row.reason_labels)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.SESSIONS:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None


def _display(row: AuditRow, column: Column) -> str:
    match column:
        case Column.STUDENT:
            return row.student_name
        case Column.PERIOD:
            return period(row)
        case Column.SESSIONS:
            return str(row.sessions)
        case Column.WHY:
            return ", ".join(row.reason_labels)
        case Column.STATE:
            return AuditStatus(row.audit_status).label


def _sort(row: AuditRow, column: Column) -> Any:
    match column:
        case Column.PERIOD:
            return (row.first_day.isoformat(), row.first_session)
        case Column.SESSIONS:
            return row.sessions
    return _display(row, column)


def _keys(row: AuditRow) -> tuple[str, str]:
    return search_key(f"{row.student_name} {row.student_code}"), sort_text(row.student_name)


class AuditFilter(RowsFilter[AuditRow]):
    """Awaiting the check, checked, or all; a student's name or code, diacritics optional."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state: str | None = AWAITING
        self._query = ""
        self._kept: set[int] = set()
        self.setSortRole(SORT_ROLE)

    @property
    def state(self) -> str | None:
        return self._state

    def keep(self, request_id: int) -> None:
        """Keep showing a request checked here while "awaiting" is shown, until the filter
        changes: the teacher reads its new state and the marks it changed."""
        self._kept.add(request_id)

    def set_state(self, state: str | None) -> None:
        with self.refiltering():
            self._state = state
            self._kept.clear()

    def set_search(self, text: str) -> None:
        with self.refiltering():
            self._query = search_key(text)

    def key_of(self, row: AuditRow) -> int:
        return row.request_id

    def _model(self) -> AuditTableModel:
        model = self.sourceModel()
        assert isinstance(model, AuditTableModel)
        return model

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        model = self._model()
        row = model.row_at(source_row)
        awaiting = row.audit_status == AuditStatus.SELECTED.value or row.request_id in self._kept
        if (self._state == AWAITING and not awaiting) or (self._state == CHECKED and awaiting):
            return False
        return not self._query or self._query in model.search_text(source_row)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802 - Qt API
        return bool(left.data(SORT_ROLE) < right.data(SORT_ROLE))


class HistoryColumn(IntEnum):
    WHEN = 0
    STUDENT = 1
    REQUEST = 2
    WHAT = 3
    BY = 4
    NOTE = 5


_HISTORY_HEADERS = {
    HistoryColumn.WHEN: N_("When"),
    HistoryColumn.STUDENT: N_("Student"),
    HistoryColumn.REQUEST: N_("Request"),
    HistoryColumn.WHAT: N_("What was recorded"),
    HistoryColumn.BY: N_("Recorded by"),
    HistoryColumn.NOTE: N_("Note"),
}


class HistoryModel(RowsTableModel[AuditEvent]):
    """The post-audit history, newest first, times in the school's time zone."""

    headers = _HISTORY_HEADERS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        event = self._rows[index.row()]
        match HistoryColumn(index.column()):
            case HistoryColumn.WHEN:
                return format_moment(event.at)
            case HistoryColumn.STUDENT:
                return event.student_name
            case HistoryColumn.REQUEST:
                return f"#{event.request_id}"
            case HistoryColumn.WHAT:
                return event.what
            case HistoryColumn.BY:
                return event.by
            case HistoryColumn.NOTE:
                return event.note


class MarkChangesModel(QAbstractListModel):
    """The attendance a recorded post-audit changed, one line per session."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._changes: tuple[MarkChange, ...] = ()

    def set_changes(self, changes: Sequence[MarkChange]) -> None:
        self.beginResetModel()
        self._changes = tuple(changes)
        self.endResetModel()

    def lines(self) -> list[str]:
        return [mark_change_line(change) for change in self._changes]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._changes)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return mark_change_line(self._changes[index.row()])
        return None
