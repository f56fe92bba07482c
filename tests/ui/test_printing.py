"""The print preview and the printing path with real parts: a reportlab PDF drawn by PDFium on
the printing lane, printed through Qt into a PDF-file QPrinter (read back with pypdf), saved
where asked; and the leave screen's "Print forms…" and paper check.

The leave screen prints the reports' own forms and checks their own codes.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from desktop.i18n import _
from desktop.models import LeaveRequest
from desktop.models.db import Database
from desktop.reports.leave_form import collect_pages
from desktop.reports.pdf_pages import PdfPages
from desktop.services.scope import load_scope
from desktop.ui.leave.printing import CheckCodeDialog
from desktop.ui.leave.screen import LeaveScreen
from desktop.ui.printing.pages import GAP
from desktop.ui.printing.preview import PrintPreview
from desktop.ui.tasks import PRINTING_THREAD_PREFIX, TaskRunner

CTRL = Qt.KeyboardModifier.ControlModifier


def pdf_of(titles: Sequence[str]) -> bytes:
    """A few A4 pages, one title each (the stand-in for the reports' PDFs)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for title in titles:
        canvas.setFont("Helvetica-Bold", 18)
        canvas.drawString(72, 760, title)
        canvas.rect(72, 72, A4[0] - 144, 600)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def opened_preview(qtbot: QtBot, runner: TaskRunner, data: bytes) -> PrintPreview:
    preview = PrintPreview(runner, lambda: data, title="Đơn", file_name="don.pdf")
    qtbot.addWidget(preview)
    preview.resize(900, 700)
    preview.show()
    qtbot.waitExposed(preview)
    preview.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is preview)
    qtbot.waitUntil(lambda: preview.page_count > 0)
    return preview


def printer_to(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    # 100 dpi keeps the test quick; the path is the same at 300.
    printer.setResolution(100)
    return printer


def test_the_preview_counts_the_pages_and_draws_them_off_the_gui_thread(
    qtbot: QtBot, qtmodeltester: object, runner: TaskRunner
) -> None:
    """Every page is listed; the ones on screen are drawn, on the printing lane only."""
    preview = opened_preview(qtbot, runner, pdf_of(["một", "hai", "ba", "bốn"]))
    assert preview.page_count == 4
    assert preview.model.rowCount() == 4
    qtbot.waitUntil(lambda: preview.model.drawn_width(0) is not None)
    assert preview.render_threads
    assert threading.current_thread().name not in preview.render_threads
    assert all(name.startswith(PRINTING_THREAD_PREFIX) for name in preview.render_threads)
    assert preview.position.text() == "Trang 1/4"
    qtmodeltester.check(preview.model)  # type: ignore[attr-defined]


def test_only_the_pages_on_screen_are_drawn_and_scrolling_draws_the_others(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    """Of 30 pages the first ones are drawn, not the last; scrolling to the end draws it and
    names it in "page n of m"."""
    preview = opened_preview(qtbot, runner, pdf_of([f"trang {n}" for n in range(30)]))
    qtbot.waitUntil(lambda: preview.model.drawn_width(0) is not None)
    qtbot.waitUntil(lambda: preview._drawing is None)
    assert preview.model.drawn_width(29) is None
    bar = preview.view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: preview.model.drawn_width(29) is not None)
    assert preview.position.text() == "Trang 30/30"
    assert preview.model.drawn_width(0) is None


def test_zoom_to_100_percent_and_back_to_the_width_redraws_the_pages(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    """100 % shows an A4 sheet at its size on screen; fitting the width widens it to the view."""
    preview = opened_preview(qtbot, runner, pdf_of(["một", "hai"]))
    qtbot.waitUntil(lambda: preview.model.drawn_width(0) is not None)
    QTest.keyClick(preview, Qt.Key.Key_1, CTRL)
    actual = round(A4[0] / 72 * preview.logicalDpiX())
    # A button's shortcut clicks it after a short visible press.
    qtbot.waitUntil(lambda: preview.model.sheet_width == actual)
    assert preview.actual_button.isChecked() and not preview.fit_button.isChecked()
    qtbot.waitUntil(lambda: preview.model.drawn_width(0) == actual)
    QTest.keyClick(preview, Qt.Key.Key_0, CTRL)
    qtbot.waitUntil(preview.fit_button.isChecked)
    assert preview.model.sheet_width == preview.view.viewport().width() - 2 * GAP
    qtbot.waitUntil(lambda: preview.model.drawn_width(0) == preview.model.sheet_width)


def test_printing_into_a_pdf_printer_gives_the_same_pages(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    """Qt's real print path: a QPrinter writing a PDF file gets one page per page, drawn on
    the printing lane."""
    preview = opened_preview(qtbot, runner, pdf_of(["một", "hai", "ba"]))
    target = tmp_path / "in.pdf"
    preview.print_to(printer_to(target))
    job = preview.job
    assert job is not None
    with qtbot.waitSignal(job.finished) as printed:
        pass
    assert printed.args == [3]
    assert len(PdfReader(target).pages) == 3
    assert job.rendered_on
    assert all(name.startswith(PRINTING_THREAD_PREFIX) for name in job.rendered_on)
    assert preview.message.text() == "Đã gửi 3 trang tới máy in."


def test_a_printer_that_cannot_start_says_so_in_vietnamese(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    """A PDF printer whose folder does not exist: a sentence naming the file, nothing
    written."""
    preview = opened_preview(qtbot, runner, pdf_of(["một"]))
    target = tmp_path / "không-có" / "in.pdf"
    preview.print_to(printer_to(target))
    qtbot.waitUntil(lambda: preview.message.property("error") is True)
    assert preview.job is None
    assert preview.message.text().startswith("Không ghi được tệp PDF")
    assert str(target) in preview.message.text()
    assert preview.message.property("error") is True
    assert not target.exists()
    assert preview.print_button.isEnabled()


def test_a_missing_printer_is_refused_with_a_clear_message(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    """A printer that is gone (Qt then falls back to a PDF with no file) is never painted on."""
    preview = opened_preview(qtbot, runner, pdf_of(["một"]))
    printer = QPrinter()
    printer.setPrinterName("không-có-máy-in-này")
    printer.setOutputFileName("")
    if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and printer.isValid():
        pytest.skip("this machine's print system accepts any printer name")
    preview.print_to(printer)
    assert preview.message.text().startswith("Không có máy in nào sẵn sàng")
    assert preview.message.property("error") is True
    assert preview.job is None
    assert preview.print_button.isEnabled()


def test_save_as_pdf_writes_the_exact_bytes_where_asked(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    """The file holds the document's bytes and nothing else is left in the folder."""
    data = pdf_of(["một", "hai"])
    preview = opened_preview(qtbot, runner, data)
    target = tmp_path / "chọn" / "Đơn xin nghỉ.pdf"
    target.parent.mkdir()
    preview.save_to(target)
    qtbot.waitUntil(lambda: preview.message.text() != "")
    assert target.read_bytes() == data
    assert list(target.parent.iterdir()) == [target]
    assert preview.message.text() == f"Đã lưu thành {target}."


def test_saving_into_a_missing_folder_says_why_in_vietnamese(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    """An OS error becomes a Vietnamese sentence (never the OS's English)."""
    preview = opened_preview(qtbot, runner, pdf_of(["một"]))
    target = tmp_path / "đã-xoá" / "don.pdf"
    preview.save_to(target)
    qtbot.waitUntil(lambda: preview.message.property("error") is True)
    text = preview.message.text()
    assert text.startswith(f"Không ghi được {target}: ")
    assert "No such file" not in text
    assert preview.save_button.isEnabled()


def test_pdf_pages_draws_a4_at_the_asked_resolution() -> None:
    """An A4 page at 100 dpi is 827 x 1170 pixels (PDFium rounds up), white around the drawing."""
    with PdfPages(pdf_of(["một"])) as pages:
        pixels = pages.render(0, 100)
    assert (pixels.width, pixels.height) == (827, 1170)
    assert pixels.data[:3] == b"\xff\xff\xff"
    assert pixels.stride >= 4 * pixels.width


def printed_code(database: Database) -> str:
    """The verification code of an approved request's form, as printed (its key stored)."""
    with database.transaction() as session:
        scope = load_scope(session)
        approved = session.scalars(
            select(LeaveRequest.id).where(LeaveRequest.status == "approved").limit(1)
        ).one()
        return collect_pages(session, scope, [approved])[0].code


def loaded_screen(qtbot: QtBot, database: Database, runner: TaskRunner) -> LeaveScreen:
    screen = LeaveScreen(database, runner)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.reload()
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 0)
    screen.table.setFocus()
    return screen


def select_rows(screen: LeaveScreen, status: str, count: int) -> list[int]:
    """Select the first ``count`` requests in ``status`` (Ctrl+click style)."""
    from PySide6.QtCore import QItemSelectionModel

    chosen = []
    selection = screen.table.selectionModel()
    selection.clearSelection()
    for number in range(screen.filter.rowCount()):
        row = screen.filter.row_at(number)
        if row.status == status and len(chosen) < count:
            chosen.append(row.id)
            selection.select(
                screen.filter.index(number, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
    assert len(chosen) == count
    return chosen


def test_ctrl_p_needs_an_approved_request_and_prints_the_approved_ones(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """With only pending requests selected Ctrl+P is off and its tooltip says why; with two
    approved ones it opens the preview of their two forms."""
    screen = loaded_screen(qtbot, database, runner)
    action = screen.printing.print_action
    select_rows(screen, "submitted", 2)
    assert not action.isEnabled()
    assert action.toolTip() == "Chọn một hoặc nhiều đơn đã duyệt để in đơn (Ctrl+P)"
    QTest.keyClick(screen.table, Qt.Key.Key_P, CTRL)
    assert screen.printing.preview is None
    select_rows(screen, "approved", 2)
    assert action.isEnabled()
    QTest.keyClick(screen.table, Qt.Key.Key_P, CTRL)
    preview = screen.printing.preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.page_count == 2)
    assert preview.windowTitle() == "Đơn xin nghỉ học"


def test_the_paper_check_says_whether_a_scanned_code_matches(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """A scanner types a printed form's code and Enter: it is confirmed; the same code with one
    letter changed is refused, and the field is ready for the next paper."""
    good = printed_code(database)
    screen = loaded_screen(qtbot, database, runner)
    QTest.keyClick(screen.table, Qt.Key.Key_V, CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = screen.printing.check_dialog
    assert isinstance(dialog, CheckCodeDialog)
    qtbot.waitUntil(dialog.code.hasFocus)
    QTest.keyClicks(dialog.code, good)
    QTest.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.verdict.property("matches") is True)
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    QTest.keyClicks(dialog.code, forged)
    QTest.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.verdict.property("matches") is False)
    assert dialog.verdict.text() != ""
    assert _("Check the code on a paper") == dialog.windowTitle()
