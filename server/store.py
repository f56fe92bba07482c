"""Open the server database (SQLite file or PostgreSQL) and hand out write and read sessions.

The school's data uses the desktop's tables; the server adds its own (``server.tables``).

Write transactions are serialized, on purpose: the domain rules read then write (a parent's
cancellation and a teacher's decision on the same request), the audit log is one hash chain, and
change seqs must become visible in the order they were handed out, or a reader could skip a
lower seq that commits late. A school's write volume is small, so one writer at a time costs
little. SQLite: ``BEGIN IMMEDIATE`` (the driver's own deferred ``BEGIN`` would fail with
"database is locked" when a reader upgrades). PostgreSQL: a transaction-scoped advisory lock,
plus the counter row lock ``UPDATE … RETURNING`` in ``server.changes``.

Read transactions are one snapshot: ``BEGIN`` (deferred) on SQLite in WAL mode, REPEATABLE READ
on PostgreSQL. The hot reads of a sync (``server.hot``) are single statements, each a snapshot by
itself: on PostgreSQL they run on a pool of autocommit connections, without the ``BEGIN`` and
``ROLLBACK`` round trips and without a liveness ping per checkout (a connection the database
dropped fails one request with 503, is discarded with its pool, and the client retries).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import HomeroomError
from desktop.i18n import _
from desktop.models import Base
from server import changes
from server.tables import ServerBase

DEFAULT_FILE = "server.sqlite3"
WRITE_OPTION = "homeroom_write"
WRITE_LOCK_KEY = 0x484D524D
"""The advisory lock every PostgreSQL write transaction takes ("HMRM")."""


def default_url(folder: Path | None = None) -> str:
    return f"sqlite:///{(folder or Path.cwd()) / DEFAULT_FILE}"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: the "begin" hook below issues BEGIN itself, so a read
    # transaction is a real snapshot and a write one takes the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@dataclass(frozen=True)
class Store:
    """An open server database."""

    url: str
    engine: Engine
    writer: sessionmaker[Session]
    reader: sessionmaker[Session]
    hot_engine: Engine

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One serialized write transaction with change capture; commits on success."""
        with self.writer.begin() as session:
            if self.is_postgresql:
                session.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read-only snapshot; rolled back at the end."""
        with self.reader() as session:
            yield session  # closing the session rolls the snapshot back

    @contextmanager
    def hot(self) -> Iterator[Connection]:
        """A connection for single-statement reads (``server.hot``)."""
        with self.hot_engine.connect() as connection:
            yield connection

    def fix_sequences(self) -> None:
        """After rows were inserted with explicit ids (the demo generator), move PostgreSQL's
        id sequences past them; SQLite needs nothing."""
        if not self.is_postgresql:
            return
        with self.engine.begin() as connection:
            for metadata in (Base.metadata, ServerBase.metadata):
                for table in metadata.sorted_tables:
                    primary = list(table.primary_key.columns)
                    if len(primary) != 1 or primary[0].name != "id":
                        continue
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )

    def close(self) -> None:
        self.engine.dispose()
        self.hot_engine.dispose()


def _add_missing_columns(engine: Engine) -> None:
    """Add the nullable columns of the server's own tables that an older database lacks (the
    only schema change the server makes by itself; see ``server.tables``)."""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in ServerBase.metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable or column.primary_key:
                    raise RuntimeError(
                        f"the server database lacks {table.name}.{column.name}: migrate it"
                    )
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(
                    text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                )


def open_store(url: str) -> Store:
    """Open (creating the tables if needed) the server database at ``url``."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        read_engine = hot_engine = engine
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as missing:
            # A desktop install carries no PostgreSQL driver: the server extra does.
            raise HomeroomError(
                _(
                    "This installation has no driver for the database {name}: install the "
                    "server's extra (pip install 'homeroom[server]')."
                ).format(name=missing.name or "?")
            ) from None
        read_engine = engine.execution_options(isolation_level="REPEATABLE READ")
        # Each is held for one statement: 10 kept open, 30 at most (with the sessions' 15, a
        # worker needs at most 45 of PostgreSQL's connections; docs/deployment.md).
        hot_engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=10, max_overflow=20)
    Base.metadata.create_all(engine)
    ServerBase.metadata.create_all(engine)
    _add_missing_columns(engine)
    writer = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
    changes.install(writer)
    reader = sessionmaker(read_engine, expire_on_commit=False)
    return Store(url=url, engine=engine, writer=writer, reader=reader, hot_engine=hot_engine)
