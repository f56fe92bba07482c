"""The grade book screen: one subject, one semester, typed in like a spreadsheet.

Every read and every change runs on the database lane; each valid value is a ``set_grade``
intent with the version the teacher saw (``run_change``), a change after publication, lock or
deadline first asking for its reason. The screen refreshes from ``operation_did_execute``
alone, re-reading only the students whose cells a change touched: rows are replaced in place,
so the current cell stays and an open editor keeps what is being typed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_date
from desktop.domain.grading import format_value_display
from desktop.errors import HomeroomError, InvalidGrade
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import grade_book, workspace
from desktop.services.changes import Changes
from desktop.services.grade_book import BookColumn, BookRow, GradeBook, HistoryLine
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope, load_scope
from desktop.ui.grades.dialogs import HistoryDialog, ReasonDialog
from desktop.ui.grades.excel import ExcelActions, excel_button
from desktop.ui.grades.model import LATE, MISSING, OVERDUE, STUDENT, GradeBookModel, plain
from desktop.ui.grades.table import GradeDelegate, GradeTable
from desktop.ui.tasks import TaskRunner

READ_ONLY_BASE = QColor("#f4f5f6")
ERROR_STYLE = "color: #b00020;"
DONE_STYLE = "color: #1b5e20;"
RELOADING = frozenset({"subject", "subject_term", "grade_deadline", "student", "school_class"})
"""Tables whose change may alter the whole book (its columns, lock, deadlines, students)."""


@dataclass(frozen=True)
class Chosen:
    subject_id: int | None
    semester: int | None


class CellMessage(QLabel):
    """A sentence shown just under one cell of the grid (a refused value, a refusal)."""

    def __init__(self, table: GradeTable) -> None:
        super().__init__(table.viewport())
        self.setObjectName("cell_message")
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet(
            "QLabel#cell_message { background: #fff4f4; color: #b00020;"
            " border: 1px solid #b00020; padding: 4px 6px; }"
        )
        self._table = table
        self.index: QPersistentModelIndex | None = None
        self.hide()

    def show_at(self, index: QModelIndex, text: str) -> None:
        self.index = QPersistentModelIndex(index)
        self.setText(text)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        if self.index is None or not self.index.isValid():
            return
        cell = self._table.visualRect(plain(self.index))
        area = self._table.viewport().rect()
        width = min(max(360, cell.width()), area.width() - 8)
        self.setFixedWidth(width)
        self.adjustSize()
        left = min(max(cell.left(), 4), area.width() - width - 4)
        top = cell.bottom() + 2
        if top + self.height() > area.height():
            top = max(0, cell.top() - self.height() - 2)  # no room below: above the cell
        self.move(QPoint(left, top))

    def clear(self) -> None:
        self.index = None
        self.hide()


class GradesScreen(QWidget):
    saved = Signal(str)
    """A grade was saved on this computer (its one-line summary)."""
    loaded = Signal()
    """A book was read and shown (the first one, another subject or semester)."""

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
        self._chosen = Chosen(None, None)
        self._scope: ClassScope | None = None
        """Read and used on the database lane only."""
        self._listed: tuple[grade_book.SubjectChoice, ...] = ()
        """The subjects in the chooser."""
        self._in_flight: Counter[tuple[int, int]] = Counter()
        self._stale: set[str] = set()
        """Entry ids to read again."""
        self._stale_students: set[int] = set()
        self._rereading = False
        self._name_widths: tuple[tuple[str, ...], int, int] | None = None
        """The class list the number and name columns were measured for, and their widths."""
        self.dialog: ReasonDialog | HistoryDialog | None = None
        runner.operation_did_execute.connect(self._changed)

        self.subject = QComboBox()
        self.subject.setMinimumContentsLength(24)
        self.semester = QComboBox()
        self.semester.addItem(_("Semester I"), 1)
        self.semester.addItem(_("Semester II"), 2)
        self.subject.activated.connect(lambda _index: self._choose())
        self.semester.activated.connect(lambda _index: self._choose())
        subject_label = QLabel(_("&Subject:"))
        subject_label.setBuddy(self.subject)
        semester_label = QLabel(_("S&emester:"))
        semester_label.setBuddy(self.semester)
        self.state = QLabel()
        self.state.setObjectName("book_state")
        self.state.setWordWrap(True)
        # Always shown, one line either way: a notice that came and went moved the grid, and
        # the window's relayout cost more than reading the book (9 ms a switch between one's
        # own subject and a colleague's).
        self.access = QLabel()
        self.access.setObjectName("book_access")
        self.access.setWordWrap(True)
        self.access.setStyleSheet(
            "QLabel#book_access { background: #eceff1; color: #37474f; padding: 6px 8px;"
            " border-radius: 3px; }"
        )

        self.model = GradeBookModel(self)
        self.delegate = GradeDelegate(self._problem, self)
        self.table = GradeTable()
        self.table.setObjectName("grade_grid")
        self._base = self.table.palette().color(QPalette.ColorRole.Base)
        self.table.setModel(self.model)
        self.table.setItemDelegate(self.delegate)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(68)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        self.cell_message = CellMessage(self.table)
        self.delegate.submitted.connect(self._submitted)
        self.delegate.refused.connect(self.cell_message.show_at)
        self.delegate.moved.connect(self.table.move_by)
        self.delegate.cancelled.connect(self.cell_message.clear)
        self.table.blocked.connect(self._blocked)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self.cell_message.place())
        self.table.horizontalScrollBar().valueChanged.connect(lambda _v: self.cell_message.place())
        self.table.selectionModel().currentChanged.connect(self._current_changed)

        self.history_action = self._action(_("History of the cell"), "Ctrl+H", self.show_history)
        self.refresh_action = self._action(
            _("Read the grade book again"), "Ctrl+Shift+R", self.reload
        )
        self.excel = ExcelActions(self, runner, self._work, lambda: self.model.book, self._say)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("grades_message")

        choosers = QHBoxLayout()
        choosers.addWidget(subject_label)
        choosers.addWidget(self.subject, 2)
        choosers.addSpacing(12)
        choosers.addWidget(semester_label)
        choosers.addWidget(self.semester)
        choosers.addSpacing(12)
        choosers.addWidget(self.state, 3)
        choosers.addWidget(excel_button(self.excel))
        self.summary = QLabel()
        self.summary.setObjectName("book_summary")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setMinimumWidth(260)
        # Counted again once per burst of changes (a sync redraws many rows), not per row.
        self._summary_due = QTimer(self)
        self._summary_due.setSingleShot(True)
        self._summary_due.setInterval(0)
        self._summary_due.timeout.connect(self._show_summary)
        for signal in (
            self.model.dataChanged,
            self.model.modelReset,
            self.model.rowsInserted,
            self.model.rowsRemoved,
        ):
            signal.connect(lambda *_args: self._summary_due.start())
        keys = QLabel(self._keys_text())
        keys.setObjectName("book_keys")
        keys.setWordWrap(True)
        keys.setTextFormat(Qt.TextFormat.RichText)
        keys.setStyleSheet("QLabel#book_keys { color: #444; }")
        side = QFrame()
        side.setObjectName("book_side")
        side.setStyleSheet(
            "QFrame#book_side { background: #fafafa; border: 1px solid #dddddd;"
            " border-radius: 3px; }"
        )
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.summary)
        side_layout.addSpacing(12)
        side_layout.addWidget(keys)
        side_layout.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addWidget(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(choosers)
        layout.addWidget(self.access)
        layout.addLayout(body, 1)
        layout.addLayout(self._legend())
        layout.addWidget(self.message)

    # --- Screen protocol ------------------------------------------------------------------

    def reload(self) -> None:
        self._scope = None  # the class's calendar or policy may have changed too
        self._read(self._chosen)

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show ``subject_id`` and/or ``semester``; ``student_id`` becomes the current row."""
        chosen = Chosen(
            int(filters["subject_id"]) if "subject_id" in filters else self._chosen.subject_id,
            int(filters["semester"]) if "semester" in filters else self._chosen.semester,
        )
        student = filters.get("student_id")
        self._read(chosen, then=(lambda: self.show_student(int(student))) if student else None)

    def show_student(self, student_id: int) -> None:
        number = self.model.row_of(student_id)
        if number is not None:
            column = max(self.table.currentIndex().column(), self.model.grade_columns().start)
            self.table.setCurrentIndex(self.model.index(number, column))
        self.table.setFocus()

    # --- Reading --------------------------------------------------------------------------

    @contextmanager
    def _work(self, *, write: bool) -> Iterator[workspace.Work]:
        """A unit of work on the database lane with the class's scope read once, not at every
        subject switch or grade (``reload`` reads it again)."""
        manager = self._database.transaction() if write else self._database.reading()
        with manager as session:
            scope = self._scope
            if scope is None:
                scope = self._scope = load_scope(session, self._class_name)
            yield workspace.Work(session, scope, effective_today(session))

    def _read(self, chosen: Chosen, then: Callable[[], None] | None = None) -> None:
        def load() -> GradeBook:
            with self._work(write=False) as unit:
                return grade_book.read_book(
                    unit.session,
                    unit.scope,
                    subject_id=chosen.subject_id,
                    semester=chosen.semester,
                    today=unit.today,
                )

        def done(book: GradeBook) -> None:
            self._show_book(book)
            if then is not None:
                then()

        self._runner.run_database(load, done, self._failed)

    def _choose(self) -> None:
        subject, semester = self.subject.currentData(), self.semester.currentData()
        if subject is None:
            return
        self._read(Chosen(int(subject), int(semester)))

    def _show_book(self, book: GradeBook) -> None:
        self._chosen = Chosen(book.subject.id, book.semester)
        current = self.table.currentIndex()
        same = self.model.same_shape(book)
        if same:
            self.model.replace_book(book)
        else:
            self.cell_message.clear()
            self.model.set_book(book)
            self._size_columns()
        self._fill_choosers(book)
        self._show_state(book)
        if not same or not current.isValid():
            start = self.model.grade_columns().start
            if self.model.rowCount():
                self.table.setCurrentIndex(self.model.index(0, start))
        self.loaded.emit()

    def _size_columns(self) -> None:
        names = tuple(row.student_name for row in self.model.book.rows) if self.model.book else ()
        if self._name_widths is None or self._name_widths[0] != names:
            # Measuring asks every row for its size: once per class list, not per subject.
            self.table.resizeColumnToContents(0)
            self.table.resizeColumnToContents(STUDENT)
            widths = self.table.columnWidth(0), max(200, self.table.columnWidth(STUDENT) + 16)
            self._name_widths = names, *widths
        _names, number_width, name_width = self._name_widths
        self.table.setColumnWidth(0, number_width)
        self.table.setColumnWidth(STUDENT, name_width)
        last = self.model.columnCount() - 1
        if last > STUDENT:
            self.table.setColumnWidth(last, 96)
        # As wide as its columns, no wider: the side panel takes the rest of the row.
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        self.table.setMaximumWidth(
            sum(self.table.columnWidth(n) for n in range(self.model.columnCount())) + frame + 2
        )

    def _fill_choosers(self, book: GradeBook) -> None:
        self.subject.blockSignals(True)
        if book.subjects != self._listed:
            # Filled again only when the subjects changed: a refill relays the whole screen out.
            self._listed = book.subjects
            self._fill_subjects(book)
        self.subject.setCurrentIndex(max(0, self.subject.findData(book.subject.id)))
        self.subject.blockSignals(False)
        self.semester.blockSignals(True)
        self.semester.setCurrentIndex(max(0, self.semester.findData(book.semester)))
        self.semester.blockSignals(False)

    def _fill_subjects(self, book: GradeBook) -> None:
        self.subject.clear()
        for choice in book.subjects:
            text = (
                choice.name
                if choice.editable or not choice.teacher_name
                else _("{subject} — {teacher}").format(
                    subject=choice.name, teacher=choice.teacher_name
                )
            )
            self.subject.addItem(text, choice.id)

    def _show_state(self, book: GradeBook) -> None:
        if book.locked_on is not None:
            state = _("Locked on {day}: a change needs a reason.").format(
                day=format_date(book.locked_on)
            )
        elif book.published_on is not None:
            state = _("Published to parents on {day}: a change needs a reason.").format(
                day=format_date(book.published_on)
            )
        elif overdue := [c.label for c in book.columns if c.past_due]:
            state = _("Past the deadline ({columns}): a change needs a reason.").format(
                columns=", ".join(overdue)
            )
        else:
            state = ""
        self.state.setText(state)
        if book.read_only:
            self.access.setText(
                _(
                    "This subject is taught by {teacher}: you can read its grades, not change them."
                ).format(teacher=book.subject.teacher_name or "")
            )
        else:
            self.access.setText(_("You enter this subject's grades: type them in the grid."))
        if self.table.property("read_only") != book.read_only:
            # A palette, not a style sheet: a style sheet on the grid made every repaint slow.
            self.table.setProperty("read_only", book.read_only)
            palette = self.table.palette()
            palette.setColor(
                QPalette.ColorRole.Base, READ_ONLY_BASE if book.read_only else self._base
            )
            self.table.setPalette(palette)

    def _changed(self, changes: Changes, initiator: object) -> None:
        book = self.model.book
        if initiator is self or book is None:
            return  # this screen's own change brought its row back with it (``_save``)
        if any(changes.ids(table) for table in RELOADING):
            self.reload()
            return
        self._reread(changes.ids("grade_entry"))

    def _reread(self, entry_ids: Iterable[str], students: Iterable[int] = ()) -> None:
        """Re-read the rows of these entries and students; what arrives while a re-read is on
        its way goes in the next one (a large sync costs two reads, not one per change)."""
        self._stale.update(entry_ids)
        self._stale_students.update(students)
        if (self._stale or self._stale_students) and not self._rereading:
            self._reread_stale()

    def _reread_stale(self) -> None:
        book = self.model.book
        if book is None:
            self._stale.clear()
            self._stale_students.clear()
            return
        asked, self._stale = frozenset(self._stale), set()
        known = self.model.entry_students()
        students = {known[i] for i in asked if i in known} | self._stale_students
        self._stale_students = set()
        unknown = [i for i in asked if i not in known]
        subject_id, semester = book.subject.id, book.semester
        self._rereading = True

        def read() -> tuple[int, int, set[int], tuple[BookRow, ...]]:
            with self._work(write=False) as unit:
                found = students | grade_book.students_of_entries(
                    unit.session, subject_id=subject_id, semester=semester, entry_ids=unknown
                )
                rows = grade_book.read_rows(
                    unit.session,
                    unit.scope,
                    subject_id=subject_id,
                    semester=semester,
                    student_ids=found,
                    today=unit.today,
                )
                return subject_id, semester, found, rows

        self._runner.run_database(read, self._merged, self._reread_failed)

    def _merged(self, read: tuple[int, int, set[int], tuple[BookRow, ...]]) -> None:
        self._rereading = False
        subject_id, semester, asked, rows = read
        if self._stale or self._stale_students:
            self._reread_stale()
        if self._chosen == Chosen(subject_id, semester):
            self.model.merge(rows, asked)
            self.cell_message.place()

    def _reread_failed(self, error: HomeroomError) -> None:
        self._rereading = False
        self._failed(error)

    # --- Entering -------------------------------------------------------------------------

    def _problem(self, text: str) -> str | None:
        """The domain's sentence refusing ``text`` as a grade of this subject, or ``None``."""
        book = self.model.book
        if book is None:
            return None
        try:
            grade_book.check_value(book.subject.assessment, text)
        except InvalidGrade as error:
            return error.message
        return None

    def _submitted(self, index: QModelIndex, text: str) -> None:
        book = self.model.book
        if book is None or not self.model.is_grade(index):
            return
        if book.read_only:
            self.cell_message.show_at(index, book.refusal)
            return
        self.cell_message.clear()
        cell = self.model.cell_at(index)
        column = index.column() - self.model.grade_columns().start
        value = grade_book.check_value(book.subject.assessment, text)
        if not book.needs_reason(column, cell):
            self._save(index, value, "")
            return
        target = QPersistentModelIndex(index)
        shown = self._shown_value(value)
        # After the editor has closed and the cursor moved: the dialog then keeps the focus.
        QTimer.singleShot(
            0,
            lambda: self._ask_reason(
                target, cell.value, shown, lambda reason: self._save(target, value, reason)
            ),
        )

    def _ask_reason(
        self,
        index: QPersistentModelIndex,
        old: str,
        new: str,
        then: Callable[[str], None],
    ) -> None:
        if not index.isValid():
            return
        dialog = ReasonDialog(self._cell_name(plain(index)), old, new, then, self)
        dialog.rejected.connect(lambda: self._say(_("The grade was not changed."), error=False))
        self._open(dialog)
        dialog.reason.setFocus()

    def _shown_value(self, value: str) -> str:
        book = self.model.book
        if book is not None and not book.comment:
            return format_value_display(value)
        return value

    def _save(self, index: QModelIndex | QPersistentModelIndex, value: str, reason: str) -> None:
        book = self.model.book
        if book is None or not index.isValid():
            return
        row = self.model.row_at(index.row())
        column = self.model.column_of(index)
        cell = self.model.cell_at(index)
        key = (row.student_id, index.column())
        # A second change of a cell whose first is still on its way: the version it will have.
        base_version = None if self._in_flight[key] else cell.version
        self._in_flight[key] += 1
        target = QPersistentModelIndex(index)
        self.model.set_pending(index, self._shown_value(value))
        subject_id, semester, student_id = book.subject.id, book.semester, row.student_id
        fresh: list[tuple[BookRow, ...]] = []

        def run() -> Changes:
            with self._work(write=True) as unit:
                changes = grade_book.enter_grade(
                    unit.session,
                    unit.scope,
                    subject_id=subject_id,
                    semester=semester,
                    student_id=student_id,
                    kind=column.kind,
                    slot=column.slot,
                    value=value,
                    reason=reason,
                    base_version=base_version,
                    actor=unit.actor,
                )
                unit.session.flush()
                # Read back in the same transaction: the cell is redrawn with the answer.
                fresh.append(
                    grade_book.read_rows(
                        unit.session,
                        unit.scope,
                        subject_id=subject_id,
                        semester=semester,
                        student_ids={student_id},
                        today=unit.today,
                    )
                )
            return changes

        def finished() -> None:
            self._in_flight[key] -= 1
            if self._in_flight[key] <= 0:
                del self._in_flight[key]

        def done(changes: Changes) -> None:
            finished()
            if self._chosen == Chosen(subject_id, semester):
                self.model.merge(fresh[0], {student_id})
            self._say(changes.summary, error=False)
            self.saved.emit(changes.summary)

        def failed(error: HomeroomError) -> None:
            finished()
            if self._chosen != Chosen(subject_id, semester):
                self._say(error.message, error=True)
                return
            if target.isValid():
                self.model.clear_pending(target)
                self.cell_message.show_at(plain(target), error.message)
            self._say(error.message, error=True)
            # The cell may have changed meanwhile (what refused it): show it as it is now.
            self._reread((), [student_id])

        self._runner.run_change(run, done, failed, initiator=self)

    def _blocked(self, index: QModelIndex) -> None:
        book = self.model.book
        if book is None:
            return
        if book.read_only and self.model.is_grade(index):
            self.cell_message.show_at(index, book.refusal)
        elif not self.model.is_grade(index):
            self.cell_message.show_at(index, _("Only the grade columns can be typed in."))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        shown = self.cell_message.index
        if shown is not None and plain(shown) != current:
            self.cell_message.clear()

    # --- History --------------------------------------------------------------------------

    def show_history(self) -> None:
        index = self.table.currentIndex()
        if not self.model.is_grade(index):
            return
        cell = self.model.cell_at(index)
        what = self._cell_name(index)
        if cell.entry_id is None:
            self.cell_message.show_at(index, _("This cell has no grade yet."))
            return
        entry_id = cell.entry_id

        def read() -> tuple[HistoryLine, ...]:
            with self._work(write=False) as unit:
                return grade_book.cell_history(unit.session, unit.scope, entry_id=entry_id)

        self._runner.run_database(
            read, lambda lines: self._open(HistoryDialog(what, lines, self)), self._failed
        )

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not self.model.is_grade(index):
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.history_action)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _cell_name(self, index: QModelIndex) -> str:
        row = self.model.row_at(index.row())
        return _("{student}, {column}").format(
            student=row.student_name, column=self.model.column_of(index).label
        )

    # --- Small parts ----------------------------------------------------------------------

    def _open(self, dialog: ReasonDialog | HistoryDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.window().activateWindow()
        self.table.setFocus()

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet(ERROR_STYLE if error else DONE_STYLE)

    def _legend(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Legend:")))
        for colour, text in (
            (MISSING, _("missing, not yet due")),
            (OVERDUE, _("missing, past the deadline")),
            (LATE, _("entered after the deadline")),
        ):
            swatch = QLabel()
            swatch.setFixedSize(18, 14)
            swatch.setStyleSheet(f"background: {colour.name()}; border: 1px solid #9e9e9e;")
            row.addWidget(swatch)
            row.addWidget(QLabel(text))
            row.addSpacing(10)
        row.addStretch(1)
        return row

    def _keys_text(self) -> str:
        history = self.history_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        lines = [
            _("Type on a cell to replace its grade."),
            _("Enter: save and go down."),
            _("Tab: save and go right; Shift+Tab: left."),
            _("Esc: cancel what is typed."),
            _("{key}: the cell's history.").format(key=history),
        ]
        return "<b>{title}</b><br>{lines}".format(
            title=escape(_("Keyboard")), lines="<br>".join(escape(line) for line in lines)
        )

    def _show_summary(self) -> None:
        book = self.model.book
        if book is None:
            self.summary.clear()
            return
        cells = [cell for n in range(self.model.rowCount()) for cell in self.model.row_at(n).cells]
        entered = sum(not cell.missing for cell in cells)
        deadlines = " · ".join(
            f"{column.kind} {format_date(column.due)}"
            for column in _distinct_kinds(book)
            if column.due is not None
        )
        lines = [
            _("Subject teacher: {teacher}").format(teacher=book.subject.teacher_name or "–"),
            _("Entered {entered} of {expected} grades.").format(
                entered=entered, expected=len(cells)
            ),
            _("Missing: {missing}, of which past the deadline: {overdue}.").format(
                missing=len(cells) - entered, overdue=sum(cell.overdue for cell in cells)
            ),
            _("Entered after the deadline: {late}.").format(late=sum(c.late for c in cells)),
        ]
        if deadlines:
            lines.append(_("Deadlines: {deadlines}").format(deadlines=deadlines))
        title = _("{subject}, semester {semester}").format(
            subject=book.subject.name, semester="I" if book.semester == 1 else "II"
        )
        self.summary.setText(
            f"<b>{escape(title)}</b><br>" + "<br>".join(escape(line) for line in lines)
        )

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(
            f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        action.triggered.connect(slot)
        self.addAction(action)
        return action


def _distinct_kinds(book: GradeBook) -> list[BookColumn]:
    """One column per kind: every TX slot shares the TX deadline."""
    seen: dict[str, BookColumn] = {}
    for column in book.columns:
        seen.setdefault(column.kind, column)
    return list(seen.values())
