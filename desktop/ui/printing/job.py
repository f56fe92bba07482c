"""One print run: every page of a PDF drawn at the printer's resolution on the printing lane
and painted onto a ``QPrinter`` on the GUI thread, a slice at a time.

Qt's print engine takes a 300 dpi A4 page in 150 ms or more (it compresses the image) and
holds Python's lock all along, so painting on a worker thread would stall the GUI thread as
much, waiting for the lock. Painted in bands of rows, a few milliseconds' worth per turn of
the event loop, it never stalls for long; PDFium draws the next page meanwhile on the printing
lane (it lets go of Python's lock while it draws).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QElapsedTimer, QObject, QRectF, QSizeF, QTimer, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.reports.pdf_pages import PageSize, PdfPages, Pixels
from desktop.ui.tasks import TaskRunner

BAND_ROWS = 16
"""A page goes to the printer in bands of this many rows (160 kB at 300 dpi, 1 to 5 ms
for Qt's print engine)."""
SLICE_MS = 5
"""Bands are painted for about this long, then the GUI thread rests as long (the same 2 cores
also draw the next page)."""
FORMAT = QImage.Format.Format_RGBX8888
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
    """Why ``printer`` cannot print, as a sentence, or ``None``. Where no printer is installed
    Qt falls back to writing a PDF, with no file to write it to."""
    no_file = (
        printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and not printer.outputFileName()
    )
    if not printer.isValid() or no_file:
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
        self._count = len(pages)
        self._printer = printer
        self._painter = QPainter()
        self._dpi = min(float(printer.resolution()), MAX_DPI)
        self._drawn: dict[int, Pixels] = {}
        self._page: _Page | None = None
        self._next = 0
        self._over = False
        self._tick = QTimer(self)
        self._tick.setInterval(SLICE_MS)
        self._tick.timeout.connect(self._paint_some)
        self.rendered_on: set[str] = set()
        """The threads that drew the pages (never the GUI thread)."""

    def start(self) -> None:
        problem = printer_problem(self._printer)
        if problem is not None:
            self._fail(problem)
            return
        if not self._painter.begin(self._printer):
            self._fail(self._cannot_start())
            return
        # Without it Qt stores the pages as JPEG in a PDF, blurring the text around its
        # letters; lossless is half the size here for pages of text, and no slower.
        self._painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
        self._draw(0)

    def cancel(self) -> None:
        """Stop now; what went to the printer is withdrawn."""
        if not self._over:
            self._over = True
            self._tick.stop()
            self._printer.abort()
            self._painter.end()

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

    def _draw(self, row: int) -> None:
        if row >= self._count:
            return
        pages, dpi = self._pages, self._dpi

        def draw() -> Pixels:
            self.rendered_on.add(threading.current_thread().name)
            return pages.render(row, dpi, for_paper=True)

        self._runner.run_printing(draw, lambda pixels: self._arrived(row, pixels), self._broke)

    def _arrived(self, row: int, pixels: Pixels) -> None:
        if self._over:
            return
        self._drawn[row] = pixels
        if self._page is None:
            self._next_page()

    def _next_page(self) -> None:
        pixels = self._drawn.pop(self._next, None)
        if pixels is None:
            return  # still being drawn: it starts when it arrives
        if self._next and not self._printer.newPage():
            self._fail(self._cannot_start())
            return
        self._page = _Page(pixels, self._printer.paperRect(QPrinter.Unit.DevicePixel))
        # The next page is drawn while this one is painted: two pages in memory at most.
        self._draw(self._next + 1)
        self._tick.start()

    def _paint_some(self) -> None:
        page = self._page
        if self._over or page is None:
            self._tick.stop()
            return
        clock = QElapsedTimer()
        clock.start()
        while not page.done and clock.elapsed() < SLICE_MS:
            page.paint_band(self._painter)
        if not page.done:
            return
        self._tick.stop()
        self._page = None
        # Unmapping a page's 35 MB takes 10 to 20 ms: the printing lane does it.
        self._runner.run_printing(page.release, lambda _none: None, self._broke)
        self._next += 1
        self.progressed.emit(self._next, self._count)
        if self._next < self._count:
            self._next_page()
            return
        self._over = True
        if self._painter.end():
            self.finished.emit(self._count)
        else:
            self.failed.emit(self._cannot_start())

    def _broke(self, error: HomeroomError) -> None:
        self._fail(error.message)

    def _fail(self, sentence: str) -> None:
        if self._painter.isActive():
            self.cancel()
        self._over = True
        self.failed.emit(sentence)


class _Page:
    """A drawn page on its way to the printer, band by band, centred on the paper with its
    proportions kept (the paper chosen may not be the PDF's)."""

    def __init__(self, pixels: Pixels, paper: QRectF) -> None:
        self._pixels: Pixels | None = pixels
        self._scale = min(paper.width() / pixels.width, paper.height() / pixels.height)
        self._left = (paper.width() - pixels.width * self._scale) / 2
        self._top = (paper.height() - pixels.height * self._scale) / 2
        self._row = 0

    @property
    def done(self) -> bool:
        return self._pixels is None or self._row >= self._pixels.height

    def release(self) -> None:
        """Let go of the page's pixels (on the thread that calls this)."""
        self._pixels = None

    def paint_band(self, painter: QPainter) -> None:
        pixels, first = self._pixels, self._row
        assert pixels is not None
        count = min(BAND_ROWS, pixels.height - first)
        # Each band reaches one row into the next, which covers it: a PDF viewer smoothing
        # the edges of two images that merely touch shows a faint line between them.
        drawn = min(count + 1, pixels.height - first)
        band = QImage(
            pixels.rows(first, drawn), pixels.width, drawn, pixels.stride, FORMAT
        ).copy()  # owned: a print engine may keep the image past this call
        target = QRectF(
            self._left,
            self._top + first * self._scale,
            pixels.width * self._scale,
            drawn * self._scale,
        )
        painter.drawImage(target, band)
        self._row += count
