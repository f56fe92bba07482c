"""Damage a real SQLite file on disk, as a failing disk or a copy cut short leaves it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

INTERIOR_TABLE_PAGE = 0x05


def overwrite_pages_of(path: Path, table: str) -> None:
    """Overwrite ``table``'s leaves (its root, if it is one page) with bytes no b-tree page has:
    ``0xFF`` is an impossible page type, which ``quick_check`` reports. The file must be
    checkpointed (no WAL beside it)."""
    connection = sqlite3.connect(path)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    finally:
        connection.close()
    data = bytearray(path.read_bytes())
    page = data[(root - 1) * page_size : root * page_size]
    header = 100 if root == 1 else 0
    if page[header] == INTERIOR_TABLE_PAGE:
        cells = int.from_bytes(page[header + 3 : header + 5], "big")
        pointers = (int.from_bytes(page[12 + 2 * i : 14 + 2 * i], "big") for i in range(cells))
        victims = [int.from_bytes(page[offset : offset + 4], "big") for offset in pointers][:3]
    else:
        victims = [root]
    for victim in victims:
        data[(victim - 1) * page_size : victim * page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))
