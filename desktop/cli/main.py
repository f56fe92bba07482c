"""Entry point of ``homeroom``: builds the parser, opens the profile, runs one command.

Every ``HomeroomError`` becomes a one-line message on stderr and its exit code (2 for bad input);
a command runs in one transaction, so a failure changes nothing.

Building the parser imports only light modules (each ``commands_*`` module imports the services
it needs inside its handlers), so ``--help`` of any command answers without SQLAlchemy, Qt,
httpx or pydantic; ``--version`` answers before the parser is even built: this module imports
neither argparse (and its ``re``), ``pathlib``, ``typing`` nor the catalogue at load time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.errors import HomeroomError

# typing.TYPE_CHECKING without importing typing (mypy reads any name TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import logging
    from typing import NoReturn


def build_parser() -> argparse.ArgumentParser:
    import argparse
    from pathlib import Path

    from desktop.cli import (
        argparse_vi,
        commands_backup,
        commands_data,
        commands_demo,
        commands_excel,
        commands_grades,
        commands_leave,
        commands_pilot,
        commands_print,
        commands_privacy,
        commands_report,
        commands_sync,
    )
    from desktop.i18n import _

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
    parser.add_argument(  # handled in main() before parsing; declared here for --help
        "--self-test",
        action="store_true",
        help=_(
            "check this installation (a temporary demo profile, the window, a printed form, "
            "the keyring, the catalogues and fonts) and exit"
        ),
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar=_("FOLDER"),
        help=_("folder of the profile's database (default: HOMEROOM_DATA_DIR or the user folder)"),
    )
    parser.add_argument(
        "--class",
        dest="class_name",
        metavar=_("CLASS"),
        help=_("class to work on (default: the first)"),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    commands_data.register(commands)
    commands_leave.register(commands)
    commands_grades.register(commands)
    commands_print.register(commands)
    commands_report.register(commands)
    commands_pilot.register(commands)
    commands_privacy.register(commands)
    commands_backup.register(commands)
    commands_excel.register(commands)
    commands_sync.register(commands)
    commands_demo.register(commands)
    return parser


def window_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The bare command's options when ``argv`` names no command (the window opens): read
    without building the whole parser, so the window's frame shows before the commands'
    modules are imported."""
    import argparse
    from pathlib import Path

    class QuietParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise _Malformed(message)

    light = QuietParser(add_help=False)
    light.add_argument("--data-dir", type=Path)
    light.add_argument("--class", dest="class_name")
    try:
        args, rest = light.parse_known_args(argv)
    except _Malformed:
        return None  # the whole parser says what is wrong, in the teacher's language
    return None if rest else args


class _Malformed(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--version"]:
        # What installers and support scripts ask first: no catalogue, no parser.
        print(f"homeroom {__version__}")
        return 0
    if arguments[:1] == ["--self-test"]:  # a whole run of its own, before any parser
        from desktop.selftest.command import self_test

        try:
            return self_test(arguments[1:])
        except BrokenPipeError:
            return _reader_gone()
    import logging

    from desktop.cli import commands_desktop
    from desktop.i18n import _

    args = window_arguments(arguments)
    if args is None:
        args = build_parser().parse_args(arguments)
        if args.self_test:
            # After another option (``--data-dir X --self-test``): refused as after it, rather
            # than read as no command at all, which opened the window.
            from desktop.selftest.command import self_test

            return self_test([argument for argument in arguments if argument != "--self-test"])
    handler = getattr(args, "handler", commands_desktop.open_window)
    # A command's warnings (a sync's clock skew, a retried request) go to the profile's log in
    # private form, not to the terminal in Python's English; the window keeps its own log.
    log = None if handler is commands_desktop.open_window else _command_log(args)
    try:
        result: int = handler(args)
        return result
    except HomeroomError as error:
        print(_("Error: {message}").format(message=error.message), file=sys.stderr)
        for problem in getattr(error, "problems", []):
            print(f"  - {problem}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print(_("Interrupted; nothing was changed."), file=sys.stderr)
        return 130
    except Exception as error:
        return _bug(error, logged=log is not None and not isinstance(log, logging.NullHandler))
    finally:
        if log is not None:
            logging.getLogger().removeHandler(log)
            log.close()


def _bug(error: Exception, *, logged: bool) -> int:
    """A bug in a command: a sentence for the teacher, and what finds the bug (types and
    frames, never the message: it can quote a row, a name or a phone) in the profile's log, or
    on stderr when there is no profile to log beside. Python's own report would print the
    message, in English, where a scheduled ``sync --watch`` keeps its output."""
    import logging

    from desktop.crash import crash_report
    from desktop.i18n import _

    if logged:
        logging.getLogger("desktop.cli").error("a command failed", exc_info=error)
    message = _("Something went wrong; the details are in the log file.")
    print(_("Error: {message}").format(message=message), file=sys.stderr)
    if not logged:
        print(crash_report(type(error), error, error.__traceback__), file=sys.stderr)
    return 1


def _reader_gone() -> int:
    """Output piped into a pager or `head` that stopped reading: not an error of ours; stdout
    goes nowhere so that the interpreter's own final flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _command_log(args: argparse.Namespace) -> logging.Handler | None:
    """The log beside the profile, when there is one: a command on a folder that holds no
    profile yet must not create it (``init`` and the welcome screen decide what is new)."""
    from desktop import paths
    from desktop.logs import log_to_file

    folder = paths.log_dir(getattr(args, "data_dir", None))
    return log_to_file(folder) if folder.is_dir() else None


if __name__ == "__main__":
    sys.exit(main())
