"""One unit of work on the selected class: a session, the class's scope and the school's today."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from desktop.models.db import Database
from desktop.services.profile import effective_today
from desktop.services.scope import ClassScope, load_scope


@dataclass(frozen=True)
class Work:
    session: Session
    scope: ClassScope
    today: date

    @property
    def actor(self) -> str:
        return self.scope.teacher_name


@contextmanager
def work(database: Database, class_name: str | None, *, write: bool = True) -> Iterator[Work]:
    """Committed only if the block succeeds; ``write=False`` never commits."""
    manager = database.transaction() if write else database.reading()
    with manager as session:
        yield Work(session, load_scope(session, class_name), effective_today(session))
