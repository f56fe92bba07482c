"""The main window: wires the screens, the sync status and the sync action together."""

from __future__ import annotations

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolBar, QWidget

from desktop.i18n import _
from desktop.models.db import Database
from desktop.services.scope import ClassScope
from desktop.ui.leave.screen import LeaveScreen
from desktop.ui.sync_controller import SyncController, SyncLine
from desktop.ui.tasks import TaskRunner


class MainWindow(QMainWindow):
    def __init__(
        self,
        database: Database,
        scope: ClassScope,
        runner: TaskRunner,
        sync: SyncController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.sync = sync
        self.setWindowTitle(
            _("Homeroom — class {name}, {school}").format(
                name=scope.class_name, school=scope.school_name
            )
        )
        self.leave = LeaveScreen(database, runner, scope.class_name)
        self.setCentralWidget(self.leave)

        self.sync_action = QAction(_("Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(sync.sync_now)
        toolbar = QToolBar(_("Actions"))
        toolbar.setMovable(False)
        toolbar.addAction(self.sync_action)
        self.addToolBar(toolbar)

        self.sync_line = QLabel()
        self.statusBar().addPermanentWidget(self.sync_line, 1)
        sync.state_changed.connect(self._show_sync)
        sync.synced.connect(self._synced)
        self.leave.decided.connect(lambda _summary: sync.refresh())

        self.leave.reload()
        sync.refresh()

    def _show_sync(self, line: SyncLine) -> None:
        self.sync_line.setText(line.text)
        self.sync_line.setStyleSheet("color: #b00020;" if line.has_error else "")
        self.sync_action.setEnabled(line.signed_in)

    def _synced(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 10_000)
        self.leave.reload()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.sync.timer.stop()
        # A decision being written must finish: the teacher was told it is saved.
        self.runner.wait()
        super().closeEvent(event)
