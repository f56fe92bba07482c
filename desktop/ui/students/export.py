"""The students screen's "export the student's data": everything held about the selected
student, for a guardian's request, as a readable PDF or as JSON, where the teacher chooses.
Read on the database lane, drawn and written on the printing lane (``reports.output`` writes
the file whole or not at all, never through a temporary folder)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from desktop.errors import HomeroomError
from desktop.i18n import N_, _
from desktop.models.db import Database
from desktop.services import subject_access, workspace
from desktop.services.students import RosterRow
from desktop.ui.feedback import say
from desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    # The reports (reportlab) load at the first export, not on the window's way up.
    from desktop.reports.student_record import StudentRecord

PDF_FILTER = N_("PDF documents (*.pdf)")
JSON_FILTER = N_("JSON files (*.json)")


class StudentExport(QObject):
    """The action, its file dialog and the message that answers it."""

    def __init__(
        self,
        screen: QWidget,
        runner: TaskRunner,
        database: Database,
        class_name: str | None,
        selected: Callable[[], RosterRow | None],
        message: QLabel,
    ) -> None:
        super().__init__(screen)
        self._screen, self._runner, self._selected, self._message = (
            screen,
            runner,
            selected,
            message,
        )
        self._database, self._class_name = database, class_name
        self.action = QAction(_("Export the student's data…"), screen)
        self.action.setObjectName("student_export_action")
        self.action.setToolTip(
            _("Everything held about the selected student, for a guardian's request (PDF or JSON)")
        )
        self.action.triggered.connect(self.export)
        screen.addAction(self.action)
        self.ask_save: Callable[[str], Path | None] = self._ask_save
        """Replaced in tests, where a native dialog would block."""

    def _ask_save(self, name: str) -> Path | None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        pdf, json = _(PDF_FILTER), _(JSON_FILTER)
        chosen, kind = QFileDialog.getSaveFileName(
            self._screen, self.action.text(), str(Path(folder) / name), f"{pdf};;{json}"
        )
        if not chosen:
            return None
        path = Path(chosen)
        wanted = ".json" if kind == json else ".pdf"
        return path if path.suffix.lower() in (".pdf", ".json") else path.with_suffix(wanted)

    def export(self) -> None:
        row = self._selected()
        if row is None:
            return
        path = self.ask_save(f"du-lieu-{row.code}.pdf")
        if path is None:
            return
        database, class_name, code = self._database, self._class_name, row.code
        as_json = path.suffix.lower() == ".json"

        def read() -> str | StudentRecord:
            from desktop.reports import student_record

            with workspace.work(database, class_name, write=False) as unit:
                if as_json:
                    held = subject_access.collect(unit.session, unit.scope, code)
                    return subject_access.to_json(held) + "\n"
                return student_record.collect(unit.session, unit.scope, code)

        self.action.setEnabled(False)
        self._runner.run_database(read, lambda found: self._write(path, found), self._failed)

    def _write(self, path: Path, found: str | StudentRecord) -> None:
        def write() -> Path:
            from desktop.reports import student_record
            from desktop.reports.output import write_document

            if isinstance(found, str):
                return write_document(path, found.encode("utf-8"))
            return write_document(path, student_record.draw(found))

        self._runner.run_printing(write, self._written, self._failed)

    def _written(self, path: Path) -> None:
        if shiboken6.isValid(self._message):
            self.action.setEnabled(True)
            say(self._message, _("Saved as {path}.").format(path=path), error=False)

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self._message):
            self.action.setEnabled(True)
            say(self._message, error.message, error=True)
