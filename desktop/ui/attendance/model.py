"""The attendance screen's models: the month grid (students × sessions, then the year's totals)
and the follow-up list.

The grid is read-only for Qt (no editor): the screen turns a typed letter into a
``set_attendance`` intent, and ``refusal`` says why a cell takes none (a holiday, a mark that
comes from a leave request)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desktop.domain.attendance import MarkSource, MarkStatus, Observation
from desktop.domain.calendar import Session as SchoolSession
from desktop.domain.calendar import Slot, format_date
from desktop.i18n import N_, _
from desktop.services.attendance import session_label
from desktop.services.attendance_month import (
    Cell,
    FollowUp,
    GridColumn,
    MonthGrid,
    RequestBrief,
    StudentMonth,
    newest_first,
)
from desktop.ui.table_model import RowsTableModel

AnyIndex = QModelIndex | QPersistentModelIndex


class HeaderRole(IntEnum):
    GROUP = int(Qt.ItemDataRole.UserRole) + 1
    """The upper line, shared by neighbouring columns (a day's dd/MM, "the year")."""
    SHORT = int(Qt.ItemDataRole.UserRole) + 2
    """The lower line (S/C for sáng/chiều, P/K/M)."""


PRESENT_SIGN = "·"

OFF_BACKGROUND = QColor("#dcdcdc")
OFF_FOREGROUND = QColor("#8a8a8a")
REQUEST_BACKGROUND = QColor("#d6e6f7")
MARK_BACKGROUNDS = {
    MarkStatus.UNEXCUSED: QColor("#f6d2d5"),
    MarkStatus.EXCUSED: QColor("#d3ecd9"),
    MarkStatus.LATE: QColor("#fbeec1"),
}
WARNING_BACKGROUNDS = (QColor("#ffd54f"), QColor("#ff9800"), QColor("#e53935"))
"""Amber, orange, red: the policy's warning levels in order, the last level red."""
OVER_LIMIT_BACKGROUND = QColor("#8e0000")
WHITE = QColor("#ffffff")


class Total(IntEnum):
    """The totals after the day columns, counted over the whole school year."""

    EXCUSED = 0
    UNEXCUSED = 1
    LATE = 2
    ABSENT = 3


_TOTAL_SHORT = {
    Total.EXCUSED: "P",
    Total.UNEXCUSED: "K",
    Total.LATE: "M",
    Total.ABSENT: "Σ",
}
_TOTAL_TIPS = {
    Total.EXCUSED: N_("Excused absences (P) this school year"),
    Total.UNEXCUSED: N_("Unexcused absences (K) this school year"),
    Total.LATE: N_("Late arrivals (M) this school year"),
    Total.ABSENT: N_("Sessions absent this school year, as the limit counts them"),
}
_WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def short_session(value: SchoolSession) -> str:
    """S (sáng) or C (chiều), the register's headings."""
    return _("AM") if value is SchoolSession.MORNING else _("PM")


def mark_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    return cell.status.code or PRESENT_SIGN


def warning_colour(level: int | None, warnings: Sequence[int]) -> QColor | None:
    """The colour of a warning level: the policy's last level red, the one before orange,
    the one before amber (a policy with fewer levels starts further along)."""
    if level is None or level not in warnings:
        return None
    rank = len(WARNING_BACKGROUNDS) - len(warnings) + list(warnings).index(level)
    return WARNING_BACKGROUNDS[max(0, rank)]


def request_line(brief: RequestBrief) -> str:
    first = f"{session_label(brief.first.session)} {format_date(brief.first.day)}"
    last = f"{session_label(brief.last.session)} {format_date(brief.last.day)}"
    return _("leave request #{id} ({status}, {first} – {last})").format(
        id=brief.request_id, status=brief.status.label, first=first, last=last
    )


def column_title(column: GridColumn) -> str:
    return _("{weekday} {day}, {session}").format(
        weekday=_(_WEEKDAYS[column.day.weekday()]),
        day=format_date(column.day),
        session=session_label(column.session),
    )


_DISPLAY, _BACKGROUND, _FOREGROUND, _FONT = range(4)
_CELL_ROLES = {
    int(Qt.ItemDataRole.DisplayRole): _DISPLAY,
    int(Qt.ItemDataRole.BackgroundRole): _BACKGROUND,
    int(Qt.ItemDataRole.ForegroundRole): _FOREGROUND,
    int(Qt.ItemDataRole.FontRole): _FONT,
}
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_FULL, _UPPER, _LOWER = range(3)
_HEADER_ROLES = {
    int(Qt.ItemDataRole.DisplayRole): _FULL,
    int(HeaderRole.GROUP): _UPPER,
    int(HeaderRole.SHORT): _LOWER,
}

Rendered = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]
"""A row's display texts, backgrounds, foregrounds and fonts, one per column."""


class MonthModel(RowsTableModel[StudentMonth]):
    """Rows are students in class-list order (their names in the vertical header); columns
    the month's sessions, then the year's totals (``Total``).

    A view asks for several roles of every cell it paints; a row's answers are worked out once,
    when it is first painted after a change, and looked up after that."""

    headers: ClassVar[Mapping[Any, str]] = {}
    """Unused: the grid's headers come from its month (``headerData``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.grid: MonthGrid | None = None
        self._columns: tuple[GridColumn, ...] = ()
        self._slots: tuple[Slot, ...] = ()
        self._rendered: list[Rendered | None] = []
        self._header: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
        self._italic = QFont()
        self._italic.setItalic(True)
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ filling

    def set_grid(self, grid: MonthGrid) -> bool:
        """Show ``grid``; rows are updated in place (the view keeps its current cell) when the
        month, its columns and its students are those already shown. Returns whether it was
        reset instead."""
        same = (
            self.grid is not None
            and self.grid.month == grid.month
            and self._columns == grid.columns
            and [r.student_id for r in self._rows] == [r.student_id for r in grid.students]
        )
        if not same:
            self.beginResetModel()
            self.grid, self._columns, self._rows = grid, grid.columns, list(grid.students)
            self._slots = tuple(column.slot for column in grid.columns)
            self._rendered = [None] * len(self._rows)
            self._header = self._header_texts()
            self.endResetModel()
            return True
        self.grid = grid
        self.update_students(grid.students, grid.requests)
        return False

    def update_students(
        self, students: Sequence[StudentMonth], requests: dict[int, RequestBrief]
    ) -> None:
        """Put the new state of some students in place, redrawing only the rows that changed."""
        if self.grid is not None:
            self.grid = _with_requests(self.grid, requests)
        fresh = {row.student_id: row for row in students}
        for number, row in enumerate(self._rows):
            new = fresh.get(row.student_id)
            if new is not None and new != row:
                self._rows[number] = new
                self._rendered[number] = None
                self.dataChanged.emit(self.index(number, 0), self.index(number, self._last()))

    def _last(self) -> int:
        return len(self._columns) + len(Total) - 1

    # ------------------------------------------------------------------ reading

    @property
    def columns(self) -> tuple[GridColumn, ...]:
        return self._columns

    def rows(self) -> tuple[StudentMonth, ...]:
        return tuple(self._rows)

    def column_at(self, number: int) -> GridColumn | None:
        return self._columns[number] if 0 <= number < len(self._columns) else None

    def cell_at(self, index: AnyIndex) -> Cell | None:
        if not index.isValid() or index.column() >= len(self._columns):
            return None
        return self._rows[index.row()].cells[index.column()]

    def index_of(self, student_id: int, slot: Slot) -> QModelIndex:
        if slot not in self._slots:
            return QModelIndex()
        for number, row in enumerate(self._rows):
            if row.student_id == student_id:
                return self.index(number, self._slots.index(slot))
        return QModelIndex()

    def refusal(self, index: AnyIndex) -> str | None:
        """Why this cell takes no roll call (``None``: it does)."""
        column = self.column_at(index.column()) if index.isValid() else None
        if column is None:
            return _("Choose a session of a student to record roll call.")
        if column.off is not None:
            return _("{day}: {why}; no roll call is taken.").format(
                day=format_date(column.day), why=column.off.label
            )
        cell = self.cell_at(index)
        if cell is not None and cell.from_request and cell.request_id is not None:
            return _(
                "This mark comes from leave request #{id}: change it through the request "
                "(Ctrl+O opens it)."
            ).format(id=cell.request_id)
        return None

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns) + len(Total)

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._rows):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self._rows[section].name
            if role == _TOOLTIP:
                return f"{self._rows[section].name} ({self._rows[section].code})"
            return None
        if not 0 <= section < len(self._header[_FULL]):
            return None
        kind = _HEADER_ROLES.get(role)
        if kind is not None:
            return self._header[kind][section]
        column = self.column_at(section)
        if column is None:
            if role == _TOOLTIP:
                return _(_TOTAL_TIPS[Total(section - len(self._columns))])
            return None
        if role == _TOOLTIP:
            title = column_title(column)
            return f"{title}: {column.off.label}" if column.off else title
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if self.grid is not None and column.day == self.grid.today else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return OFF_FOREGROUND if column.off is not None else None
        return None

    def _header_texts(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Each section's full text, its upper (shared) line and its lower line."""
        year = _("Year")
        full, upper, lower = [], [], []
        for column in self._columns:
            day, session = f"{column.day:%d/%m}", short_session(column.session)
            full.append(f"{day} {session}")
            upper.append(day)
            lower.append(session)
        for total in Total:
            full.append(f"{year} {_TOTAL_SHORT[total]}")
            upper.append(year)
            lower.append(_TOTAL_SHORT[total])
        return tuple(full), tuple(upper), tuple(lower)

    def look(self, row: int, column: int) -> tuple[str, QColor | None, QColor | None, Any]:
        """A cell's text, background, foreground and font (``MarkDelegate`` draws with them)."""
        rendered = self._rendered[row]
        if rendered is None:
            rendered = self._rendered[row] = self._render(self._rows[row])
        return (
            rendered[_DISPLAY][column],
            rendered[_BACKGROUND][column],
            rendered[_FOREGROUND][column],
            rendered[_FONT][column],
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        kind = _CELL_ROLES.get(role)
        if kind is not None:
            if not index.isValid():
                return None
            number = index.row()
            rendered = self._rendered[number]
            if rendered is None:
                rendered = self._rendered[number] = self._render(self._rows[number])
            return rendered[kind][index.column()]
        if role == _ALIGNMENT:
            return _CENTER if index.isValid() else None
        if role == _TOOLTIP and index.isValid():
            row = self._rows[index.row()]
            column = self.column_at(index.column())
            if column is None:
                total = Total(index.column() - len(self._columns))
                if total is Total.ABSENT and row.warning:
                    return row.warning
                return _(_TOTAL_TIPS[total])
            return self._cell_tip(row, column, row.cells[index.column()])
        return None

    def _render(self, row: StudentMonth) -> Rendered:
        display: list[Any] = []
        background: list[Any] = []
        foreground: list[Any] = []
        font: list[Any] = []
        for column, cell in zip(self._columns, row.cells, strict=True):
            display.append(mark_text(cell))
            if column.off is not None:
                background.append(OFF_BACKGROUND)
                foreground.append(OFF_FOREGROUND)
            else:
                foreground.append(None)
                if cell is None:
                    background.append(None)
                elif cell.from_request:
                    background.append(REQUEST_BACKGROUND)
                else:
                    background.append(MARK_BACKGROUNDS.get(cell.status))
            font.append(self._italic if cell is not None and cell.from_request else None)
        totals = row.totals
        display.extend(
            str(count)
            for count in (totals.excused, totals.unexcused, totals.late, totals.total_absent)
        )
        warnings = self.grid.policy.absence_warnings if self.grid is not None else ()
        colour = warning_colour(totals.warning, warnings)
        if totals.over_limit:
            colour = OVER_LIMIT_BACKGROUND
        background.extend((None, None, None, colour))
        foreground.extend((None, None, None, WHITE if totals.over_limit else None))
        font.extend((None, None, None, self._bold if totals.warning is not None else None))
        return tuple(display), tuple(background), tuple(foreground), tuple(font)

    def _cell_tip(self, row: StudentMonth, column: GridColumn, cell: Cell | None) -> str:
        lines = [f"{row.name} · {column_title(column)}"]
        if column.off is not None:
            lines.append(column.off.label)
        if cell is None:
            if column.off is None:
                lines.append(_("No roll call recorded."))
            return "\n".join(lines)
        lines.append(cell.status.label)
        if cell.from_request and cell.request_id is not None and self.grid is not None:
            brief = self.grid.requests.get(cell.request_id)
            where = request_line(brief) if brief else f"#{cell.request_id}"
            lines.append(_("From {request}; change it through the request.").format(request=where))
            if cell.source is MarkSource.AUDIT:
                lines.append(MarkSource.AUDIT.label)
        elif cell.observed is Observation.EXCUSED_BY_TEACHER:
            lines.append(_("Excused by the teacher at roll call."))
        else:
            lines.append(MarkSource.ROLL_CALL.label)
        return "\n".join(lines)


def _with_requests(grid: MonthGrid, requests: dict[int, RequestBrief]) -> MonthGrid:
    return replace(grid, requests={**grid.requests, **requests})


class FollowUpColumn(IntEnum):
    DATE = 0
    SESSION = 1
    STUDENT = 2


class FollowUpModel(RowsTableModel[FollowUp]):
    """Roll-call absences no request explains, the latest first: whom to ask the family about."""

    headers: ClassVar[Mapping[Any, str]] = {
        FollowUpColumn.DATE: N_("Date"),
        FollowUpColumn.SESSION: N_("Session"),
        FollowUpColumn.STUDENT: N_("Student"),
    }

    def replace_students(self, items: Sequence[FollowUp], student_ids: frozenset[int]) -> None:
        """Swap in the follow-ups of ``student_ids`` (a refresh of a few students)."""
        kept = [item for item in self._rows if item.student_id not in student_ids]
        merged = sorted([*kept, *items], key=newest_first)
        if merged != self._rows:
            self.set_rows(merged)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        item = self._rows[index.row()]
        match FollowUpColumn(index.column()):
            case FollowUpColumn.DATE:
                return format_date(item.day)
            case FollowUpColumn.SESSION:
                return session_label(item.session)
            case FollowUpColumn.STUDENT:
                if role == Qt.ItemDataRole.ToolTipRole:
                    return f"{item.name} ({item.code})"
                return item.name
        return None
