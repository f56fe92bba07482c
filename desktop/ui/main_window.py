"""The main window: the screens in a side list, the sync status and the sync action.

It only wires screens together: each screen reads and writes through the task runner, refreshes
itself from ``TaskRunner.operation_did_execute``, and asks for other screens through the
``Navigator``.

Only the start screen is made with the window: the others are made when first shown or asked
for, or else one per turn of the event loop once the start screen has its first lines. Their
modules are imported then too, so the overview is on screen sooner at start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.i18n import _
from desktop.models.db import Database
from desktop.services.scope import ClassScope
from desktop.settings import Settings
from desktop.ui import navigation, sync_widgets
from desktop.ui.backup import menu as backup_menu
from desktop.ui.incidents import menu as incidents_menu
from desktop.ui.navigation import Navigator, Screen, Target
from desktop.ui.overview.screen import OverviewScreen
from desktop.ui.pilot_notes import menu as pilot_notes_menu
from desktop.ui.preferences.tools import Tools
from desktop.ui.retention import menu as retention_menu
from desktop.ui.sync_controller import SyncController, SyncLine
from desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.ui.attendance.screen import AttendanceScreen
    from desktop.ui.conflicts.screen import ConflictsScreen
    from desktop.ui.grade_review.screen import GradeReviewScreen
    from desktop.ui.grades.screen import GradesScreen
    from desktop.ui.leave.screen import LeaveScreen
    from desktop.ui.post_audit.screen import PostAuditScreen
    from desktop.ui.students.screen import StudentsScreen
    from desktop.ui.summary.screen import SummaryScreen

ScreenSource = QWidget | Callable[[], QWidget]
"""A screen's widget, or a function of no arguments that makes it (when first needed)."""


class MainWindow(QMainWindow):
    replaced = Signal(object)
    """The new ``MainWindow`` that took this one's place (``rebuild``, after a language
    switch): whatever was wired to this window from outside must be wired to it again."""
    change_server_requested = Signal()

    def __init__(
        self,
        database: Database,
        scope: ClassScope,
        runner: TaskRunner,
        sync: SyncController,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.scope = scope
        self.runner = runner
        self.sync = sync
        self.settings = settings if settings is not None else Settings()
        self._clock = clock
        self._retired = False
        self.navigator = Navigator(self)
        self.navigator.open_requested.connect(self.open_target)
        self.setWindowTitle(
            _("Homeroom — class {name}, {school}").format(
                name=scope.class_name, school=scope.school_name
            )
        )
        self._screens: dict[str, Screen] = {}
        self._makers: dict[str, Callable[[], QWidget]] = {}
        self._keys: list[str] = []
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        # Room around each entry: the side list is what a teacher aims the mouse at all day.
        self.sidebar.setStyleSheet("QListWidget#sidebar::item { padding: 6px 10px; }")
        self.stack = QStackedWidget()
        self.sidebar.currentRowChanged.connect(self._show_row)
        body = QSplitter()
        body.addWidget(self.sidebar)
        body.addWidget(self.stack)
        body.setStretchFactor(1, 1)
        body.setCollapsible(0, False)
        self.setCentralWidget(body)

        # The start screen; it links only to the screens the window has (``has_screen``).
        self.overview = OverviewScreen(
            database, runner, self.navigator, scope.class_name, can_open=self.has_screen
        )
        self.add_screen(navigation.OVERVIEW, _("Overview"), self.overview, "Ctrl+1")
        # Its first read starts now, on the database lane, while the rest of the window is
        # built here: the start screen's lines are the start-up's last step.
        self.overview.reload()
        self.add_screen(navigation.LEAVE, _("Leave requests"), self._leave_screen, "Ctrl+2")
        self.add_screen(navigation.POST_AUDIT, _("Post-audit"), self._audit_screen, "Ctrl+3")
        self.add_screen(
            navigation.CONFLICTS, _("Refused changes"), self._conflicts_screen, "Ctrl+4"
        )
        self.add_screen(navigation.ATTENDANCE, _("Attendance"), self._attendance_screen, "Ctrl+5")
        self.add_screen(navigation.GRADES, _("Grade book"), self._grades_screen, "Ctrl+6")
        self.add_screen(
            navigation.GRADE_REVIEW, _("Grade review"), self._grade_review_screen, "Ctrl+7"
        )
        self.add_screen(navigation.SUMMARY, _("Results"), self._summary_screen, "Ctrl+8")
        self.add_screen(navigation.STUDENTS, _("Students"), self._students_screen, "Ctrl+9")

        self.sync_action = QAction(_("Sync now"), self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(sync.sync_now)
        toolbar = QToolBar(_("Actions"))
        toolbar.setObjectName("actions")
        toolbar.setMovable(False)
        toolbar.addAction(self.sync_action)
        self.addToolBar(toolbar)
        self.tools = Tools(
            self, database, runner, self.settings, clock, keep=[self.sync_action],
            class_name=scope.class_name,
        )  # fmt: skip
        self.lock = self.tools.lock
        self.pilot_notes_action = pilot_notes_menu.add_action(self, database, runner)
        self.retention_action = retention_menu.add_action(self, database, runner, scope.class_name)
        self.incidents_action = incidents_menu.add_action(self, database, runner, scope.class_name)
        self.backups = backup_menu.attach(
            self, database, runner, self.settings, syncing=lambda: sync.running, reload=self.rebuild
        )
        self.tools.change_server_requested.connect(self.change_server_requested)
        self.tools.language_changed.connect(self.rebuild, Qt.ConnectionType.QueuedConnection)
        # Where the menus of the screens made later go (before the account menu, added after).
        self._screen_menus = self.menuBar().addSeparator()
        self._screen_menus.setVisible(False)

        self.sync_line = QLabel()
        self.statusBar().addPermanentWidget(self.sync_line, 1)
        self.tray = sync_widgets.attach(self.statusBar(), sync, self)
        sync.state_changed.connect(self._show_sync)
        sync.synced.connect(self._synced)
        sync.synced.connect(lambda _summary: self.overview.schedule_refresh())
        sync.synced.connect(lambda _summary: self._reload_if_made(navigation.CONFLICTS))
        self.after_start(self._make_the_rest)

        self.sidebar.setCurrentRow(0)
        self.sidebar.setFixedWidth(self.sidebar.sizeHintForColumn(0) + 24)
        body.setSizes([self.sidebar.width(), self.width()])  # no gap beside the fixed side list
        for screen in self._screens.values():
            if screen is not self.overview:
                screen.reload()
        sync.refresh()

    # --- The screens ----------------------------------------------------------------------

    def _leave_screen(self) -> QWidget:
        from desktop.ui.leave.screen import LeaveScreen

        return LeaveScreen(self.database, self.runner, self.scope.class_name)

    def _audit_screen(self) -> QWidget:
        from desktop.ui.post_audit.screen import PostAuditScreen

        return PostAuditScreen(self.database, self.runner, self.navigator, self.scope.class_name)

    def _conflicts_screen(self) -> QWidget:
        from desktop.ui.conflicts.screen import ConflictsScreen

        return ConflictsScreen(self.database, self.runner, self.navigator, self.scope.class_name)

    def _attendance_screen(self) -> QWidget:
        from desktop.ui.attendance.screen import AttendanceScreen

        return AttendanceScreen(self.database, self.runner, self.navigator, self.scope.class_name)

    def _grades_screen(self) -> QWidget:
        from desktop.ui.grades.screen import GradesScreen

        return GradesScreen(self.database, self.runner, self.scope.class_name)

    def _grade_review_screen(self) -> QWidget:
        from desktop.ui.grade_review.screen import GradeReviewScreen

        return GradeReviewScreen(self.database, self.runner, self.navigator, self.scope.class_name)

    def _summary_screen(self) -> QWidget:
        from desktop.ui.summary.screen import SummaryScreen

        return SummaryScreen(self.database, self.runner, self.scope.class_name)

    def _students_screen(self) -> QWidget:
        from desktop.ui.students.screen import StudentsScreen

        return StudentsScreen(self.database, self.runner, self.navigator, self.scope.class_name)

    @property
    def leave(self) -> LeaveScreen:
        return cast("LeaveScreen", self.screen_for(navigation.LEAVE))

    @property
    def post_audit(self) -> PostAuditScreen:
        return cast("PostAuditScreen", self.screen_for(navigation.POST_AUDIT))

    @property
    def conflicts(self) -> ConflictsScreen:
        return cast("ConflictsScreen", self.screen_for(navigation.CONFLICTS))

    @property
    def attendance(self) -> AttendanceScreen:
        return cast("AttendanceScreen", self.screen_for(navigation.ATTENDANCE))

    @property
    def grades(self) -> GradesScreen:
        return cast("GradesScreen", self.screen_for(navigation.GRADES))

    @property
    def grade_review(self) -> GradeReviewScreen:
        return cast("GradeReviewScreen", self.screen_for(navigation.GRADE_REVIEW))

    @property
    def summary(self) -> SummaryScreen:
        return cast("SummaryScreen", self.screen_for(navigation.SUMMARY))

    @property
    def students(self) -> StudentsScreen:
        return cast("StudentsScreen", self.screen_for(navigation.STUDENTS))

    def add_screen(self, key: str, title: str, screen: ScreenSource, shortcut: str) -> None:
        """Put a screen in the side list; ``shortcut`` switches to it from anywhere.

        ``screen``: the screen's widget, or a function of no arguments that makes it, called
        when the screen is first shown or asked for (``screen_for``), or after the start
        screen's first lines; the window then calls its ``reload()``, and puts its ``menu``,
        if it has one, in the menu bar."""
        self._keys.append(key)
        if isinstance(screen, QWidget):
            self._screens[key] = screen  # type: ignore[assignment]
            self.stack.addWidget(screen)
        else:
            self._makers[key] = screen
            self.stack.addWidget(QWidget())  # its place, until it is made
        item = QListWidgetItem(title)
        item.setToolTip(f"{title} ({QKeySequence(shortcut).toString()})")
        self.sidebar.addItem(item)
        action = QAction(title, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda: self.open_target(Target(key)))
        self.addAction(action)

    def has_screen(self, key: str) -> bool:
        return key in self._screens or key in self._makers

    def screen_for(self, key: str) -> Screen:
        """The screen of ``key``, made now if it was not yet."""
        if key in self._makers:
            self._make(key)
        return self._screens[key]

    def _make(self, key: str) -> None:
        widget = self._makers.pop(key)()
        index = self._keys.index(key)
        place = self.stack.widget(index)
        assert place is not None
        self.stack.insertWidget(index, widget)
        if self.stack.currentWidget() is place:
            self.stack.setCurrentWidget(widget)
        self.stack.removeWidget(place)
        place.deleteLater()
        screen = cast(Screen, widget)
        self._screens[key] = screen
        menu = getattr(widget, "menu", None)
        if isinstance(menu, QMenu):
            self.menuBar().insertMenu(self._screen_menus, menu)
        screen.reload()

    def after_start(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the start screen has answered (its first lines drawn, or why it
        could not read them): what starts in the background (the other screens, the first
        sync) leaves the database lane and the GIL to the start screen until then."""
        self.overview.answered.connect(
            lambda: QTimer.singleShot(0, self, then),  # after the lines are drawn
            Qt.ConnectionType.SingleShotConnection,
        )

    def _make_the_rest(self) -> None:
        """The start screen has its lines: make the next screen not made yet, one per turn of
        the event loop (the window answers the teacher in between)."""
        if self._retired:
            return
        for key in self._keys:
            if key in self._makers:
                self._make(key)
                QTimer.singleShot(0, self, self._make_the_rest)
                return

    def _reload_if_made(self, key: str) -> None:
        if key in self._screens:
            self._screens[key].reload()

    def current_key(self) -> str:
        return self._keys[self.stack.currentIndex()]

    def open_target(self, target: Target) -> None:
        index = self._keys.index(target.screen)
        self.sidebar.setCurrentRow(index)
        if target.filters:
            self.screen_for(target.screen).open_with(dict[str, Any](target.filters))

    def _show_row(self, row: int) -> None:
        if row >= 0:
            if self._keys[row] in self._makers:
                self._make(self._keys[row])
            self.stack.setCurrentIndex(row)

    def _show_sync(self, line: SyncLine) -> None:
        self.sync_line.setText(line.text)
        self.sync_line.setToolTip(line.text)  # a long error is cut off in the status bar
        self.sync_line.setStyleSheet("color: #b00020;" if line.has_error else "")
        self.sync_action.setEnabled(line.signed_in)

    def _synced(self, summary: str) -> None:
        self.statusBar().showMessage(summary, 10_000)

    def rebuild(self) -> MainWindow:
        """This window made anew, every text in the language now in force: the screens, the
        side list, the menus and the toolbar are built again from their data on the same
        profile, runner and sync, in the same place and on the same screen; this one goes."""
        new = MainWindow(
            self.database,
            self.scope,
            self.runner,
            self.sync,
            settings=self.settings,
            clock=self._clock,
        )
        for part in (self.runner, self.sync):
            if part.parent() is self:
                part.setParent(new)
        new.setGeometry(self.geometry())
        new.setWindowState(self.windowState())
        new.restoreState(self.saveState())
        new.open_target(Target(self.current_key()))
        new.lock.rekey = self.lock.rekey
        self._retired = True
        self.tools.detach()
        if self.isVisible():
            new.show()
        self.replaced.emit(new)
        self.hide()
        if self.runner.busy:
            # Answers on their way to this window's screens must still find them.
            self.runner.busy_changed.connect(self._delete_when_idle)
        else:
            self.deleteLater()
        return new

    def _delete_when_idle(self, busy: bool) -> None:
        if not busy:
            self.runner.busy_changed.disconnect(self._delete_when_idle)
            self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._retired:
            # Replaced by a rebuilt window, which carries on with the runner and the sync.
            super().closeEvent(event)
            return
        # A sync stops between rounds without waiting for the server; a decision being written
        # must finish: the teacher was told it is saved.
        self.sync.cancel()
        # Its dialogs close first: each frees what it holds (a preview, its PDF document) on
        # the lanes the wait below lets finish.
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        self.backups.on_close()  # on the database lane, which the wait below lets finish
        self.runner.wait()
        super().closeEvent(event)
