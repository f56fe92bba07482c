"""The grade review screen: the homeroom teacher's check of every subject's entries and the
post-audit of grade changes (Circular 22, Art. 20).

Above, the subjects of a semester with entered of expected, missing and late entries, the
subject teacher and the review state; "Mark reviewed" (confirmed first when entries are
missing, naming them) and "Send back" with a note, both ``review_subject`` intents that reach
the subject teacher through the sync. Below, the grade changes awaiting the check, with
"Checked" and "Query" (a question): ``check_grade_change`` intents. A change not synced yet is
shown waiting for sync, without the actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_moment
from desktop.domain.grade_review import ReviewState
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import grade_review_board as board
from desktop.services import workspace
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.grade_review_board import ChangeToCheck, SubjectReview
from desktop.ui.grade_review.model import (
    ChangeColumn,
    ChangesModel,
    OpenChangesFilter,
    SemesterFilter,
    SubjectColumn,
    SubjectsModel,
    semester_label,
)
from desktop.ui.navigation import Navigator
from desktop.ui.tasks import TaskRunner

SUBJECT_TERM, GRADE_ENTRY, GRADE_CHANGE = "subject_term", "grade_entry", "grade_change"


@dataclass(frozen=True)
class _Loaded:
    subjects: list[SubjectReview]
    subject_keys: frozenset[str] | None
    """The rows read; ``None``: all of them."""
    changes: list[ChangeToCheck]
    change_ids: frozenset[int] | None
    semester: int


def _button(text: str, shortcut: str) -> QPushButton:
    button = QPushButton(text)
    button.setShortcut(shortcut)
    button.setToolTip(f"{text} ({button.shortcut().toString()})")
    return button


def _table(model: Any) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Every subject of a semester on screen at once at 1366×768.
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


class GradeReviewScreen(QWidget):
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
        self._reading = False
        self._wanted_any = False
        self._wanted_subjects: frozenset[str] | None = frozenset()
        self._wanted_changes: frozenset[int] | None = frozenset()
        self._wanted_entries: frozenset[str] = frozenset()
        self._semester_chosen = False
        self._asked_subject: str | None = None
        self.confirmation: QMessageBox | None = None
        """The confirmation of a review with missing entries while it is open."""

        self.subjects_model = SubjectsModel(self)
        self.subjects_filter = SemesterFilter(self)
        self.subjects_filter.setSourceModel(self.subjects_model)
        self.changes_model = ChangesModel(self)
        self.changes_filter = OpenChangesFilter(self)
        self.changes_filter.setSourceModel(self.changes_model)

        self.semester = QComboBox()
        self.semester.addItem(semester_label(1), 1)
        self.semester.addItem(semester_label(2), 2)
        self.semester.addItem(_("Both semesters"), None)
        self.semester.currentIndexChanged.connect(self._semester_changed)
        self.summary = QLabel()

        self.subjects = _table(self.subjects_filter)
        self.subjects.horizontalHeader().setSectionResizeMode(
            SubjectColumn.SUBJECT, QHeaderView.ResizeMode.Stretch
        )
        self.subjects.selectionModel().selectionChanged.connect(self._subject_chosen)
        self.details = QTextBrowser()
        self.review_note = QLineEdit()
        self.review_note.setPlaceholderText(_("What the subject teacher must correct"))
        self.review_note.setMaxLength(500)  # the intent's limit
        self.review_button = _button(_("Mark reviewed"), "Ctrl+R")
        self.review_button.clicked.connect(self._mark_reviewed)
        self.send_back_button = _button(_("Send back"), "Ctrl+B")
        self.send_back_button.clicked.connect(self._send_back)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.details, 1)
        side_layout.addWidget(QLabel(_("Note for the subject teacher")))
        side_layout.addWidget(self.review_note)
        review_buttons = QHBoxLayout()
        review_buttons.addWidget(self.send_back_button)
        review_buttons.addStretch(1)
        review_buttons.addWidget(self.review_button)
        side_layout.addLayout(review_buttons)
        top = QSplitter()
        top.addWidget(self.subjects)
        top.addWidget(side)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setSizes([760, 400])

        self.changes = _table(self.changes_filter)
        self.changes.horizontalHeader().setSectionResizeMode(
            ChangeColumn.REASON, QHeaderView.ResizeMode.Stretch
        )
        self.changes.selectionModel().selectionChanged.connect(self._change_chosen)
        self.show_checked = QCheckBox(_("Show checked changes too"))
        self.show_checked.toggled.connect(self.changes_filter.set_show_checked)
        self.query_note = QLineEdit()
        self.query_note.setPlaceholderText(_("Question for the teacher who changed the score"))
        self.query_note.setMaxLength(500)
        self.check_button = _button(_("Mark checked"), "Ctrl+K")
        self.check_button.clicked.connect(self._check)
        self.query_button = _button(_("Query"), "Ctrl+Shift+K")
        self.query_button.clicked.connect(self._query)
        change_actions = QHBoxLayout()
        change_actions.addWidget(self.query_note, 1)
        change_actions.addWidget(self.query_button)
        change_actions.addWidget(self.check_button)
        change_box = QGroupBox(_("Grade changes after publication or the deadline"))
        change_layout = QVBoxLayout(change_box)
        self.no_changes = QLabel(_("No grade change waits for your check."))
        self.no_changes.setStyleSheet("color: #5f6368;")
        change_top = QHBoxLayout()
        change_top.addWidget(self.no_changes, 1)
        change_top.addWidget(self.show_checked)
        change_layout.addLayout(change_top)
        change_layout.addWidget(self.changes, 1)
        change_layout.addLayout(change_actions)

        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(change_box)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setSizes([400, 260])

        self.message = QLabel()
        self.message.setWordWrap(True)
        heading = QHBoxLayout()
        heading.addWidget(QLabel(_("Semester")))
        heading.addWidget(self.semester)
        heading.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(body, 1)
        layout.addWidget(self.message)
        runner.operation_did_execute.connect(self._changed)
        self._show_subject(None)
        self._show_change(None)

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        self._load(None, None)

    def open_with(self, filters: dict[str, Any]) -> None:
        """``semester`` (1, 2); ``subject`` (its code) selects that subject's row;
        ``show_checked`` lists the checked changes too."""
        if "show_checked" in filters:
            self.show_checked.setChecked(bool(filters["show_checked"]))
        if "semester" in filters:
            self._choose_semester(int(filters["semester"]))
        if "subject" in filters:
            # Opened from another screen, this one is read again when shown: the subject is
            # chosen when its row is there.
            self._asked_subject = str(filters["subject"]).upper()
            self._select_asked_subject()

    def _select_asked_subject(self) -> None:
        for number in range(self.subjects_filter.rowCount()):
            if self.subjects_filter.row_at(number).subject_code == self._asked_subject:
                self.subjects.selectRow(number)
                self._asked_subject = None
                return

    def selected_subject(self) -> SubjectReview | None:
        rows = self.subjects.selectionModel().selectedRows()
        return self.subjects_filter.row_at(rows[0].row()) if rows else None

    def selected_change(self) -> ChangeToCheck | None:
        rows = self.changes.selectionModel().selectedRows()
        return self.changes_filter.row_at(rows[0].row()) if rows else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        # A sync may have changed entries and reviews while another screen was shown.
        super().showEvent(event)
        self.reload()

    def _load(
        self,
        subjects: frozenset[str] | None,
        changes: frozenset[int] | None,
        entries: frozenset[str] = frozenset(),
    ) -> None:
        """Read those rows (``None``: all; ``entries``: the subjects these grade entries are
        of) once the read under way is answered: a burst of changes costs one or two reads."""
        if not self._wanted_any:
            self._wanted_subjects, self._wanted_changes = subjects, changes
            self._wanted_entries, self._wanted_any = entries, True
        else:
            self._wanted_subjects = _union(self._wanted_subjects, subjects)
            self._wanted_changes = _union(self._wanted_changes, changes)
            self._wanted_entries = self._wanted_entries | entries
        if not self._reading:
            self._read()

    def _read(self) -> None:
        database, class_name = self._database, self._class_name
        asked_keys, change_ids = self._wanted_subjects, self._wanted_changes
        entry_ids = self._wanted_entries
        self._wanted_subjects, self._wanted_changes = frozenset(), frozenset()
        self._wanted_entries, self._wanted_any, self._reading = frozenset(), False, True

        def load() -> _Loaded:
            with workspace.work(database, class_name, write=False) as unit:
                calendar = unit.scope.calendar
                today = min(max(unit.today, calendar.first_day), calendar.last_day)
                subject_keys = asked_keys
                if entry_ids and subject_keys is not None:
                    of_entries = board.keys_of_entries(unit.session, entry_ids)
                    subject_keys = None if of_entries is None else subject_keys | of_entries
                subjects = (
                    board.board(unit.session, unit.scope, today=unit.today, keys=subject_keys)
                    if subject_keys is None or subject_keys
                    else []
                )
                changes = (
                    board.changes_to_check(
                        unit.session, unit.scope, open_only=False, ids=change_ids
                    )
                    if change_ids is None or change_ids
                    else []
                )
                return _Loaded(
                    subjects, subject_keys, changes, change_ids, calendar.semester_of(today)
                )

        self._runner.run_database(load, self._loaded, self._unreadable)

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = False
        self._say(error.message, error=True)
        if self._wanted_any:
            self._read()

    def _loaded(self, loaded: _Loaded) -> None:
        self._reading = False
        if self._wanted_any:
            self._read()
        subject, change = self.selected_subject(), self.selected_change()
        if loaded.subject_keys is None:
            self.subjects_model.set_rows(loaded.subjects)
        elif loaded.subject_keys:
            self.subjects_model.update_rows(loaded.subjects, loaded.subject_keys)
        if loaded.change_ids is None:
            self.changes_model.set_rows(loaded.changes)
        elif loaded.change_ids:
            self.changes_model.update_rows(loaded.changes, loaded.change_ids)
        if not self._semester_chosen:
            self._choose_semester(loaded.semester)
        self._reselect(subject, change)
        if self._asked_subject is not None:
            self._select_asked_subject()
        self._show_summary()

    def _reselect(self, subject: SubjectReview | None, change: ChangeToCheck | None) -> None:
        if subject is not None:
            number = self.subjects_filter.proxy_row_of(subject.key)
            if number is not None:
                self.subjects.selectRow(number)
        if change is not None:
            number = self.changes_filter.proxy_row_of(change.id)
            if number is not None:
                self.changes.selectRow(number)
        self._show_subject(self.selected_subject())
        self._show_change(self.selected_change())

    def _changed(self, changes: Changes, _initiator: object) -> None:
        terms, entries = changes.ids(SUBJECT_TERM), changes.ids(GRADE_ENTRY)
        grade_changes = changes.ids(GRADE_CHANGE)
        if not (terms or entries or grade_changes) or not self.isVisible():
            return  # read again when shown
        # A changed entry may have made a listed change (``set_grade`` names only the entry):
        # the changes are read again whole, the subjects only where the entries are.
        self._load(
            frozenset(terms),
            None if entries else frozenset(int(i) for i in grade_changes),
            frozenset(entries),
        )

    def _semester_changed(self, _index: int) -> None:
        self._semester_chosen = True
        self.subjects_filter.set_semester(self.semester.currentData())
        self._show_summary()

    def _choose_semester(self, semester: int) -> None:
        self.semester.setCurrentIndex(max(0, self.semester.findData(semester)))
        self._semester_chosen = True
        self.subjects_filter.set_semester(self.semester.currentData())

    def _show_summary(self) -> None:
        rows = [self.subjects_filter.row_at(n) for n in range(self.subjects_filter.rowCount())]
        waiting = sum(1 for row in rows if row.review_state != ReviewState.REVIEWED.value)
        to_check = sum(
            1
            for n in range(self.changes_model.rowCount())
            if self.changes_model.row_at(n).checkable
        )
        self.no_changes.setVisible(to_check == 0)
        self.summary.setText(
            _(
                "{waiting} of {total} subjects not reviewed · {changes} grade changes to check"
            ).format(waiting=waiting, total=len(rows), changes=to_check)
        )

    # ------------------------------------------------------------------ showing

    def _subject_chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_subject(self.selected_subject())

    def _change_chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_change(self.selected_change())

    def _show_subject(self, row: SubjectReview | None) -> None:
        if row is None:
            self.details.setPlainText(_("Choose a subject to review its entries."))
        else:
            self.details.setHtml(_subject_html(row))
        state = ReviewState(row.review_state) if row is not None else None
        self.review_button.setEnabled(state is not None and state is not ReviewState.REVIEWED)
        self.send_back_button.setEnabled(state is not None and state is not ReviewState.RETURNED)
        self.review_note.setEnabled(row is not None)

    def _show_change(self, row: ChangeToCheck | None) -> None:
        can = row is not None and row.checkable
        for widget in (self.check_button, self.query_button, self.query_note):
            widget.setEnabled(can)
        if row is not None and row.waiting_for_sync:
            self._say(
                _("This change was made on this computer: it can be checked after the next sync."),
                error=False,
            )

    # ------------------------------------------------------------------ acting

    def _mark_reviewed(self) -> None:
        row = self.selected_subject()
        if row is None or row.review_state == ReviewState.REVIEWED.value:
            return
        if not row.missing:
            self._review(row, send_back=False, note="")
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Mark reviewed with missing entries"))
        box.setText(
            _("Mark {subject}, semester {semester}, reviewed with entries missing?").format(
                subject=row.subject_name, semester=row.semester
            )
        )
        box.setInformativeText(board.missing_text(row))
        box.setDetailedText(
            "\n".join(
                f"{student.student_name} ({student.student_code}): {', '.join(student.columns)}"
                for student in row.missing_students
            )
        )
        confirm = box.addButton(_("Mark reviewed anyway"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(_("Go back"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)

        def answered(button: QAbstractButton) -> None:
            self.confirmation = None
            if button is confirm:
                self._review(row, send_back=False, note="")

        box.buttonClicked.connect(answered)
        box.rejected.connect(lambda: setattr(self, "confirmation", None))
        self.confirmation = box
        box.open()

    def _send_back(self) -> None:
        row = self.selected_subject()
        if row is None:
            return
        note = self.review_note.text().strip()
        if not note:
            self._say(
                _("Write what the subject teacher must correct before sending the entries back."),
                error=True,
            )
            self.review_note.setFocus()
            return
        self._review(row, send_back=True, note=note)

    def _review(self, row: SubjectReview, *, send_back: bool, note: str) -> None:
        database, class_name = self._database, self._class_name

        def review() -> Changes:
            with workspace.work(database, class_name) as unit:
                return perform(
                    unit.session,
                    unit.scope,
                    "review_subject",
                    {
                        "subject_code": row.subject_code,
                        "semester": row.semester,
                        "send_back": send_back,
                        "note": note,
                    },
                    actor=unit.actor,
                )

        def done(changes: Changes) -> None:
            if send_back:
                self.review_note.clear()
            self._say(changes.summary + " " + _("It reaches the subject teacher at the next sync."))
            self._show_subject(self.selected_subject())

        self.review_button.setEnabled(False)
        self.send_back_button.setEnabled(False)
        self._runner.run_change(review, done, self._failed, initiator=self)

    def _check(self) -> None:
        row = self.selected_change()
        if row is not None and row.checkable:
            self._check_change(row, None)

    def _query(self) -> None:
        row = self.selected_change()
        if row is None or not row.checkable:
            return
        question = self.query_note.text().strip()
        if not question:
            self._say(_("Write the question for the teacher who changed the score."), error=True)
            self.query_note.setFocus()
            return
        self._check_change(row, question)

    def _check_change(self, row: ChangeToCheck, question: str | None) -> None:
        database, class_name = self._database, self._class_name

        def check() -> Changes:
            with workspace.work(database, class_name) as unit:
                board.require_checkable(unit.session, unit.scope, change_id=row.id)
                return perform(
                    unit.session,
                    unit.scope,
                    "check_grade_change",
                    {"change_id": row.id, "query_note": question},
                    actor=unit.actor,
                )

        def done(changes: Changes) -> None:
            if question is not None:
                self.query_note.clear()
            self._say(changes.summary)
            self._show_change(self.selected_change())

        self.check_button.setEnabled(False)
        self.query_button.setEnabled(False)
        self._runner.run_change(check, done, self._failed, initiator=self)

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)
        self._show_subject(self.selected_subject())
        self._show_change(self.selected_change())

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")


def _union(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    return None if a is None or b is None else a | b


def _subject_html(row: SubjectReview) -> str:
    lines = [
        (_("Subject"), f"{row.subject_name} · {semester_label(row.semester)}"),
        (_("Subject teacher"), row.teacher_name or _("not assigned")),
        (
            _("Entered"),
            _("{entered} of {expected}").format(entered=row.entered, expected=row.expected),
        ),
        (_("Late entries"), str(row.late) if row.late else ""),
        (_("Missing, deadline passed"), str(row.overdue) if row.overdue else ""),
        (_("Review"), row.state_label),
        (
            _("Reviewed by"),
            f"{row.reviewed_by} · {format_moment(row.reviewed_at)}" if row.reviewed_at else "",
        ),
        (_("Note"), row.review_note),
    ]
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
        for label, value in lines
        if value
    )
    html = f"<table cellspacing='3'>{cells}</table>"
    if row.missing_students:
        shown = "".join(
            f"<li>{escape(s.student_name)}: {escape(', '.join(s.columns))}</li>"
            for s in row.missing_students
        )
        title = _("Missing ({count} entries, {students} students)").format(
            count=row.missing, students=len(row.missing_students)
        )
        html += f"<p><b>{escape(title)}</b></p><ul style='margin-left:-20px'>{shown}</ul>"
    return html
