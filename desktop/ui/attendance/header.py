"""A two-line column header: the upper line spans neighbouring columns that share it (a day's
dd/MM over its S and C columns), the lower line is each column's own (S, C, P, K...).

Each section draws the shared line over the whole group's rectangle, clipped to itself, so the
group reads as one cell however it is scrolled."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QHeaderView, QStyle, QStyleOptionHeader, QWidget

from desktop.ui.attendance.model import HeaderRole


class GroupedHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(False)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSectionSize(8)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        base = super().sizeHint()
        return QSize(base.width(), 2 * self.fontMetrics().height() + 10)

    def group_of(self, logical: int) -> tuple[int, int]:
        """The first and last sections sharing ``logical``'s upper line."""
        label = self._label(logical, HeaderRole.GROUP)
        first = last = logical
        while first > 0 and self._label(first - 1, HeaderRole.GROUP) == label:
            first -= 1
        while last + 1 < self.count() and self._label(last + 1, HeaderRole.GROUP) == label:
            last += 1
        return first, last

    def group_width(self, logical: int) -> int:
        """What the upper line of ``logical``'s group needs, in pixels."""
        metrics = QFontMetrics(self._small(self.font()))
        return metrics.horizontalAdvance(self._label(logical, HeaderRole.GROUP)) + 4

    @staticmethod
    def _small(font: QFont) -> QFont:
        """The upper line's font: two points smaller, so dd/MM fits over one session."""
        small = QFont(font)
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(6.0, small.pointSizeF() - 2))
        return small

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:  # noqa: N802
        group = self._label(logical, HeaderRole.GROUP)
        if not group:
            super().paintSection(painter, rect, logical)
            return
        first, last = self.group_of(logical)
        left = self.sectionViewportPosition(first)
        right = self.sectionViewportPosition(last) + self.sectionSize(last)
        half = rect.height() // 2
        painter.save()
        painter.setClipRect(rect, Qt.ClipOperation.IntersectClip)
        font = self.model().headerData(logical, self.orientation(), Qt.ItemDataRole.FontRole)
        own = font if isinstance(font, QFont) else self.font()
        painter.setFont(self._small(own))
        self._draw(painter, QRect(left, rect.top(), right - left, half), group, logical)
        painter.setFont(own)
        bottom = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        self._draw(painter, bottom, self._label(logical, HeaderRole.SHORT), logical)
        painter.restore()

    def _label(self, logical: int, role: int) -> str:
        value = self.model().headerData(logical, self.orientation(), role)
        return value if isinstance(value, str) else ""

    def _draw(self, painter: QPainter, rect: QRect, text: str, logical: int) -> None:
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        option.text = text
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        option.position = QStyleOptionHeader.SectionPosition.Middle
        foreground = self.model().headerData(
            logical, self.orientation(), Qt.ItemDataRole.ForegroundRole
        )
        if foreground is not None:
            option.palette.setColor(option.palette.ColorRole.ButtonText, foreground)
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
