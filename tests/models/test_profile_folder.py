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
