"""Whether the window has a screen: a ``DISPLAY`` whose X server does not answer is no screen
(Qt would abort on it with English lines), one that answers is, locally or over TCP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.commands_desktop import X_TCP_PORT, has_screen, x_server_answers
from desktop.cli.main import main


def free_display_number() -> int:
    """A display no X server here listens on (neither its socket nor its TCP port)."""
    for number in range(900, 1000):
        if not x_server_answers(f":{number}") and not x_server_answers(f"127.0.0.1:{number}"):
            return number
    raise AssertionError("every display number answers")


@pytest.fixture
def only_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def test_a_display_nobody_listens_on_is_no_screen(only_display: pytest.MonkeyPatch) -> None:
    number = free_display_number()
    only_display.setenv("DISPLAY", f":{number}")
    assert not has_screen()
    only_display.setenv("DISPLAY", f"127.0.0.1:{number}.0")
    assert not has_screen()


def test_a_local_x_server_s_socket_is_a_screen(only_display: pytest.MonkeyPatch) -> None:
    number = free_display_number()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{number}")  # abstract: no file to leave behind
        server.listen(1)
        only_display.setenv("DISPLAY", f":{number}.0")
        assert has_screen()


def test_a_forwarded_display_is_probed_on_its_tcp_port(only_display: pytest.MonkeyPatch) -> None:
    with socket.socket() as server:
        for number in range(50, 100):
            try:
                server.bind(("127.0.0.1", X_TCP_PORT + number))
                break
            except OSError:
                continue
        else:
            raise AssertionError("no free port for a display")
        server.listen(1)
        only_display.setenv("DISPLAY", f"127.0.0.1:{number}")
        assert has_screen()


def test_other_platforms_and_a_named_qt_platform_are_trusted(
    only_display: pytest.MonkeyPatch,
) -> None:
    only_display.setenv("DISPLAY", f":{free_display_number()}")
    only_display.setenv("QT_QPA_PLATFORM", "offscreen")
    assert has_screen()
    only_display.delenv("QT_QPA_PLATFORM")
    only_display.setattr("sys.platform", "win32")
    assert has_screen()


def test_the_bare_command_on_a_display_that_is_gone_says_so_in_vietnamese(
    only_display: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    only_display.setenv("DISPLAY", f":{free_display_number()}")
    assert main(["--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: Không có màn hình để mở cửa sổ") and "homeroom --help" in err
    assert "could not connect" not in err
