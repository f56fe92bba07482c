"""What every list screen's table model shares: a list of frozen rows from a service and
translated column headers. A subclass names its headers and says what a cell shows. And what
every list screen's filter shares: the row behind a shown line, the line a row is shown on."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from desktop.i18n import _

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
AnyIndex = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel, Generic[T]):
    headers: ClassVar[Mapping[Any, str]]
    """Column (an IntEnum member: equal to its int) → its header's English source, marked with
    ``N_`` and translated when shown."""

    _columns_are_headers: ClassVar[bool] = True
    """The class keeps ``columnCount`` as here (one column per header)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._columns_are_headers = cls.columnCount is RowsTableModel.columnCount

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, number: int) -> T:
        return self._rows[number]

    def index(
        self,
        row: int,
        column: int,
        parent: AnyIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        # One Python call where Qt's own index() makes two (rowCount, columnCount): behind a
        # filter every cell painted asks for one. The column count is a call only where a
        # grid's columns are not its headers.
        columns = len(self.headers) if self._columns_are_headers else self.columnCount()
        if 0 <= row < len(self._rows) and 0 <= column < columns and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and section in self.headers
        ):
            return _(self.headers[section])
        return None


class KeyedRowsModel(RowsTableModel[T]):
    """Rows with a key, updated in place: a touched row is redrawn, a new one appended, one no
    longer there removed; the others (and the view's selection) stay."""

    def key_of(self, row: T) -> Hashable:
        raise NotImplementedError

    def update_rows(self, rows: Iterable[T], asked: Iterable[Hashable]) -> None:
        fresh = {self.key_of(row): row for row in rows}
        asked_keys = set(asked)
        last = self.columnCount() - 1
        for number in reversed(range(len(self._rows))):
            key = self.key_of(self._rows[number])
            if key in fresh:
                self._rows[number] = fresh.pop(key)
                self.dataChanged.emit(self.index(number, 0), self.index(number, last))
            elif key in asked_keys:
                self.beginRemoveRows(QModelIndex(), number, number)
                del self._rows[number]
                self.endRemoveRows()
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh.values())
            self.endInsertRows()


@runtime_checkable
class Rows(Protocol[T_co]):
    """What a filter needs of its model: the row behind a line (a ``RowsTableModel``, or an
    item model keeping its rows, such as the leave table)."""

    def row_at(self, number: int) -> T_co: ...


class RowsFilter(QSortFilterProxyModel, Generic[T]):
    """A filter (and sort) over a ``RowsTableModel``; a subclass says which rows it keeps
    (``filterAcceptsRow``) and what names a row (``key_of``), so a selection survives a
    refresh."""

    def key_of(self, row: T) -> Hashable:
        raise NotImplementedError

    def rows(self) -> Rows[T]:
        model = self.sourceModel()
        assert isinstance(model, Rows)
        return model

    def row_at(self, proxy_row: int) -> T:
        return self.rows().row_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def proxy_row_of(self, key: Hashable) -> int | None:
        """The shown line of the row named ``key``, or ``None`` if it is filtered out."""
        for number in range(self.rowCount()):
            if self.key_of(self.row_at(number)) == key:
                return number
        return None

    @contextmanager
    def refiltering(self) -> Iterator[None]:
        """Change what the filter keeps inside this block; the view is told once, after."""
        self.beginFilterChange()
        yield
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
