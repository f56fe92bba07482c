"""The attendance screen (chuyên cần): a month's roll call, typed with the keyboard like the
paper register, the year's totals against the absence limit, and the absences to follow up.

Every mark is a ``set_attendance`` intent committed on the database lane, so it syncs. Marks
that come from a leave request are changed only through the request; holidays take none. The
grid refreshes only the students a change touched and keeps its current cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.attendance import Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import attendance_month, workspace
from desktop.services.actions import perform
from desktop.services.attendance_month import Month, MonthGrid
from desktop.services.changes import Changes
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope, load_scope
from desktop.ui import navigation
from desktop.ui.attendance.header import GroupedHeader
from desktop.ui.attendance.model import FollowUpModel, MonthModel
from desktop.ui.attendance.table import MarkTable
from desktop.ui.navigation import Navigator, Target
from desktop.ui.tasks import TaskRunner

CLEAR = ""
"""What ``MarkTable.mark_typed`` carries for "take the observation back"."""

KEY_MARKS: dict[int, str] = {
    Qt.Key.Key_K: Observation.ABSENT.value,
    Qt.Key.Key_V: Observation.ABSENT.value,
    Qt.Key.Key_P: Observation.EXCUSED_BY_TEACHER.value,
    Qt.Key.Key_M: Observation.LATE.value,
    Qt.Key.Key_T: Observation.LATE.value,
    Qt.Key.Key_C: Observation.PRESENT.value,
    Qt.Key.Key_Space: Observation.PRESENT.value,
    Qt.Key.Key_Delete: CLEAR,
    Qt.Key.Key_Backspace: CLEAR,
}
"""K/V vắng không phép, P có phép, M/T muộn (trễ), C/Space có mặt, Delete/Backspace xoá."""

WATCHED = ("attendance_mark", "leave_request", "student")
WHOLE = ("holiday", "school_year", "school_class", "policy_setting")
"""A change to these re-reads the whole grid (columns, colours)."""


@dataclass(frozen=True)
class _Loaded:
    grid: MonthGrid
    students: frozenset[int] | None
    """Only these students were read (``None``: the whole grid)."""
    scope: ClassScope
    scope_epoch: int
    """``AttendanceScreen._scope_epoch`` when the read began: a scope read before a change to
    the calendar or the policy is not kept."""


def _button(text: str, shortcut: str) -> QPushButton:
    button = QPushButton(text)
    button.setShortcut(QKeySequence(shortcut))
    button.setToolTip(f"{text} ({button.shortcut().toString()})")
    return button


class AttendanceScreen(QWidget):
    refreshed = Signal()
    """A read was answered and is shown."""

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
        self._month: Month | None = None
        self._months: tuple[Month, ...] = ()
        self._reading = False
        self._want_all = False
        self._want: dict[str, set[str]] = {kind: set() for kind in WATCHED}
        self._focus_on: tuple[int, Slot | None] | None = None
        """Where the current cell goes once the month is shown (``None``: today's session)."""
        self._focus_warning: int | None = None
        self._scope: ClassScope | None = None
        """The class's calendar and policy, read once (again after a change to them)."""
        self._scope_epoch = 0

        self.model = MonthModel(self)
        self.follow_up_model = FollowUpModel(self)

        self.previous_button = _button(_("◀ Previous month"), "Ctrl+PgUp")
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button = _button(_("Next month ▶"), "Ctrl+PgDown")
        self.next_button.clicked.connect(lambda: self._step(1))
        self.month_label = QLabel()
        self.month_label.setObjectName("month")
        self.month_label.setStyleSheet("QLabel#month { font-weight: bold; padding: 0 12px; }")
        self.open_button = _button(_("Open the request"), "Ctrl+O")
        self.open_button.clicked.connect(self._open_request)
        self.open_button.setEnabled(False)
        self.keys = QLabel(
            _(
                "Type K (or V) unexcused · P excused · M (or T) late · C or Space present · "
                "Delete clears; the arrow keys move. Blue: from a leave request (change it "
                "there); grey: holiday or day off."
            )
        )
        self.keys.setWordWrap(True)
        self.keys.setStyleSheet("color: #555;")

        self.table = MarkTable(KEY_MARKS)
        self.table.setHorizontalHeader(GroupedHeader(self.table))
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.mark_typed.connect(self._mark)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._size_columns)

        self.follow_up_title = QLabel()
        self.follow_up = QTableView()
        self.follow_up.setModel(self.follow_up_model)
        self.follow_up.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.follow_up.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.follow_up.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.follow_up.verticalHeader().hide()
        self.follow_up.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.follow_up.setWordWrap(False)
        self.follow_up.horizontalHeader().setStretchLastSection(True)
        self.follow_up.activated.connect(self._follow_up_chosen)
        self.follow_up.setToolTip(_("Enter shows the absence in the grid."))

        self.message = QLabel()
        self.message.setWordWrap(True)

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.month_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.follow_up_title)
        lower_layout.addWidget(self.follow_up, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([460, 140])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.keys)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        runner.operation_did_execute.connect(self._changed)
        self._show_month()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        self._load_all()

    def open_with(self, filters: dict[str, Any]) -> None:
        """Show what a link points at: ``student_id`` with ``day`` (a date or ISO text) and
        ``session`` selects that cell (in its month); ``student_id`` alone that student's
        row, ``warning`` (a level, from the overview) the student with most absences at it;
        ``month`` (``(year, month)``) that month."""
        if "day" in filters:
            day = filters["day"]
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            session = SchoolSession(filters.get("session", SchoolSession.MORNING.value))
            if "student_id" in filters:
                self._focus_on = (int(filters["student_id"]), Slot.of(day, session))
            self._go((day.year, day.month))
            return
        if "student_id" in filters:
            self._focus_on = (int(filters["student_id"]), None)
        elif "warning" in filters:
            self._focus_warning = int(filters["warning"])
        if "month" in filters:
            year, month = filters["month"]
            self._go((int(year), int(month)))
        elif self.model.grid is not None:
            self._place_cursor()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        # A sync may have changed marks while another screen was shown.
        super().showEvent(event)
        self.reload()

    def _load_all(self) -> None:
        self._want_all = True
        if not self._reading:
            self._read()

    def _read(self) -> None:
        database, class_name, month = self._database, self._class_name, self._month
        whole = self._want_all
        wanted = {kind: frozenset(keys) for kind, keys in self._want.items()}
        self._want_all = False
        self._want = {kind: set() for kind in WATCHED}
        self._reading = True

        known, epoch = self._scope, self._scope_epoch

        def load() -> _Loaded:
            with database.reading() as session:
                scope = known or load_scope(session, class_name)
                today = effective_today(session)
                chosen = month or attendance_month.month_of(scope.calendar, today)
                students = None
                if not whole:
                    students = attendance_month.students_touched(
                        session,
                        scope,
                        marks=wanted["attendance_mark"],
                        requests=wanted["leave_request"],
                        students=wanted["student"],
                    )
                grid = attendance_month.month_grid(
                    session, scope, month=chosen, today=today, student_ids=students
                )
            return _Loaded(grid, students, scope, epoch)

        self._runner.run_database(load, self._loaded, self._unreadable)

    def _pending(self) -> bool:
        return self._want_all or any(self._want.values())

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = False
        self._say(error.message, error=True)
        if self._pending():
            self._read()

    def _loaded(self, loaded: _Loaded) -> None:
        self._reading = False
        if loaded.scope_epoch == self._scope_epoch:
            self._scope = loaded.scope
        grid = loaded.grid
        shown = self.model.grid
        if loaded.students is not None and (shown is None or shown.month != grid.month):
            self._want_all = True  # a few rows of another month: read this one whole
        elif loaded.students is not None:
            self.model.update_students(grid.students, grid.requests)
            self.follow_up_model.replace_students(grid.follow_up, loaded.students)
        else:
            if self._month is None or self._month == grid.month:
                self._month, self._months = grid.month, grid.months
                current = self._current_key()
                if self.model.set_grid(grid) and current is not None:
                    self._focus_on = self._focus_on or current
                self.follow_up_model.set_rows(grid.follow_up)
                self._show_month()
                self._place_cursor()
            else:
                self._want_all = True  # the month changed while this one was read
        self.follow_up_title.setText(
            _("Absences without a leave request, to follow up ({count}):").format(
                count=self.follow_up_model.rowCount()
            )
        )
        self._current_changed(self.table.currentIndex(), QModelIndex())
        if self._pending():
            self._read()
        else:
            self.refreshed.emit()

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if any(changes.ids(kind) for kind in WHOLE):
            self._scope, self._scope_epoch = None, self._scope_epoch + 1  # calendar, policy
            self._want_all = True
        elif any(changes.ids(kind) for kind in WATCHED):
            for kind in WATCHED:
                self._want[kind].update(changes.ids(kind))
        else:
            return
        if not self.isVisible():
            self._want_all = False
            self._want = {kind: set() for kind in WATCHED}
            return  # read again when shown
        if not self._reading:
            self._read()

    # ------------------------------------------------------------------ the month

    def _step(self, delta: int) -> None:
        if self._month in self._months:
            number = self._months.index(self._month) + delta
            if 0 <= number < len(self._months):
                self._go(self._months[number])

    def _go(self, month: Month) -> None:
        if self._months:
            month = min(max(month, self._months[0]), self._months[-1])
        if month != self._month:
            self._month = month
            self._show_month()
            self._load_all()
        elif self._focus_on is not None:
            self._place_cursor()

    def _show_month(self) -> None:
        if self._month is None:
            self.month_label.setText("")
        else:
            self.month_label.setText(
                _("Month {month}/{year}").format(month=self._month[1], year=self._month[0])
            )
        known = self._month in self._months
        self.previous_button.setEnabled(known and self._month != self._months[0])
        self.next_button.setEnabled(known and self._month != self._months[-1])

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        assert isinstance(header, GroupedHeader)
        metrics = self.table.fontMetrics()
        day_width = metrics.horizontalAdvance("M") + 7
        total_width = metrics.horizontalAdvance("88") + 10
        count = self.model.columnCount()
        number = 0
        while number < count:
            first, last = header.group_of(number)
            sections = last - first + 1
            wide = day_width if number < len(self.model.columns) else total_width
            width = max(wide, -(-header.group_width(first) // sections))
            for section in range(first, last + 1):
                header.resizeSection(section, width)
            number = last + 1

    def _current_key(self) -> tuple[int, Slot] | None:
        index = self.table.currentIndex()
        column = self.model.column_at(index.column()) if index.isValid() else None
        if column is None:
            return None
        return self.model.row_at(index.row()).student_id, column.slot

    def _place_cursor(self) -> None:
        """Put the current cell on the student and session asked for, or, on a fresh month,
        on the first student's today (or first school session)."""
        if self.model.rowCount() == 0 or not self.model.columns:
            return
        if self._focus_warning is not None:
            level, self._focus_warning = self._focus_warning, None
            reached = [row for row in self.model.rows() if row.totals.warning == level]
            if reached:
                chosen = max(reached, key=lambda row: row.totals.total_absent)
                self._focus_on = (chosen.student_id, None)
        if self._focus_on is not None:
            student_id, slot = self._focus_on
            self._focus_on = None
            index = self.model.index_of(student_id, slot or self._today_slot())
            if index.isValid():
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                self.table.setFocus()
                return
        if self.table.currentIndex().isValid():
            return
        self.table.setCurrentIndex(
            self.model.index_of(self.model.row_at(0).student_id, self._today_slot())
        )

    def _today_slot(self) -> Slot:
        """The session the current cell starts on: today's first, else the month's first."""
        columns = [c for c in self.model.columns if c.off is None] or list(self.model.columns)
        grid = self.model.grid
        today = grid.today if grid is not None else None
        return next((c.slot for c in columns if c.day == today), columns[0].slot)

    # ------------------------------------------------------------------ marking

    def _mark(self, value: str) -> None:
        index = self.table.currentIndex()
        refusal = self.model.refusal(index)
        if refusal is not None:
            self._say(refusal, error=True)
            return
        row = self.model.row_at(index.row())
        column = self.model.column_at(index.column())
        assert column is not None
        cell = self.model.cell_at(index)
        observed = Observation(value) if value else None
        self._next_student(index)
        if (cell.observed if cell else None) == observed:
            return  # already so: nothing to queue
        raw = {
            "student_id": row.student_id,
            "day": column.day.isoformat(),
            "session": column.session.value,
            "observed": value or None,
        }
        database, class_name = self._database, self._class_name

        def record() -> Changes:
            with workspace.work(database, class_name) as unit:
                return perform(unit.session, unit.scope, "set_attendance", raw, actor=unit.actor)

        def done(changes: Changes) -> None:
            self._say(f"{row.name}: {changes.summary}", error=False)

        self._runner.run_change(record, done, self._failed, initiator=self)

    def _next_student(self, index: QModelIndex) -> None:
        if index.row() + 1 < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(index.row() + 1, index.column()))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cell = self.model.cell_at(current)
        self.open_button.setEnabled(
            cell is not None and cell.from_request and cell.request_id is not None
        )

    def _open_request(self) -> None:
        cell = self.model.cell_at(self.table.currentIndex())
        if cell is not None and cell.from_request and cell.request_id is not None:
            self._navigator.open(Target(navigation.LEAVE, {"request_id": cell.request_id}))

    def _follow_up_chosen(self, index: QModelIndex) -> None:
        item = self.follow_up_model.row_at(index.row())
        self.open_with(
            {"student_id": item.student_id, "day": item.day, "session": item.session.value}
        )

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
