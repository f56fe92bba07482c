"""The grade book as a table: number, student, the subject's columns, the semester summary.

The model holds the service's frozen rows and, for Qt, one ``QStandardItem`` per cell made from
them: Qt then reads and paints every cell in C++ (a model answering roles from Python made each
repaint of a class's grid cost several milliseconds). A re-read replaces single rows (``merge``,
never a reset), so the current cell, the scroll position and an open editor stay. A value typed
here is shown at once, in italics, until the database lane answers (``set_pending``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel

from desktop.domain.calendar import format_date
from desktop.i18n import _
from desktop.services.grade_book import BookColumn, BookRow, Cell, GradeBook

AnyIndex = QModelIndex | QPersistentModelIndex


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

CENTER = Qt.AlignmentFlag.AlignCenter
OVERDUE_BRUSH, MISSING_BRUSH, LATE_BRUSH = QBrush(OVERDUE), QBrush(MISSING), QBrush(LATE)
GREY = QBrush(READ_ONLY_TEXT)
BOLD, ITALIC = QFont(), QFont()
BOLD.setBold(True)
ITALIC.setItalic(True)
PLAIN_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
EDITABLE_FLAGS = PLAIN_FLAGS | Qt.ItemFlag.ItemIsEditable
ROLES = tuple(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
    )
)
"""Every role a cell's look sets (``_put`` copies them all, an unset one as none)."""
PENDING = "pending"
"""The state of a cell whose typed value is on its way to the database."""


def _state(cell: Cell) -> str:
    if cell.late:
        return "late"
    if cell.overdue:
        return "overdue"
    return "missing" if cell.missing else ""


class GradeBookModel(QStandardItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.book: GradeBook | None = None
        self._rows: list[BookRow] = []
        self._positions: dict[int, int] = {}
        self._pending: dict[tuple[int, int], str] = {}
        """(row, grade column) → the value typed, until it is saved or refused."""
        self._prototypes: dict[tuple[int, str], QStandardItem] = {}
        """(column, cell state) → an item with that look (colours, font, tooltip, flags): a
        cell is a clone of it with its own text, one call into Qt instead of one per role."""

    # --- Filling -----------------------------------------------------------------------

    def set_book(self, book: GradeBook) -> None:
        self.beginResetModel()
        self.book = book
        self._rows = list(book.rows)
        self._positions = {row.student_id: n for n, row in enumerate(self._rows)}
        self._pending.clear()
        self._prototypes.clear()
        # Filled unheard inside the reset: the views read the whole grid once, at its end.
        blocked = self.blockSignals(True)
        try:
            for column in reversed(range(self.columnCount())):
                self.takeColumn(column)  # taken, not removed: see ``_put``
            self.setRowCount(0)
            self.setColumnCount(FIRST_GRADE + len(book.columns) + 1)
            self._label_columns(book)
            for number, row in enumerate(self._rows):
                self.appendRow(self._items(number, row))
        finally:
            self.blockSignals(blocked)
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
        self._prototypes.clear()  # whether it is read-only may have changed: every cell's look
        self._pending.clear()
        self._rows = list(book.rows)
        for number, row in enumerate(self._rows):
            self._put(number, 0, self._items(number, row), announce=False)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )
        self._label_columns(book)

    def merge(self, rows: Iterable[BookRow], asked: Iterable[int]) -> None:
        """Show what a re-read found: ``rows`` replace theirs; a student of ``asked`` without a
        row left the class and goes; a student new to the class joins at the end."""
        fresh = {row.student_id: row for row in rows}
        for student_id in set(asked) - set(fresh):
            self._remove(student_id)
        for row in fresh.values():
            number = self._positions.get(row.student_id)
            if number is None:
                number = len(self._rows)
                self._rows.append(row)
                self._positions[row.student_id] = number
                self.appendRow(self._items(number, row))
                continue
            dropped = [key for key in self._pending if key[0] == number]
            for key in dropped:
                del self._pending[key]
            if self._rows[number] != row or dropped:
                self._rows[number] = row
                self._put(number, 0, self._items(number, row))

    def _remove(self, student_id: int) -> None:
        number = self._positions.get(student_id)
        if number is None:
            return
        del self._rows[number]
        self._pending = {
            (r - (r > number), c): v for (r, c), v in self._pending.items() if r != number
        }
        self._positions = {row.student_id: n for n, row in enumerate(self._rows)}
        self.takeRow(number)  # taken, not removed: PySide then lets go of the row's items
        for below in range(number, len(self._rows)):  # the numbers in the list move up
            self._put(below, NUMBER, [self._number_item(below)])

    def set_pending(self, index: AnyIndex, value: str) -> None:
        """Show ``value`` in the cell until its row is read again."""
        number, column = index.row(), index.column()
        self._pending[(number, column - FIRST_GRADE)] = value
        self._put(number, column, [self._grade_item(number, column - FIRST_GRADE)])

    def clear_pending(self, index: AnyIndex) -> None:
        number, column = index.row(), index.column()
        if self._pending.pop((number, column - FIRST_GRADE), None) is not None:
            self._put(number, column, [self._grade_item(number, column - FIRST_GRADE)])

    def _put(
        self, number: int, first: int, items: list[QStandardItem], *, announce: bool = True
    ) -> None:
        """What ``items`` show, in row ``number`` from column ``first`` on, told to the views as
        one change (``announce``) rather than one per cell."""
        blocked = self.blockSignals(True)
        try:
            for offset, item in enumerate(items):
                # Copied into the cell's item, not put in its place: replacing an item drops
                # an open editor's index (typing on in a row a sync redraws), and PySide keeps
                # the Python side of an item Qt deletes (a later object at the same address,
                # the view's selection model once, came back as that stale item).
                cell = self.item(number, first + offset)
                cell.setFlags(item.flags())
                for role in ROLES:
                    cell.setData(item.data(role), role)
        finally:
            self.blockSignals(blocked)
        if announce:
            self.dataChanged.emit(
                self.index(number, first), self.index(number, first + len(items) - 1)
            )

    # --- Items -------------------------------------------------------------------------

    def _items(self, number: int, row: BookRow) -> list[QStandardItem]:
        items = [self._number_item(number)]
        student = self._cloned((STUDENT, ""), lambda: self._new(), row.student_name)
        student.setToolTip(row.student_code)
        items.append(student)
        items.extend(self._grade_item(number, n) for n in range(len(row.cells)))
        state = "" if row.summary else "incomplete"
        items.append(self._cloned((-1, state), lambda: self._summary_look(state), row.summary))
        return items

    def _number_item(self, number: int) -> QStandardItem:
        return self._cloned((NUMBER, ""), lambda: self._new(alignment=CENTER), str(number + 1))

    def _grade_item(self, number: int, grade: int) -> QStandardItem:
        """The item of grade column ``grade`` (0 for the first) of row ``number``."""
        # Written for speed: it runs for every cell of a class at each book shown.
        cell = self._rows[number].cells[grade]
        pending = self._pending.get((number, grade)) if self._pending else None
        if pending is not None:
            return self._cloned((FIRST_GRADE + grade, PENDING), self._pending_look, pending)
        state = _state(cell)
        key = (FIRST_GRADE + grade, state)
        prototype = self._prototypes.get(key)
        if prototype is None:
            prototype = self._prototypes[key] = self._grade_look(grade, state, cell)
        item = prototype.clone()
        item.setText(cell.value)
        return item

    def _cloned(
        self, key: tuple[int, str], make: Callable[[], QStandardItem], text: str
    ) -> QStandardItem:
        prototype = self._prototypes.get(key)
        if prototype is None:
            prototype = self._prototypes[key] = make()
        item = prototype.clone()
        item.setText(text)
        return item

    def _new(
        self,
        *,
        editable: bool = False,
        alignment: Qt.AlignmentFlag | None = None,
        tooltip: str | None = None,
    ) -> QStandardItem:
        assert self.book is not None
        item = QStandardItem()
        item.setFlags(EDITABLE_FLAGS if editable and not self.book.read_only else PLAIN_FLAGS)
        if alignment is not None:
            item.setTextAlignment(alignment)
        if tooltip is not None:
            item.setToolTip(tooltip)
        if self.book.read_only:
            item.setForeground(GREY)
        return item

    def _summary_look(self, state: str) -> QStandardItem:
        tip = _("Not complete yet: a score it needs is missing.") if state else None
        item = self._new(alignment=CENTER, tooltip=tip)
        item.setFont(BOLD)
        return item

    def _pending_look(self) -> QStandardItem:
        item = self._new(editable=True, alignment=CENTER, tooltip=_("Being saved…"))
        item.setForeground(GREY)
        item.setFont(ITALIC)
        return item

    def _grade_look(self, grade: int, state: str, cell: Cell) -> QStandardItem:
        assert self.book is not None
        tip = _cell_tip(self.book.columns[grade].due, cell)
        item = self._new(editable=True, alignment=CENTER, tooltip=tip)
        background = {"late": LATE_BRUSH, "overdue": OVERDUE_BRUSH, "missing": MISSING_BRUSH}
        if state in background:
            item.setBackground(background[state])
        return item

    # --- Reading -----------------------------------------------------------------------

    def _label_columns(self, book: GradeBook) -> None:
        """The headers as Qt items, read in C++: a ``headerData`` in Python was asked for each
        section and role whenever the header repainted (over a hundred calls a book shown). A
        language change rebuilds the window, so the labels are translated once here."""
        labels = [_("No. in the list"), _("Full name"), *(c.label for c in book.columns)]
        tips: list[str | None] = [None, None]
        tips += [
            None if c.due is None else _("Deadline: {day}").format(day=format_date(c.due))
            for c in book.columns
        ]
        if book.comment:
            labels.append(_("Result"))
            tips.append(_("Semester result: Đ when every assessment is Đ"))
        else:
            labels.append(_("Average"))
            tips.append(_("Semester average: (ΣTX + 2·GK + 3·CK) / (number of TX + 5)"))
        for section, (label, tip) in enumerate(zip(labels, tips, strict=True)):
            header = QStandardItem(label)
            if tip is not None:
                header.setToolTip(tip)
            self.setHorizontalHeaderItem(section, header)

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
