"""Entry point of ``homeroom``: builds the parser, opens the profile, runs one command.

Every ``HomeroomError`` becomes a one-line message on stderr and its exit code (2 for bad input);
a command runs in one transaction, so a failure changes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from desktop import __version__
from desktop.cli import argparse_vi, commands_desktop
from desktop.errors import HomeroomError
from desktop.i18n import _


def build_parser() -> argparse.ArgumentParser:
    # The commands' modules bring in the services and SQLAlchemy: only when a command is used.
    from desktop.cli import (
        commands_data,
        commands_demo,
        commands_excel,
        commands_grades,
        commands_leave,
        commands_print,
        commands_report,
        commands_sync,
    )

    argparse_vi.install()
    parser = argparse.ArgumentParser(
        prog="homeroom",
        description=_("Homeroom (Sổ Chủ Nhiệm): the homeroom teacher's offline class book."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"homeroom {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=_("folder of the profile's database (default: HOMEROOM_DATA_DIR or the user folder)"),
    )
    parser.add_argument(
        "--class", dest="class_name", help=_("class to work on (default: the first)")
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    commands_data.register(commands)
    commands_leave.register(commands)
    commands_grades.register(commands)
    commands_print.register(commands)
    commands_report.register(commands)
    commands_excel.register(commands)
    commands_sync.register(commands)
    commands_demo.register(commands)
    return parser


def window_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The bare command's options when ``argv`` names no command (the window opens): read
    without building the whole parser, so the window's frame shows before the commands'
    modules are imported."""
    light = _QuietParser(add_help=False)
    light.add_argument("--data-dir", type=Path)
    light.add_argument("--class", dest="class_name")
    try:
        args, rest = light.parse_known_args(argv)
    except _Malformed:
        return None  # the whole parser says what is wrong, in the teacher's language
    return None if rest else args


class _Malformed(Exception):
    pass


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Malformed(message)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--self-test"]:  # a whole run of its own, before any parser
        from desktop.selftest.command import self_test

        return self_test(arguments[1:])
    args = window_arguments(arguments) or build_parser().parse_args(arguments)
    handler = getattr(args, "handler", commands_desktop.open_window)
    try:
        result: int = handler(args)
        return result
    except HomeroomError as error:
        print(_("Error: {message}").format(message=error.message), file=sys.stderr)
        for problem in getattr(error, "problems", []):
            print(f"  - {problem}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # Output piped into a pager or `head` that stopped reading: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(_("Interrupted; nothing was changed."), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
