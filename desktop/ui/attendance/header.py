"""A two-line column header: the upper line spans neighbouring columns that share it (a day's
dd/MM over its S and C columns), the lower line is each column's own (S, C, P, K...).

Each section draws the shared line over the whole group's rectangle, clipped to itself, so the
group reads as one cell however it is scrolled. The lines are read from the model once per
reset (a header paints every section at every scroll)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader, QWidget

from desktop.ui.attendance.model import HeaderRole

_CENTER = Qt.AlignmentFlag.AlignCenter
_MIDDLE = QStyleOptionHeader.SectionPosition.Middle
_BUTTON_TEXT = QPalette.ColorRole.ButtonText
_HEADER = QStyle.ControlElement.CE_Header
_FONT_ROLE = Qt.ItemDataRole.FontRole
_FOREGROUND_ROLE = Qt.ItemDataRole.ForegroundRole


class GroupedHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSectionSize(8)
        self._upper: list[str] = []
        self._lower: list[str] = []
        self._groups: list[tuple[int, int]] = []
        self._metrics: QFontMetrics | None = None

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self._read_lines)
            model.headerDataChanged.connect(self._read_lines)
            model.columnsInserted.connect(self._read_lines)
            model.columnsRemoved.connect(self._read_lines)
        self._read_lines()

    def _read_lines(self) -> None:
        model = self.model()
        count = model.columnCount() if model is not None else 0
        self._upper = [self._text(model, n, HeaderRole.GROUP) for n in range(count)]
        self._lower = [self._text(model, n, HeaderRole.SHORT) for n in range(count)]
        self._groups = []
        first = 0
        for number in range(count):
            if number + 1 == count or self._upper[number + 1] != self._upper[number]:
                self._groups.extend([(first, number)] * (number - first + 1))
                first = number + 1

    def _text(self, model: QAbstractItemModel | None, section: int, role: int) -> str:
        value = model.headerData(section, self.orientation(), role) if model else None
        return value if isinstance(value, str) else ""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.length(), 2 * self.fontMetrics().height() + 10)

    def group_of(self, logical: int) -> tuple[int, int]:
        """The first and last sections sharing ``logical``'s upper line."""
        if not 0 <= logical < len(self._groups):
            return logical, logical
        return self._groups[logical]

    def group_width(self, logical: int) -> int:
        """What the upper line of ``logical``'s group needs, in pixels."""
        metrics = self._metrics or QFontMetrics(self._small(self.font()))
        self._metrics = metrics
        upper = self._upper[logical] if 0 <= logical < len(self._upper) else ""
        return metrics.horizontalAdvance(upper) + 4

    @staticmethod
    def _small(font: QFont) -> QFont:
        """The upper line's font: two points smaller, so dd/MM fits over one session."""
        small = QFont(font)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(6.0, small.pointSizeF() - 2))
        return small

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        if not 0 <= logical < len(self._upper) or not self._upper[logical]:
            super().paintSection(painter, rect, logical)
            return
        first, last = self._groups[logical]
        left = self.sectionViewportPosition(first)
        right = self.sectionViewportPosition(last) + self.sectionSize(last)
        half = rect.height() // 2
        painter.save()
        painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
        font = self.model().headerData(logical, self.orientation(), _FONT_ROLE)
        own = font if isinstance(font, QFont) else self.font()
        painter.setFont(self._small(own))
        upper = QRect(left, rect.top(), right - left, half)
        self._draw(painter, upper, self._upper[logical], logical)
        painter.setFont(own)
        bottom = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        self._draw(painter, bottom, self._lower[logical], logical)
        painter.restore()

    def _draw(self, painter: QPainter, rect: QRect, text: str, logical: int) -> None:
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        option.text = text
        option.textAlignment = _CENTER
        option.position = _MIDDLE
        foreground = self.model().headerData(logical, self.orientation(), _FOREGROUND_ROLE)
        if foreground is not None:
            option.palette.setColor(_BUTTON_TEXT, foreground)
        self.style().drawControl(_HEADER, option, painter, self)
