"""Shared fixtures: real SQLite profiles in temporary folders, Vietnamese by default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.patient_qtbot import PatientQtBot

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


@pytest.fixture
def qtbot(qapp: object, request: pytest.FixtureRequest) -> PatientQtBot:
    """pytest-qt's ``qtbot`` with waits that outlast a busy machine (patient_qtbot.py)."""
    return PatientQtBot(request)
