"""The pages of the print preview as a list model and the delegate that draws them: each row
is a page, drawn once its pixels arrive from the printing lane, a blank sheet until then."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop.i18n import _
from desktop.reports.pdf_pages import PageSize, Pixels

GAP = 16
"""Grey space around each sheet, in pixels of the screen."""

ModelIndex = QModelIndex | QPersistentModelIndex


def to_image(pixels: Pixels) -> QImage:
    """A QImage owning its own copy of ``pixels`` (made on the worker thread: a QImage, unlike
    a QPixmap, may be made there, and the copy is the costly part)."""
    view = QImage(
        pixels.data, pixels.width, pixels.height, pixels.stride, QImage.Format.Format_RGBX8888
    )
    return view.copy()


class PageListModel(QAbstractListModel):
    """One row per page; the sheets' width on screen is the same for all (the zoom)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sizes: list[PageSize] = []
        self._drawn: dict[int, tuple[QPixmap, int]] = {}
        self.sheet_width = 600

    def set_pages(self, sizes: list[PageSize]) -> None:
        self.beginResetModel()
        self._sizes = list(sizes)
        self._drawn.clear()
        self.endResetModel()

    def set_sheet_width(self, width: int) -> None:
        """Every sheet ``width`` screen pixels wide (the drawn pages stay, stretched, until
        they are drawn again at the new size)."""
        if width != self.sheet_width:
            self.layoutAboutToBeChanged.emit()
            self.sheet_width = width
            self.layoutChanged.emit()

    def sheet_size(self, row: int) -> QSize:
        size = self._sizes[row]
        return QSize(self.sheet_width, max(1, round(self.sheet_width * size.height / size.width)))

    def page_size(self, row: int) -> PageSize:
        return self._sizes[row]

    def drawn_width(self, row: int) -> int | None:
        """The width in device pixels asked for the page drawn for ``row``, if there is one
        (PDFium rounds up: the image may be a pixel wider)."""
        drawn = self._drawn.get(row)
        return None if drawn is None else drawn[1]

    def set_drawn(self, row: int, image: QImage, width: int, device_ratio: float) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(device_ratio)
        self._drawn[row] = (pixmap, width)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def forget_except(self, keep: range) -> None:
        """Drop the drawn pages outside ``keep`` (300 forms at screen size would take
        gigabytes)."""
        for row in [row for row in self._drawn if row not in keep]:
            del self._drawn[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._sizes)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._sizes):
            return None
        row = index.row()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _("Page {number} of {count}").format(number=row + 1, count=len(self._sizes))
        if role == Qt.ItemDataRole.DecorationRole:
            drawn = self._drawn.get(row)
            return None if drawn is None else drawn[0]
        if role == Qt.ItemDataRole.SizeHintRole:
            return self.sheet_size(row) + QSize(2 * GAP, GAP)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled if index.isValid() else Qt.ItemFlag.NoItemFlags


class PageDelegate(QStyledItemDelegate):
    """A white sheet with a thin shadow, centred, and the page on it once drawn."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        model = index.model()
        assert isinstance(model, PageListModel)
        area: QRect = option.rect
        size = model.sheet_size(index.row())
        sheet = QRect(
            area.x() + (area.width() - size.width()) // 2, area.y() + GAP, *size.toTuple()
        )
        painter.save()
        painter.fillRect(sheet.translated(3, 3), QColor(0, 0, 0, 60))
        painter.fillRect(sheet, Qt.GlobalColor.white)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap):
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(sheet, pixmap)
        else:
            painter.setPen(QColor(120, 120, 120))
            painter.drawText(sheet, Qt.AlignmentFlag.AlignCenter, index.data())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        hint = index.data(Qt.ItemDataRole.SizeHintRole)
        return hint if isinstance(hint, QSize) else QSize()
