"""The students screen's tables: the roster (refreshed row by row, filtered by a diacritic-blind
search) and the three lists of a student's page: absences, leave requests, grades."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from enum import IntEnum
from typing import Any, ClassVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.domain.attendance import MarkSource, MarkStatus
from desktop.domain.calendar import Session, format_date
from desktop.domain.grading import format_score_display
from desktop.domain.leave import ReasonCategory
from desktop.domain.names import search_key
from desktop.i18n import N_, _
from desktop.services import leave_text
from desktop.services.attendance import session_label
from desktop.services.leave import LeaveRow
from desktop.services.students import AbsenceRow, GradeResult, GuardianRow, RosterRow, gender_label
from desktop.ui.table_model import RowsFilter, RowsTableModel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""A column's sort key as text, so Qt compares it itself (names in Vietnamese order)."""
AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    CODE = 0
    NAME = 1
    BIRTH = 2
    GENDER = 3
    GUARDIANS = 4
    ECONTACT = 5
    CONSENT = 6


_HEADERS = {
    Column.CODE: N_("Code"),
    Column.NAME: N_("Full name"),
    Column.BIRTH: N_("Date of birth"),
    Column.GENDER: N_("Gender"),
    Column.GUARDIANS: N_("Guardians"),
    Column.ECONTACT: N_("E-contact"),
    Column.CONSENT: N_("Consent"),
}
_HEADER_TIPS = {
    Column.ECONTACT: N_("The day a guardian registered for the e-contact book (vnEdu)"),
    Column.CONSENT: N_("The day a guardian's consent to online requests was recorded"),
}


def guardian_name(guardian: GuardianRow) -> str:
    """ "Dương Thị Thúy (mẹ)"."""
    return f"{guardian.full_name} ({guardian.relation_label})"


def guardian_line(guardian: GuardianRow) -> str:
    """ "Dương Thị Thúy (mẹ) · 0901461811"."""
    line = guardian_name(guardian)
    return f"{line} · {guardian.phone}" if guardian.phone else line


def econtact_text(row: RosterRow) -> str:
    registered = row.registered
    if registered is None or registered.econtact_registered_on is None:
        return _("Not registered")
    return format_date(registered.econtact_registered_on)


def consent_text(row: RosterRow) -> str:
    consent = next((g.consent_recorded_on for g in row.guardians if g.consent_recorded_on), None)
    return format_date(consent) if consent else "—"


class RosterModel(RowsTableModel[RosterRow]):
    """The class list. ``merge`` updates, inserts and removes single rows (never a reset), so
    the view keeps its selection and its scroll position when a change comes in."""

    headers = _HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._positions: dict[int, int] = {}

    def set_rows(self, rows: Sequence[RosterRow]) -> None:
        super().set_rows(rows)
        self._positions = {row.id: number for number, row in enumerate(self._rows)}

    def merge(self, rows: Iterable[RosterRow], asked: Collection[int] | None) -> None:
        """Show what a re-read found: ``rows`` replace or join the table; a student of
        ``asked`` (every student when ``None``) not among them has left the class."""
        fresh = {row.id: row for row in rows}
        gone = set(self._positions) if asked is None else set(asked)
        for student_id in gone - set(fresh):
            number = self._positions.get(student_id)
            if number is None:
                continue
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self.endRemoveRows()
            self._positions = {row.id: n for n, row in enumerate(self._rows)}
        for row in fresh.values():
            number = self._positions.get(row.id)
            if number is None:
                end = len(self._rows)
                self.beginInsertRows(QModelIndex(), end, end)
                self._rows.append(row)
                self._positions[row.id] = end
                self.endInsertRows()
            elif self._rows[number] != row:
                self._rows[number] = row
                self.dataChanged.emit(self.index(number, 0), self.index(number, len(Column) - 1))

    def by_id(self, student_id: int) -> RosterRow | None:
        number = self._positions.get(student_id)
        return None if number is None else self._rows[number]

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section in _HEADER_TIPS
        ):
            return _(_HEADER_TIPS[Column(section)])
        return super().headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _roster_display(row, column)
        if role == SORT_ROLE:
            if column is Column.NAME:
                return row.sort_text
            if column is Column.BIRTH:
                return row.date_of_birth.isoformat()
            return _roster_display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.GUARDIANS:
            return "\n".join(guardian_line(g) for g in row.guardians) or None
        return None


def _roster_display(row: RosterRow, column: Column) -> str:
    match column:
        case Column.CODE:
            return row.code
        case Column.NAME:
            return row.full_name
        case Column.BIRTH:
            return format_date(row.date_of_birth)
        case Column.GENDER:
            return gender_label(row.gender)
        case Column.GUARDIANS:
            return "; ".join(guardian_line(g) for g in row.guardians)
        case Column.ECONTACT:
            return econtact_text(row)
        case Column.CONSENT:
            return consent_text(row)


class RosterFilter(RowsFilter[RosterRow]):
    """Students whose name or code contains the search, with or without diacritics ("nguyen"
    finds "Nguyễn"); names sort the Vietnamese way."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = ""
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        with self.refiltering():
            self._query = search_key(text)

    def key_of(self, row: RosterRow) -> int:
        return row.id

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        if not self._query:
            return True
        text = self.rows().row_at(source_row).search_text
        return all(word in text for word in self._query.split(" "))


# --- A student's page -----------------------------------------------------------------------


class AbsenceColumn(IntEnum):
    DAY = 0
    SESSION = 1
    MARK = 2
    SOURCE = 3


class AbsencesModel(RowsTableModel[AbsenceRow]):
    headers: ClassVar[Mapping[Any, str]] = {
        AbsenceColumn.DAY: N_("Day"),
        AbsenceColumn.SESSION: N_("Session"),
        AbsenceColumn.MARK: N_("Mark"),
        AbsenceColumn.SOURCE: N_("Grounds"),
    }

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._rows[index.row()]
        match AbsenceColumn(index.column()):
            case AbsenceColumn.DAY:
                return format_date(row.day)
            case AbsenceColumn.SESSION:
                return session_label(Session(row.session))
            case AbsenceColumn.MARK:
                status = MarkStatus(row.status)
                return f"{status.code} · {status.label}"
            case AbsenceColumn.SOURCE:
                return source_text(row)


def source_text(row: AbsenceRow) -> str:
    """ "Roll call", or "Leave request #108" when a request decided the mark."""
    label = MarkSource(row.source).label
    return label if row.request_id is None else f"{label} #{row.request_id}"


class RequestColumn(IntEnum):
    ID = 0
    PERIOD = 1
    SESSIONS = 2
    REASON = 3
    STATE = 4


class RequestsModel(RowsTableModel[LeaveRow]):
    headers: ClassVar[Mapping[Any, str]] = {
        RequestColumn.ID: N_("Request"),
        RequestColumn.PERIOD: N_("Leave"),
        RequestColumn.SESSIONS: N_("Sessions"),
        RequestColumn.REASON: N_("Reason"),
        RequestColumn.STATE: N_("State"),
    }

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = RequestColumn(index.column())
        if role == Qt.ItemDataRole.ToolTipRole and column is RequestColumn.PERIOD:
            return leave_text.period(row)
        if role == Qt.ItemDataRole.ToolTipRole and column is RequestColumn.STATE:
            return row.state_label
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match column:
            case RequestColumn.ID:
                return f"#{row.id}"
            case RequestColumn.PERIOD:
                return leave_text.compact_period(row)
            case RequestColumn.SESSIONS:
                return str(row.sessions)
            case RequestColumn.REASON:
                return ReasonCategory(row.reason_category).label
            case RequestColumn.STATE:
                return row.state_label


class GradeColumn(IntEnum):
    SUBJECT = 0
    SEMESTER1 = 1
    SEMESTER2 = 2
    YEAR = 3
    TEACHER = 4


class GradesModel(RowsTableModel[GradeResult]):
    """Semester and year results per subject: "7,5" (the decimal comma), Đ / CĐ, or a dash
    while entries are missing (its tooltip says how many are in)."""

    headers: ClassVar[Mapping[Any, str]] = {
        GradeColumn.SUBJECT: N_("Subject"),
        GradeColumn.SEMESTER1: N_("Semester I"),
        GradeColumn.SEMESTER2: N_("Semester II"),
        GradeColumn.YEAR: N_("Year"),
        GradeColumn.TEACHER: N_("Subject teacher"),
    }

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = GradeColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            GradeColumn.SEMESTER1,
            GradeColumn.SEMESTER2,
            GradeColumn.YEAR,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column is GradeColumn.SUBJECT:
            return row.subject_name
        if role == Qt.ItemDataRole.ToolTipRole and column in (
            GradeColumn.SEMESTER1,
            GradeColumn.SEMESTER2,
        ):
            entered = row.entered[0 if column is GradeColumn.SEMESTER1 else 1]
            return _("{entered} of {expected} entries recorded").format(
                entered=entered, expected=row.expected
            )
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        match column:
            case GradeColumn.SUBJECT:
                return row.subject_name
            case GradeColumn.SEMESTER1:
                return result_text(row.semester1)
            case GradeColumn.SEMESTER2:
                return result_text(row.semester2)
            case GradeColumn.YEAR:
                return result_text(row.year)
            case GradeColumn.TEACHER:
                return row.teacher_name


def result_text(value: Decimal | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format_score_display(value)
    return value  # a comment subject's Đ / CĐ, as the report card writes it
