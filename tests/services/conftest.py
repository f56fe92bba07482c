"""A real SQLite profile holding the small hand-made class."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.models.db import Database, open_database
from tests.factories import SmallClass, build_small_class


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "homeroom.sqlite3")
    yield database
    database.close()


@pytest.fixture
def small(db: Database) -> SmallClass:
    with db.transaction() as session:
        return build_small_class(session)
