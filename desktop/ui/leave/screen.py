"""The leave requests screen: find a request, read it, approve or reject it.

Reads and decisions run on the database lane; a decision commits locally (with its outbox
intent) before the answer comes back, and only the decided row is redrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.leave import LeaveStatus
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import leave, leave_text, workspace
from desktop.services.intents import perform
from desktop.services.leave import LeaveRow
from desktop.ui.leave.model import Column, LeaveFilter, LeaveTableModel
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Decided:
    summary: str
    row: LeaveRow


class LeaveScreen(QWidget):
    decided = Signal(str)
    """A decision was saved on this computer (its one-line summary)."""

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

        self.table = QTableView()
        self.table.setModel(self.filter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.PERIOD, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QTextBrowser()
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note to the parent (required to reject)"))
        self.approve_button = QPushButton(_("Approve"))
        self.reject_button = QPushButton(_("Reject"))
        self.approve_button.clicked.connect(lambda: self._decide(approve=True))
        self.reject_button.clicked.connect(lambda: self._decide(approve=False))
        self.message = QLabel()
        self.message.setWordWrap(True)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status, 1)
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
        splitter.setSizes([900, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._show_request(None)

    def reload(self) -> None:
        database, class_name = self._database, self._class_name

        def load() -> list[LeaveRow]:
            with workspace.work(database, class_name, write=False) as unit:
                return leave.list_requests(unit.session, unit.scope, today=unit.today)

        self._runner.run_database(load, self._loaded, self._failed)

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show what a link points at: ``status`` (a state value) and/or ``request_id``."""
        if "status" in filters:
            self.status.setCurrentIndex(max(0, self.status.findData(filters["status"])))
        if "request_id" in filters:
            self._select(int(filters["request_id"]))

    def selected(self) -> LeaveRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.filter.row_at(rows[0].row()) if rows else None

    def _loaded(self, rows: list[LeaveRow]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        if chosen is not None:
            self._select(chosen.id)

    def _select(self, request_id: int) -> None:
        for number in range(self.filter.rowCount()):
            if self.filter.row_at(number).id == request_id:
                self.table.selectRow(number)
                return

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_request(self.selected())

    def _show_request(self, row: LeaveRow | None) -> None:
        if row is None:
            self.details.setPlainText(_("Choose a request to read it."))
        else:
            self.details.setHtml(_details_html(leave_text.details(row)))
        pending = row is not None and row.status == LeaveStatus.SUBMITTED.value
        for widget in (self.note, self.approve_button, self.reject_button):
            widget.setEnabled(pending)

    def _decide(self, *, approve: bool) -> None:
        row = self.selected()
        if row is None:
            return
        database, class_name, note = self._database, self._class_name, self.note.text().strip()

        def decide() -> Decided:
            with workspace.work(database, class_name) as unit:
                changes = perform(
                    unit.session,
                    unit.scope,
                    "decide_leave",
                    {
                        "request_id": row.id,
                        "approve": approve,
                        "note": note,
                        "base_version": row.version,
                    },
                    actor=unit.actor,
                )
                shown = leave.show(unit.session, unit.scope, row.id, today=unit.today)
            return Decided(changes.summary, shown)

        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        self._runner.run_database(decide, self._was_decided, self._failed)

    def _was_decided(self, result: Decided) -> None:
        self.model.replace_row(result.row)
        self.note.clear()
        self._say(result.summary, error=False)
        self._show_request(self.selected())
        self.decided.emit(result.summary)

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)
        self._show_request(self.selected())

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")


def _details_html(lines: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
        if label
        else f"<tr><td colspan='2'><i>{escape(value)}</i></td></tr>"
        for label, value in lines
    )
    return f"<table cellspacing='4'>{cells}</table>"
