"""Writing the class exchange file: every class table, rows sorted by key, the same bytes for
the same data, written atomically.

Determinism is what makes export → import → export byte-identical (and a file diffable): keys
sorted, rows in primary-key order, values in one canonical text form, and the export time given
by the caller rather than read from the clock here.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.durable import fsync_folder
from desktop.errors import InvalidInput
from desktop.exchange.layout import FORMAT, VERSION, encode_time, encode_value, exchange_tables
from desktop.i18n import _
from desktop.models.base import utc_now
from desktop.validation_text import os_error_reason


def export_database(session: Session, *, exported_at: datetime | None = None) -> dict[str, Any]:
    """The profile's class data as the exchange document (see ``docs/exchange-format.md``).

    ``exported_at`` (default: now) must be timezone-aware; it is written in UTC. Pass it to get
    the same document for the same data.
    """
    exported_at = exported_at or utc_now()
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in exchange_tables():
        order = list(table.primary_key.columns)
        rows = session.execute(select(table).order_by(*order)).mappings()
        tables[table.name] = [
            {column.name: encode_value(column, row[column]) for column in table.columns}
            for row in rows
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": encode_time(exported_at),
        "tables": tables,
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as file text: UTF-8 friendly, two-space indent, sorted keys, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_export(session: Session, path: Path, *, exported_at: datetime | None = None) -> None:
    """Write the exchange file at ``path`` (default time: now).

    The text goes to a temporary file in the same folder, is flushed to disk, and only then
    renamed over ``path``: a crash leaves the old file or the new one, never half of one (the
    data is personal data of minors, so a failed write also removes its temporary file).
    """
    text = dumps(export_database(session, exported_at=exported_at))
    target = Path(os.path.abspath(path))
    try:
        _write_atomically(target, text)
    except OSError as error:
        raise InvalidInput(
            _("Cannot write {path}: {error}").format(path=path, error=os_error_reason(error))
        ) from error


def _write_atomically(target: Path, text: str) -> None:
    # mkstemp creates the file readable by its owner only, which suits personal data.
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)
