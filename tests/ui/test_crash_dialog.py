"""Unexpected errors: a Vietnamese dialog naming a crash log without personal data, and the app
goes on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop import __version__
from desktop.crash import crash_report
from desktop.i18n import _
from desktop.ui.crash_dialog import CrashReporter

PERSONAL = "Nguyễn Thị Mai 0912 345 678"
"""What a message or a local variable could hold and a crash log must not."""


class Boom(Exception):
    pass


def explode(reason: str) -> None:
    secret = f"{reason}: {PERSONAL}"
    raise Boom(secret)


@pytest.fixture
def reporter(tmp_path: Path, qtbot: QtBot) -> Iterator[CrashReporter]:
    installed = CrashReporter(tmp_path / "logs")
    installed.install()
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()


def crash_log(reporter: CrashReporter) -> str:
    return (reporter.folder / "crash.log").read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_a_vietnamese_dialog_and_the_app_goes_on(
    reporter: CrashReporter, qtbot: QtBot
) -> None:
    """A slot that raises: the dialog is Vietnamese and names the crash log, which holds the
    type, the frames and the version but not the message or any local variable; the button
    still works, and a second error updates the one dialog."""
    button = QPushButton("Go")
    qtbot.addWidget(button)
    clicks: list[int] = []

    def on_click() -> None:
        clicks.append(1)
        explode("clicked")

    button.clicked.connect(on_click)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog is not None
    assert reporter.dialog.text().startswith("Sổ Chủ Nhiệm gặp một lỗi ngoài dự kiến")
    assert reporter.dialog.windowTitle() == "Sổ Chủ Nhiệm: lỗi ngoài dự kiến"
    log_path = reporter.folder / "crash.log"
    assert str(log_path) in reporter.dialog.informativeText()
    log = crash_log(reporter)
    assert f"Homeroom {__version__}" in log
    assert "test_crash_dialog.Boom" in log
    assert "tests/ui/test_crash_dialog.py:" in log and "in explode" in log
    assert PERSONAL not in log and "Nguyễn" not in log and "clicked" not in log

    first = reporter.dialog
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reporter.count == 2)
    assert len(clicks) == 2 and reporter.dialog is first
    assert (
        _("This has happened {count} times since Homeroom started.").format(count=2)
        in first.informativeText()
    )
    assert crash_log(reporter).count("=== Homeroom") == 2


@pytest.mark.qt_no_exception_capture
def test_an_error_on_a_thread_of_its_own_reaches_the_dialog(
    reporter: CrashReporter, qtbot: QtBot
) -> None:
    """A worker thread outside the task runner that dies: logged with its thread's name, and
    the dialog shows on the GUI thread."""
    worker = threading.Thread(target=explode, args=("thread",), name="homeroom-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    log = crash_log(reporter)
    assert "in thread homeroom-test-worker" in log and "in explode" in log
    assert PERSONAL not in log


def test_a_report_names_chained_exceptions_by_type_only() -> None:
    """An error raised while handling another lists both types, without either message."""
    try:
        try:
            explode("inner")
        except Boom as inner:
            raise KeyError(PERSONAL) from inner
    except KeyError as outer:
        report = crash_report(type(outer), outer, outer.__traceback__)
    assert report.splitlines()[2] == "KeyError"
    assert "while handling or caused by tests.ui.test_crash_dialog.Boom" in report
    assert PERSONAL not in report and "inner" not in report.replace("in explode", "")
