"""A demo profile per test (copied from one generated per session) and the desktop's parts."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop.cli.main import main
from desktop.models.db import DATABASE_FILE, Database, open_database
from desktop.ui.tasks import TaskRunner
from tests.support.profiles import copy_profile, without_keyring

WhenShown = Callable[[Callable[[], object | None], Callable[[object], None]], QTimer]


@pytest.fixture
def when_shown() -> Iterator[WhenShown]:
    """Polls the event loop until ``find`` returns a widget, then acts on it once: how a test
    drives a window whose event loop ``main`` runs. Its pollers stop with the test: one left
    running after a failure acted on the next test's window (a SIGTERM meant for a window that
    never opened ended the whole run)."""
    timers: list[QTimer] = []

    def start(find: Callable[[], object | None], act: Callable[[object], None]) -> QTimer:
        timer = QTimer()
        timer.setInterval(20)

        def poll() -> None:
            found = find()
            if found is not None:
                timer.stop()
                act(found)

        timer.timeout.connect(poll)
        timer.start()
        timers.append(timer)
        return timer

    yield start
    for timer in timers:
        timer.stop()


def boxes_answered(when_shown: WhenShown) -> list[str]:
    """The texts of the message boxes shown from now on, each closed once read."""
    said: list[str] = []

    def close(box: object) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.done(0)

    when_shown(lambda: QApplication.activeModalWidget(), close)
    return said


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    # Plain: helpers such as tests/sync_faults/harness.py clone the open profile with bare
    # sqlite3, and two SQLite libraries on one file in one process break each other's locks.
    # The encrypted window is tests/ui/test_open_encrypted.py's and test_welcome.py's.
    with without_keyring():
        assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder / DATABASE_FILE


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    return copy_profile(demo_template, tmp_path / "profile" / DATABASE_FILE)


@pytest.fixture
def database(demo_path: Path) -> Iterator[Database]:
    opened = open_database(demo_path)
    yield opened
    opened.close()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.wait()


Screenshot = Callable[[QWidget, str], Path]
"""Saves a widget's picture under a file name (the ``screenshot`` fixture)."""

SCREENSHOT_DIR_ENV = "HOMEROOM_SCREENSHOT_DIR"
"""Where the tests that grab a dialog save it: set it to ``docs/screenshots`` to refresh the
committed pictures. Unset, they go to the test's own folder, so a test run never rewrites files
of the checkout."""


@pytest.fixture
def screenshot(tmp_path: Path) -> Screenshot:
    folder = Path(os.environ.get(SCREENSHOT_DIR_ENV) or tmp_path / "screenshots")

    def save(widget: QWidget, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        assert widget.grab().save(str(target)), target
        return target

    return save
