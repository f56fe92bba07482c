"""``homeroom`` with no command: the desktop window on the profile.

Qt is imported only here, at call time, so every other command works on a machine without a
screen or Qt's system libraries.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from desktop import paths
from desktop.errors import HomeroomError
from desktop.i18n import _

CLI_HINT = "homeroom --help"
X_TCP_PORT = 6000
"""Display N of a remote X server (an SSH forwarding: ``localhost:10``) listens on 6000 + N."""


def has_screen() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    return display != "" and x_server_answers(display)


def x_server_answers(display: str) -> bool:
    """Whether the X server that ``display`` names takes a connection. Given one that does not
    (a stale ``DISPLAY`` after a remote session, an X server stopped), Qt aborts with its own
    English lines ("could not connect to display") before any of ours can speak."""
    host, _colon, screen = display.rpartition(":")
    number = screen.split(".")[0]
    if not number.isdigit():
        return True  # a form this does not know: Qt judges
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        # Linux's abstract socket first (what Xorg and Xvfb listen on), then the file.
        return any(_accepts(socket.AF_UNIX, address) for address in ("\0" + path, path))
    return _accepts(socket.AF_INET, (host, X_TCP_PORT + int(number)))


def _accepts(family: socket.AddressFamily, address: str | tuple[str, int]) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            probe.connect(address)
    except OSError:
        return False
    return True


def open_window(args: argparse.Namespace) -> int:
    if not has_screen():
        raise HomeroomError(
            _(
                "There is no screen to show the window on; every action works from the "
                "command line: {hint}"
            ).format(hint=CLI_HINT)
        )
    try:
        from desktop.app import run_desktop
    except ImportError as error:
        raise HomeroomError(
            _(
                "The desktop window cannot start on this computer ({error}); every action "
                "works from the command line: {hint}"
            ).format(error=error, hint=CLI_HINT)
        ) from error
    return run_desktop(paths.database_file(args.data_dir), class_name=args.class_name)
