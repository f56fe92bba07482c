"""A new profile's folder is readable by its owner only: on a PC several accounts share, the
others cannot list or copy the class's database, its logs or its backups (the files inside
are made with the usual umask, so the folder is what keeps them)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop.models.db import DATABASE_FILE, open_database


@pytest.mark.skipif(os.name != "posix", reason="Windows keeps AppData per account by its ACLs")
def test_a_new_profile_folder_is_the_owners_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "homeroom"
    database = open_database(folder / DATABASE_FILE)
    database.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / DATABASE_FILE).is_file()


@pytest.mark.skipif(os.name != "posix", reason="Windows keeps AppData per account by its ACLs")
def test_the_log_or_a_crash_may_make_the_folder_first_and_it_is_the_owners_alone(
    tmp_path: Path,
) -> None:
    """The window starts its log while the profile opens on another thread: whichever makes
    the folder, it is made owner-only."""
    import logging

    from desktop.crash import write_crash_log
    from desktop.logs import log_to_file

    handler = log_to_file(tmp_path / "by-log")
    logging.getLogger().removeHandler(handler)
    handler.close()
    write_crash_log("=== report\n", tmp_path / "by-crash")
    for made in ("by-log", "by-crash"):
        assert stat.S_IMODE((tmp_path / made).stat().st_mode) == 0o700
