"""``homeroom`` with no command opens the window on the profile; what cannot open is said in
Vietnamese, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.cli.main import main
from desktop.models.db import DATABASE_FILE, open_database
from desktop.ui.backup.damaged import DamagedProfileDialog
from desktop.ui.main_window import MainWindow
from tests.damage import overwrite_pages_of
from tests.ui.conftest import WhenShown, boxes_answered


def test_the_bare_command_opens_the_window_on_the_profile(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    titles: list[str] = []

    def main_window() -> MainWindow | None:
        return next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ),
            None,
        )

    def close(window: object) -> None:
        assert isinstance(window, MainWindow)
        qtbot.waitUntil(lambda: window.leave.filter.rowCount() > 100)
        titles.append(window.windowTitle())
        window.close()

    when_shown(main_window, close)
    assert main(["--data-dir", str(demo_path.parent)]) == 0
    assert titles and titles[0].startswith("Sổ Chủ Nhiệm — lớp 11A1")


def test_a_file_that_is_not_homeroom_s_is_a_message_box(
    qtbot: QtBot, tmp_path: Path, when_shown: WhenShown
) -> None:
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "homeroom.sqlite3").write_bytes(b"not a database at all" * 100)
    said = boxes_answered(when_shown)
    code = main(["--data-dir", str(folder)])
    assert code == 3
    assert said == ["Tệp này không phải cơ sở dữ liệu Sổ Chủ Nhiệm, hoặc đã bị hỏng."]


def test_without_a_screen_the_bare_command_points_to_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Không có màn hình" in err and "homeroom --help" in err


def test_a_damaged_profile_offers_its_ways_out_saying_what_they_lose(
    qtbot: QtBot, tmp_path: Path, when_shown: WhenShown
) -> None:
    folder = tmp_path / "profile"
    path = folder / DATABASE_FILE
    open_database(path).close()
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO outbox (id, name, args, actor, created_at, attempts) "
        "VALUES ('i-1', 'set_attendance', '{}', 'gv', '2026-12-01 08:00:00.000000', 0)"
    )
    connection.commit()
    connection.close()
    overwrite_pages_of(path, "student")
    said: list[str] = []

    def close(box: object) -> None:
        assert isinstance(box, DamagedProfileDialog)
        message = box.findChild(QLabel, "damage_message")
        assert message is not None
        said.append(message.text())
        box.reject()  # closed: neither restored nor set aside

    when_shown(lambda: QApplication.activeModalWidget(), close)
    code = main(["--data-dir", str(folder)])
    assert code == 3
    assert len(said) == 1
    assert "bị hỏng" in said[0]
    assert "Không tìm thấy bản sao lưu tốt" in said[0]
    assert "1 thay đổi chưa gửi lên máy chủ (điểm danh: 1)" in said[0]


def test_a_damaged_profile_set_aside_starts_again_at_the_welcome_screen(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    """The app's own flow: the damage dialog, the fresh copy asked and confirmed, then the
    first start's welcome screen (sign in, or the demo) on the emptied profile folder."""
    from desktop.ui.backup.damaged import FRESH
    from desktop.ui.welcome.window import WelcomeWindow

    overwrite_pages_of(demo_path, "student")
    damaged = demo_path.read_bytes()
    seen: list[str] = []

    def next_step() -> object | None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            return modal
        welcome = (w for w in QApplication.topLevelWidgets() if isinstance(w, WelcomeWindow))
        return next((w for w in welcome if w.isVisible()), None)

    def answer(shown: object) -> None:
        if isinstance(shown, DamagedProfileDialog):
            seen.append("damaged")
            shown.choice = FRESH
            shown.accept()
        elif isinstance(shown, QMessageBox):
            seen.append("asked")
            (go,) = [b for b in shown.buttons() if b.text().startswith("Chuyển sang chỗ khác")]
            go.click()
        elif isinstance(shown, WelcomeWindow):
            seen.append("welcome")
            shown.close()
            return
        poller.start()  # the next step

    poller = when_shown(next_step, answer)
    main(["--data-dir", str(demo_path.parent)])
    assert seen == ["damaged", "asked", "welcome"]
    (kept,) = (demo_path.parent / "backups").glob("damaged-*.sqlite")
    assert kept.read_bytes() == damaged
    if demo_path.exists():
        # The welcome screen's new profile (encrypted where the OS has a keyring), no class yet.
        from desktop.models import SchoolClass
        from desktop.models.encryption import open_profile

        database = open_profile(demo_path)
        try:
            with database.reading() as session:
                assert session.query(SchoolClass).count() == 0
        finally:
            database.close()


def test_sigterm_closes_the_window_as_its_close_button_does(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    """A logout or shutdown (SIGTERM) closes the window: the close's backup is made and the
    database closed; before, the process ended at once with neither. The handler leaves with
    the window."""
    import os
    import signal

    before = signal.getsignal(signal.SIGTERM)
    shown: list[str] = []
    signalled: list[bool] = []

    def main_window() -> MainWindow | None:
        windows = (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        return next((w for w in windows if w.isVisible()), None)

    def terminate(window: object) -> None:
        assert isinstance(window, MainWindow)
        qtbot.waitUntil(lambda: window.leave.filter.rowCount() > 100)
        shown.append(window.windowTitle())
        if signal.getsignal(signal.SIGTERM) is before:
            window.close()  # no handler: the signal would end the whole test run
            return
        signalled.append(True)
        os.kill(os.getpid(), signal.SIGTERM)

    when_shown(main_window, terminate)
    assert main(["--data-dir", str(demo_path.parent)]) == 0
    assert shown
    assert signalled, "the window had no SIGTERM handler"
    assert len(list((demo_path.parent / "backups").glob("auto-*.sqlite"))) == 1
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_the_demo_command_hands_a_damaged_profile_to_the_window(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    """``homeroom demo`` signs its profile in before the window opens; a damaged one reaches
    the window's dialog instead of ending on the terminal. The window closed at once, the
    simulated parents stop with their server, quietly (they raised in their thread before)."""
    overwrite_pages_of(demo_path, "student")
    damaged = demo_path.read_bytes()
    seen: list[str] = []

    def close(box: object) -> None:
        assert isinstance(box, DamagedProfileDialog)
        seen.append(box.windowTitle())
        box.reject()

    when_shown(lambda: QApplication.activeModalWidget(), close)
    main(["--data-dir", str(demo_path.parent), "demo", "--duration", "1", "--rate", "1"])
    assert seen == ["Dữ liệu của lớp bị hỏng"]
    assert demo_path.read_bytes() == damaged
