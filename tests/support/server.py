"""The real server on a database URL, in-process on loopback, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from server.serving import serve_store
from server.settings import Settings
from server.store import open_store


@contextmanager
def running_server(db_url: str, settings: Settings | None = None) -> Iterator[str]:
    """Open the database at ``db_url`` and serve it; yields the base URL. The engine is disposed
    at the end."""
    store = open_store(db_url)
    try:
        with serve_store(store, settings) as url:
            yield url
    finally:
        store.close()
