"""Writing the class exchange file: every synced table, rows sorted by key, deterministic."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exchange.layout import FORMAT, VERSION, exchange_tables
from desktop.sync.rows import encode_row, encode_value


def export_database(session: Session, *, exported_at: datetime) -> dict[str, Any]:
    """The whole class database as the exchange document (the audit log stays local)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in exchange_tables():
        order = list(table.primary_key.columns)
        rows = session.execute(select(table).order_by(*order)).mappings()
        tables[table.name] = [encode_row(table, dict(row)) for row in rows]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": encode_value(exported_at),
        "tables": tables,
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_export(session: Session, path: Path, *, exported_at: datetime) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    text = dumps(export_database(session, exported_at=exported_at))
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
