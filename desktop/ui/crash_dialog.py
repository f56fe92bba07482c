"""The last resort for bugs: an exception nobody caught, on the GUI thread (a slot, an event
handler) or on a thread of its own, is written to the crash log (``desktop.crash``: no personal
data) and shown as a Vietnamese dialog naming that log; the app keeps running.

The hooks may fire on any thread; the dialog is always shown on the GUI thread, through a
queued signal. One dialog at a time: an error repeating in a loop (a paint handler, a timer)
updates its count instead of burying the window under dialogs.
"""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.crash import crash_report, write_crash_log
from desktop.i18n import _


class CrashReporter(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook``; ``uninstall`` restores them."""

    crashed = Signal(str)
    """The crash log's path, once an unexpected error is written to it (any thread)."""

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.window: QWidget | None = None
        """The window the dialog belongs to (set by whoever builds it)."""
        self.dialog: QMessageBox | None = None
        self.count = 0
        self._previous: tuple[object, object] | None = None
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        if self._previous is None:
            return
        sys.excepthook, threading.excepthook = self._previous  # type: ignore[assignment]
        self._previous = None

    def _on_exception(
        self,
        error_type: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
        thread: str | None = None,
    ) -> None:
        if issubclass(error_type, KeyboardInterrupt | SystemExit):
            sys.__excepthook__(error_type, error, trace)
            return
        report = crash_report(error_type, error, trace, thread=thread)
        _tell_stderr(error_type, error, trace, report)
        try:
            path = write_crash_log(report, self.folder)
        except OSError:
            path = self.folder  # the disk refused even that: the dialog still tells the teacher
        self.crashed.emit(str(path))

    def _on_thread_exception(self, hook: threading.ExceptHookArgs) -> None:
        if hook.exc_value is None:
            return
        name = hook.thread.name if hook.thread is not None else None
        self._on_exception(hook.exc_type, hook.exc_value, hook.exc_traceback, name)

    @Slot(str)
    def _show(self, path: str) -> None:
        self.count += 1
        text = _(
            "Something unexpected went wrong in Homeroom. What you saved is kept and you can "
            "go on working; if it happens again, send the crash log to the school's IT contact."
        )
        details = _("Crash log (it holds no names or personal data): {path}").format(path=path)
        # The folder too: the IT contact collects the other logs from there, and a crash log
        # that could not be written is no path to follow.
        details += "\n" + _("Log folder: {folder}").format(folder=self.folder)
        if self.count > 1:
            details += "\n" + _("This has happened {count} times since Homeroom started.").format(
                count=self.count
            )
        if self.dialog is None:
            self.dialog = QMessageBox(self.window)
            self.dialog.setIcon(QMessageBox.Icon.Critical)
            self.dialog.setWindowTitle(_("Homeroom: unexpected error"))
            self.dialog.setStandardButtons(QMessageBox.StandardButton.Ok)
            self.dialog.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.dialog.finished.connect(self._forget_dialog)
        self.dialog.setText(text)
        self.dialog.setInformativeText(details)
        self.dialog.show()
        self.dialog.raise_()

    @Slot()
    def _forget_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None


def _tell_stderr(
    error_type: type[BaseException],
    error: BaseException,
    trace: TracebackType | None,
    report: str,
) -> None:
    """The whole story, message included, only for a developer's terminal. A window started
    from the desktop has its stderr kept in the session's journal (or a file such as
    ``~/.xsession-errors``), which is as readable as a log: it gets the crash log's text."""
    stream = sys.stderr
    if stream is None:  # a Windows GUI build has no stderr at all
        return
    try:
        if stream.isatty():
            traceback.print_exception(error_type, error, trace, file=stream)
        else:
            stream.write(report)
    except (OSError, ValueError):
        pass  # a closed or broken stderr must not stop the dialog
