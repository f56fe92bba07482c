"""What every command needs: the open profile database and the class it works on.

The database and the services are imported when a command opens the profile, not when the
parser is built: ``homeroom --help`` never loads SQLAlchemy.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import paths

if TYPE_CHECKING:
    from desktop.models.db import Database
    from desktop.services.workspace import Work


def database_path(args: argparse.Namespace) -> Path:
    folder: Path | None = args.data_dir
    return paths.database_file(folder)


def open_profile(args: argparse.Namespace) -> Database:
    """The profile, encrypted at rest (a plain one is encrypted on this first open); the app
    password is asked for only when the profile's key is kept under it."""
    from desktop.models.encryption import open_profile as open_encrypted

    return open_encrypted(database_path(args), password=ask_app_password)


def ask_app_password() -> str:
    """The app password typed at the terminal (not echoed); a run with no terminal to ask on
    (a script, a scheduled task) gets a clear message instead of waiting for ever."""
    import getpass
    import sys

    from desktop.errors import StorageError
    from desktop.i18n import _

    if not sys.stdin.isatty():
        raise StorageError(
            _(
                "This profile is encrypted with the app password, and this command has no "
                "terminal to ask for it: run it in a terminal window."
            )
        )
    try:
        return getpass.getpass(_("App password: "))
    except (EOFError, KeyboardInterrupt):
        raise StorageError(_("No app password was typed: the profile stays closed.")) from None


@contextmanager
def work(args: argparse.Namespace, *, write: bool = True) -> Iterator[Work]:
    """One command's unit of work on the selected class (committed only if it succeeds)."""
    from desktop.services import workspace

    database = open_profile(args)
    try:
        with workspace.work(database, args.class_name, write=write) as unit:
            yield unit
    finally:
        database.close()
