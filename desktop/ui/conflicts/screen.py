"""The conflicts and refusals screen: every change the server did not apply, in the teacher's
words, with what can be done about it (decide again, keep the server's value, dismiss).

Texts are built on the database lane each time the list is read, so they follow the language
and the local data; keeping the server's value and dismissing only mark the conflict seen (the
sync already applied the server's state), on this computer.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import conflict_text, conflicts
from desktop.services.changes import Changes
from desktop.services.conflict_text import Choice, ConflictText
from desktop.ui import navigation
from desktop.ui.conflicts.model import Column, ConflictTableModel
from desktop.ui.navigation import Navigator, Target
from desktop.ui.tasks import TaskRunner


def _button(text: str, shortcut: str) -> QPushButton:
    button = QPushButton(text)
    button.setShortcut(shortcut)
    button.setToolTip(f"{text} ({button.shortcut().toString()})")
    return button


class ConflictsScreen(QWidget):
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
        del class_name  # the screens' common signature; conflicts are the profile's, not a class's
        self._reading = False
        self._again = False
        self._wanted: int | None = None
        """The conflict to select once the list is read (a link's, or the one shown)."""

        self.model = ConflictTableModel(self)
        self.show_seen = QCheckBox(_("Show the ones already dealt with"))
        self.show_seen.toggled.connect(lambda _on: self.reload())
        self.count = QLabel()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # The teacher's and the server's sentences wrap, whole: they are what the line says.
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.MINE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.THEIRS, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.details = QTextBrowser()
        self.decide_button = _button(_("Decide again"), "Ctrl+E")
        self.decide_button.clicked.connect(self._decide_again)
        self.take_button = _button(_("Keep the server's version"), "Ctrl+K")
        self.take_button.clicked.connect(lambda: self._mark_seen(Choice.TAKE_THEIRS))
        self.dismiss_button = _button(_("Dismiss"), "Del")
        self.dismiss_button.clicked.connect(lambda: self._mark_seen(Choice.DISMISS))
        self.message = QLabel()
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.count, 1)
        top.addWidget(self.show_seen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decide_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.details, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 180])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        runner.operation_did_execute.connect(self._changed)
        self._show(None)

    def reload(self) -> None:
        """Read the list once the read under way is answered: a burst of changes (a large
        sync) costs one or two reads, not one each."""
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        database, include_seen = self._database, self.show_seen.isChecked()

        def load() -> list[ConflictText]:
            with database.reading() as session:
                return conflict_text.conflicts(session, include_seen=include_seen)

        self._runner.run_database(load, self._loaded, self._unreadable)

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = False
        self._failed(error)
        if self._again:
            self.reload()

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show what a link points at: ``conflict_id``."""
        if "conflict_id" in filters:
            self._wanted = int(filters["conflict_id"])
            self._select(self._wanted)

    def selected(self) -> ConflictText | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        # A sync may have recorded conflicts while another screen was shown.
        super().showEvent(event)
        self.reload()

    def _changed(self, _changes: Changes, _initiator: object) -> None:
        # Any change may be a sync that recorded conflicts, or rename what they are about;
        # hidden, the screen reads again when shown.
        if self.isVisible():
            self.reload()

    def _loaded(self, rows: list[ConflictText]) -> None:
        self._reading = False
        if self._again:
            self.reload()
        chosen = self.selected()
        position = self.table.currentIndex().row()
        wanted = self._wanted if self._wanted is not None else (chosen.id if chosen else None)
        self.model.set_rows(rows)
        unseen = sum(1 for row in rows if not row.seen)
        self.count.setText(
            _("{count} changes were not applied by the server.").format(count=unseen)
            if unseen
            else _("Every change made on this computer reached the server.")
        )
        number = self.model.row_of(wanted) if wanted is not None else None
        if number is None and rows:
            # The one shown was dealt with: the next one takes its place (the first at first).
            number = min(max(position, 0), len(rows) - 1)
        if number is not None:
            self.table.selectRow(number)
            self._wanted = None
        self._show(self.selected())

    def _select(self, conflict_id: int) -> None:
        number = self.model.row_of(conflict_id)
        if number is not None:
            self.table.selectRow(number)
            self._wanted = None

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show(self.selected())

    def _show(self, row: ConflictText | None) -> None:
        if row is None:
            self.details.setPlainText(_("Choose a line to read what happened."))
        else:
            self.details.setHtml(_details_html(row))
        choices = row.choices if row is not None and not row.seen else ()
        self.decide_button.setEnabled(Choice.DECIDE_AGAIN in choices)
        self.take_button.setEnabled(Choice.TAKE_THEIRS in choices)
        self.dismiss_button.setEnabled(Choice.DISMISS in choices)

    def _decide_again(self) -> None:
        row = self.selected()
        if row is not None and row.request_id is not None:
            self._navigator.open(Target(navigation.LEAVE, {"request_id": row.request_id}))

    def _mark_seen(self, choice: Choice) -> None:
        row = self.selected()
        if row is None or choice not in row.choices:
            return
        database = self._database

        def mark() -> Changes:
            with database.transaction() as session:
                return conflicts.mark_seen(session, [row.id])

        def done(_changes: Changes) -> None:
            self._say(
                _("The server's version is kept.")
                if choice is Choice.TAKE_THEIRS
                else _("Dismissed."),
                error=False,
            )

        self.take_button.setEnabled(False)
        self.dismiss_button.setEnabled(False)
        self._runner.run_change(mark, done, self._failed, initiator=self)

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")


def _details_html(row: ConflictText) -> str:
    headline = " · ".join(part for part in (row.student_name, row.about) if part)
    lines = [
        (_("What you did"), row.mine),
        (_("On the server"), row.theirs),
        (_("Learnt at"), row.when),
    ]
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
        for label, value in lines
    )
    return f"<p><b>{escape(headline)}</b></p><table cellspacing='4'>{cells}</table>"
