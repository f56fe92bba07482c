"""Printing from the leave screen: "Print forms…" for the selected approved requests (the
print preview of their leave forms) and "Check a paper's code", where a barcode scanner types
the code printed on a form and the teacher reads whether it matches the record.

The forms are made and the codes checked on the database lane by the reports
(``desktop.reports.leave_form``, ``desktop.reports.verification``), imported there when first
used: reportlab is not on the window's way to its first screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.domain.leave import LeaveStatus
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import workspace
from desktop.services.leave import LeaveRow
from desktop.ui.printing.preview import PrintPreview
from desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desktop.reports.verification import Verdict


class CheckCodeDialog(QDialog):
    """A field a barcode scanner types into (it ends with Enter), and the verdict below; the
    field stays ready for the next paper."""

    def __init__(
        self,
        runner: TaskRunner,
        database: Database,
        class_name: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Check the code on a paper"))
        self._runner = runner
        self._database = database
        self._class_name = class_name
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("Scan the QR code on the form, or type its code"))
        self.code.returnPressed.connect(self.check)
        self.verdict = QLabel(_("Scan a form's QR code with the reader; it ends with Enter."))
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.setMinimumHeight(48)
        close = QPushButton(_("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Code on the paper:")))
        layout.addWidget(self.code)
        layout.addWidget(self.verdict)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(520, 180)

    def check(self) -> None:
        code = self.code.text().strip()
        if not code:
            return
        database, class_name = self._database, self._class_name

        def work() -> Verdict:
            from desktop.reports.verification import verify

            with workspace.work(database, class_name, write=False) as unit:
                return verify(unit.session, unit.scope, code)

        self.verdict.setText(_("Checking…"))
        self._runner.run_database(work, self._show, self._failed)

    def _show(self, verdict: Verdict) -> None:
        self._say(verdict.sentence, matches=verdict.matches)
        # The next scan replaces the code rather than joining it.
        self.code.selectAll()
        self.code.setFocus()

    def _failed(self, error: HomeroomError) -> None:
        self._say(error.message, matches=False)

    def _say(self, text: str, *, matches: bool) -> None:
        self.verdict.setText(text)
        self.verdict.setProperty("matches", matches)
        self.verdict.setStyleSheet(
            "color: #1b5e20; font-weight: bold;"
            if matches
            else "color: #b00020; font-weight: bold;"
        )


class LeavePrinting(QObject):
    """The two actions of the leave screen and the dialogs they open."""

    def __init__(
        self,
        screen: QWidget,
        database: Database,
        runner: TaskRunner,
        class_name: str | None,
    ) -> None:
        super().__init__(screen)
        self._screen = screen
        self._database = database
        self._runner = runner
        self._class_name = class_name
        self._chosen: list[int] = []
        self.preview: PrintPreview | None = None
        self.check_dialog: CheckCodeDialog | None = None
        self.print_action = self._action(_("Print forms…"), "Ctrl+P", self.print_forms)
        self.check_action = self._action(
            _("Check the code on a paper…"), "Ctrl+Shift+V", self.check_paper
        )
        self.selection_changed([])

    def selection_changed(self, rows: Sequence[LeaveRow]) -> None:
        """Forms are printed for the approved requests among ``rows``."""
        self._chosen = [row.id for row in rows if row.status == LeaveStatus.APPROVED.value]
        keys = self.print_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if self._chosen:
            tip = _("Print the forms of the {count} approved requests selected").format(
                count=len(self._chosen)
            )
        else:
            tip = _("Select one or more approved requests to print their forms")
        self.print_action.setEnabled(bool(self._chosen))
        self.print_action.setToolTip(f"{tip} ({keys})")

    def print_forms(self) -> None:
        if not self._chosen:
            return
        chosen = list(self._chosen)
        database, class_name = self._database, self._class_name

        def make() -> bytes:
            from desktop.reports.leave_form import render_leave_forms

            # A transaction, not a read: a profile's first form stores its verification key.
            with workspace.work(database, class_name, write=True) as unit:
                return render_leave_forms(unit.session, unit.scope, chosen)

        name = (
            _("leave-form-{id}.pdf").format(id=chosen[0])
            if len(chosen) == 1
            else _("leave-forms-{count}.pdf").format(count=len(chosen))
        )
        self._let_go(self.preview)
        self.preview = PrintPreview(
            self._runner, make, title=_("Leave forms"), file_name=name, parent=self._screen
        )
        self.preview.open()

    def check_paper(self) -> None:
        if self.check_dialog is None:
            self.check_dialog = CheckCodeDialog(
                self._runner, self._database, self._class_name, self._screen
            )
        self.check_dialog.open()
        self.check_dialog.code.selectAll()
        self.check_dialog.code.setFocus()

    @staticmethod
    def _let_go(dialog: QDialog | None) -> None:
        # A closed preview may still have answers on their way from the lanes: Python owns it
        # from now on, and it goes once the last of them has been delivered.
        if dialog is not None:
            dialog.close()
            dialog.setParent(None)

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self._screen)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text.rstrip('…')} ({shown})")
        action.triggered.connect(slot)
        self._screen.addAction(action)
        return action
