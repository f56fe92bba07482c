"""The post-audit (hậu kiểm) screen: the requests selected and why, recording a check, history.

Recording is an intent (``record_audit``) committed with its local effect on the database lane;
a discrepancy is confirmed first, since it turns the request's excused sessions unexcused, and
the marks it changed are shown afterwards, before → after.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_moment
from desktop.domain.leave import AuditMethod, AuditOutcome, AuditStatus, ReasonCategory
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import post_audit, workspace
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.post_audit import AuditEvent, AuditRow, MarkChange
from desktop.ui import navigation
from desktop.ui.navigation import Navigator, Target
from desktop.ui.post_audit.model import (
    AWAITING,
    CHECKED,
    AuditFilter,
    AuditTableModel,
    Column,
    HistoryModel,
    MarkChangesModel,
    checked,
    period,
)
from desktop.ui.tasks import TaskRunner

WATCHED = ("leave_request", "post_audit", "attendance_mark")


@dataclass(frozen=True)
class _Loaded:
    rows: list[AuditRow] | None
    """``None`` when only some rows were read (``asked``)."""
    some: list[AuditRow]
    asked: frozenset[int]
    events: list[AuditEvent]


def _button(text: str, shortcut: str) -> QPushButton:
    button = QPushButton(text)
    button.setShortcut(shortcut)
    button.setToolTip(f"{text} ({button.shortcut().toString()})")
    return button


class PostAuditScreen(QWidget):
    recorded = Signal(str)
    """A post-audit was recorded on this computer (its one-line summary)."""

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
        self._marks_request: int | None = None
        self._reading = False
        self._wanted: frozenset[int] | None = frozenset()
        self._wanted_any = False
        self.confirmation: QMessageBox | None = None
        """The discrepancy's confirmation while it is open."""

        self.model = AuditTableModel(self)
        self.filter = AuditFilter(self)
        self.filter.setSourceModel(self.model)
        self.history_model = HistoryModel(self)
        self.marks_model = MarkChangesModel(self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Find a student (with or without diacritics)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter.set_search)
        self.state = QComboBox()
        self.state.addItem(_("Awaiting the check"), AWAITING)
        self.state.addItem(_("Checked"), CHECKED)
        self.state.addItem(_("All selected requests"), None)
        self.state.currentIndexChanged.connect(
            lambda _index: self.filter.set_state(self.state.currentData())
        )
        self.draw_button = _button(_("Draw the sample"), "Ctrl+Shift+D")
        self.draw_button.clicked.connect(self._draw)

        self.table = QTableView()
        self.table.setModel(self.filter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.PERIOD, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.WHY, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QTextBrowser()
        self.method = QComboBox()
        for method in AuditMethod:
            self.method.addItem(method.label, method.value)
        self.outcome = QComboBox()
        for outcome in AuditOutcome:
            self.outcome.addItem(outcome.label, outcome.value)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("What the check found (optional)"))
        self.note.setMaxLength(500)  # the intent's limit, so no validation message can leak
        self.record_button = _button(_("Record the check"), "Ctrl+Return")
        self.record_button.clicked.connect(self._record)
        self.open_button = _button(_("Open the request"), "Ctrl+O")
        self.open_button.clicked.connect(self._open_request)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.marks_title = QLabel(_("Attendance this check changed:"))
        self.marks = QListView()
        self.marks.setModel(self.marks_model)
        self.marks.setMaximumHeight(110)

        form = QFormLayout()
        form.addRow(_("Method"), self.method)
        form.addRow(_("Outcome"), self.outcome)
        form.addRow(_("Note"), self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.details, 1)
        side_layout.addLayout(form)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.message)
        side_layout.addWidget(self.marks_title)
        side_layout.addWidget(self.marks)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 420])

        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().hide()
        self.history.setWordWrap(False)
        self.history.horizontalHeader().setStretchLastSection(True)

        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, _("Selected requests"))
        self.tabs.addTab(self.history, _("History"))

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.state, 1)
        filters.addWidget(self.draw_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        runner.operation_did_execute.connect(self._changed)
        self._show_marks((), None)
        self._show_request(None)

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        self._load(None)

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show what a link points at: ``state`` (awaiting / checked) and/or ``request_id``."""
        if "state" in filters:
            self.state.setCurrentIndex(max(0, self.state.findData(filters["state"])))
        if "request_id" in filters:
            self.tabs.setCurrentIndex(0)
            request_id = int(filters["request_id"])
            if self.filter.proxy_row_of(request_id) is None:
                self.search.clear()
                self.state.setCurrentIndex(self.state.findData(None))
            self._select(request_id)

    def selected(self) -> AuditRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.filter.row_at(rows[0].row()) if rows else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        # A sync may have changed audits while another screen was shown.
        super().showEvent(event)
        self.reload()

    def _load(self, request_ids: frozenset[int] | None) -> None:
        """Read ``request_ids`` (``None``: everything) once the read under way is answered:
        a burst of changes (a large sync) costs one or two reads, not one each."""
        if not self._wanted_any:
            self._wanted, self._wanted_any = request_ids, True
        elif request_ids is None or self._wanted is None:
            self._wanted = None
        else:
            self._wanted = self._wanted | request_ids
        if not self._reading:
            self._read()

    def _read(self) -> None:
        database, class_name, request_ids = self._database, self._class_name, self._wanted
        self._wanted, self._wanted_any, self._reading = frozenset(), False, True

        def load() -> _Loaded:
            with workspace.work(database, class_name, write=False) as unit:
                rows = post_audit.audit_rows(unit.session, unit.scope, request_ids=request_ids)
                events = post_audit.history(unit.session, unit.scope)
            if request_ids is None:
                return _Loaded(rows, [], frozenset(), events)
            return _Loaded(None, rows, request_ids, events)

        self._runner.run_database(load, self._loaded, self._unreadable)

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = False
        self._failed(error)
        if self._wanted_any:
            self._read()

    def _loaded(self, loaded: _Loaded) -> None:
        self._reading = False
        if self._wanted_any:
            self._read()
        chosen = self.selected()
        if loaded.rows is not None:
            self.model.set_rows(loaded.rows)
        else:
            self.model.update_rows(loaded.some, loaded.asked)
        self.history_model.set_rows(loaded.events)
        self.history.resizeColumnsToContents()
        if chosen is not None:
            self._select(chosen.request_id)
        self._show_request(self.selected())

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if not any(changes.ids(kind) for kind in WATCHED):
            return
        if not self.isVisible():
            return  # read again when shown
        requests = changes.ids("leave_request")
        if requests and not changes.ids("post_audit"):
            self._load(frozenset(int(i) for i in requests))
        else:
            self._load(None)

    def _select(self, request_id: int) -> None:
        number = self.filter.proxy_row_of(request_id)
        if number is not None:
            self.table.selectRow(number)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected()
        # The marks a check changed stay until another request is chosen (a checked request
        # leaves the "awaiting" list, and the teacher must still see what changed).
        if row is not None and row.request_id != self._marks_request:
            self._show_marks((), None)
        self._show_request(row)

    def _show_request(self, row: AuditRow | None) -> None:
        if row is None:
            self.details.setPlainText(_("Choose a request to check it."))
        else:
            self.details.setHtml(_details_html(_details(row)))
        awaiting = row is not None and row.audit_status == AuditStatus.SELECTED.value
        for widget in (self.method, self.outcome, self.note, self.record_button):
            widget.setEnabled(awaiting)
        self.open_button.setEnabled(row is not None)

    def _show_marks(self, changes: tuple[MarkChange, ...], request_id: int | None) -> None:
        self._marks_request = request_id
        self.marks_model.set_changes(changes)
        self.marks_title.setVisible(bool(changes))
        self.marks.setVisible(bool(changes))

    # ------------------------------------------------------------------ acting

    def _record(self) -> None:
        row = self.selected()
        if row is None or row.audit_status != AuditStatus.SELECTED.value:
            return
        method, outcome = str(self.method.currentData()), str(self.outcome.currentData())
        note = self.note.text().strip()
        if outcome != AuditOutcome.DISCREPANCY.value:
            self._send(row, method, outcome, note)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Record a discrepancy"))
        box.setText(
            _("Record a discrepancy for request #{id} of {student}?").format(
                id=row.request_id, student=row.student_name
            )
        )
        box.setInformativeText(
            _(
                "Its {count} excused sessions will become unexcused. The change is sent to "
                "the school's server at the next sync."
            ).format(count=row.excused_sessions)
            if row.excused_sessions
            else _("It excuses no session now, so no attendance mark changes.")
        )
        confirm = box.addButton(_("Record the discrepancy"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("Go back"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(confirm)

        def answered(button: QAbstractButton) -> None:
            self.confirmation = None
            if button is confirm:
                self._send(row, method, outcome, note)

        box.buttonClicked.connect(answered)
        box.rejected.connect(lambda: setattr(self, "confirmation", None))
        self.confirmation = box
        box.open()

    def _send(self, row: AuditRow, method: str, outcome: str, note: str) -> None:
        database, class_name = self._database, self._class_name
        changed: list[tuple[MarkChange, ...]] = []

        def record() -> Changes:
            with workspace.work(database, class_name) as unit:
                before = post_audit.request_marks(
                    unit.session, unit.scope, request_id=row.request_id
                )
                changes = perform(
                    unit.session,
                    unit.scope,
                    "record_audit",
                    {
                        "request_id": row.request_id,
                        "method": method,
                        "outcome": outcome,
                        "note": note,
                    },
                    actor=unit.actor,
                )
                changed.append(
                    post_audit.mark_changes(
                        unit.session, unit.scope, request_id=row.request_id, before=before
                    )
                )
            return changes

        def done(changes: Changes) -> None:
            self.note.clear()
            self._show_marks(changed[0] if changed else (), row.request_id)
            self._say(changes.summary, error=False)
            self.recorded.emit(changes.summary)

        self.record_button.setEnabled(False)
        self.filter.keep(row.request_id)
        self._runner.run_change(record, done, self._failed, initiator=self)

    def _draw(self) -> None:
        database, class_name = self._database, self._class_name

        def draw() -> Changes:
            with workspace.work(database, class_name) as unit:
                # The school's day as the seed: anyone can draw the same sample again.
                seed = int(unit.today.strftime("%Y%m%d"))
                chosen = post_audit.draw_sample(unit.session, unit.scope, seed=seed)
                for item in chosen:
                    perform(
                        unit.session,
                        unit.scope,
                        "select_for_audit",
                        {"request_id": item.request_id, "reasons": item.reasons, "seed": seed},
                        actor=unit.actor,
                    )
            return Changes.of(
                _("{count} requests selected for post-audit.").format(count=len(chosen)),
                leave_request=[item.request_id for item in chosen],
            )

        def done(changes: Changes) -> None:
            self._say(changes.summary, error=False)
            self.recorded.emit(changes.summary)

        self._runner.run_change(draw, done, self._failed, initiator=self)

    def _open_request(self) -> None:
        row = self.selected()
        if row is not None:
            self._navigator.open(Target(navigation.LEAVE, {"request_id": row.request_id}))

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)
        self._show_request(self.selected())

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")


def _details(row: AuditRow) -> list[tuple[str, str]]:
    lines = [
        (_("Request"), f"#{row.request_id}"),
        (_("Student"), f"{row.student_name} ({row.student_code})"),
        (_("Leave"), period(row)),
        (_("Sessions"), str(row.sessions)),
        (_("Reason"), f"{ReasonCategory(row.reason_category).label}: {row.reason_text}"),
        (_("Why selected"), "; ".join(row.reason_labels)),
        (_("Selected at"), format_moment(row.selected_at) if row.selected_at else ""),
        (_("Post-audit"), AuditStatus(row.audit_status).label),
        (_("Excused sessions now"), str(row.excused_sessions)),
        (_("Checked"), checked(row)),
        (_("Outcome"), AuditOutcome(row.outcome).label if row.outcome else ""),
        (_("Recorded by"), row.auditor),
        (_("Note"), row.note),
    ]
    return [(label, value) for label, value in lines if value]


def _details_html(lines: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
        for label, value in lines
    )
    return f"<table cellspacing='4'>{cells}</table>"
