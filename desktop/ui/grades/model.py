"""The grade book as a table: number, student, the subject's columns, the semester summary.

The model holds the service's frozen rows; a re-read replaces single rows (``merge``, never a
reset), so the current cell, the scroll position and an open editor stay. A value typed here is
shown at once, in italics, until the database lane answers (``set_pending``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.domain.calendar import format_date
from desktop.i18n import _
from desktop.services.grade_book import BookColumn, BookRow, Cell, GradeBook

AnyIndex = QModelIndex | QPersistentModelIndex
CELL_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""The ``Cell`` of a grade column (``None`` elsewhere)."""


def plain(index: AnyIndex) -> QModelIndex:
    """A ``QModelIndex`` for either kind of index (some of Qt's calls take only this one)."""
    if isinstance(index, QModelIndex):
        return index
    model = index.model()
    if model is None or not index.isValid():
        return QModelIndex()
    return model.index(index.row(), index.column())


NUMBER, STUDENT = 0, 1
FIRST_GRADE = 2
"""Columns before the grades: the number in the class list and the student's name."""

OVERDUE = QColor("#f8c9c4")
"""Missing after its deadline."""
MISSING = QColor("#fff7d6")
"""Missing, its deadline still to come."""
LATE = QColor("#fdd9a8")
"""Entered after its deadline."""
READ_ONLY_TEXT = QColor("#6b6b6b")

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FONT = int(Qt.ItemDataRole.FontRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
CENTER = Qt.AlignmentFlag.AlignCenter
OVERDUE_BRUSH, MISSING_BRUSH, LATE_BRUSH = QBrush(OVERDUE), QBrush(MISSING), QBrush(LATE)
GREY = QBrush(READ_ONLY_TEXT)
BOLD, ITALIC = QFont(), QFont()
BOLD.setBold(True)
ITALIC.setItalic(True)
LOOK = -1
"""Where a cell's ``Look`` is kept among its answers (no role Qt asks for)."""
Look = tuple[str, QBrush | None, QColor | None, QFont | None, Qt.AlignmentFlag]
"""A cell as drawn: its text, background, text colour (``None``: the palette's), font
(``None``: the view's) and alignment."""
PLAIN_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
EDITABLE_FLAGS = PLAIN_FLAGS | Qt.ItemFlag.ItemIsEditable


class GradeBookModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book: GradeBook | None = None
        self._rows: list[BookRow] = []
        self._positions: dict[int, int] = {}
        self._pending: dict[tuple[int, int], str] = {}
        """(row, grade column) → the value typed, until it is saved or refused."""
        self._roles: dict[tuple[int, int], dict[int, Any]] = {}
        """(row, column) → role → answer, filled as Qt asks."""
        self._grade_end = FIRST_GRADE
        self._editable = False
        self._tips: dict[tuple[int, str], str | None] = {}
        """(column, cell state) → its tooltip: the same few sentences for a whole column."""

    # --- Filling -----------------------------------------------------------------------

    def set_book(self, book: GradeBook) -> None:
        self.beginResetModel()
        self.book = book
        self._rows = list(book.rows)
        self._positions = {row.student_id: n for n, row in enumerate(self._rows)}
        self._pending.clear()
        self._roles.clear()
        self._tips.clear()
        self._grade_end = FIRST_GRADE + len(book.columns)
        self._editable = not book.read_only
        self.endResetModel()

    def same_shape(self, book: GradeBook) -> bool:
        """``book`` has this one's subject, semester and columns: it can be merged in place."""
        return (
            self.book is not None
            and book.subject.id == self.book.subject.id
            and book.semester == self.book.semester
            and book.columns == self.book.columns
        )

    def replace_book(self, book: GradeBook) -> None:
        """A re-read of the book shown (a lock or a deadline changed): merged in place when
        the same students are there, so the current cell stays."""
        if not self.same_shape(book) or [r.student_id for r in book.rows] != [
            r.student_id for r in self._rows
        ]:
            self.set_book(book)
            return
        self.book = book
        self._roles.clear()
        self._tips.clear()
        self._editable = not book.read_only
        self.merge(book.rows, ())
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def merge(self, rows: Iterable[BookRow], asked: Iterable[int]) -> None:
        """Show what a re-read found: ``rows`` replace theirs; a student of ``asked`` without a
        row left the class and goes; a student new to the class joins at the end."""
        fresh = {row.student_id: row for row in rows}
        for student_id in set(asked) - set(fresh):
            self._remove(student_id)
        for row in fresh.values():
            number = self._positions.get(row.student_id)
            if number is None:
                end = len(self._rows)
                self.beginInsertRows(QModelIndex(), end, end)
                self._rows.append(row)
                self._positions[row.student_id] = end
                self.endInsertRows()
                continue
            dropped = [key for key in self._pending if key[0] == number]
            for key in dropped:
                del self._pending[key]
            if self._rows[number] != row or dropped:
                self._rows[number] = row
                self._forget_row(number)
                self.dataChanged.emit(
                    self.index(number, 0), self.index(number, self.columnCount() - 1)
                )

    def _remove(self, student_id: int) -> None:
        number = self._positions.get(student_id)
        if number is None:
            return
        self.beginRemoveRows(QModelIndex(), number, number)
        del self._rows[number]
        self._pending = {
            (r - (r > number), c): v for (r, c), v in self._pending.items() if r != number
        }
        self._positions = {row.student_id: n for n, row in enumerate(self._rows)}
        self._roles.clear()
        self.endRemoveRows()

    def _forget_row(self, number: int) -> None:
        for column in range(self.columnCount()):
            self._roles.pop((number, column), None)

    def set_pending(self, index: AnyIndex, value: str) -> None:
        """Show ``value`` in the cell until its row is read again."""
        self._pending[(index.row(), index.column() - FIRST_GRADE)] = value
        self._roles.pop((index.row(), index.column()), None)
        self.dataChanged.emit(plain(index), plain(index))

    def clear_pending(self, index: AnyIndex) -> None:
        if self._pending.pop((index.row(), index.column() - FIRST_GRADE), None) is not None:
            self._roles.pop((index.row(), index.column()), None)
            self.dataChanged.emit(plain(index), plain(index))

    # --- Reading -----------------------------------------------------------------------

    def row_at(self, number: int) -> BookRow:
        return self._rows[number]

    def row_of(self, student_id: int) -> int | None:
        return self._positions.get(student_id)

    def student_ids(self) -> list[int]:
        return [row.student_id for row in self._rows]

    def entry_students(self) -> dict[str, int]:
        """Every entry id shown → its student: a sync may replace or remove an entry."""
        return {
            str(cell.entry_id): row.student_id
            for row in self._rows
            for cell in row.cells
            if cell.entry_id is not None
        }

    def is_grade(self, index: AnyIndex) -> bool:
        return (
            self.book is not None
            and index.isValid()
            and FIRST_GRADE <= index.column() < FIRST_GRADE + len(self.book.columns)
        )

    def grade_columns(self) -> range:
        count = len(self.book.columns) if self.book is not None else 0
        return range(FIRST_GRADE, FIRST_GRADE + count)

    def column_of(self, index: AnyIndex) -> BookColumn:
        assert self.book is not None
        return self.book.columns[index.column() - FIRST_GRADE]

    def cell_at(self, index: AnyIndex) -> Cell:
        return self._rows[index.row()].cells[index.column() - FIRST_GRADE]

    def is_pending(self, index: AnyIndex) -> bool:
        return (index.row(), index.column() - FIRST_GRADE) in self._pending

    # --- Qt ----------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        if parent.isValid() or self.book is None:
            return 0
        return FIRST_GRADE + len(self.book.columns) + 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._editable and FIRST_GRADE <= index.column() < self._grade_end:
            return EDITABLE_FLAGS
        return PLAIN_FLAGS

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.book is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        grades = len(self.book.columns)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == NUMBER:
                return _("No. in the list")
            if section == STUDENT:
                return _("Full name")
            if section < FIRST_GRADE + grades:
                return self.book.columns[section - FIRST_GRADE].label
            return _("Result") if self.book.comment else _("Average")
        if role == Qt.ItemDataRole.ToolTipRole:
            if FIRST_GRADE <= section < FIRST_GRADE + grades:
                column = self.book.columns[section - FIRST_GRADE]
                if column.due is None:
                    return None
                return _("Deadline: {day}").format(day=format_date(column.due))
            if section == FIRST_GRADE + grades:
                return (
                    _("Semester result: Đ when every assessment is Đ")
                    if self.book.comment
                    else _("Semester average: (ΣTX + 2·GK + 3·CK) / (number of TX + 5)")
                )
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks a dozen roles per cell at every repaint: each cell's answers are worked out
        # once into a dict (until its row changes), so a repaint is mostly dict lookups.
        key = (index.row(), index.column())
        roles = self._roles.get(key)
        if roles is None:
            if not index.isValid() or self.book is None:
                return None
            roles = self._roles[key] = self._answers(*key)
        return roles.get(role)

    def answers(self, row: int, column: int) -> dict[int, Any]:
        """Every role's answer for one cell (the delegate paints from it in one call)."""
        roles = self._roles.get((row, column))
        if roles is None:
            roles = self._roles[(row, column)] = self._answers(row, column)
        return roles

    def look(self, row: int, column: int) -> Look:
        """What the delegate draws for one cell, made once per cell like its answers (and
        forgotten with them): a paint is then one lookup, no role or flag arithmetic."""
        roles = self.answers(row, column)
        look: Look | None = roles.get(LOOK)
        if look is None:
            foreground = roles.get(FOREGROUND)
            look = roles[LOOK] = (
                str(roles.get(DISPLAY) or ""),
                roles.get(BACKGROUND),
                foreground.color() if foreground is not None else None,
                roles.get(FONT),
                roles.get(ALIGNMENT, Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter,
            )
        return look

    def _answers(self, number: int, column: int) -> dict[int, Any]:
        assert self.book is not None
        row = self._rows[number]
        if FIRST_GRADE <= column < self._grade_end:
            return self._grade_answers(number, column, row.cells[column - FIRST_GRADE])
        roles: dict[int, Any] = {}
        if column == NUMBER:
            roles[DISPLAY] = str(number + 1)
            roles[ALIGNMENT] = CENTER
        elif column == STUDENT:
            roles[DISPLAY] = row.student_name
            roles[TOOLTIP] = row.student_code
        else:
            roles[DISPLAY] = row.summary
            roles[ALIGNMENT] = CENTER
            roles[FONT] = BOLD
            if not row.summary:
                roles[TOOLTIP] = _("Not complete yet: a score it needs is missing.")
        if self.book.read_only:
            roles[FOREGROUND] = GREY
        return roles

    def _grade_answers(self, number: int, column: int, cell: Cell) -> dict[int, Any]:
        assert self.book is not None
        pending = self._pending.get((number, column - FIRST_GRADE))
        value = pending if pending is not None else cell.value
        roles: dict[int, Any] = {
            DISPLAY: value,
            EDIT: value,
            CELL_ROLE: cell,
            ALIGNMENT: CENTER,
        }
        if pending is not None:
            roles[FOREGROUND] = GREY
            roles[FONT] = ITALIC
            roles[TOOLTIP] = _("Being saved…")
            return roles
        if cell.late:
            roles[BACKGROUND] = LATE_BRUSH
        elif cell.overdue:
            roles[BACKGROUND] = OVERDUE_BRUSH
        elif cell.missing:
            roles[BACKGROUND] = MISSING_BRUSH
        if self.book.read_only:
            roles[FOREGROUND] = GREY
        state = (
            "late"
            if cell.late
            else "overdue"
            if cell.overdue
            else "missing"
            if cell.missing
            else ""
        )
        tip = self._tips.get((column, state), "")
        if tip == "":
            tip = self._tips[(column, state)] = self._cell_tip(
                self.book.columns[column - FIRST_GRADE].due, cell
            )
        if tip is not None:
            roles[TOOLTIP] = tip
        return roles

    @staticmethod
    def _cell_tip(due: date | None, cell: Cell) -> str | None:
        shown_due = format_date(due) if due is not None else ""
        if cell.late:
            return _("Entered after the deadline of {day}.").format(day=shown_due)
        if cell.overdue:
            return _("Missing: the deadline of {day} has passed.").format(day=shown_due)
        if cell.missing and due is not None:
            return _("Missing; due by {day}.").format(day=shown_due)
        if cell.missing:
            return _("Missing.")
        return None
