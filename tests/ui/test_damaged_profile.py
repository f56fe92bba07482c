"""A profile that fails its check on open, in the window: the damage message offers restoring the
newest good backup (chosen already; the unsynced roll call made after it carried over) or setting
the profile aside for a fresh copy from the server; closing leaves the file as it was. A profile
whose key the keyring lost offers the fresh copy only. Real files damaged on disk, the real
restore and the real dialogs, driven with pytest-qt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.models import profile_key
from desktop.models.db import BACKUP_FOLDER, open_database
from desktop.models.encryption import encrypt_profile, open_profile
from desktop.models.health import DamagedDatabase, check_health
from desktop.models.profile_key import KeyMissing
from desktop.services import backup
from desktop.sync.memory_keyring import MemoryKeyring
from desktop.ui.backup.damaged import DamagedProfileDialog, DamagedProfileFlow
from desktop.ui.backup.dialogs import RestoreDialog
from desktop.ui.tasks import TaskRunner
from tests.damage import overwrite_pages_of
from tests.sync_faults import harness
from tests.ui.conftest import Screenshot

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def damage(demo_path: Path) -> DamagedDatabase:
    """The demo profile with an automatic backup, then a roll call not yet synced, then its
    students' pages overwritten on disk."""
    database = open_database(demo_path)
    try:
        backup.back_up(database, now=NOW)
        student = harness.students_of(database)[0]
        assert harness.roll_call(database, student, date(2026, 3, 16), "morning", "late")
    finally:
        database.close()
    overwrite_pages_of(demo_path, "student")
    with pytest.raises(DamagedDatabase) as raised:
        check_health(demo_path)
    return raised.value


class Outcome:
    def __init__(self) -> None:
        self.repaired = 0
        self.given_up = 0


def flow_on(
    qtbot: QtBot, damage: DamagedDatabase | KeyMissing, runner: TaskRunner
) -> tuple[DamagedProfileFlow, Outcome]:
    parent = QWidget()
    qtbot.addWidget(parent)
    outcome = Outcome()

    def repaired() -> None:
        outcome.repaired += 1

    def given_up() -> None:
        outcome.given_up += 1

    flow = DamagedProfileFlow(
        damage, runner, parent, repaired=repaired, given_up=given_up, clock=lambda: NOW
    )
    flow.offer()
    assert isinstance(flow.dialog, DamagedProfileDialog)
    return flow, outcome


def press(dialog: QWidget | None, name: str) -> None:
    assert dialog is not None
    button = dialog.findChild(QPushButton, name)
    assert button is not None, name
    button.click()


def test_restoring_the_newest_good_backup_carries_the_unsynced_roll_call(
    qtbot: QtBot, damage: DamagedDatabase, runner: TaskRunner, screenshot: Screenshot
) -> None:
    assert damage.backup is not None
    flow, outcome = flow_on(qtbot, damage, runner)
    shown = flow.dialog
    assert shown is not None
    qtbot.waitExposed(shown)
    message = shown.findChild(QWidget, "damage_message")
    assert "bị hỏng" in message.text()  # type: ignore[union-attr]
    assert "1 thay đổi chưa gửi lên máy chủ (điểm danh: 1)" in message.text()  # type: ignore[union-attr]
    screenshot(shown, "damaged-profile.png")

    press(shown, "restore_damaged")
    qtbot.waitUntil(lambda: isinstance(flow.dialog, RestoreDialog))
    restore = flow.dialog
    assert isinstance(restore, RestoreDialog)
    qtbot.waitUntil(lambda: restore.source.text() == str(damage.backup))
    assert restore.check_button.isDefault() and not restore.restore_button.autoDefault()
    restore.check_button.click()
    qtbot.waitUntil(restore.restore_button.isEnabled)
    assert "điểm danh: 1" in restore.summary.text()
    restore.restore_button.click()
    qtbot.waitUntil(lambda: restore.restored is not None)
    assert not restore.from_file.isEnabled() and not restore.check_button.isEnabled()
    restore.reject()
    qtbot.waitUntil(lambda: outcome.repaired == 1)

    check_health(damage.path)  # sound again
    database = open_database(damage.path)
    try:
        assert len(harness.students_of(database)) > 30
        assert len(harness.pending(database)) == 1  # the roll call, queued once
    finally:
        database.close()
    kept = sorted((damage.path.parent / BACKUP_FOLDER).glob("damaged-*.sqlite"))
    assert len(kept) == 1 and outcome.given_up == 0


def test_a_fresh_copy_sets_the_damaged_profile_aside_after_asking(
    qtbot: QtBot, damage: DamagedDatabase, runner: TaskRunner
) -> None:
    damaged_bytes = damage.path.read_bytes()
    flow, outcome = flow_on(qtbot, damage, runner)
    press(flow.dialog, "fresh_copy")
    asked = flow.dialog
    assert isinstance(asked, QMessageBox)
    assert "chỉ còn trong bản được giữ lại" in asked.text()
    asked.button(QMessageBox.StandardButton.Cancel).click()  # the default: nothing moves
    assert isinstance(flow.dialog, DamagedProfileDialog)
    assert damage.path.read_bytes() == damaged_bytes

    press(flow.dialog, "fresh_copy")
    asked = flow.dialog
    assert isinstance(asked, QMessageBox)
    (go,) = [b for b in asked.buttons() if b.text() == "Chuyển sang chỗ khác và đăng nhập"]
    go.click()
    qtbot.waitUntil(lambda: outcome.repaired == 1)

    assert not damage.path.exists()
    (kept,) = (damage.path.parent / BACKUP_FOLDER).glob("damaged-*.sqlite")
    assert kept.read_bytes() == damaged_bytes


def test_closing_leaves_the_profile_as_it_was(
    qtbot: QtBot, damage: DamagedDatabase, runner: TaskRunner
) -> None:
    damaged_bytes = damage.path.read_bytes()
    flow, outcome = flow_on(qtbot, damage, runner)
    assert flow.dialog is not None
    flow.dialog.reject()
    assert outcome.given_up == 1 and outcome.repaired == 0
    assert damage.path.read_bytes() == damaged_bytes
    assert not list((damage.path.parent / BACKUP_FOLDER).glob("damaged-*"))


@pytest.fixture
def keyless(demo_path: Path) -> Iterator[KeyMissing]:
    """The demo profile encrypted under a key kept in the keyring, then that entry deleted (as
    on another Windows account, or after the keyring was reset)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        key = profile_key.keep_in_keyring(demo_path)
        encrypt_profile(demo_path, key)
        backend._secrets.clear()
        with pytest.raises(KeyMissing) as raised:
            open_profile(demo_path)
        yield raised.value
    finally:
        keyring.set_keyring(previous)


def test_a_profile_whose_key_is_gone_offers_only_the_fresh_copy(
    qtbot: QtBot, keyless: KeyMissing, runner: TaskRunner
) -> None:
    assert "không có trong kho mật khẩu" in keyless.message
    before = keyless.path.read_bytes()
    flow, outcome = flow_on(qtbot, keyless, runner)
    shown = flow.dialog
    assert shown is not None
    assert shown.windowTitle() == "Không mở được dữ liệu của lớp"
    restore = shown.findChild(QPushButton, "restore_damaged")
    assert restore is not None and restore.isHidden()  # its backups are under the lost key
    press(shown, "fresh_copy")
    asked = flow.dialog
    assert isinstance(asked, QMessageBox)
    (go,) = [b for b in asked.buttons() if b.text().startswith("Chuyển sang chỗ khác")]
    go.click()
    qtbot.waitUntil(lambda: outcome.repaired == 1)

    assert not keyless.path.exists() and not profile_key.key_file(keyless.path).exists()
    (kept,) = (keyless.path.parent / BACKUP_FOLDER).glob("damaged-*.sqlite")
    assert kept.read_bytes() == before and profile_key.key_file(kept).exists()
