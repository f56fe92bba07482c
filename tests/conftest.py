"""Shared fixtures: real SQLite profiles in temporary folders, Vietnamese by default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.patient_qtbot import PatientQtBot

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("HOMEROOM_LANG", None)
os.environ.pop("HOMEROOM_TODAY", None)


@pytest.fixture(autouse=True)
def _isolated_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may touch the real user folders or inherit a language from the shell."""
    monkeypatch.setenv("HOMEROOM_DATA_DIR", str(tmp_path / "profile"))
    # Settings too: a test that saves a preference must not change the next test's (or the
    # developer's own) language, intervals or window geometry.
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("HOMEROOM_LANG", raising=False)
    monkeypatch.delenv("HOMEROOM_TODAY", raising=False)
    from desktop import i18n

    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture(scope="session")
def gui_collector(qapp: QCoreApplication) -> None:
    """Garbage collected on the GUI thread's timer only, as in the app: a previous test's
    screen, kept by a reference cycle, was otherwise destroyed wherever the GUI thread next
    ran Python once a lane's allocations had found it (desktop.ui.collector)."""
    from desktop.ui.collector import collect_on_the_gui_thread

    collect_on_the_gui_thread(qapp)


@pytest.fixture
def qtbot(qapp: object, gui_collector: None, request: pytest.FixtureRequest) -> PatientQtBot:
    """pytest-qt's ``qtbot`` with waits that outlast a busy machine (patient_qtbot.py)."""
    return PatientQtBot(request)
