"""The month grid's view: arrow keys move, a mark's letter goes to the screen, and the cells
are painted in one pass.

Qt's item painting asks the model for seven roles of every cell through Python; a month has a
thousand cells on screen, which cost some 30 ms a frame. Most cells are empty, so this view
fills the off columns and the marked cells, writes their letters and draws the grid lines
itself: a frame costs a call per marked cell, not seven per cell."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyleOptionFocusRect, QStyleOptionViewItem, QTableView

from desktop.ui.attendance.model import MonthModel

_CENTER = Qt.AlignmentFlag.AlignCenter


class MarkTable(QTableView):
    mark_typed = Signal(str)
    """An ``Observation`` value, or ``""`` (take the observation back)."""

    def __init__(self, keys: dict[int, str]) -> None:
        super().__init__()
        self._keys = keys

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        plain = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if plain == Qt.KeyboardModifier.NoModifier and event.key() in self._keys:
            event.accept()
            self.mark_typed.emit(self._keys[event.key()])
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        model = self.model()
        if not isinstance(model, MonthModel) or model.rowCount() == 0:
            super().paintEvent(event)
            return
        area = event.rect()
        rows, columns = model.rowCount(), model.columnCount()
        first_row = max(0, self.rowAt(area.top()))
        last_row = self.rowAt(area.bottom())
        last_row = rows - 1 if last_row < 0 else last_row
        first_column = max(0, self.columnAt(area.left()))
        last_column = self.columnAt(area.right())
        last_column = columns - 1 if last_column < 0 else last_column
        top = self.rowViewportPosition(first_row)
        bottom = self.rowViewportPosition(last_row) + self.rowHeight(last_row)
        lefts = {c: self.columnViewportPosition(c) for c in range(first_column, last_column + 1)}
        widths = {c: self.columnWidth(c) for c in lefts}
        painter = QPainter(self.viewport())
        font = painter.font()
        pen = painter.pen()
        for number in range(first_row, last_row + 1):
            y, height = self.rowViewportPosition(number), self.rowHeight(number)
            for column in lefts:
                text, background, foreground, cell_font = model.look(number, column)
                if background is None and not text:
                    continue
                rect = QRect(lefts[column], y, widths[column], height)
                if background is not None:
                    painter.fillRect(rect, background)
                if text:
                    painter.setFont(cell_font if cell_font is not None else font)
                    painter.setPen(foreground if foreground is not None else pen)
                    painter.drawText(rect, _CENTER, text)
        self._paint_current(painter, model)
        painter.setFont(font)
        painter.setPen(QPen(self._grid_colour(), 0))
        right = lefts[last_column] + widths[last_column] - 1
        for number in range(first_row, last_row + 1):
            y = self.rowViewportPosition(number) + self.rowHeight(number) - 1
            painter.drawLine(lefts[first_column], y, right, y)
        for column in lefts:
            x = lefts[column] + widths[column] - 1
            painter.drawLine(x, top, x, bottom - 1)
        painter.end()

    def _grid_colour(self) -> QColor:
        """The style's grid colour, as ``QTableView`` itself asks for it."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        hint = self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
        return QColor.fromRgba(hint & 0xFFFFFFFF)

    def _paint_current(self, painter: QPainter, model: MonthModel) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        rect = self.visualRect(current)
        group = QPalette.ColorGroup.Active if self.hasFocus() else QPalette.ColorGroup.Inactive
        painter.fillRect(rect, self.palette().color(group, QPalette.ColorRole.Highlight))
        text, _background, _foreground, cell_font = model.look(current.row(), current.column())
        if text:
            if cell_font is not None:
                painter.setFont(cell_font)
            painter.setPen(self.palette().color(group, QPalette.ColorRole.HighlightedText))
            painter.drawText(rect, _CENTER, text)
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            option.rect = rect
            self.style().drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self
            )
