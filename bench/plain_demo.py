"""The benchmarks' demo profiles, plain even where the OS has a keyring: the UI benchmarks copy
the database file alone and read it with bare ``sqlite3`` for their floors, and an encrypted
profile opens only beside its key file. The encrypted figures are bench/core.py's."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.profiles import without_keyring


def plain_demo(folder: Path, *options: str) -> Path:
    """``homeroom init --demo`` (with ``options``, say ``--school``) into ``folder``; the
    database file made."""
    from desktop.cli.main import main as homeroom

    with without_keyring():
        assert homeroom(["--data-dir", str(folder), "init", "--demo", *options]) == 0
    return folder / "homeroom.sqlite3"
