"""The grade grid's keyboard: a spreadsheet's, over ``GradeBookModel``.

Typing on a cell starts editing with the typed character (it replaces the value); Enter saves
and moves down, Tab saves and moves right (Shift+Tab left), Escape cancels. A value Circular 22
refuses keeps the editor open and is named under the cell; nothing is saved. Enter and Tab move
the same way when no editor is open. Typing on a cell that cannot be edited says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.ui.grades.model import (
    GradeBookModel,
    plain,
)

AnyIndex = QModelIndex | QPersistentModelIndex
Check = Callable[[str], str | None]
"""A typed value → the sentence that refuses it, or ``None`` when it is a valid grade."""

_STARTED = "grade_editor_started"
"""Set on an editor once it holds the cell's value: a later redraw of the row (a sync) must not
put the stored value back over what the teacher is typing."""
_ORIGINAL = "grade_editor_original"

DOWN, RIGHT, LEFT = (1, 0), (0, 1), (0, -1)


class GradeDelegate(QStyledItemDelegate):
    submitted = Signal(QModelIndex, str)
    """A changed value the teacher confirmed (the view's index, the text as typed)."""
    refused = Signal(QModelIndex, str)
    """A value the domain refuses, with its sentence; the editor stays open."""
    moved = Signal(int, int)
    """(rows, columns) to move after an editor closed with Enter or Tab."""
    cancelled = Signal()

    def __init__(self, check: Check, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.check = check
        self._editing: QPersistentModelIndex | None = None

    def createEditor(  # noqa: N802 - Qt API
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("grade_editor")
        editor.setMaxLength(12)
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._editing = QPersistentModelIndex(index)
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802 - Qt API
        if editor.property(_STARTED):
            return
        assert isinstance(editor, QLineEdit)
        value = str(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.setText(value)
        editor.setProperty(_ORIGINAL, value)
        editor.setProperty(_STARTED, True)

    def setModelData(  # noqa: N802 - Qt API
        self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex
    ) -> None:
        # The model is not written here: the screen saves through the database lane.
        assert isinstance(editor, QLineEdit)
        text = editor.text().strip()
        if text == str(editor.property(_ORIGINAL) or "") or not text:
            return
        problem = self.check(text)
        if problem is None:
            self.submitted.emit(plain(index), text)
        else:
            self.refused.emit(plain(index), problem)  # the editor lost the focus

    def editing(self) -> QPersistentModelIndex | None:
        return self._editing

    def destroyEditor(self, editor: QWidget, index: AnyIndex) -> None:  # noqa: N802 - Qt API
        self._editing = None
        super().destroyEditor(editor, index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if not isinstance(watched, QLineEdit) or event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.cancelled.emit()
            self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            return True
        moves = {
            Qt.Key.Key_Return: DOWN,
            Qt.Key.Key_Enter: DOWN,
            Qt.Key.Key_Tab: RIGHT,
            Qt.Key.Key_Backtab: LEFT,
        }
        move = moves.get(Qt.Key(key))
        if move is None:
            return super().eventFilter(watched, event)
        text = watched.text().strip()
        changed = text != str(watched.property(_ORIGINAL) or "")
        problem = self.check(text) if changed else None
        if problem is not None and self._editing is not None:
            self.refused.emit(plain(self._editing), problem)
            return True
        self.commitData.emit(watched)
        self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.NoHint)
        self.moved.emit(*move)
        return True


class GradeTable(QTableView):
    """A ``QTableView`` whose Enter and Tab move among the grade columns."""

    blocked = Signal(QModelIndex)
    """Typing on a cell that cannot be edited (a read-only subject, a name, the average)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)

    def grade_model(self) -> GradeBookModel:
        model = self.model()
        assert isinstance(model, GradeBookModel)
        return model

    def move_by(self, rows: int, columns: int) -> None:
        """Move the current cell among the grade columns; Tab past the last goes on to the next
        student's first, Enter on the last student stays."""
        model = self.grade_model()
        grades = model.grade_columns()
        if not grades or model.rowCount() == 0:
            return
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        column = current.column() if current.isValid() else grades.start
        column = min(max(column, grades.start), grades.stop - 1)
        row += rows
        column += columns
        if column >= grades.stop:
            column, row = grades.start, row + 1
        elif column < grades.start:
            column, row = grades.stop - 1, row - 1
        row = min(max(row, 0), model.rowCount() - 1)
        self.setCurrentIndex(model.index(row, column))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if self.state() != QAbstractItemView.State.EditingState:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.move_by(*DOWN)
                return
            if key == Qt.Key.Key_Tab:
                self.move_by(*RIGHT)
                return
            if key == Qt.Key.Key_Backtab:
                self.move_by(*LEFT)
                return
            current = self.currentIndex()
            typed = event.text().strip()
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
            if (
                typed
                and typed.isprintable()
                and modifiers == Qt.KeyboardModifier.NoModifier
                and current.isValid()
                and not current.flags() & Qt.ItemFlag.ItemIsEditable
            ):
                self.blocked.emit(current)
                return
        super().keyPressEvent(event)
