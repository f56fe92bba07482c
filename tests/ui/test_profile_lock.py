"""One window per profile: a second start while the window is open points to it and ends; a
lock left by a window that was killed does not keep the profile shut."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop import paths
from desktop.cli.main import main
from desktop.demo.local_server import server_file
from desktop.errors import EXIT_PROFILE_IN_USE
from desktop.ui.main_window import MainWindow
from desktop.ui.profile_lock import lock_for_window
from tests.ui.conftest import WhenShown, boxes_answered

HOLDER = """
import sys
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
lock.setStaleLockTime(0)
print("held" if lock.tryLock(0) else "refused", flush=True)
sys.stdin.read()
"""


def main_window() -> MainWindow | None:
    """The window on screen (earlier tests' windows, closed, may linger hidden)."""
    windows = (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    return next((w for w in windows if w.isVisible()), None)


def start_holder(folder: Path) -> subprocess.Popen[str]:
    """A process holding the profile's window lock, as another window would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(paths.window_lock_file(folder))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


@contextmanager
def held_by_another_window(folder: Path) -> Iterator[None]:
    holder = start_holder(folder)
    try:
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_second_window_on_the_profile_points_to_the_first_and_opens_nothing(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    folder = demo_path.parent
    before = demo_path.read_bytes()
    opened: list[MainWindow] = []

    def close_window(window: object) -> None:
        assert isinstance(window, MainWindow)
        opened.append(window)
        window.close()

    with held_by_another_window(folder):
        said = boxes_answered(when_shown)
        when_shown(main_window, close_window)  # what went wrong before: a second window
        code = main(["--data-dir", str(folder)])
    assert code == EXIT_PROFILE_IN_USE
    assert said == [
        "Sổ Chủ Nhiệm đang mở hồ sơ này trong một cửa sổ khác; hãy làm tiếp ở cửa sổ đó (có "
        "thể nó đang thu nhỏ hoặc nằm sau các cửa sổ khác)."
    ]
    assert not opened
    assert demo_path.read_bytes() == before  # not opened: no check stamp, no migration


def test_the_lock_of_a_killed_window_is_taken_over_and_let_go_on_close(
    qtbot: QtBot, demo_path: Path, when_shown: WhenShown
) -> None:
    folder = demo_path.parent
    holder = start_holder(folder)
    holder.send_signal(signal.SIGKILL)  # a window killed, or the PC's power cut
    holder.wait()
    assert paths.window_lock_file(folder).exists()
    titles: list[str] = []

    def close(window: object) -> None:
        assert isinstance(window, MainWindow)
        titles.append(window.windowTitle())
        window.close()

    when_shown(main_window, close)
    assert main(["--data-dir", str(folder)]) == 0
    assert titles and titles[0].startswith("Sổ Chủ Nhiệm — lớp 11A1")
    assert not paths.window_lock_file(folder).exists()


def test_while_the_lock_is_held_another_process_is_refused_it(tmp_path: Path) -> None:
    lock = lock_for_window(tmp_path / "profile")
    assert lock is not None and lock.isLocked()
    try:
        probe = subprocess.run(
            [sys.executable, "-c", HOLDER, str(paths.window_lock_file(tmp_path / "profile"))],
            input="",
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout.strip() == "refused"
    finally:
        lock.unlock()
    again = lock_for_window(tmp_path / "profile")
    assert again is not None and again.isLocked()
    again.unlock()


def test_a_demo_on_a_profile_whose_window_is_open_changes_nothing(
    qtbot: QtBot,
    demo_path: Path,
    when_shown: WhenShown,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``homeroom demo`` signs the profile in to a server of its own before its window opens:
    refused first, it leaves the open window's profile (and its server address) as it was,
    and starts no server; in the window's place a message box, without one a message."""
    folder = demo_path.parent
    before = demo_path.read_bytes()
    with held_by_another_window(folder):
        said = boxes_answered(when_shown)
        windowed = main(["--data-dir", str(folder), "demo", "--duration", "1"])
        capsys.readouterr()
        plain = main(["--data-dir", str(folder), "demo", "--no-window", "--duration", "1"])
        _out, err = capsys.readouterr()
    assert windowed == plain == EXIT_PROFILE_IN_USE
    assert said and said[0].startswith("Sổ Chủ Nhiệm đang mở hồ sơ này trong một cửa sổ khác")
    assert err.startswith("Lỗi: Sổ Chủ Nhiệm đang mở hồ sơ này trong một cửa sổ khác")
    assert demo_path.read_bytes() == before
    assert not server_file(folder).exists()
