"""The results screen's models: one line per student (subject averages, academic result,
conduct editable, and for the year absences, promotion and award), and the promotion list as
a tree of outcomes with their students and reasons."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.domain.grading import (
    PASS_MARK,
    CommentResult,
    Level,
    PromotionOutcome,
    format_score_display,
)
from desktop.i18n import N_, _
from desktop.services.results import PromotionGroup, ResultRow, Results, SubjectColumn
from desktop.ui.table_model import RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex

PROPOSED_ROLE = Qt.ItemDataRole.UserRole + 1
"""The conduct column's proposed level (a ``Level`` value), or ``None``."""

RED = QColor("#b00020")
GREEN = QColor("#1b5e20")
AMBER = QColor("#8a5300")
GREY = QColor("#5f6368")

STUDENT, SUBJECT, ACADEMIC, CONDUCT, ABSENCES, PROMOTION, AWARD = (
    "student",
    "subject",
    "academic",
    "conduct",
    "absences",
    "promotion",
    "award",
)
_FIXED_HEADERS = {
    STUDENT: N_("Student"),
    ACADEMIC: N_("Academic result"),
    CONDUCT: N_("Conduct"),
    ABSENCES: N_("Absent sessions"),
    PROMOTION: N_("Promotion"),
    AWARD: N_("Award"),
}


def level_text(value: str | None) -> str:
    return Level(value).label if value else ""


def header_lines(name: str) -> str:
    """A subject's name on short lines: twelve subjects must fit the width of the window."""
    return "\n".join(textwrap.wrap(name, width=12)) or name


class ResultsModel(RowsTableModel[ResultRow]):
    """Columns: the student, one per subject, academic result, conduct; for the year also
    absences, award and promotion. Only conduct is editable: a choice is announced by
    ``conduct_chosen`` and shown at once, the screen records it."""

    headers: ClassVar[dict[Any, str]] = {}
    """Unused: the columns follow the class's subjects (``columnCount``/``headerData``)."""

    conduct_chosen = Signal(int, str)
    """``(student_id, level)``: the teacher chose a conduct level in the editor."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._term = "1"
        self._subjects: tuple[SubjectColumn, ...] = ()
        self._kinds: list[str] = []

    @property
    def term(self) -> str:
        return self._term

    def set_results(self, results: Results) -> None:
        self.beginResetModel()
        self._term = results.term
        self._subjects = results.subjects
        self._rows = list(results.rows)
        self._kinds = [STUDENT, *([SUBJECT] * len(results.subjects)), ACADEMIC, CONDUCT]
        if results.term == "year":
            self._kinds += [ABSENCES, AWARD, PROMOTION]
        self.endResetModel()

    def kind_of(self, column: int) -> str:
        return self._kinds[column]

    def column_of(self, kind: str) -> int:
        return self._kinds.index(kind)

    def row_of(self, student_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.student_id == student_id:
                return number
        return None

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._kinds)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._kinds):
            return None
        kind = self._kinds[section]
        if kind == SUBJECT:
            subject = self._subjects[section - 1]
            if role == Qt.ItemDataRole.DisplayRole:
                return header_lines(subject.name)
            if role == Qt.ItemDataRole.ToolTipRole:
                return subject.name
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return header_lines(_(_FIXED_HEADERS[kind]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return _(_FIXED_HEADERS[kind])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self._kinds[index.column()] == CONDUCT:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        kind = self._kinds[index.column()]
        if kind == SUBJECT:
            return self._subject_data(row, index.column() - 1, role)
        if kind == CONDUCT:
            return self._conduct_data(row, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, kind)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(row, kind)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind in (ACADEMIC, ABSENCES):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row: ResultRow, kind: str) -> str:
        report = row.report
        match kind:
            case "student":
                return report.student_name
            case "academic":
                return level_text(report.academic) or "–"
            case "absences":
                return str(report.absences or 0)
            case "promotion":
                return report.promotion_label or ""
            case _:
                return report.award_label or ""

    def _tooltip(self, row: ResultRow, kind: str) -> str | None:
        report = row.report
        if kind == STUDENT:
            return f"{report.student_name} ({report.student_code})"
        if kind == ACADEMIC and report.academic is None:
            return _("Not known yet: some averages or results are missing.")
        if kind == PROMOTION and report.reasons:
            return "\n".join(report.reasons)
        return None

    def _colour(self, row: ResultRow, kind: str) -> QBrush | None:
        report = row.report
        if kind == ACADEMIC and report.academic == Level.CHUA_DAT.value:
            return QBrush(RED)
        if kind == ACADEMIC and report.academic is None:
            return QBrush(GREY)
        if kind == PROMOTION and report.promotion:
            return QBrush(_OUTCOME_COLOURS.get(PromotionOutcome(report.promotion), RED))
        return None

    def _subject_data(self, row: ResultRow, number: int, role: int) -> Any:
        result = row.report.subjects[number]
        if role == Qt.ItemDataRole.DisplayRole:
            if result.average is not None:
                return format_score_display(result.average)
            return result.result or "–"
        if role == Qt.ItemDataRole.ToolTipRole:
            if result.average is None and result.result is None:
                return _("{subject}: not complete, some scores are missing.").format(
                    subject=result.subject_name
                )
            return result.subject_name
        if role == Qt.ItemDataRole.ForegroundRole:
            if _below_pass(result.average) or result.result == CommentResult.FAIL.value:
                return QBrush(RED)
            if result.average is None and result.result is None:
                return QBrush(GREY)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _conduct_data(self, row: ResultRow, role: int) -> Any:
        if role == PROPOSED_ROLE:
            return row.conduct_proposed
        shown = row.report.conduct
        proposed_only = row.conduct_recorded is None and row.conduct_proposed is not None
        match role:
            case Qt.ItemDataRole.DisplayRole:
                if proposed_only:
                    return _("{level} (proposed)").format(level=level_text(shown))
                return level_text(shown) or "–"
            case Qt.ItemDataRole.EditRole:
                return row.conduct_recorded or row.conduct_proposed
            case Qt.ItemDataRole.ToolTipRole:
                return conduct_tooltip(row)
            case Qt.ItemDataRole.ForegroundRole:
                if proposed_only or shown is None:
                    return QBrush(GREY)
                return QBrush(RED) if shown == Level.CHUA_DAT.value else None
            case Qt.ItemDataRole.FontRole if proposed_only:
                font = QFont()
                font.setItalic(True)
                return font
            case Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(  # noqa: N802 - Qt API
        self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.EditRole
            or self._kinds[index.column()] != CONDUCT
            or value not in {level.value for level in Level}
        ):
            return False
        row = self._rows[index.row()]
        if row.conduct_recorded == value:
            return False
        # Shown at once; the whole line (promotion, award) is read again once it is recorded.
        self._rows[index.row()] = replace(
            row, conduct_recorded=value, report=replace(row.report, conduct=value)
        )
        self.dataChanged.emit(index, index)
        self.conduct_chosen.emit(row.student_id, value)
        return True


def conduct_tooltip(row: ResultRow) -> str:
    lines = []
    first, second = row.conduct_semesters
    if row.conduct_proposed is not None:
        lines.append(
            _("Proposed from semester I ({first}) and semester II ({second}): {level}.").format(
                first=level_text(first),
                second=level_text(second),
                level=level_text(row.conduct_proposed),
            )
        )
        if row.conduct_recorded is None:
            lines.append(_("Not confirmed yet: press F2 to choose, or use the proposed conduct."))
    if row.conduct_recorded is not None:
        lines.append(_("Recorded: {level}.").format(level=level_text(row.conduct_recorded)))
    elif row.conduct_proposed is None:
        lines.append(_("Not rated yet: press F2 to choose a level."))
    return "\n".join(lines)


def reasons_line(reasons: tuple[str, ...]) -> str:
    """The reasons on one line: "Kết quả học tập cả năm: Chưa đạt; Toán 3,4 < 5,0"."""
    return "; ".join(reason.rstrip(".") for reason in reasons)


def _below_pass(average: Decimal | None) -> bool:
    return average is not None and average < PASS_MARK


_OUTCOME_COLOURS = {
    PromotionOutcome.PROMOTED: GREEN,
    PromotionOutcome.SUMMER_REASSESSMENT: AMBER,
    PromotionOutcome.SUMMER_CONDUCT_TRAINING: AMBER,
    PromotionOutcome.INCOMPLETE: GREY,
}


class PromotionModel(QAbstractItemModel):
    """The promotion list: one top row per outcome with its count, its students under it with
    their reasons."""

    _GROUP = 0
    """``internalId`` of a top row; a student's row holds its group's number + 1."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: tuple[PromotionGroup, ...] = ()

    def set_groups(self, groups: tuple[PromotionGroup, ...]) -> None:
        self.beginResetModel()
        self._groups = groups
        self.endResetModel()

    @property
    def groups(self) -> tuple[PromotionGroup, ...]:
        return self._groups

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, self._GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == self._GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, self._GROUP)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == self._GROUP and parent.column() == 0:
            return self._groups[parent.row()].count
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 2

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _("Outcome and student") if section == 0 else _("Why")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == self._GROUP:
            group = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return _("{outcome}: {count}").format(outcome=group.label, count=group.count)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_OUTCOME_COLOURS.get(PromotionOutcome(group.outcome), RED))
            return None
        entry = self._groups[index.internalId() - 1].students[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.student_name if index.column() == 0 else reasons_line(entry.reasons)
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0:
                return f"{entry.student_name} ({entry.student_code})"
            return "\n".join(entry.reasons) or None
        return None
