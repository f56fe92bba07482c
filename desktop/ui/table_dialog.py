"""The layout of a dialog that answers with a table: a wrapped heading, the table, Close."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableView, QVBoxLayout

from desktop.i18n import _


def lay_out(dialog: QDialog, heading: str, table: QTableView, *, height: int) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    label = QLabel(heading)
    label.setWordWrap(True)
    layout.addWidget(label)
    layout.addWidget(table, 1)
    layout.addWidget(buttons)
    dialog.resize(900, height)
