"""The grade review screen's models: the subjects of each semester with their completeness and
review state, and the grade changes awaiting the teacher's check."""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desktop.domain.calendar import format_moment
from desktop.domain.grade_review import ChangeReviewState, ReviewState
from desktop.i18n import N_, _
from desktop.services.grade_review_board import ChangeToCheck, SubjectReview
from desktop.ui.table_model import KeyedRowsModel, RowsFilter

AnyIndex = QModelIndex | QPersistentModelIndex

WARNING = QColor("#9a3412")
DONE = QColor("#1b5e20")
QUIET = QColor("#5f6368")


class SubjectColumn(IntEnum):
    SUBJECT = 0
    SEMESTER = 1
    TEACHER = 2
    ENTERED = 3
    MISSING = 4
    LATE = 5
    STATE = 6


_SUBJECT_HEADERS = {
    SubjectColumn.SUBJECT: N_("Subject"),
    SubjectColumn.SEMESTER: N_("Semester"),
    SubjectColumn.TEACHER: N_("Subject teacher"),
    SubjectColumn.ENTERED: N_("Entered"),
    SubjectColumn.MISSING: N_("Missing"),
    SubjectColumn.LATE: N_("Entered late"),
    SubjectColumn.STATE: N_("Review"),
}


class SubjectsModel(KeyedRowsModel[SubjectReview]):
    headers = _SUBJECT_HEADERS

    def key_of(self, row: SubjectReview) -> Hashable:
        return row.key

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = SubjectColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _subject_cell(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            SubjectColumn.SEMESTER,
            SubjectColumn.ENTERED,
            SubjectColumn.MISSING,
            SubjectColumn.LATE,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return _subject_colour(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is SubjectColumn.STATE:
            return row.review_note or None
        return None


def semester_label(semester: int) -> str:
    return _("Semester I") if semester == 1 else _("Semester II")


def _subject_cell(row: SubjectReview, column: SubjectColumn) -> str:
    match column:
        case SubjectColumn.SUBJECT:
            return row.subject_name
        case SubjectColumn.SEMESTER:
            return "I" if row.semester == 1 else "II"
        case SubjectColumn.TEACHER:
            return row.teacher_name or _("not assigned")
        case SubjectColumn.ENTERED:
            return _("{entered} of {expected}").format(entered=row.entered, expected=row.expected)
        case SubjectColumn.MISSING:
            return str(row.missing) if row.missing else "–"
        case SubjectColumn.LATE:
            return str(row.late) if row.late else "–"
        case SubjectColumn.STATE:
            return row.state_label


def _subject_colour(row: SubjectReview, column: SubjectColumn) -> QColor | None:
    if column is SubjectColumn.MISSING and row.missing:
        return WARNING
    if column is SubjectColumn.LATE and row.late:
        return WARNING
    if column is SubjectColumn.STATE:
        state = ReviewState(row.review_state)
        if state is ReviewState.REVIEWED:
            return DONE
        if state is ReviewState.RETURNED:
            return WARNING
    return None


class SemesterFilter(RowsFilter[SubjectReview]):
    """One semester's subjects, or both semesters' (``None``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._semester: int | None = None

    @property
    def semester(self) -> int | None:
        return self._semester

    def set_semester(self, semester: int | None) -> None:
        with self.refiltering():
            self._semester = semester

    def key_of(self, row: SubjectReview) -> str:
        return row.key

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        return self._semester is None or self.rows().row_at(source_row).semester == self._semester


class ChangeColumn(IntEnum):
    STUDENT = 0
    SUBJECT = 1
    COLUMN = 2
    VALUES = 3
    BY = 4
    WHEN = 5
    REASON = 6
    STATE = 7


_CHANGE_HEADERS = {
    ChangeColumn.STUDENT: N_("Student"),
    ChangeColumn.SUBJECT: N_("Subject"),
    ChangeColumn.COLUMN: N_("Column"),
    ChangeColumn.VALUES: N_("Old → new"),
    ChangeColumn.BY: N_("Changed by"),
    ChangeColumn.WHEN: N_("When"),
    ChangeColumn.REASON: N_("Reason"),
    ChangeColumn.STATE: N_("Check"),
}


class ChangesModel(KeyedRowsModel[ChangeToCheck]):
    headers = _CHANGE_HEADERS

    def key_of(self, row: ChangeToCheck) -> Hashable:
        return row.id

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = ChangeColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _change_cell(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is ChangeColumn.STATE and row.waiting_for_sync:
                return _("Made on this computer: it can be checked after the next sync.")
            if column is ChangeColumn.STATE:
                return row.review_note or None
            if column is ChangeColumn.REASON:
                return row.reason or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            ChangeColumn.COLUMN,
            ChangeColumn.VALUES,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column is ChangeColumn.STATE:
            if row.waiting_for_sync:
                return QUIET
            state = ChangeReviewState(row.review_state)
            return DONE if state is ChangeReviewState.CHECKED else WARNING
        if role == Qt.ItemDataRole.FontRole and row.waiting_for_sync:
            font = QFont()
            font.setItalic(True)
            return font
        return None


def _change_cell(row: ChangeToCheck, column: ChangeColumn) -> str:
    match column:
        case ChangeColumn.STUDENT:
            return row.student_name
        case ChangeColumn.SUBJECT:
            return row.subject_name
        case ChangeColumn.COLUMN:
            return f"{'I' if row.semester == 1 else 'II'} · {row.column}"
        case ChangeColumn.VALUES:
            return f"{row.shown_old} → {row.shown_new}"
        case ChangeColumn.BY:
            return row.changed_by
        case ChangeColumn.WHEN:
            return format_moment(row.changed_at)
        case ChangeColumn.REASON:
            return row.reason
        case ChangeColumn.STATE:
            return row.state_label


class OpenChangesFilter(RowsFilter[ChangeToCheck]):
    """The changes still to check (``show_checked``: the checked ones too)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show_checked = False

    def set_show_checked(self, shown: bool) -> None:
        with self.refiltering():
            self._show_checked = shown

    def key_of(self, row: ChangeToCheck) -> int:
        return row.id

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        row = self.rows().row_at(source_row)
        return self._show_checked or row.review_state != ChangeReviewState.CHECKED.value
