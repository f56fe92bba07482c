"""The leave requests screen: find a request, read it, decide it, record its paper original or
the principal's sign-off, approve several at once, undo a decision not yet sent.

Reads and changes run on the database lane. Every change goes through ``run_change``, and the
screen refreshes from ``operation_did_execute`` alone, re-reading only the requests a change
touched (a decision here, a parent's cancellation arriving with a sync): rows are updated in
place, so the selection and the scroll position stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.leave import LeaveStatus, OriginalState
from desktop.domain.names import sort_text
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import leave, undo, workspace
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.leave import LeaveRow
from desktop.ui.leave import bulk
from desktop.ui.leave.date_filter import OptionalDateEdit
from desktop.ui.leave.details import LINK_SCHEME, details_html
from desktop.ui.leave.dialogs import OriginalDialog, SignoffDialog
from desktop.ui.leave.model import Column, LeaveFilter, LeaveTableModel
from desktop.ui.leave.printing import LeavePrinting
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Read:
    """What one read found: the rows, whose decisions wait in the outbox and which became
    conflicts; ``asked`` is ``None`` for a full load, else the ids re-read."""

    rows: list[LeaveRow]
    unsent: frozenset[int]
    conflicts: dict[int, str]
    today: date
    asked: frozenset[int] | None = None


def _read_rows(database: Database, class_name: str | None, asked: frozenset[int]) -> Read:
    """The requests ``asked`` as they are now, with their unsent decisions and conflicts."""
    with workspace.work(database, class_name, write=False) as unit:
        return _rows_of(unit, asked)


def _rows_of(unit: workspace.Work, asked: frozenset[int]) -> Read:
    return Read(
        leave.rows_by_ids(unit.session, unit.scope, asked, today=unit.today),
        undo.unsent_decisions(unit.session, asked),
        leave.decision_conflicts(unit.session, asked),
        unit.today,
        asked,
    )


@dataclass
class Shown:
    """The state beside the rows that the detail pane and the actions need."""

    unsent: set[int] = field(default_factory=set)
    conflicts: dict[int, str] = field(default_factory=dict)
    today: date | None = None
    """The school's today as the database lane last read it (the demo lives on its own day;
    never this computer's clock)."""


class LeaveScreen(QWidget):
    decided = Signal(str)
    """A change was saved on this computer (its one-line summary)."""

    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        class_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._class_name = class_name
        self._shown = Shown()
        self._loaded_once = False
        self._waiting_filters: dict[str, Any] = {}
        self.dialog: OriginalDialog | SignoffDialog | None = None
        runner.operation_did_execute.connect(self._changed)
        self._stale: set[int] = set()
        self._rereading = False

        self.model = LeaveTableModel(self)
        self.filter = LeaveFilter(self)
        self.filter.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Find a student (with or without diacritics)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter.set_search)
        self.status = QComboBox()
        self.status.addItem(_("All requests"), None)
        for state in LeaveStatus:
            self.status.addItem(state.label, state.value)
        self.status.currentIndexChanged.connect(
            lambda _index: self.filter.set_status(self.status.currentData())
        )
        self.date_from = OptionalDateEdit(_("From any day"))
        self.date_to = OptionalDateEdit(_("To any day"))
        self.date_from.dateChanged.connect(self._dates_changed)
        self.date_to.dateChanged.connect(self._dates_changed)
        self.student = QComboBox()
        self.student.addItem(_("All students"), None)
        self.student.currentIndexChanged.connect(
            lambda _index: self.filter.set_student(self.student.currentData())
        )

        self.table = QTableView()
        self.table.setModel(self.filter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.STATE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        # Sized to their contents once per full load, not by the header at every filter change
        # (that re-measured every row at each letter typed in the search box).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The state is the one long text: it takes what is left and is elided (its tooltip and
        # the detail pane have it whole), so no column is ever pushed off-screen.
        header.setSectionResizeMode(Column.STATE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(28)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._show_request(self.selected())
        )

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._link)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note to the parent (required to reject)"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.approve_action = self._action(_("Approve"), "Ctrl+Return", self._approve)
        self.approve_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.reject_action = self._action(_("Reject"), "Ctrl+R", self._reject)
        self.bulk_action = self._action(
            _("Approve the selected ordinary requests"), "Ctrl+Shift+Return", self._bulk_approve
        )
        self.original_action = self._action(
            _("Paper original received…"), "Ctrl+O", self._receive_original
        )
        self.signoff_action = self._action(
            _("Principal's sign-off received…"), "Ctrl+K", self._record_signoff
        )
        self.undo_action = self._action(_("Undo the decision"), "Ctrl+Z", self._undo)
        self.overlap_action = self._action(
            _("Open the overlapping request"), "Ctrl+J", self._open_overlap
        )
        self.note_action = self._action(_("Write the note"), "Ctrl+N", self._focus(self.note))
        self.search_action = self._action(_("Find a student"), "Ctrl+F", self._focus(self.search))
        self.filters_action = self._action(_("Filters"), "Ctrl+Shift+F", self._focus(self.status))
        self.clear_action = self._action(_("Clear the filters"), "Ctrl+Shift+X", self.clear_filters)
        self.refresh_action = self._action(_("Read the list again"), "Ctrl+Shift+R", self.reload)
        self.printing = LeavePrinting(self, database, runner, class_name)
        decisions = (self.approve_action, self.reject_action, self.bulk_action, self.undo_action)
        paper = (self.original_action, self.signoff_action, self.overlap_action)
        printed = (self.printing.print_action, self.printing.check_action)
        finding = (self.note_action, self.search_action, self.filters_action, self.clear_action)
        self.menu = QMenu(_("&Requests"), self)
        for group in (decisions, paper, printed, finding, (self.refresh_action,)):
            self.menu.addActions(list(group))
            self.menu.addSeparator()
        self.toolbar = QToolBar(_("Request actions"))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions(list(decisions))
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.original_action, self.signoff_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions(list(printed))

        self.approve_button = self._button(self.approve_action)
        self.reject_button = self._button(self.reject_action)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status, 2)
        filters.addWidget(QLabel(_("From")))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("to")))
        filters.addWidget(self.date_to)
        filters.addWidget(self.student, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.details, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.message)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 360])
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._show_request(None)

    # --- Screen protocol ------------------------------------------------------------------

    def reload(self) -> None:
        database, class_name = self._database, self._class_name

        def load() -> Read:
            with workspace.work(database, class_name, write=False) as unit:
                return Read(
                    leave.list_requests(unit.session, unit.scope, today=unit.today),
                    undo.unsent_decisions(unit.session),
                    leave.decision_conflicts(unit.session),
                    unit.today,
                )

        self._runner.run_database(load, self._loaded, self._failed)

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show what a link points at: ``status`` (a state value), ``student_id``, and/or
        ``request_id`` (selected, the filters hiding it cleared)."""
        if "status" in filters:
            self.status.setCurrentIndex(max(0, self.status.findData(filters["status"])))
        if not self._loaded_once:
            # The student list and the rows come with the first load: the rest applies then.
            rest = {k: v for k, v in filters.items() if k != "status"}
            self._waiting_filters = {**self._waiting_filters, **rest}
            return
        if "student_id" in filters:
            self.student.setCurrentIndex(max(0, self.student.findData(filters["student_id"])))
        if "request_id" in filters:
            self.show_request(int(filters["request_id"]))

    def clear_filters(self) -> None:
        self.search.clear()
        self.status.setCurrentIndex(0)
        self.student.setCurrentIndex(0)
        self.date_from.clear_value()
        self.date_to.clear_value()

    def show_request(self, request_id: int) -> None:
        """Select ``request_id`` alone, clearing the filters if they hide it."""
        if self.filter.proxy_row_of(request_id) is None and self.model.by_id(request_id):
            self.clear_filters()
        self._select([request_id])
        self.table.setFocus()

    # --- Reading --------------------------------------------------------------------------

    def selected(self) -> LeaveRow | None:
        """The request the detail pane shows: the current row if selected, else the first."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        current = self.table.currentIndex()
        chosen = current if any(r.row() == current.row() for r in rows) else rows[0]
        return self.filter.row_at(chosen.row())

    def selected_rows(self) -> list[LeaveRow]:
        numbers = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.filter.row_at(number) for number in numbers]

    def _loaded(self, read: Read) -> None:
        chosen = [row.id for row in self.selected_rows()]
        self._shown = Shown(set(read.unsent), dict(read.conflicts), read.today)
        self.date_from.today = self.date_to.today = read.today
        self.model.set_rows(read.rows)
        self.table.resizeColumnsToContents()
        self._fill_students(read.rows)
        if chosen:
            self._select(chosen)
        self._show_request(self.selected())
        self._loaded_once = True
        if self._waiting_filters:
            waiting, self._waiting_filters = self._waiting_filters, {}
            self.open_with(waiting)

    def _changed(self, changes: Changes, initiator: object) -> None:
        if initiator is self:
            return  # this screen's own change brought its rows back with it (``_change``)
        self._reread(int(i) for i in changes.ids("leave_request"))

    def _reread(self, ids: Iterable[int]) -> None:
        """Re-read these requests; while a re-read is on its way the ids wait and go in the
        next one, so a burst of changes (a large sync) costs two reads, not one per change."""
        self._stale.update(ids)
        if self._stale and not self._rereading:
            self._reread_stale()

    def _reread_stale(self) -> None:
        database, class_name, asked = self._database, self._class_name, frozenset(self._stale)
        self._stale.clear()
        self._rereading = True

        self._runner.run_database(
            lambda: _read_rows(database, class_name, asked), self._merged, self._reread_failed
        )

    def _reread_failed(self, error: HomeroomError) -> None:
        self._rereading = False
        self._failed(error)

    def _merged(self, read: Read) -> None:
        self._rereading = False
        if self._stale:
            self._reread_stale()
        self._apply(read)

    def _apply(self, read: Read) -> None:
        assert read.asked is not None
        self._shown.unsent = (self._shown.unsent - read.asked) | read.unsent
        for request_id in read.asked:
            self._shown.conflicts.pop(request_id, None)
        self._shown.conflicts.update(read.conflicts)
        self._shown.today = read.today
        self.model.merge(read.rows, read.asked)
        self._show_request(self.selected())

    def _fill_students(self, rows: list[LeaveRow]) -> None:
        current = self.student.currentData()
        names = {row.student_id: row.student_name for row in rows}
        self.student.blockSignals(True)
        self.student.clear()
        self.student.addItem(_("All students"), None)
        for student_id, name in sorted(names.items(), key=lambda item: sort_text(item[1])):
            self.student.addItem(name, student_id)
        self.student.setCurrentIndex(max(0, self.student.findData(current)))
        self.student.blockSignals(False)

    def _select(self, request_ids: list[int]) -> None:
        selection = QItemSelection()
        first = None
        for request_id in request_ids:
            number = self.filter.proxy_row_of(request_id)
            if number is None:
                continue
            first = number if first is None else first
            selection.select(
                self.filter.index(number, 0), self.filter.index(number, len(Column) - 1)
            )
        if first is None:
            return
        model = self.table.selectionModel()
        model.setCurrentIndex(
            self.filter.index(first, 0), QItemSelectionModel.SelectionFlag.NoUpdate
        )
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(self.filter.index(first, 0))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_request(self.selected())

    def _dates_changed(self) -> None:
        self.filter.set_dates(self.date_from.value(), self.date_to.value())

    # --- The detail pane and what can be done ---------------------------------------------

    def _show_request(self, row: LeaveRow | None) -> None:
        if row is None:
            self.details.setPlainText(_("Choose a request to read it."))
        else:
            self.details.setHtml(
                details_html(
                    row,
                    self.model.by_id,
                    conflict=self._shown.conflicts.get(row.id),
                    undo_key=_key_text(self.undo_action) if row.id in self._shown.unsent else None,
                )
            )
        pending = row is not None and row.status == LeaveStatus.SUBMITTED.value
        needs_signoff = pending and row is not None and row.special_case
        signed = row is not None and bool(row.principal_signoff_on)
        self.note.setEnabled(pending)
        self.approve_action.setEnabled(pending and (not needs_signoff or signed))
        self.reject_action.setEnabled(pending)
        self.signoff_action.setEnabled(needs_signoff and not signed)
        self.original_action.setEnabled(
            row is not None
            and row.status == LeaveStatus.APPROVED.value
            and row.original in (OriginalState.AWAITING.value, OriginalState.OVERDUE.value)
        )
        self.undo_action.setEnabled(row is not None and row.status != LeaveStatus.SUBMITTED.value)
        self.overlap_action.setEnabled(row is not None and bool(row.overlaps_with))
        self.bulk_action.setEnabled(len(self.table.selectionModel().selectedRows()) > 0)
        self.printing.selection_changed(self.selected_rows())

    def _link(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME and url.path().isdigit():
            self.show_request(int(url.path()))

    def _open_overlap(self) -> None:
        row = self.selected()
        if row is not None and row.overlaps_with:
            self.show_request(row.overlaps_with[0])

    # --- Changes --------------------------------------------------------------------------

    def _approve(self) -> None:
        self._decide(approve=True)

    def _reject(self) -> None:
        self._decide(approve=False)

    def _decide(self, *, approve: bool) -> None:
        row = self.selected()
        if row is None:
            return
        note = self.note.text().strip()
        args = {"request_id": row.id, "approve": approve, "note": note, "base_version": row.version}
        self.approve_action.setEnabled(False)
        self.reject_action.setEnabled(False)
        self._change(
            row.id,
            lambda unit: perform(unit.session, unit.scope, "decide_leave", args, actor=unit.actor),
            clear_note=True,
        )

    def _receive_original(self) -> None:
        row, today = self.selected(), self._shown.today
        if row is None or today is None or not self.original_action.isEnabled():
            return

        def received(day: date) -> None:
            args = {"request_id": row.id, "received_on": day.isoformat()}
            self._change(
                row.id,
                lambda unit: perform(
                    unit.session, unit.scope, "receive_original", args, actor=unit.actor
                ),
            )

        self._open(OriginalDialog(row.id, today, received, self))

    def _record_signoff(self) -> None:
        row, today = self.selected(), self._shown.today
        if row is None or today is None or not self.signoff_action.isEnabled():
            return

        def signed(by: str, day: date) -> None:
            args = {"request_id": row.id, "by": by, "on": day.isoformat()}
            self._change(
                row.id,
                lambda unit: perform(
                    unit.session, unit.scope, "record_signoff", args, actor=unit.actor
                ),
            )

        self._open(SignoffDialog(row.id, today, signed, self))
        assert isinstance(self.dialog, SignoffDialog)
        self.dialog.by.setFocus()

    def _undo(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._change(
            row.id,
            lambda unit: undo.undo_decision(
                unit.session, unit.scope, request_id=row.id, actor=unit.actor
            ),
        )

    def _bulk_approve(self) -> None:
        chosen = self.selected_rows()
        if not chosen:
            return
        database, class_name = self._database, self._class_name

        def approve_each() -> Changes:
            return bulk.approve_ordinary(database, class_name, chosen)

        # No initiator: its rows come back through ``operation_did_execute``, like a sync's.
        self._runner.run_change(approve_each, self._done, self._failed)

    def _change(
        self,
        request_id: int,
        work: Callable[[workspace.Work], Changes],
        *,
        clear_note: bool = False,
    ) -> None:
        database, class_name = self._database, self._class_name
        fresh: list[Read] = []

        def run() -> Changes:
            with workspace.work(database, class_name) as unit:
                changes = work(unit)
                # The touched rows read back in the same transaction: the row is redrawn with
                # the answer, not after a second trip through the database lane.
                unit.session.flush()
                asked = frozenset({request_id} | {int(i) for i in changes.ids("leave_request")})
                fresh.append(_rows_of(unit, asked))
            return changes

        def done(changes: Changes) -> None:
            if clear_note:
                self.note.clear()
            self._apply(fresh[0])
            self._done(changes)

        def failed(error: HomeroomError) -> None:
            # The row on screen may be what made the change fail (changed meanwhile): read it
            # again so the pane and the buttons show the request as it is now.
            self._failed(error)
            self._reread([request_id])

        self._runner.run_change(run, done, failed, initiator=self)

    def _done(self, changes: Changes) -> None:
        self._say(changes.summary, error=False)
        self.decided.emit(changes.summary)

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)
        self._show_request(self.selected())

    def _open(self, dialog: OriginalDialog | SignoffDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")

    # --- Building ------------------------------------------------------------------------

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text.rstrip('…')} ({_key_text(action)})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _button(self, action: QAction) -> QPushButton:
        button = QPushButton(action.text())
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        button.setEnabled(action.isEnabled())
        return button

    @staticmethod
    def _focus(widget: QWidget) -> Callable[[], None]:
        return lambda: widget.setFocus(Qt.FocusReason.ShortcutFocusReason)


def _key_text(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
