"""The print centre on the demo class: the reports listed, the school year's months offered,
and "Preview and print…" opening the preview of the chosen report."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.models.db import Database
from desktop.reports.catalogue import REPORTS
from desktop.services.profile import registration_address
from desktop.ui.printing.centre import PrintCentre
from desktop.ui.tasks import TaskRunner


def opened(qtbot: QtBot, database: Database, runner: TaskRunner) -> PrintCentre:
    centre = PrintCentre(database, runner, None)
    qtbot.addWidget(centre)
    centre.show()
    qtbot.waitExposed(centre)
    centre.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is centre)
    qtbot.waitUntil(lambda: centre.month.count() > 0)
    return centre


def test_the_centre_lists_every_report_and_the_months_of_the_year(
    qtbot: QtBot, qtmodeltester: object, database: Database, runner: TaskRunner
) -> None:
    """Each catalogue report is a row in Vietnamese; the months run 09/2025 to 05/2026 with the
    demo's month (03/2026) chosen; the month is offered only for the attendance register."""
    centre = opened(qtbot, database, runner)
    titles = [centre.model.index(row, 0).data() for row in range(centre.model.rowCount())]
    assert titles == [report.title for report in REPORTS.values()]
    assert "Sổ theo dõi chuyên cần theo tháng" in titles
    months = [centre.month.itemText(i) for i in range(centre.month.count())]
    assert months[0] == "09/2025" and months[-1] == "05/2026"
    assert centre.month.currentText() == "03/2026"
    assert centre.month.isEnabled() and not centre.semester.isEnabled()
    qtbot.keyClick(centre.list, Qt.Key.Key_Down)
    assert centre.chosen_name() == "absence-limit" and not centre.month.isEnabled()
    qtmodeltester.check(centre.model)  # type: ignore[attr-defined]


def test_preview_and_print_opens_the_chosen_report(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> None:
    """Ctrl+P on the attendance register opens a preview of the demo month's register (one
    landscape page with the 41 students); saving it writes that PDF."""
    centre = opened(qtbot, database, runner)
    qtbot.keyClick(centre.list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: centre.preview is not None and centre.preview.page_count > 0)
    preview = centre.preview
    assert preview is not None
    assert preview.windowTitle() == "Sổ theo dõi chuyên cần theo tháng"
    data = preview._data
    assert data is not None
    reader = PdfReader(BytesIO(data))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "tháng 03/2026" in text and " 41 " in text and len(reader.pages) == 1
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height


def test_the_pilot_report_takes_the_period_chosen(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The period runs from the school year's first day to the demo's today; choosing the
    pilot enables it and the preview's report names it."""
    centre = opened(qtbot, database, runner)
    assert centre.first.date().toString("dd/MM/yyyy") == "05/09/2025"
    assert centre.last.date().toString("dd/MM/yyyy") == "16/03/2026"
    row = list(REPORTS).index("pilot")
    centre.list.setCurrentIndex(centre.model.index(row, 0))
    assert centre.first.isEnabled() and not centre.month.isEnabled()
    preview = centre.open_preview()
    qtbot.waitUntil(lambda: preview.page_count > 0)
    assert preview._data is not None
    text = " ".join(PdfReader(BytesIO(preview._data)).pages[0].extract_text().split())
    assert "từ ngày 05/09/2025 đến ngày 16/03/2026" in text


def test_the_leaflet_address_typed_in_the_centre_is_printed_and_remembered(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Typing the registration address and previewing the leaflet prints the address and
    stores it in the profile; the next centre offers it."""
    centre = opened(qtbot, database, runner)
    centre.list.setCurrentIndex(centre.model.index(list(REPORTS).index("leaflet"), 0))
    assert centre.address.isEnabled() and centre.address.text() == ""
    qtbot.keyClicks(centre.address, "https://sll.example.edu.vn/11a1")
    preview = centre.open_preview()
    qtbot.waitUntil(lambda: preview.page_count > 0)
    assert preview._data is not None
    text = " ".join(PdfReader(BytesIO(preview._data)).pages[0].extract_text().split())
    assert "https://sll.example.edu.vn/11a1" in text
    with database.reading() as s:
        assert registration_address(s) == "https://sll.example.edu.vn/11a1"
    again = opened(qtbot, database, runner)
    qtbot.waitUntil(lambda: again.address.text() == "https://sll.example.edu.vn/11a1")


def test_closing_the_centre_closes_its_preview_and_frees_its_document(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """The teacher closes the centre with a preview open: the preview closes too and PDFium's
    copy of the document is freed (before, it stayed open until Python exited, and pypdfium2
    then printed an English warning on the terminal)."""
    centre = opened(qtbot, database, runner)
    preview = centre.open_preview()
    qtbot.waitUntil(lambda: preview.page_count > 0)
    pages = preview._pages
    assert pages is not None and pages._document.raw is not None
    centre.close()
    runner.wait()  # the printing lane frees it, after what it still held for the preview
    assert not preview.isVisible()
    assert pages._document.raw is None
