"""One section of the overview as a list: a model over its lines and a delegate that draws a
line as the teacher reads it (a coloured count, a title, the first few items beneath)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.i18n import N_, _
from desktop.services.overview import Line, Severity

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
"""The ``Line`` itself."""
OPENS_ROLE = Qt.ItemDataRole.UserRole + 2
"""Whether activating the line opens a screen (the window has the screen it links to)."""
AnyIndex = QModelIndex | QPersistentModelIndex

COLOURS = {
    Severity.CALM: QColor("#9e9e9e"),
    Severity.INFO: QColor("#1565c0"),
    Severity.NOTICE: QColor("#f2a900"),
    Severity.WARNING: QColor("#e65100"),
    Severity.ALERT: QColor("#c62828"),
}
"""The stripe beside a line: 45 sessions red, 40 orange, 30 amber, calm grey for zero."""
COUNT_COLOURS = {**COLOURS, Severity.CALM: QColor("#757575"), Severity.NOTICE: QColor("#9a6700")}
"""The count's colour: amber text darker than the stripe, so it stays readable on white."""
LATER = N_("The screen for this comes in the next version.")


class SectionModel(QAbstractListModel):
    """The lines of one section; ``set_lines`` keeps the rows (and the selection) when only the
    counts changed."""

    def __init__(self, can_open: Callable[[str], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[Line] = []
        self._can_open = can_open

    def opens(self, line: Line) -> bool:
        return line.link is not None and self._can_open(line.link.screen)

    def set_lines(self, lines: Sequence[Line]) -> None:
        if [line.key for line in lines] == [line.key for line in self._lines]:
            self._lines = list(lines)
            if self._lines:
                self.dataChanged.emit(self.index(0), self.index(len(self._lines) - 1))
            return
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def line_at(self, row: int) -> Line:
        return self._lines[row]

    def row_of(self, key: tuple[str, ...]) -> int | None:
        return next((n for n, line in enumerate(self._lines) if line.key == key), None)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return spoken(line)
        if role == Qt.ItemDataRole.ToolTipRole:
            later = line.link is not None and not self.opens(line)
            return "\n".join(filter(None, [line.title(), line.detail(), _(LATER) if later else ""]))
        if role == LINE_ROLE:
            return line
        if role == OPENS_ROLE:
            return self.opens(line)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def count_text(line: Line) -> str:
    return "" if line.count is None else str(line.count)


def spoken(line: Line) -> str:
    """The whole line as one sentence (what a screen reader says, what tests read)."""
    title = line.title() if line.count is None else f"{line.count} · {line.title()}"
    detail = line.detail()
    return f"{title}: {detail}" if detail else title


class LineDelegate(QStyledItemDelegate):
    """Draws a line: a stripe in its severity's colour, the count, the title in bold, the
    detail in a quieter colour on at most two lines, and "›" when the line opens a screen."""

    PADDING = 8
    STRIPE = 4
    COUNT_WIDTH = 56
    ARROW_WIDTH = 20
    DETAIL_LINES = 2

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        title = QFont(base)
        title.setBold(True)
        count = QFont(base)
        count.setBold(True)
        count.setPointSizeF(base.pointSizeF() * 1.45)
        detail = QFont(base)
        return count, title, detail

    def _text_width(self) -> int:
        # The view's width, not the option's: a list asks for sizes before it lays rows out.
        width = self._view.viewport().width()
        used = self.STRIPE + 2 * self.PADDING + self.COUNT_WIDTH + self.ARROW_WIDTH
        return max(80, width - used)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:  # noqa: N802
        line: Line = index.data(LINE_ROLE)
        _count, title_font, detail_font = self._fonts(option.font)
        height = QFontMetrics(title_font).height()
        detail = line.detail()
        if detail:
            metrics = QFontMetrics(detail_font)
            lines = self._detail_lines(metrics, detail, self._text_width())
            height += 2 + metrics.lineSpacing() * len(lines)
        return QSize(self._text_width(), height + 2 * self.PADDING)

    def _detail_lines(self, metrics: QFontMetrics, text: str, width: int) -> list[str]:
        """``text`` wrapped at word boundaries on at most ``DETAIL_LINES`` lines, the last one
        elided."""
        words = text.split(" ")
        lines: list[str] = []
        current = ""
        for number, word in enumerate(words):
            candidate = f"{current} {word}" if current else word
            if metrics.horizontalAdvance(candidate) <= width or not current:
                current = candidate
                continue
            lines.append(current)
            if len(lines) == self.DETAIL_LINES - 1:
                rest = " ".join(words[number:])
                lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
                return lines
            current = word
        if current:
            lines.append(metrics.elidedText(current, Qt.TextElideMode.ElideRight, width))
        return lines

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        line: Line = index.data(LINE_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        rect: QRect = opt.rect
        palette: QPalette = opt.palette
        state = opt.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        painter.fillRect(
            QRect(rect.left(), rect.top() + 3, self.STRIPE, rect.height() - 6),
            COLOURS[line.severity],
        )
        count_font, title_font, detail_font = self._fonts(opt.font)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        left = rect.left() + self.STRIPE + self.PADDING
        top = rect.top() + self.PADDING
        title_height = QFontMetrics(title_font).height()

        painter.setFont(count_font)
        painter.setPen(palette.color(text_role) if selected else COUNT_COLOURS[line.severity])
        count_rect = QRect(left, rect.top(), self.COUNT_WIDTH - self.PADDING, rect.height())
        painter.drawText(
            count_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            count_text(line),
        )

        width = self._text_width()
        text_left = left + self.COUNT_WIDTH
        painter.setFont(title_font)
        painter.setPen(palette.color(text_role))
        title = QFontMetrics(title_font).elidedText(
            line.title(), Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(
            QRect(text_left, top, width, title_height),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        detail = line.detail()
        if detail:
            metrics = QFontMetrics(detail_font)
            painter.setFont(detail_font)
            quiet = (
                palette.color(text_role)
                if selected
                else palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
            )
            painter.setPen(quiet)
            y = top + title_height + 2
            for text in self._detail_lines(metrics, detail, width):
                painter.drawText(
                    QRect(text_left, y, width, metrics.lineSpacing()),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )
                y += metrics.lineSpacing()
        if index.data(OPENS_ROLE):
            painter.setFont(count_font)
            painter.setPen(palette.color(text_role) if selected else COLOURS[Severity.CALM])
            painter.drawText(
                QRect(rect.right() - self.ARROW_WIDTH, rect.top(), self.ARROW_WIDTH, rect.height()),
                int(Qt.AlignmentFlag.AlignCenter),
                "›",
            )
        if state & QStyle.StateFlag.State_HasFocus and style is not None:
            focus = QStyleOptionViewItem(opt)
            focus.rect = rect.adjusted(1, 1, -1, -1)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, widget)
        painter.restore()
