"""Printing from the leave screen: "Print forms…" for the selected approved requests (the
print preview of their leave forms) and "Check a paper's code", where a barcode scanner types
the code printed on a form and the teacher reads whether it matches the record.

What makes the forms and what checks a code are passed in (``LeaveFormMaker``, ``CodeChecker``),
both run on the database lane; by default they are the reports' own, ``desktop.reports.leave_form``
and ``desktop.reports.verification``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from desktop.domain.leave import LeaveStatus
from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models.db import Database
from desktop.services import workspace
from desktop.services.leave import LeaveRow
from desktop.services.scope import ClassScope
from desktop.ui.printing.preview import PrintPreview
from desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class CodeVerdict:
    """Whether a paper's code matches the record, and the sentence that says so."""

    matches: bool
    sentence: str


LeaveFormMaker = Callable[[Session, ClassScope, Sequence[int]], bytes]
"""The PDF of the leave forms of these requests, one A4 page each."""
CodeChecker = Callable[[Session, ClassScope, str], CodeVerdict]


def _report(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise HomeroomError(_("This version of Homeroom cannot print leave forms yet.")) from error


def leave_forms(session: Session, scope: ClassScope, request_ids: Sequence[int]) -> bytes:
    """The reports' leave forms (``desktop.reports.leave_form.render_leave_forms``)."""
    forms: bytes = _report("desktop.reports.leave_form").render_leave_forms(
        session, scope, list(request_ids)
    )
    return forms


def check_code(session: Session, scope: ClassScope, code: str) -> CodeVerdict:
    """The reports' verdict on a code (``desktop.reports.verification.verify``)."""
    verdict = _report("desktop.reports.verification").verify(session, scope, code)
    return CodeVerdict(bool(verdict.matches), str(verdict.sentence))


class CheckCodeDialog(QDialog):
    """A field a barcode scanner types into (it ends with Enter), and the verdict below; the
    field stays ready for the next paper."""

    def __init__(
        self,
        runner: TaskRunner,
        database: Database,
        class_name: str | None,
        checker: CodeChecker,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Check the code on a paper"))
        self._runner = runner
        self._database = database
        self._class_name = class_name
        self._checker = checker
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
        database, class_name, checker = self._database, self._class_name, self._checker

        def work() -> CodeVerdict:
            with workspace.work(database, class_name, write=False) as unit:
                return checker(unit.session, unit.scope, code)

        self.verdict.setText(_("Checking…"))
        self._runner.run_database(work, self._show, self._failed)

    def _show(self, verdict: CodeVerdict) -> None:
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
        *,
        make_forms: LeaveFormMaker = leave_forms,
        checker: CodeChecker = check_code,
    ) -> None:
        super().__init__(screen)
        self._screen = screen
        self._database = database
        self._runner = runner
        self._class_name = class_name
        self._make_forms = make_forms
        self._checker = checker
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
        chosen, make_forms = list(self._chosen), self._make_forms
        database, class_name = self._database, self._class_name

        def make() -> bytes:
            with workspace.work(database, class_name, write=False) as unit:
                return make_forms(unit.session, unit.scope, chosen)

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
                self._runner, self._database, self._class_name, self._checker, self._screen
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
