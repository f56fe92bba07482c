"""The students screen: the class list with guardians and e-contact-book registration, a
diacritic-blind search, the selected student's page (absences, requests, grades) beside it, and
the import of a class list corrected in Excel (``excel``).

Everything is read on the database lane. A change anywhere (a decision, a roll call, a grade,
a sync bringing a guardian's registration) arrives through ``operation_did_execute``: only the
students it concerns are read again and their rows updated in place, so the selection, the
scroll position and the search stay; the page follows if its student is among them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError, NotFound
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import students, workspace
from desktop.services.changes import Changes
from desktop.services.students import RosterRow, StudentPage
from desktop.ui import navigation
from desktop.ui.navigation import Navigator, Target
from desktop.ui.students.excel import RosterImport
from desktop.ui.students.export import StudentExport
from desktop.ui.students.model import Column, RosterFilter, RosterModel, guardian_name
from desktop.ui.students.page import PageView
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Refreshed:
    rows: list[RosterRow]
    asked: frozenset[int] | None
    """The students re-read (``None``: all of them)."""
    page: StudentPage | None
    page_asked: int | None
    """The student whose page was re-read (``page`` is ``None`` if they left the class)."""


def _page(database: Database, class_name: str | None, student_id: int) -> StudentPage | None:
    with workspace.work(database, class_name, write=False) as unit:
        return _page_of(unit, student_id)


def _page_of(unit: workspace.Work, student_id: int) -> StudentPage | None:
    try:
        return students.student_page(unit.session, unit.scope, student_id, today=unit.today)
    except NotFound:
        return None


def _refresh(
    database: Database,
    class_name: str | None,
    touched: dict[str, set[str]],
    shown: int | None,
) -> Refreshed:
    with workspace.work(database, class_name, write=False) as unit:
        found = students.touched_students(unit.session, touched)
        asked = None if found.unresolved else found.students
        rows = students.roster(unit.session, unit.scope, student_ids=asked)
        again = shown is not None and (
            found.unresolved or found.class_wide or shown in found.students
        )
        page = _page_of(unit, shown) if again and shown is not None else None
        return Refreshed(rows, asked, page, shown if again else None)


class StudentsScreen(QWidget):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        navigator: Navigator,
        class_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._navigator = navigator
        self._class_name = class_name
        self._loaded_once = False
        self._load_when_shown = False
        self._waiting_student: int | None = None
        self._wanted_page: int | None = None
        self._page_reading = False
        self._stale: dict[str, set[str]] = {}
        self._refreshing = False
        runner.operation_did_execute.connect(self._changed)

        self.model = RosterModel(self)
        self.filter = RosterFilter(self)
        self.filter.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            _("Find a student by name or code (with or without diacritics)")
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._to_table)
        self.count = QLabel()

        self.table = QTableView()
        self.table.setModel(self.filter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        # A class fits on the screen in rows this high; Qt's default shows only half of it.
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(28)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._selection_moved()
        )

        self.page = PageView()
        self.page.requests.activated.connect(self._request_activated)
        self.page.absences.activated.connect(self._absence_activated)
        self.page.tabs.currentChanged.connect(lambda _index: self._update_actions())
        for view in (self.page.requests, self.page.absences):
            view.selectionModel().currentRowChanged.connect(
                lambda _now, _before: self._update_actions()
            )

        self.search_action = self._action(_("Find a student"), "Ctrl+F", self._focus_search)
        self.open_request_action = self._action(
            _("Open the request"), "Ctrl+O", self._open_chosen_request
        )
        self.all_requests_action = self._action(
            _("The student's leave requests"), "Ctrl+Shift+L", self._open_all_requests
        )
        self.refresh_action = self._action(_("Read the list again"), "Ctrl+Shift+R", self.reload)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.roster_import = RosterImport(self, runner, database, class_name, self.message.setText)
        self.open_request_button = self._button(self.open_request_action)
        self.all_requests_button = self._button(self.all_requests_action)
        self.import_button = self._button(self.roster_import.action)
        self.export = StudentExport(self, runner, database, class_name, self.selected, self.message)
        self.export_button = self._button(self.export.action)

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_request_button)
        buttons.addWidget(self.all_requests_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.page, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.message)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([800, 430])
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._update_actions()

    # --- Screen protocol ------------------------------------------------------------------

    def reload(self) -> None:
        if not self.isVisible():
            # Read when first shown: the window starts faster, and its start screen's reads
            # do not queue behind this one on the database lane.
            self._load_when_shown = True
            return
        self._load_when_shown = False
        database, class_name = self._database, self._class_name

        def load() -> list[RosterRow]:
            with workspace.work(database, class_name, write=False) as unit:
                return students.roster(unit.session, unit.scope)

        self._runner.run_database(load, self._loaded, self._failed)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._load_when_shown:
            self.reload()

    def open_with(self, filters: dict[str, Any]) -> None:
        """``student_id``: select that student (the search cleared if it hides them) and show
        their page."""
        if "student_id" not in filters:
            return
        student_id = int(filters["student_id"])
        if not self._loaded_once:
            self._waiting_student = student_id
            return
        self.show_student(student_id)

    def show_student(self, student_id: int) -> None:
        if self.filter.proxy_row_of(student_id) is None and self.model.by_id(student_id):
            self.search.clear()
        self._select(student_id)
        self.table.setFocus()

    def selected(self) -> RosterRow | None:
        current = self.table.currentIndex()
        if not current.isValid() or not self.table.selectionModel().isRowSelected(
            current.row(), QModelIndex()
        ):
            return None
        return self.filter.row_at(current.row())

    # --- Reading --------------------------------------------------------------------------

    def _size_guardians(self, rows: list[RosterRow]) -> None:
        """Wide enough for every student's first guardian's name and relation; their phones
        and the other guardians are in the tooltip and on the page. Stretched, the column took
        what the others left, and at the window's usual size that was a few letters."""
        metrics = self.table.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(guardian_name(r.guardians[0])) for r in rows if r.guardians),
            default=0,
        )
        # What Qt's item views leave either side of a cell's text, and the grid line.
        margin = self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
        padding = 2 * margin + 1
        self.table.setColumnWidth(Column.GUARDIANS, widest + padding)

    def _loaded(self, rows: list[RosterRow]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self._size_guardians(rows)
        self._loaded_once = True
        self._count_shown()
        waiting, self._waiting_student = self._waiting_student, None
        if waiting is not None:
            self.show_student(waiting)
        elif chosen is not None and self.model.by_id(chosen.id):
            self._select(chosen.id)
        else:
            self._select_first()

    def _selection_moved(self) -> None:
        row = self.selected()
        self._update_actions()
        if row is None:
            self._wanted_page = None
            self.page.show_page(None)
            return
        if self.page.page is not None and self.page.page.student.id == row.id:
            self._wanted_page = row.id  # back on the page shown: a read on its way is stale
            return
        self._want_page(row.id)

    def _want_page(self, student_id: int) -> None:
        """Read a page; while one is on its way only the latest wish is read next, so holding
        the arrow key down costs two reads, not one per student passed."""
        self._wanted_page = student_id
        if self._page_reading:
            return
        self._page_reading = True
        database, class_name = self._database, self._class_name
        self._runner.run_database(
            lambda: _page(database, class_name, student_id),
            lambda page: self._page_read(student_id, page),
            self._page_failed,
        )

    def _page_read(self, student_id: int, page: StudentPage | None) -> None:
        self._page_reading = False
        if self._wanted_page is None:
            return
        if self._wanted_page != student_id:
            self._want_page(self._wanted_page)
            return
        self.page.show_page(page)
        self._update_actions()

    def _page_failed(self, error: HomeroomError) -> None:
        self._page_reading = False
        self._failed(error)

    def _changed(self, changes: Changes, _initiator: object) -> None:
        relevant = {
            kind: set(ids)
            for kind, ids in changes.touched.items()
            if ids and kind in students.WATCHED + students.CLASS_WIDE
        }
        if not relevant or not self._loaded_once:
            return
        for kind, ids in relevant.items():
            self._stale.setdefault(kind, set()).update(ids)
        if not self._refreshing:
            self._refresh_stale()

    def _refresh_stale(self) -> None:
        """Re-read what the changes touched; changes arriving meanwhile wait for the next
        read, so a burst (a large sync) costs two reads, not one per change."""
        touched, self._stale = self._stale, {}
        # The page being read counts too: its read may have started before this change.
        shown = self._wanted_page
        database, class_name = self._database, self._class_name
        self._refreshing = True
        self._runner.run_database(
            lambda: _refresh(database, class_name, touched, shown),
            self._refreshed,
            self._refresh_failed,
        )

    def _refreshed(self, found: Refreshed) -> None:
        self._refreshing = False
        if self._stale:
            self._refresh_stale()
        self.model.merge(found.rows, found.asked)
        self._count_shown()
        if self._wanted_page is None:
            self._select_first()  # the class arrived (a first sync into an empty profile)
        if found.page_asked is not None and found.page_asked == self._wanted_page:
            self.page.show_page(found.page)
            self._update_actions()

    def _refresh_failed(self, error: HomeroomError) -> None:
        self._refreshing = False
        self._failed(error)

    # --- Finding and choosing -------------------------------------------------------------

    def _search_changed(self, text: str) -> None:
        self.filter.set_search(text)
        self._count_shown()
        if self.selected() is None:
            self._select_first()

    def _to_table(self) -> None:
        if self.selected() is None:
            self._select_first()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _select_first(self) -> None:
        if self.filter.rowCount():
            self._select(self.filter.row_at(0).id)

    def _select(self, student_id: int) -> None:
        number = self.filter.proxy_row_of(student_id)
        if number is None:
            return
        index = self.filter.index(number, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _count_shown(self) -> None:
        shown, total = self.filter.rowCount(), self.model.rowCount()
        if shown == total:
            self.count.setText(_("{count} students").format(count=total))
        else:
            self.count.setText(_("{shown} of {count} students").format(shown=shown, count=total))

    # --- Links to the leave screen --------------------------------------------------------

    def chosen_request(self) -> int | None:
        """The request the page points at: the current one in the requests tab, or the one
        behind the current absence in the absences tab."""
        if self.page.page is None:
            return None
        if self.page.tabs.currentWidget() is self.page.requests:
            index = self.page.requests.currentIndex()
            if index.isValid():
                return self.page.requests_model.row_at(index.row()).id
        if self.page.tabs.currentWidget() is self.page.absences:
            index = self.page.absences.currentIndex()
            if index.isValid():
                return self.page.absences_model.row_at(index.row()).request_id
        return None

    def _request_activated(self, index: QModelIndex) -> None:
        self._open_request(self.page.requests_model.row_at(index.row()).id)

    def _absence_activated(self, index: QModelIndex) -> None:
        request_id = self.page.absences_model.row_at(index.row()).request_id
        if request_id is not None:
            self._open_request(request_id)

    def _open_chosen_request(self) -> None:
        request_id = self.chosen_request()
        if request_id is not None:
            self._open_request(request_id)

    def _open_request(self, request_id: int) -> None:
        self._navigator.open(Target(navigation.LEAVE, {"request_id": request_id}))

    def _open_all_requests(self) -> None:
        page = self.page.page
        if page is not None and page.requests:
            self._navigator.open(Target(navigation.LEAVE, {"student_id": page.student.id}))

    def _update_actions(self) -> None:
        page = self.page.page
        self.all_requests_action.setEnabled(page is not None and bool(page.requests))
        self.open_request_action.setEnabled(self.chosen_request() is not None)
        self.export.action.setEnabled(self.selected() is not None)

    def _failed(self, error: HomeroomError) -> None:
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(error.message)

    # --- Building ------------------------------------------------------------------------

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text} ({key})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    @staticmethod
    def _button(action: QAction) -> QPushButton:
        button = QPushButton(action.text())
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        button.setEnabled(action.isEnabled())
        return button
