"""The pilot notes dialog: the problems noted so far, newest first, and a form to add one or
change or delete the one selected. Reads and writes go through the database lane; the notes
stay in the profile (not synced), which the hint says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import shiboken6
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_date
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import pilot_notes
from desktop.services.changes import Changes
from desktop.services.pilot_notes import Category, Note
from desktop.services.profile import effective_today
from desktop.ui.feedback import say
from desktop.ui.tasks import TaskRunner

ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class _Read:
    today: date
    notes: list[Note]


class PilotNotesDialog(QDialog):
    def __init__(
        self, database: Database, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Problems noted during the pilot"))
        self._database = database
        self._runner = runner
        self._today = date.min
        self._notes: dict[int, Note] = {}
        self.confirmation: QMessageBox | None = None

        self.hint = QLabel(
            _(
                "Write down a problem with the pilot when it happens (a parent who got no OTP "
                "code, the school's network down for a morning). The pilot report lists the "
                "notes of its period. They are kept on this computer only, in this profile: "
                "they are not sent to the server."
            )
        )
        self.hint.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setAccessibleName(_("Problems noted"))
        self.list.setHeaderLabels([_("Date"), _("Category"), _("What happened")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 90)
        self.list.setColumnWidth(1, 150)
        self.list.currentItemChanged.connect(lambda current, _previous: self._chosen(current))

        self.day = QDateEdit()
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setCalendarPopup(True)
        self.day.setAccessibleName(_("Date"))
        self.category = QComboBox()
        self.category.setAccessibleName(_("Category"))
        self.category.addItem(pilot_notes.category_label(None), "")
        for category in Category:
            self.category.addItem(category.label, category.value)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName(_("What happened"))
        self.text.setPlaceholderText(_("e.g. a parent did not receive the OTP code"))
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.addRow(_("&Date:"), self.day)
        form.addRow(_("&Category:"), self.category)
        form.addRow(_("&What happened:"), self.text)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.new_button = QPushButton(_("&New note"))
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(_("&Save"))
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip(_("Save") + " (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(_("De&lete"))
        self.delete_button.clicked.connect(self.delete)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.new_button, self.save_button, self.delete_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(640, 520)
        self._set_busy(True)
        self._reload()

    # --- Reading -------------------------------------------------------------------------

    def _reload(self, select: int | None = None) -> None:
        database = self._database

        def read() -> _Read:
            with database.reading() as session:
                return _Read(effective_today(session), pilot_notes.notes(session))

        self._runner.run_database(read, lambda found: self._show(found, select), self._failed)

    def _show(self, found: _Read, select: int | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._today = found.today
        self._notes = {note.id: note for note in found.notes}
        self.list.clear()
        for note in found.notes:
            item = QTreeWidgetItem(
                [format_date(note.day), pilot_notes.category_label(note.category), note.text]
            )
            item.setData(0, ID_ROLE, note.id)
            item.setToolTip(2, note.text)
            self.list.addTopLevelItem(item)
        self._set_busy(False)
        chosen = self._item_of(select)
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        else:
            self.start_new()

    def _item_of(self, note_id: int | None) -> QTreeWidgetItem | None:
        for index in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(index)
            if item is not None and note_id is not None and item.data(0, ID_ROLE) == note_id:
                return item
        return None

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(0, ID_ROLE))

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        note = None if item is None else self._notes.get(int(item.data(0, ID_ROLE)))
        self.delete_button.setEnabled(note is not None)
        if note is None:
            return
        self.day.setDate(QDate(note.day.year, note.day.month, note.day.day))
        self.category.setCurrentIndex(
            max(0, self.category.findData(note.category.value if note.category else ""))
        )
        self.text.setPlainText(note.text)

    def start_new(self) -> None:
        """An empty form on today's date; saving adds a note."""
        self.list.setCurrentIndex(QModelIndex())
        self.list.clearSelection()
        self.delete_button.setEnabled(False)
        self.day.setDate(QDate(self._today.year, self._today.month, self._today.day))
        self.category.setCurrentIndex(0)
        self.text.clear()
        self.text.setFocus()

    # --- Writing -------------------------------------------------------------------------

    def save(self) -> None:
        note_id = self.selected_id()
        picked = self.day.date()
        day = date(picked.year(), picked.month(), picked.day())
        value = self.category.currentData()
        category = Category(value) if value else None
        text = self.text.toPlainText()
        database = self._database

        def write() -> Changes:
            with database.transaction() as session:
                if note_id is None:
                    return pilot_notes.add(session, day=day, text=text, category=category)
                return pilot_notes.edit(session, note_id, day=day, text=text, category=category)

        self._change(write)

    def delete(self) -> None:
        """Asks first: a note deleted is gone from the pilot report, with no undo."""
        note_id = self.selected_id()
        if note_id is None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("Delete a noted problem"))
        box.setText(
            _("Delete note no. {id}? The pilot report will no longer list it.").format(id=note_id)
        )
        confirm = box.addButton(_("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_("Keep it"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)

        def answered(button: QAbstractButton) -> None:
            self.confirmation = None
            if button is confirm:
                self._delete(note_id)

        box.buttonClicked.connect(answered)
        box.rejected.connect(lambda: setattr(self, "confirmation", None))
        self.confirmation = box
        box.open()

    def _delete(self, note_id: int) -> None:
        database = self._database

        def write() -> Changes:
            with database.transaction() as session:
                return pilot_notes.delete(session, note_id)

        self._change(write, keep_selection=False)

    def _change(self, write: Callable[[], Changes], *, keep_selection: bool = True) -> None:
        def done(changes: Changes) -> None:
            if not shiboken6.isValid(self):
                return
            self._say(changes.summary, error=False)
            touched = sorted(int(i) for i in changes.ids(pilot_notes.ENTITY))
            self._reload(select=touched[0] if keep_selection and touched else None)

        self._set_busy(True)
        self._runner.run_change(write, done, self._failed, initiator=self)

    # --- Feedback ------------------------------------------------------------------------

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self):
            self._set_busy(False)
            self._say(error.message, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        say(self.message, text, error=error)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.new_button, self.save_button):
            button.setEnabled(not busy)
        self.delete_button.setEnabled(not busy and self.selected_id() is not None)
