"""The message line under a dialog's form: what was done, or in red why it could not be."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: #b00020;"


def say(label: QLabel, text: str, *, error: bool) -> None:
    label.setText(text)
    label.setStyleSheet(ERROR_STYLE if error else "")
