"""The window's automatic backups: a few minutes after start and then every hour if a day has
passed, and on close after a change; each on the database lane, so the GUI thread never copies
the file. Not at start itself: the start-up's lane work is the first screen's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from desktop.errors import HomeroomError
from desktop.models.db import Database
from desktop.settings import BACKUPS_KEPT, Settings
from desktop.ui.tasks import TaskRunner

FIRST_CHECK_MS = 5 * 60 * 1000
CHECK_EVERY_MS = 60 * 60 * 1000


class AutoBackup(QObject):
    def __init__(
        self,
        window: QMainWindow,
        database: Database,
        runner: TaskRunner,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(window)
        self._window = window
        self._database = database
        self._runner = runner
        self._settings = settings
        self._clock = clock
        self.timer = QTimer(self)
        self.timer.setInterval(FIRST_CHECK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.timer.setInterval(CHECK_EVERY_MS)
        self.check()

    def check(self, *, closing: bool = False) -> None:
        database, now = self._database, self._clock()
        kept = self._settings.get(BACKUPS_KEPT)

        def work() -> object:
            # Imported on the lane: the window's start leaves the services' modules for later.
            from desktop.services import backup

            return backup.back_up_if_due(database, now=now, kept=kept, closing=closing)

        self._runner.run_database(work, lambda _made: None, self._failed)

    def on_close(self) -> None:
        """Queue the closing backup before the window waits for the database lane."""
        self.timer.stop()
        self.check(closing=True)

    def _failed(self, error: HomeroomError) -> None:
        # Not a dialog: the teacher's work is saved; the status bar says the copy is missing.
        self._window.statusBar().showMessage(error.message, 30_000)
