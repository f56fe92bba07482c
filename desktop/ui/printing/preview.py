"""The print preview: a PDF made on the database lane, its pages drawn on the printing lane
(the ones on screen first) and shown as sheets in a scrolling list; zoom to the width or to
100 %; print through the system's print dialog; save as a PDF where the teacher chooses.

The GUI thread never draws a page, paints a printer or writes the file: it only places what
the printing lane hands back, one page per event-loop turn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.reports.output import write_document
from desktop.reports.pdf_pages import POINTS_PER_INCH, PdfPages
from desktop.ui.printing.job import PrintJob, prepare
from desktop.ui.printing.pages import GAP, PageDelegate, PageListModel, to_image
from desktop.ui.tasks import TaskRunner

AHEAD = 2
"""Pages drawn beyond the ones on screen, so scrolling on finds them ready."""
KEPT = 6
"""Drawn pages kept on either side of the ones on screen."""


@dataclass(frozen=True)
class Drawn:
    row: int
    width: int
    image: QImage
    thread: str


class PrintPreview(QDialog):
    """Opened with what makes the PDF (``make_pdf``, run on the database lane), a title and
    the file name to suggest when saving."""

    def __init__(
        self,
        runner: TaskRunner,
        make_pdf: Callable[[], bytes],
        *,
        title: str,
        file_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._runner = runner
        self._title = title
        self._file_name = file_name
        self._data: bytes | None = None
        self._pages: PdfPages | None = None
        self._free_pages: Callable[[], None] | None = None
        self._drawing: tuple[int, int] | None = None
        self._fit_width = True
        self._closed = False
        self.job: PrintJob | None = None
        self.render_threads: set[str] = set()
        """The threads that drew pages for the screen (never the GUI thread)."""

        self.model = PageListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(PageDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setStyleSheet("QListView { background: #8a8f96; }")
        self.view.verticalScrollBar().setSingleStep(40)
        self.view.verticalScrollBar().valueChanged.connect(lambda _value: self._on_screen())
        self.view.viewport().installEventFilter(self)

        self.position = QLabel()
        self.message = QLabel(_("Preparing the document…"))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fit_button = self._button(_("Fit width"), "Ctrl+0", lambda: self.set_zoom(fit=True))
        self.actual_button = self._button(_("100 %"), "Ctrl+1", lambda: self.set_zoom(fit=False))
        self.print_button = self._button(_("Print…"), "Ctrl+P", self.print_)
        self.save_button = self._button(_("Save as PDF…"), "Ctrl+S", self.save_as)
        self.close_button = self._button(_("Close"), QKeySequence.StandardKey.Cancel, self.reject)
        for button in (self.print_button, self.save_button):
            button.setEnabled(False)
        self.fit_button.setCheckable(True)
        self.actual_button.setCheckable(True)
        self.fit_button.setChecked(True)

        bar = QHBoxLayout()
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_button)
        bar.addSpacing(12)
        bar.addWidget(self.position)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self.resize(900, 700)

        # A resize redraws the pages once the teacher stops dragging, not at every pixel.
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(120)
        self._settle.timeout.connect(self._relayout)
        runner.run_database(make_pdf, self._made, self._failed)

    # --- What the teacher does ------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return 0 if self._pages is None else len(self._pages)

    def set_zoom(self, *, fit: bool) -> None:
        """Sheets as wide as the window (``fit``) or at their real size on screen."""
        self._fit_width = fit
        self.fit_button.setChecked(fit)
        self.actual_button.setChecked(not fit)
        self._relayout()

    def print_(self) -> None:
        """Choose a printer in the system's print dialog, then print every page."""
        if self._pages is None or not len(self._pages) or self.job is not None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare(printer, self._pages.sizes[0], self._title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Print every page on ``printer`` (set up by the print dialog, or by a test)."""
        if self._pages is None or not len(self._pages) or self.job is not None:
            return
        if not printer.docName():
            prepare(printer, self._pages.sizes[0], self._title)
        self.job = PrintJob(self._runner, self._pages, printer, self)
        self.job.progressed.connect(self._printing)
        self.job.finished.connect(self._printed)
        self.job.failed.connect(self._print_failed)
        self.print_button.setEnabled(False)
        self._say(_("Sending the document to the printer…"), error=False)
        self.job.start()

    def save_as(self) -> None:
        """Ask where to save the PDF, then write it there."""
        if self._data is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save as PDF"),
            str(Path(folder) / self._file_name),
            _("PDF documents (*.pdf)"),
        )
        if chosen:
            path = Path(chosen)
            self.save_to(path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf"))

    def save_to(self, path: Path) -> None:
        """Write the PDF at ``path``, exactly these bytes."""
        data = self._data
        if data is None:
            return
        self.save_button.setEnabled(False)

        def saved(_written: Path) -> None:
            self.save_button.setEnabled(True)
            self._say(_("Saved as {path}.").format(path=path), error=False)

        def failed(error: HomeroomError) -> None:
            self.save_button.setEnabled(True)
            self._failed(error)

        self._runner.run_printing(lambda: write_document(path, data), saved, failed)

    def done(self, result: int) -> None:
        # Closing stops a print run and frees PDFium's copy; the printing lane may still
        # hold tasks for this dialog, so the document closes there, after them.
        self._closed = True
        if self.job is not None:
            self.job.cancel()
        self._pages = None
        self.model.set_pages([])
        if self._free_pages is not None:
            self._free_pages()
        super().done(result)

    # --- Answers from the lanes -----------------------------------------------------------

    def _made(self, data: bytes) -> None:
        if self._closed:
            return
        self._data = data
        self._runner.run_printing(lambda: PdfPages(data), self._opened, self._failed)

    def _opened(self, pages: PdfPages) -> None:
        if self._closed:
            pages.close()
            return
        self._pages = pages
        self._free_pages = _freeing(self._runner, pages)
        # Deleted without ``done`` (its window closed under it, the app quit): PDFium's copy
        # is freed all the same, not left to pypdfium2's English warning when Python exits.
        self.destroyed.connect(self._free_pages)
        self.model.set_pages(pages.sizes)
        self.print_button.setEnabled(len(pages) > 0)
        self.save_button.setEnabled(True)
        self.message.clear()
        self._relayout()

    def _drawn(self, drawn: Drawn) -> None:
        self._drawing = None
        self.render_threads.add(drawn.thread)
        if self._closed or self._pages is None:
            return
        if drawn.width == self._device_width():
            self.model.set_drawn(drawn.row, drawn.image, drawn.width, self.devicePixelRatioF())
        self._on_screen()

    def _failed(self, error: HomeroomError) -> None:
        self._drawing = None
        self._say(error.message, error=True)

    def _printing(self, printed: int, count: int) -> None:
        self._say(
            _("Printing page {number} of {count}…").format(number=printed, count=count),
            error=False,
        )

    def _printed(self, count: int) -> None:
        self.job = None
        self.print_button.setEnabled(True)
        self._say(_("{count} pages sent to the printer.").format(count=count), error=False)

    def _print_failed(self, sentence: str) -> None:
        self.job = None
        self.print_button.setEnabled(True)
        self._say(sentence, error=True)

    # --- Drawing what is on screen --------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._settle.start()
        return super().eventFilter(watched, event)

    def _relayout(self) -> None:
        if self._pages is None or not len(self._pages):
            return
        if self._fit_width:
            width = self.view.viewport().width() - 2 * GAP
        else:
            points = self.model.page_size(0).width
            width = round(points / POINTS_PER_INCH * self.logicalDpiX())
        self.model.set_sheet_width(max(120, width))
        self._on_screen()

    def _visible_rows(self) -> range:
        height = self.view.viewport().height()
        first = self.view.indexAt(QPoint(1, 0)).row()
        last = self.view.indexAt(QPoint(1, height - 1)).row()
        count = self.model.rowCount()
        first = max(0, first)
        last = count - 1 if last < 0 else last
        return range(first, last + 1)

    def _device_width(self) -> int:
        return round(self.model.sheet_width * self.devicePixelRatioF())

    def _on_screen(self) -> None:
        """Name the page in the middle of the view, and draw the next page missing on screen
        (then just past it): one at a time, so a scroll reorders what is drawn next."""
        if self._pages is None or not len(self._pages):
            return
        visible = self._visible_rows()
        middle = self.view.indexAt(QPoint(1, self.view.viewport().height() // 2)).row()
        self.position.setText(
            _("Page {number} of {count}").format(
                number=(middle if middle >= 0 else visible.start) + 1, count=len(self._pages)
            )
        )
        self.model.forget_except(range(visible.start - KEPT, visible.stop + KEPT))
        if self._drawing is not None:
            return
        width = self._device_width()
        wanted = range(visible.start, min(len(self._pages), visible.stop + AHEAD))
        for row in wanted:
            if self.model.drawn_width(row) != width:
                self._draw(row, width)
                return

    def _draw(self, row: int, width: int) -> None:
        pages = self._pages
        assert pages is not None
        self._drawing = (row, width)
        dpi = width / (pages.sizes[row].width / POINTS_PER_INCH)

        def draw() -> Drawn:
            image = to_image(pages.render(row, dpi))
            return Drawn(row, width, image, threading.current_thread().name)

        self._runner.run_printing(draw, self._drawn, self._failed)

    # --- Building -------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")

    def _button(
        self, text: str, keys: str | QKeySequence.StandardKey, slot: Callable[[], None]
    ) -> QPushButton:
        button = QPushButton(text)
        button.setShortcut(QKeySequence(keys))
        shown = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{text.rstrip('…')} ({shown})")
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button


def _freeing(runner: TaskRunner, pages: PdfPages) -> Callable[[], None]:
    """What closes ``pages`` once their dialog is gone: on the printing lane, after the tasks
    it still holds, or here once the lanes have stopped (nothing draws with PDFium then).
    Once only: ``done`` and the dialog's deletion both call it."""
    freed = False

    def free() -> None:
        nonlocal freed
        if freed:
            return
        freed = True
        if runner.accepting:
            runner.run_printing(pages.close, _ignored, _ignored)
        else:
            pages.close()

    return free


def _ignored(_answer: object) -> None:
    """The answer of freeing a document nobody shows any more."""
