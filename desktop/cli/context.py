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
    from desktop.models.db import open_database

    return open_database(database_path(args))


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
