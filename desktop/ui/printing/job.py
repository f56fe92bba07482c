"""One print run: every page of a PDF drawn at the printer's resolution and painted onto a
``QPrinter``, one page per task on the printing lane.

The painting happens on the printing lane too, not on the GUI thread: Qt supports a QPainter
on a QPrinter in a worker thread, and painting one 300 dpi A4 page into the printer's output
(Qt compresses the image then) takes about 150 ms here, three times the longest stall the
window may have. One task per page lets the GUI thread show the progress between pages and
stop the run if the teacher closes the preview.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QRectF, QSizeF, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.reports.pdf_pages import PageSize, PdfPages
from desktop.ui.printing.pages import to_image
from desktop.ui.tasks import TaskRunner

MAX_DPI = 300
"""The pages are drawn at the printer's resolution up to this: a form is text and a QR code,
300 dpi is office print quality, and a PDF printer's 1200 dpi would make a 560 MB image of
each A4 page."""


def prepare(printer: QPrinter, first_page: PageSize, title: str) -> None:
    """Paper of the PDF's size and orientation, the page painted edge to edge (the PDF has its
    own margins), before the print dialog shows the choices."""
    portrait = first_page.width <= first_page.height
    short, long = sorted((first_page.width, first_page.height))
    size = QSizeF(short, long)
    known = QPageSize.id(size, QPageSize.Unit.Point, QPageSize.SizeMatchPolicy.FuzzyMatch)
    if known == QPageSize.PageSizeId.Custom:
        printer.setPageSize(QPageSize(size, QPageSize.Unit.Point))
    else:
        printer.setPageSize(QPageSize(known))
    printer.setPageOrientation(
        QPageLayout.Orientation.Portrait if portrait else QPageLayout.Orientation.Landscape
    )
    printer.setFullPage(True)
    printer.setDocName(title)


def printer_problem(printer: QPrinter) -> str | None:
    """Why ``printer`` cannot print, as a sentence, or ``None``."""
    if not printer.isValid():
        return _(
            "No printer is ready on this computer. Check that a printer is installed and "
            "switched on, or save the document as a PDF and print it elsewhere."
        )
    return None


class PrintJob(QObject):
    progressed = Signal(int, int)
    """``(pages printed, pages in all)``."""
    finished = Signal(int)
    """The run ended well; the number of pages printed."""
    failed = Signal(str)
    """The run stopped; the sentence says why."""

    def __init__(
        self, runner: TaskRunner, pages: PdfPages, printer: QPrinter, parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._pages = pages
        self._printer = printer
        self._painter = QPainter()
        self._dpi = min(float(printer.resolution()), MAX_DPI)
        self._next = 0
        self._stopping = False
        self.painted_on: set[str] = set()
        """The threads that painted pages (never the GUI thread)."""

    def start(self) -> None:
        problem = printer_problem(self._printer)
        if problem is not None:
            self.failed.emit(problem)
            return
        self._runner.run_printing(self._begin, lambda _none: self._page_done(), self._stop)

    def cancel(self) -> None:
        """Stop after the page being painted; what went to the printer is withdrawn."""
        self._stopping = True

    def _begin(self) -> None:
        if not self._painter.begin(self._printer):
            raise HomeroomError(self._cannot_start())

    def _cannot_start(self) -> str:
        if self._printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            return _(
                "Cannot write the PDF file {path}: check that its folder exists and that you "
                "may write in it."
            ).format(path=self._printer.outputFileName())
        return _(
            "The printer {name} did not accept the document. Check that it is switched on, "
            "connected and has paper, then print again."
        ).format(name=self._printer.printerName())

    def _page_done(self) -> None:
        if self._next:
            self.progressed.emit(self._next, len(self._pages))
        if self._stopping:
            self._runner.run_printing(self._abort, lambda _none: None, lambda _error: None)
            return
        if self._next == len(self._pages):
            self._runner.run_printing(
                self._end, lambda _none: self.finished.emit(self._next), self._stop
            )
            return
        row = self._next
        self._next += 1
        self._runner.run_printing(
            lambda: self._paint(row), lambda _none: self._page_done(), self._stop
        )

    def _paint(self, row: int) -> None:
        self.painted_on.add(threading.current_thread().name)
        image = to_image(self._pages.render(row, self._dpi, for_paper=True))
        if row and not self._printer.newPage():
            raise HomeroomError(self._cannot_start())
        paper = self._printer.paperRect(QPrinter.Unit.DevicePixel)
        # The page keeps its proportions, centred, if the paper chosen is not the PDF's.
        scale = min(paper.width() / image.width(), paper.height() / image.height())
        width, height = image.width() * scale, image.height() * scale
        target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2, width, height)
        self._painter.drawImage(target, image)

    def _end(self) -> None:
        if not self._painter.end():
            raise HomeroomError(self._cannot_start())

    def _abort(self) -> None:
        self._printer.abort()
        if self._painter.isActive():
            self._painter.end()

    def _stop(self, error: HomeroomError) -> None:
        if self._painter.isActive():
            self._runner.run_printing(self._abort, lambda _none: None, lambda _error: None)
        self.failed.emit(error.message)
