"""The one ``QApplication`` of a self-test, on the offscreen platform: the self-test shows
nothing on the teacher's screen and runs on a machine with none. In-process, because in the
frozen app ``sys.executable`` is Homeroom itself, not a Python to start a child with."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

PLATFORM_ENV = "QT_QPA_PLATFORM"


def application() -> QApplication:
    """The running application, or a new one (offscreen unless a platform was asked for)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Read by Qt when the application is made: too late after.
    os.environ.setdefault(PLATFORM_ENV, "offscreen")
    qInstallMessageHandler(_serious_only)
    app = QApplication([sys.argv[0] if sys.argv else "homeroom"])
    app.setApplicationName("homeroom")
    return app


def _serious_only(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's notes (the offscreen platform says it cannot size windows) would break the one
    line per check; its errors still reach stderr."""
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        sys.stderr.write(message + "\n")
