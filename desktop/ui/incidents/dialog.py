"""The incidents dialog: the personal-data incidents recorded so far with the hours left to
notify, a form to record one or change the one selected, and "make the report", which asks
where to save the PDF. The facts are read on the database lane, the PDF drawn and written on
the printing lane, and only once the file is there is the report recorded (``run_change``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QDate, QDateTime, QModelIndex, QStandardPaths, Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import incidents as rules
from desktop.domain.calendar import SCHOOL_TIME_ZONE, format_date, school_time
from desktop.domain.incidents import IncidentFacts, IncidentKind
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import incidents, workspace
from desktop.services.changes import Changes
from desktop.services.incidents import Incident
from desktop.services.profile import effective_now
from desktop.ui.feedback import say
from desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    # The reports (reportlab) load at the first report made, not when the dialog opens.
    from desktop.reports.incident_report import IncidentReport

ID_ROLE = Qt.ItemDataRole.UserRole + 1
MOMENT_FORMAT = "dd/MM/yyyy HH:mm"


@dataclass(frozen=True)
class _Read:
    now: datetime
    incidents: list[Incident]


def _moment(value: datetime) -> str:
    """The list's compact form, "16:30 15/03/2026" (the report writes "16:30 ngày …")."""
    local = school_time(value)
    return f"{local.strftime('%H:%M')} {format_date(local.date())}"


def _to_qt(value: datetime) -> QDateTime:
    local = school_time(value)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def _from_qt(value: QDateTime) -> datetime:
    day, time = value.date(), value.time()
    return datetime(
        day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=SCHOOL_TIME_ZONE
    )


def left_text(incident: Incident, now: datetime) -> str:
    """The list's "to notify" column: hours left, passed, or when the report was made."""
    if incident.reported_at is not None:
        return _("report made {moment}").format(moment=_moment(incident.reported_at))
    left = rules.hours_left(incident.facts.occurred_at, now)
    if left is None:
        return _("deadline passed")
    return _("{hours} hours left").format(hours=left)


class IncidentsDialog(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        class_name: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Personal data incidents"))
        self._database = database
        self._runner = runner
        self._class_name = class_name
        self._now = datetime.min.replace(tzinfo=SCHOOL_TIME_ZONE)
        self._incidents: dict[int, Incident] = {}
        self.ask_save: Callable[[str], Path | None] = self._ask_save
        """Replaced in tests, where a native dialog would block."""

        self.hint = QLabel(
            _(
                "Record a personal data incident as soon as it is known: a computer lost or "
                "stolen, data sent to the wrong person, someone reading the class's records "
                "without the right. The report gives the principal what the app knows for the "
                "notification, due {hours} hours after the incident. Incidents are kept on "
                "this computer only."
            ).format(hours=rules.NOTIFICATION_HOURS)
        )
        self.hint.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setAccessibleName(_("Incidents recorded"))
        self.list.setHeaderLabels([_("No."), _("Kind of incident"), _("Happened"), _("To notify")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 40)
        self.list.setColumnWidth(1, 280)
        self.list.setColumnWidth(2, 120)
        self.list.currentItemChanged.connect(lambda current, _previous: self._chosen(current))

        self.kind = QComboBox()
        self.kind.setAccessibleName(_("Kind of incident"))
        for kind in IncidentKind:
            self.kind.addItem(kind.label, kind.value)
        self.happened = self._moment_edit(_("Happened"))
        self.discovered = self._moment_edit(_("Discovered"))
        self.description = self._text_edit(
            _("Description"), _("e.g. the staff room's laptop was gone after the lessons")
        )
        self.measures = self._text_edit(
            _("Measures taken"), _("e.g. reported to the school's guard and the police")
        )
        form = QFormLayout()
        form.addRow(_("&Kind:"), self.kind)
        form.addRow(_("&Happened:"), self.happened)
        form.addRow(_("D&iscovered:"), self.discovered)
        form.addRow(_("&Description:"), self.description)
        form.addRow(_("&Measures taken:"), self.measures)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.new_button = QPushButton(_("&New incident"))
        self.new_button.clicked.connect(self.start_new)
        self.save_button = QPushButton(_("&Save"))
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip(_("Save") + " (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.report_button = QPushButton(_("Make the &report…"))
        self.report_button.setToolTip(_("Save the notification report as a PDF"))
        self.report_button.clicked.connect(self.make_report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.new_button, self.save_button, self.report_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(720, 640)
        self._set_busy(True)
        self._reload()

    def _moment_edit(self, name: str) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setDisplayFormat(MOMENT_FORMAT)
        edit.setCalendarPopup(True)
        edit.setAccessibleName(name)
        return edit

    def _text_edit(self, name: str, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 12)
        return edit

    # --- Reading -------------------------------------------------------------------------

    def _reload(self, select: int | None = None) -> None:
        database = self._database

        def read() -> _Read:
            with database.reading() as session:
                return _Read(effective_now(session), incidents.incidents(session))

        self._runner.run_database(read, lambda found: self._show(found, select), self._failed)

    def _show(self, found: _Read, select: int | None) -> None:
        if not shiboken6.isValid(self):
            return
        self._now = found.now
        self._incidents = {incident.id: incident for incident in found.incidents}
        self.list.clear()
        for incident in found.incidents:
            facts = incident.facts
            item = QTreeWidgetItem(
                [
                    str(incident.id),
                    facts.kind.label,
                    _moment(facts.occurred_at),
                    left_text(incident, found.now),
                ]
            )
            item.setData(0, ID_ROLE, incident.id)
            item.setToolTip(1, facts.description)
            self.list.addTopLevelItem(item)
        self._set_busy(False)
        chosen = self._item_of(select)
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        else:
            self.start_new()

    def _item_of(self, incident_id: int | None) -> QTreeWidgetItem | None:
        for index in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(index)
            if item is not None and item.data(0, ID_ROLE) == incident_id:
                return item
        return None

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(0, ID_ROLE))

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        incident = None if item is None else self._incidents.get(int(item.data(0, ID_ROLE)))
        self.report_button.setEnabled(incident is not None)
        if incident is None:
            return
        facts = incident.facts
        self.kind.setCurrentIndex(max(0, self.kind.findData(facts.kind.value)))
        self.happened.setDateTime(_to_qt(facts.occurred_at))
        self.discovered.setDateTime(_to_qt(facts.discovered_at))
        self.description.setPlainText(facts.description)
        self.measures.setPlainText(facts.measures)

    def start_new(self) -> None:
        """An empty form at the profile's now; saving records a new incident."""
        self.list.setCurrentIndex(QModelIndex())
        self.list.clearSelection()
        self.report_button.setEnabled(False)
        self.kind.setCurrentIndex(0)
        self.happened.setDateTime(_to_qt(self._now))
        self.discovered.setDateTime(_to_qt(self._now))
        self.description.clear()
        self.measures.clear()
        self.description.setFocus()

    # --- Writing -------------------------------------------------------------------------

    def facts(self) -> IncidentFacts:
        """What the form says."""
        return IncidentFacts(
            IncidentKind(self.kind.currentData()),
            _from_qt(self.happened.dateTime()),
            _from_qt(self.discovered.dateTime()),
            self.description.toPlainText(),
            self.measures.toPlainText(),
        )

    def save(self) -> None:
        incident_id = self.selected_id()
        facts = self.facts()
        database, class_name = self._database, self._class_name

        def write() -> Changes:
            with workspace.work(database, class_name) as unit:
                if incident_id is None:
                    return incidents.add(unit.session, facts, actor=unit.actor)
                return incidents.edit(unit.session, incident_id, facts, actor=unit.actor)

        def done(changes: Changes) -> None:
            if not shiboken6.isValid(self):
                return
            self._say(changes.summary, error=False)
            touched = sorted(int(i) for i in changes.ids(incidents.ENTITY))
            self._reload(select=touched[0] if touched else None)

        self._set_busy(True)
        self._runner.run_change(write, done, self._failed, initiator=self)

    # --- The report ----------------------------------------------------------------------

    def _ask_save(self, name: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save the report as PDF"), str(Path(folder) / name), _("PDF documents (*.pdf)")
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def make_report(self) -> None:
        incident_id = self.selected_id()
        if incident_id is None:
            return
        path = self.ask_save(f"bao-cao-su-co-{incident_id}.pdf")
        if path is None:
            return
        database, class_name = self._database, self._class_name
        encrypted = database.key is not None

        def read() -> IncidentReport:
            from desktop.reports import incident_report

            with workspace.work(database, class_name, write=False) as unit:
                return incident_report.collect(
                    unit.session, unit.scope, incident_id, encrypted=encrypted
                )

        self._set_busy(True)
        self._say(_("Making the report…"), error=False)
        self._runner.run_database(read, lambda report: self._draw(path, report), self._failed)

    def _draw(self, path: Path, report: IncidentReport) -> None:
        def draw() -> Path:
            from desktop.reports import incident_report
            from desktop.reports.output import write_document

            return write_document(path, incident_report.draw(report))

        self._runner.run_printing(draw, lambda written: self._record(report, written), self._failed)

    def _record(self, report: IncidentReport, written: Path) -> None:
        """The file is there: note on the incident and in the audit log that it was made."""
        database, class_name = self._database, self._class_name
        incident_id, made_at = report.incident.id, report.made_at

        def write() -> Changes:
            with workspace.work(database, class_name) as unit:
                incidents.mark_reported(unit.session, incident_id, actor=unit.actor, now=made_at)
            summary = _("The report is saved as {path}.").format(path=written)
            return Changes.of(summary, **{incidents.ENTITY: [incident_id]})

        def done(changes: Changes) -> None:
            if shiboken6.isValid(self):
                self._say(changes.summary, error=False)
                self._reload(select=incident_id)

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
        self.report_button.setEnabled(not busy and self.selected_id() is not None)
