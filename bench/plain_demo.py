"""The benchmarks' demo profiles, plain even where the OS has a keyring: the UI benchmarks copy
the database file alone and read it with bare ``sqlite3`` for their floors, and an encrypted
profile opens only beside its key file. The encrypted figures are bench/core.py's."""

from __future__ import annotations

from pathlib import Path


def plain_demo(folder: Path, *options: str) -> Path:
    """``homeroom init --demo`` (with ``options``, say ``--school``) into ``folder``; the
    database file made."""
    import keyring
    from keyring.backends import fail

    from desktop.cli.main import main as homeroom

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert homeroom(["--data-dir", str(folder), "init", "--demo", *options]) == 0
    finally:
        keyring.set_keyring(previous)
    return folder / "homeroom.sqlite3"
