"""``homeroom`` with no command: the desktop window on the profile.

Qt is imported only here, at call time, so every other command works on a machine without a
screen or Qt's system libraries.
"""

from __future__ import annotations

import argparse
import os
import sys

from desktop import paths
from desktop.errors import HomeroomError
from desktop.i18n import _

CLI_HINT = "homeroom --help"


def has_screen() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


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
