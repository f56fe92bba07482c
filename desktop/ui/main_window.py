"""The main window: the screens in a side list, the sync status and the sync action.

It only wires screens together: each screen reads and writes through the task runner, refreshes
itself from ``TaskRunner.operation_did_execute``, and asks for other screens through the
``Navigator``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.i18n import _
from desktop.models.db import Database
from desktop.services.scope import ClassScope
from desktop.ui import navigation
from desktop.ui.leave.screen import LeaveScreen
from desktop.ui.navigation import Navigator, Screen, Target
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
        self.navigator = Navigator(self)
        self.navigator.open_requested.connect(self.open_target)
        self.setWindowTitle(
            _("Homeroom — class {name}, {school}").format(
                name=scope.class_name, school=scope.school_name
            )
        )
        self._screens: dict[str, Screen] = {}
        self._keys: list[str] = []
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.stack = QStackedWidget()
        self.sidebar.currentRowChanged.connect(self._show_row)
        body = QSplitter()
        body.addWidget(self.sidebar)
        body.addWidget(self.stack)
        body.setStretchFactor(1, 1)
        body.setCollapsible(0, False)
        self.setCentralWidget(body)

        self.leave = LeaveScreen(database, runner, scope.class_name)
        self.add_screen(navigation.LEAVE, _("Leave requests"), self.leave, "Ctrl+2")

        self.sync_action = QAction(_("Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(sync.sync_now)
        toolbar = QToolBar(_("Actions"))
        toolbar.setObjectName("actions")
        toolbar.setMovable(False)
        toolbar.addAction(self.sync_action)
        self.addToolBar(toolbar)

        self.sync_line = QLabel()
        self.statusBar().addPermanentWidget(self.sync_line, 1)
        sync.state_changed.connect(self._show_sync)
        sync.synced.connect(self._synced)
        self.leave.decided.connect(lambda _summary: sync.refresh())

        self.sidebar.setCurrentRow(0)
        self.sidebar.setFixedWidth(self.sidebar.sizeHintForColumn(0) + 24)
        body.setSizes([self.sidebar.width(), self.width()])  # no gap beside the fixed side list
        for screen in self._screens.values():
            screen.reload()
        sync.refresh()
        self.menuBar().addMenu(self.leave.menu)

    def add_screen(self, key: str, title: str, widget: QWidget, shortcut: str) -> None:
        """Put a screen in the side list; ``shortcut`` switches to it from anywhere."""
        assert isinstance(widget, QWidget)
        self._screens[key] = widget  # type: ignore[assignment]
        self._keys.append(key)
        self.stack.addWidget(widget)
        item = QListWidgetItem(title)
        item.setToolTip(f"{title} ({QKeySequence(shortcut).toString()})")
        self.sidebar.addItem(item)
        action = QAction(title, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda: self.open_target(Target(key)))
        self.addAction(action)

    def screen_for(self, key: str) -> Screen:
        return self._screens[key]

    def current_key(self) -> str:
        return self._keys[self.stack.currentIndex()]

    def open_target(self, target: Target) -> None:
        index = self._keys.index(target.screen)
        self.sidebar.setCurrentRow(index)
        if target.filters:
            self._screens[target.screen].open_with(dict[str, Any](target.filters))

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    def _show_sync(self, line: SyncLine) -> None:
        self.sync_line.setText(line.text)
        self.sync_line.setStyleSheet("color: #b00020;" if line.has_error else "")
        self.sync_action.setEnabled(line.signed_in)

    def _synced(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.sync.timer.stop()
        # A decision being written must finish: the teacher was told it is saved.
        self.runner.wait()
        super().closeEvent(event)
