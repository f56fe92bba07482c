"""The main window makes only its start screen at once: the others when first shown, or once
the start screen has its first lines; a screen may be given as a function that makes it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.models.db import Database
from desktop.services.scope import load_scope
from desktop.ui import navigation
from desktop.ui.main_window import MainWindow
from desktop.ui.navigation import Target
from desktop.ui.sync_controller import SyncController
from desktop.ui.tasks import TaskRunner


class Counted(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.reloads = 0
        self.opened: list[dict[str, Any]] = []

    def reload(self) -> None:
        self.reloads += 1

    def open_with(self, filters: dict[str, Any]) -> None:
        self.opened.append(filters)


def window(qtbot: QtBot, database: Database, runner: TaskRunner) -> MainWindow:
    with database.reading() as session:
        scope = load_scope(session)
    shown = MainWindow(database, scope, runner, SyncController(database, runner, _no_server))
    qtbot.addWidget(shown)
    return shown


def _no_server(_url: str, _user: str) -> Any:
    raise AssertionError("no sync expected")


def menu_titles(shown: MainWindow) -> list[str]:
    return [action.text() for action in shown.menuBar().actions() if action.isVisible()]


def test_the_other_screens_and_their_menu_come_after_the_start_screens_first_lines(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """Built: no leave menu yet; once the overview has answered, the leave screen is made and
    its menu follows the tools menu; a screen not made yet opens when asked for."""
    shown = window(qtbot, database, runner)
    assert "Đơ&n" not in menu_titles(shown)
    assert shown.has_screen(navigation.CONFLICTS)
    with qtbot.waitSignal(shown.overview.answered):
        pass
    qtbot.waitUntil(lambda: "Đơ&n" in menu_titles(shown))
    assert menu_titles(shown) == ["&Công cụ", "Đơ&n"]
    shown.open_target(Target(navigation.CONFLICTS))
    assert shown.stack.currentWidget() is shown.conflicts
    qtbot.waitUntil(lambda: not runner.busy)


def test_a_screen_given_as_a_function_is_made_once_when_first_opened(
    qtbot: QtBot, database: Database, runner: TaskRunner
) -> None:
    """add_screen with a function: nothing made until opened; then made once, shown, reloaded
    and given the filters."""
    shown = window(qtbot, database, runner)
    made: list[Counted] = []

    def make() -> QWidget:
        made.append(Counted())
        return made[-1]

    shown.add_screen("extra", "Extra", make, "Ctrl+9")
    assert made == []
    shown.open_target(Target("extra", {"student_id": 7}))
    assert len(made) == 1
    assert shown.stack.currentWidget() is made[0]
    assert made[0].reloads == 1
    assert made[0].opened == [{"student_id": 7}]
    shown.open_target(Target(navigation.OVERVIEW))
    shown.open_target(Target("extra"))
    assert len(made) == 1
    assert shown.current_key() == "extra"
    qtbot.waitUntil(lambda: not runner.busy)
