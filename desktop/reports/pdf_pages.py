"""The pages of a PDF as pixels, for the print preview and for printing (QtPdf cannot be used:
it exists only for the PySide6 the project excludes).

PDFium, through pypdfium2, draws the page. PDFium is not thread-safe, not even across separate
documents, so every call into it here holds one process-wide lock; the window calls it from one
worker thread anyway, and the lock keeps any other caller (a command, a test) from crossing it.
"""

from __future__ import annotations

import ctypes
import mmap
import threading
from dataclasses import dataclass
from typing import Any

from desktop.errors import InvalidInput
from desktop.i18n import _

_PDFIUM = threading.Lock()
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PageSize:
    """A page's size in PDF points (1/72 inch)."""

    width: float
    height: float

    def pixels(self, dpi: float) -> tuple[int, int]:
        """The size in pixels of this page drawn at ``dpi``."""
        scale = dpi / POINTS_PER_INCH
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))


@dataclass(frozen=True)
class Pixels:
    """One drawn page: 8-bit red, green, blue and an unused fourth byte per pixel, rows of
    ``stride`` bytes, on white. ``data`` is PDFium's own buffer, not a copy (a 300 dpi A4
    page is 35 MB, and copying it would hold Python's lock for tens of milliseconds)."""

    width: int
    height: int
    stride: int
    data: memoryview

    def rows(self, top: int, count: int) -> memoryview:
        """The bytes of ``count`` rows from row ``top``."""
        return self.data[top * self.stride : (top + count) * self.stride]


def _bitmap_in_fresh_memory(width: int, height: int, *, format: int, rev_byteorder: bool) -> Any:
    """A bitmap whose buffer is memory fresh from the system: ctypes zeroes the buffers it
    allocates while holding Python's lock (55 ms for a 300 dpi A4 page, a stall of the GUI
    thread), where new memory is zero already and is touched first by PDFium, lock released."""
    import pypdfium2.internal

    stride = width * pypdfium2.internal.BitmapTypeToNChannels[format]
    memory = mmap.mmap(-1, stride * height)
    buffer = (ctypes.c_ubyte * (stride * height)).from_buffer(memory)
    return pypdfium2.PdfBitmap.new_native(
        width, height, format, rev_byteorder=rev_byteorder, buffer=buffer, stride=stride
    )


class PdfPages:
    """An opened PDF: its page count, the size of each page, and any page drawn at any
    resolution. Close it (or use ``with``) when done: PDFium holds the document's memory."""

    def __init__(self, data: bytes) -> None:
        # Here, on the printing lane: PDFium is loaded by the first print, not by the window.
        import pypdfium2

        with _PDFIUM:
            try:
                # PDFium reads from the bytes as it goes: they stay referenced as long as it.
                self._data = data
                self._document = pypdfium2.PdfDocument(data)
            except pypdfium2.PdfiumError as error:
                raise InvalidInput(_("The document to print is not a readable PDF.")) from error
            self._sizes = [PageSize(*self._document.get_page_size(i)) for i in range(len(self))]

    def __len__(self) -> int:
        return len(self._document)

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def sizes(self) -> list[PageSize]:
        return list(self._sizes)

    def render(self, index: int, dpi: float, *, for_paper: bool = False) -> Pixels:
        """Page ``index`` (from 0) drawn at ``dpi`` dots per inch; ``for_paper`` shapes the
        text for a printer rather than for a screen."""
        if not 0 <= index < len(self._sizes):
            raise IndexError(index)
        with _PDFIUM:
            page = self._document[index]
            try:
                bitmap = page.render(
                    scale=dpi / POINTS_PER_INCH,
                    bitmap_maker=_bitmap_in_fresh_memory,
                    rev_byteorder=True,
                    prefer_bgrx=True,
                    optimize_mode="print" if for_paper else None,
                )
                # A bitmap made by pypdfium2 ("native") keeps its buffer past ``close``.
                data = memoryview(bitmap.buffer).cast("B")
                bitmap.close()
                return Pixels(bitmap.width, bitmap.height, bitmap.stride, data)
            finally:
                page.close()

    def close(self) -> None:
        with _PDFIUM:
            self._document.close()
