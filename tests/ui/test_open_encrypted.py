"""Start-up on a profile whose key is kept under the app password (a PC without a keyring):
the password is asked for before the profile opens, a wrong one is said and asked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.models.db import DATABASE_FILE, open_database
from desktop.models.encryption import open_profile
from desktop.models.profile_key import PasswordNeeded
from desktop.security import app_password
from desktop.ui.startup import Prepared, prepare
from desktop.ui.tasks import TaskRunner
from desktop.ui.welcome.dialogs import OpenProfileDialog
from tests.factories import build_small_class
from tests.ui.conftest import Screenshot

APP_PASSWORD = "Mật khẩu 2026"


@pytest.fixture
def wrapped(tmp_path: Path) -> Path:
    """A profile with a class, encrypted under its app password."""
    path = tmp_path / "profile" / DATABASE_FILE
    database = open_database(path)
    with database.transaction() as session:
        build_small_class(session)
        app_password.set_password(session, APP_PASSWORD)
    database.close()
    open_profile(path, password=APP_PASSWORD, use_keyring=False).close()
    return path


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key (``qtbot.keyClicks`` aborts on non-ASCII)."""
    widget.setFocus()
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def test_the_start_up_needs_the_password_and_the_dialog_opens_the_profile(
    qtbot: QtBot, wrapped: Path, screenshot: Screenshot
) -> None:
    with pytest.raises(PasswordNeeded):
        prepare(wrapped, None)
    runner = TaskRunner()
    dialog = OpenProfileDialog(runner, lambda password: prepare(wrapped, None, password))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    type_text(dialog.form.password, "sai mật khẩu")
    qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Mật khẩu ứng dụng không đúng" in dialog.form.message.text())
    assert dialog.isVisible() and dialog.form.password.text() == ""
    screenshot(dialog, "open-encrypted-profile.png")

    type_text(dialog.form.password, APP_PASSWORD)
    with qtbot.waitSignal(dialog.opened) as opened:
        qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    prepared = opened.args[0]
    assert isinstance(prepared, Prepared)
    assert prepared.database is not None and prepared.scope is not None
    assert prepared.database.key is not None
    prepared.database.close()
    runner.wait()
    assert not dialog.isVisible()
