"""The retention dialog: what the purge would remove today, per school year, and a button that
removes it once the teacher ticks that it cannot be undone. Both run on the database lane."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.calendar import format_date
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import retention, workspace
from desktop.services.retention import PurgeReport
from desktop.ui.feedback import say
from desktop.ui.tasks import TaskRunner


class RetentionDialog(QDialog):
    def __init__(
        self,
        database: Database,
        runner: TaskRunner,
        class_name: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Leave details past the retention period"))
        self._database = database
        self._runner = runner
        self._class_name = class_name

        self.hint = QLabel(
            _(
                "When a school year has ended and the school's retention period has passed, "
                "the free text of its leave requests (the guardians' reasons, the decision "
                "notes, the post-audit notes, the refused changes that quote them) is removed "
                "from this computer. Who was absent, which sessions, excused or not, the "
                "reason's category and the grades stay. The server keeps the school's own "
                "records."
            )
        )
        self.hint.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setAccessibleName(_("Leave details to remove"))
        self.list.setHeaderLabels(
            [
                _("School year"),
                _("Due since"),
                _("Reasons"),
                _("Decision notes"),
                _("Audit notes"),
                _("Refused changes"),
            ]
        )
        self.list.setRootIsDecorated(False)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.confirm = QCheckBox(_("I understand that removed details cannot be restored"))
        self.confirm.toggled.connect(lambda _checked: self._enable())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.purge_button = QPushButton(_("&Remove now"))
        self.purge_button.clicked.connect(self.purge)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.purge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(640, 360)
        self._due = 0
        self._busy = True
        self._enable()
        self._run(dry_run=True)

    def purge(self) -> None:
        if self._due and self.confirm.isChecked():
            self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        database, class_name = self._database, self._class_name

        def work() -> PurgeReport:
            with workspace.work(database, class_name, write=not dry_run) as unit:
                report = retention.purge(
                    unit.session, today=unit.today, actor=unit.actor, dry_run=dry_run
                )
            if report.applied:
                retention.settle(database)
            return report

        self._busy = True
        self._enable()
        self._runner.run_database(work, self._show, self._failed)

    def _show(self, report: PurgeReport) -> None:
        if not shiboken6.isValid(self):
            return
        self.list.clear()
        for year in report.years:
            self.list.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        year.year,
                        format_date(year.due_since),
                        str(year.reasons),
                        str(year.decision_notes),
                        str(year.audit_notes),
                        str(year.conflicts),
                    ]
                )
            )
        if report.applied:
            self._due = 0
            self.message.setText(_("{count} leave details removed.").format(count=report.total))
        else:
            self._due = report.total
            self.message.setText(
                _("{count} leave details would be removed (nothing changed).").format(
                    count=report.total
                )
                if report.total
                else _("No leave details are past the retention period.")
            )
        self.message.setStyleSheet("")
        self._busy = False
        self._enable()

    def _failed(self, error: HomeroomError) -> None:
        if shiboken6.isValid(self):
            say(self.message, error.message, error=True)
            self._busy = False
            self._enable()

    def _enable(self) -> None:
        self.confirm.setEnabled(not self._busy and self._due > 0)
        self.purge_button.setEnabled(not self._busy and self._due > 0 and self.confirm.isChecked())
