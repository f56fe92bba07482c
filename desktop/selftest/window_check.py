"""The main window on the demo profile, opened offscreen until its start screen has answered
(the screens' modules imported, the profile read on the database lane), then closed."""

from __future__ import annotations

from desktop.i18n import _
from desktop.selftest.runner import CheckFailed, Context

ANSWER_WITHIN_S = 120
"""Generous: a school PC busy with an antivirus scan is slow, not broken."""


def open_main_window(context: Context) -> str | None:
    from PySide6.QtCore import QEventLoop, QTimer

    from desktop.selftest.qt import application
    from desktop.ui.startup import build_window

    app = application()
    window = build_window(context.database_file())
    database = window.database
    answered: list[bool] = []
    loop = QEventLoop()

    def on_answer() -> None:
        answered.append(True)
        loop.quit()

    try:
        window.overview.answered.connect(on_answer)
        window.show()
        if not answered:
            QTimer.singleShot(ANSWER_WITHIN_S * 1000, loop.quit)
            loop.exec()
        if not window.isVisible():
            raise CheckFailed(_("the window did not show"))
        if not answered:
            raise CheckFailed(
                _("the start screen did not answer within {seconds} s").format(
                    seconds=ANSWER_WITHIN_S
                )
            )
    finally:
        window.close()  # waits for the database lane: nothing is cut short
        window.deleteLater()
        app.processEvents()
        database.close()
    return None
