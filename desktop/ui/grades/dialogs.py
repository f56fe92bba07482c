"""The grade book's two dialogs: the reason a change request needs, and a cell's history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _
from desktop.services.grade_book import HistoryLine

REASON_LENGTH = 500
"""What the ``set_grade`` intent accepts."""


class ReasonDialog(QDialog):
    """Asks why a published, locked or overdue grade is changed; OK only with a reason."""

    def __init__(
        self,
        what: str,
        old_value: str,
        new_value: str,
        accepted: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Reason for the change"))
        self._accepted = accepted
        explanation = QLabel(
            _(
                "{what}: {old} → {new}. This grade was published, locked or is past its "
                "deadline: the change is a change request, kept with its reason."
            ).format(what=what, old=old_value, new=new_value)
        )
        explanation.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_LENGTH)
        self.reason.setPlaceholderText(_("Why the grade changes (required)"))
        label = QLabel(_("&Reason:"))
        label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Save the change"))
        ok.setEnabled(False)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _confirm(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            return
        self.accept()
        self._accepted(reason)


class HistoryDialog(QDialog):
    """A cell's first entry and every change since, oldest first."""

    def __init__(self, what: str, lines: Sequence[HistoryLine], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("History of the cell"))
        title = QLabel(f"<b>{escape(what)}</b>")
        self.text = QTextBrowser()
        self.text.setHtml(history_html(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(560, 320)


def history_html(lines: Sequence[HistoryLine]) -> str:
    if not lines:
        return escape(_("This cell has no grade yet."))
    items = []
    for line in lines:
        if not line.old_value:
            text = _("{when}: {who} entered {value}.").format(
                when=line.when, who=line.by, value=line.new_value
            )
        elif line.change_request:
            text = _("{when}: {who} changed {old} to {new} (change request: {reason}).").format(
                when=line.when,
                who=line.by,
                old=line.old_value,
                new=line.new_value,
                reason=line.reason,
            )
        else:
            text = _("{when}: {who} changed {old} to {new}.").format(
                when=line.when, who=line.by, old=line.old_value, new=line.new_value
            )
        items.append(f"<li>{escape(text)}</li>")
    return f"<ul>{''.join(items)}</ul>"
