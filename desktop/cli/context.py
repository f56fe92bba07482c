"""What every command needs: the open profile database and the class it works on."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.models.db import DATABASE_FILE, Database, default_data_dir, open_database
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope, load_scope


def database_path(args: argparse.Namespace) -> Path:
    folder: Path = args.data_dir if args.data_dir is not None else default_data_dir()
    return folder / DATABASE_FILE


def open_profile(args: argparse.Namespace) -> Database:
    return open_database(database_path(args))


@dataclass(frozen=True)
class Work:
    session: Session
    scope: ClassScope
    today: date

    @property
    def actor(self) -> str:
        return self.scope.teacher_name


@contextmanager
def work(args: argparse.Namespace, *, write: bool = True) -> Iterator[Work]:
    """One command's unit of work on the selected class (committed only if it succeeds)."""
    database = open_profile(args)
    try:
        manager = database.transaction() if write else database.reading()
        with manager as session:
            yield Work(session, load_scope(session, args.class_name), effective_today(session))
    finally:
        database.close()
