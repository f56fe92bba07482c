"""The app of one worker process when ``homeroom-server serve --workers N`` runs several.

uvicorn starts each worker from an import string, so the serve command hands the database and
the settings over in the environment; every worker opens its own ``Store`` (engines and pools
are not to be shared across a fork). Several processes on one database keep exactly-once and the
gap-free per-class seqs because the write lock lives in the database, not in the process
(``server.store``).
"""

from __future__ import annotations

import os
from datetime import date

from fastapi import FastAPI

from server.app import create_app
from server.settings import Settings
from server.store import open_store

DB_ENV = "HOMEROOM_SERVER_DB"
TODAY_ENV = "HOMEROOM_SERVER_TODAY"
PROXIES_ENV = "HOMEROOM_SERVER_TRUSTED_PROXIES"


def settings_environment(db: str, today: date | None, proxies: tuple[str, ...]) -> dict[str, str]:
    """What ``app_from_environment`` reads, for the serve command to export."""
    values = {DB_ENV: db, PROXIES_ENV: ",".join(proxies)}
    if today is not None:
        values[TODAY_ENV] = today.isoformat()
    return values


def app_from_environment() -> FastAPI:
    """uvicorn's factory (``server.workers:app_from_environment``): one worker's app."""
    store = open_store(os.environ[DB_ENV])
    today = os.environ.get(TODAY_ENV)
    proxies = tuple(p for p in os.environ.get(PROXIES_ENV, "").split(",") if p)
    return create_app(
        store,
        Settings(today=date.fromisoformat(today) if today else None, trusted_proxies=proxies),
    )
