"""The results screen: a semester's or the year's results per student, conduct rated in place
(the year's proposed from the two semesters), and the year's promotion list with its reasons.

A conduct chosen in the table is a ``set_conduct`` intent committed on the database lane; every
change to grades, conduct or attendance (here, in another screen or from a sync) reads the
results again, keeping the selection.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.grading import Level
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import results, workspace
from desktop.services.actions import perform
from desktop.services.changes import Changes
from desktop.services.results import Results
from desktop.ui.summary.model import (
    CONDUCT,
    PROPOSED_ROLE,
    STUDENT,
    PromotionModel,
    ResultsModel,
)
from desktop.ui.tasks import TaskRunner

WATCHED = (
    "grade_entry",
    "conduct_rating",
    "attendance_mark",
    "leave_request",
    "student",
    "subject",
)
"""What the results are computed from."""

TERM_NUMBER = {"1": 1, "2": 2, "year": 0}
"""The term as the ``set_conduct`` intent names it (0 is the year)."""


class ConductEditor(QStyledItemDelegate):
    """The four levels in a list, the proposed one marked and chosen first."""

    def createEditor(  # noqa: N802 - Qt API
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QComboBox(parent)
        proposed = index.data(PROPOSED_ROLE)
        for level in Level:
            text = level.label
            if level.value == proposed:
                text = _("{level} (proposed)").format(level=text)
            editor.addItem(text, level.value)
        editor.setToolTip(_("Up and down to choose, Enter to record, Esc to leave it."))
        return editor

    def setEditorData(  # noqa: N802 - Qt API
        self, editor: QWidget, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(  # noqa: N802 - Qt API
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def _button(text: str, shortcut: str) -> QPushButton:
    button = QPushButton(text)
    button.setShortcut(shortcut)
    button.setToolTip(f"{text} ({button.shortcut().toString()})")
    return button


class SummaryScreen(QWidget):
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
        self._reading = False
        self._again = False
        self._stale = True
        self._term: str | None = None
        """The term shown; ``None`` until the first reading chose the current semester."""
        self._conduct_column = -1

        self.model = ResultsModel(self)
        self.model.conduct_chosen.connect(self._record_conduct)
        self.promotion_model = PromotionModel(self)

        self.term = QComboBox()
        for value, text in (
            ("1", _("Semester I")),
            ("2", _("Semester II")),
            ("year", _("Whole year")),
        ):
            self.term.addItem(text, value)
        self.term.currentIndexChanged.connect(self._term_chosen)
        term_label = QLabel(_("&Term"))
        term_label.setBuddy(self.term)
        self.propose_button = _button(_("Use the proposed conduct"), "Ctrl+Shift+P")
        self.propose_button.clicked.connect(self.use_proposed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.legend = QLabel(
            _(
                "–: not known yet, some scores or results are still missing (point at a cell "
                "to see why)."
            )
        )
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #5f6368;")
        self.legend.hide()

        self.table = QTableView()
        self.table.setModel(self.model)
        self.delegate = ConductEditor(self.table)
        self.delegate.closeEditor.connect(self._editor_closed)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_actions())

        self.promotion_title = QLabel()
        self.promotion = QTreeView()
        self.promotion.setModel(self.promotion_model)
        self.promotion.setUniformRowHeights(True)
        self.promotion.setAlternatingRowColors(True)
        self.promotion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.promotion.header().setStretchLastSection(True)
        self.promotion_box = QWidget()
        box = QVBoxLayout(self.promotion_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.promotion_title)
        box.addWidget(self.promotion, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.promotion_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        bar = QHBoxLayout()
        bar.addWidget(term_label)
        bar.addWidget(self.term)
        bar.addStretch(1)
        bar.addWidget(self.propose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.message)
        runner.operation_did_execute.connect(self._changed)
        self._show_term_parts()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        if self._editing():
            self._stale = True  # a reading would close the teacher's open choice
            return
        if self._reading:
            self._again = True
            return
        self._read()

    def open_with(self, filters: dict[str, Any]) -> None:
        """``term`` ("1", "2", "year") and/or ``student_id`` to select."""
        if "term" in filters:
            self.term.setCurrentIndex(max(0, self.term.findData(str(filters["term"]))))
        if "student_id" in filters:
            self._select(int(filters["student_id"]), STUDENT)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _read(self) -> None:
        database, class_name, term = self._database, self._class_name, self._term
        self._reading, self._again, self._stale = True, False, False

        def load() -> Results:
            with workspace.work(database, class_name, write=False) as unit:
                chosen = term or results.current_term(unit.scope.calendar, unit.today)
                return results.results(unit.session, unit.scope, term=chosen)

        self._runner.run_database(load, self._loaded, self._unreadable)

    def _unreadable(self, error: HomeroomError) -> None:
        self._reading = False
        self._say(error.message, error=True)
        if self._again:
            self._read()

    def _editing(self) -> bool:
        return self.table.state() == QAbstractItemView.State.EditingState

    def _editor_closed(self) -> None:
        if self._stale:
            QTimer.singleShot(0, self.reload)

    def _loaded(self, loaded: Results) -> None:
        self._reading = False
        if self._editing():
            self._stale = True
            return
        if self._again or (self._term is not None and loaded.term != self._term):
            self._read()  # the term changed, or something changed, while reading
            return
        if self._term is None:
            self._term = loaded.term
            self.term.blockSignals(True)
            self.term.setCurrentIndex(self.term.findData(loaded.term))
            self.term.blockSignals(False)
        current = self._current_place()
        chosen = self.selected_students()
        self.model.set_results(loaded)
        # A semester under way is mostly dashes: say what they mean where the teacher looks.
        self.legend.setVisible(any(row.report.academic is None for row in loaded.rows))
        self.promotion_model.set_groups(loaded.promotion)
        self.promotion.expandAll()
        self.promotion.resizeColumnToContents(0)
        if self._conduct_column != self.model.column_of(CONDUCT):
            if self._conduct_column >= 0:
                self.table.setItemDelegateForColumn(self._conduct_column, None)  # type: ignore[arg-type]
            self._conduct_column = self.model.column_of(CONDUCT)
            self.table.setItemDelegateForColumn(self._conduct_column, self.delegate)
        self._restore(current, chosen)
        self._show_term_parts()
        self._update_actions()

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if not any(changes.ids(kind) for kind in WATCHED):
            return
        if not self.isVisible():
            self._stale = True  # read again when shown
            return
        self.reload()

    def _term_chosen(self, _index: int) -> None:
        self._term = str(self.term.currentData())
        self.message.clear()
        self.reload()

    def _show_term_parts(self) -> None:
        year = self.model.term == "year" and self._term == "year"
        self.promotion_box.setVisible(year)
        self.propose_button.setVisible(year)
        total = sum(group.count for group in self.promotion_model.groups)
        self.promotion_title.setText(
            _("<b>Promotion list</b> — {count} students").format(count=total)
        )

    # ------------------------------------------------------------------ selection

    def selected_students(self) -> list[int]:
        """The students of the selected cells, in class-list order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedIndexes()})
        return [self.model.row_at(number).student_id for number in rows]

    def _current_place(self) -> tuple[int, str, int] | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return (
            self.model.row_at(index.row()).student_id,
            self.model.kind_of(index.column()),
            index.column(),
        )

    def _restore(self, current: tuple[int, str, int] | None, chosen: list[int]) -> None:
        column = self._column_for(current) if current is not None else 0
        selection = self.table.selectionModel()
        for student_id in chosen:
            number = self.model.row_of(student_id)
            if number is not None:
                selection.select(self.model.index(number, column), selection.SelectionFlag.Select)
        number = self.model.row_of(current[0]) if current is not None else None
        if number is not None:
            selection.setCurrentIndex(
                self.model.index(number, column), selection.SelectionFlag.NoUpdate
            )

    def _column_for(self, place: tuple[int, str, int]) -> int:
        """The same column after a reading: the subjects keep their places, conduct and the
        others are found by name in the term's columns (the year has more)."""
        _student, kind, column = place
        if kind in ("subject", STUDENT):
            return column
        try:
            return self.model.column_of(kind)
        except ValueError:
            return self.model.column_of(CONDUCT)

    def _select(self, student_id: int, kind: str) -> None:
        number = self.model.row_of(student_id)
        if number is not None:
            self.table.setCurrentIndex(self.model.index(number, self.model.column_of(kind)))

    def _update_actions(self) -> None:
        self.propose_button.setEnabled(bool(self._to_propose()))

    def _to_propose(self) -> list[tuple[int, str]]:
        """(student, proposed level) of the selected students whose year conduct differs."""
        if self.model.term != "year":
            return []
        wanted = []
        for student_id in self.selected_students():
            number = self.model.row_of(student_id)
            if number is None:
                continue
            row = self.model.row_at(number)
            if row.conduct_proposed and row.conduct_proposed != row.conduct_recorded:
                wanted.append((student_id, row.conduct_proposed))
        return wanted

    # ------------------------------------------------------------------ acting

    def use_proposed(self) -> None:
        """Record the proposed year conduct of the selected students (Ctrl+A: the class)."""
        wanted = self._to_propose()
        if wanted:
            self._record(wanted)

    def _record_conduct(self, student_id: int, level: str) -> None:
        self._record([(student_id, level)])

    def _record(self, ratings: list[tuple[int, str]]) -> None:
        database, class_name = self._database, self._class_name
        term = TERM_NUMBER[self.model.term]

        def record() -> Changes:
            touched: set[str] = set()
            summary = ""
            with workspace.work(database, class_name) as unit:
                for student_id, level in ratings:
                    changes = perform(
                        unit.session,
                        unit.scope,
                        "set_conduct",
                        {"student_id": student_id, "term": term, "level": level},
                        actor=unit.actor,
                    )
                    touched |= changes.ids("conduct_rating")
                    summary = changes.summary
            if len(ratings) > 1:
                summary = _("Conduct recorded for {count} students.").format(count=len(ratings))
            return Changes(summary, {"conduct_rating": frozenset(touched)})

        def done(changes: Changes) -> None:
            self._say(changes.summary, error=False)

        def failed(error: HomeroomError) -> None:
            self._say(error.message, error=True)
            self.reload()  # the level shown at once goes back to what is recorded

        self._runner.run_change(record, done, failed, initiator=self)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
