"""What every command needs: the open profile database and the class it works on."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop import paths
from desktop.models.db import Database, open_database
from desktop.services import workspace
from desktop.services.workspace import Work


def database_path(args: argparse.Namespace) -> Path:
    folder: Path | None = args.data_dir
    return paths.database_file(folder)


def open_profile(args: argparse.Namespace) -> Database:
    return open_database(database_path(args))


@contextmanager
def work(args: argparse.Namespace, *, write: bool = True) -> Iterator[Work]:
    """One command's unit of work on the selected class (committed only if it succeeds)."""
    database = open_profile(args)
    try:
        with workspace.work(database, args.class_name, write=write) as unit:
            yield unit
    finally:
        database.close()
