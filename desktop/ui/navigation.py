"""Screens and how one screen asks the window to open another, already filtered.

A screen is a widget with ``reload()`` (read everything it shows, on the database lane) and
``open_with(filters)`` (show what a link points at: a state, a student, a request). The overview's
lines and the leave table's overlap mark are links: a ``Target`` names the screen and its filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class Target:
    screen: str
    """A screen key: ``OVERVIEW``, ``LEAVE``, ..."""
    filters: dict[str, Any] = field(default_factory=dict)
    """What the screen should show, by name: ``status``, ``request_id``, ``student_id``, ..."""


OVERVIEW = "overview"
LEAVE = "leave"
POST_AUDIT = "post_audit"
CONFLICTS = "conflicts"
SUMMARY = "summary"
STUDENTS = "students"
GRADE_REVIEW = "grade_review"
GRADES = "grades"
ATTENDANCE = "attendance"


class Screen(Protocol):
    def reload(self) -> None: ...

    def open_with(self, filters: dict[str, Any]) -> None: ...


class Navigator(QObject):
    """Carries "open this" from any screen to the main window, which owns the screens."""

    open_requested = Signal(object)
    """A ``Target``."""

    def open(self, target: Target) -> None:
        self.open_requested.emit(target)
