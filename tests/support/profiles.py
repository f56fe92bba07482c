"""Copying a profile made once per session, and making one that stays plain.

A profile made where the OS has a keyring (``scripts/test-services`` runs gnome-keyring) is
encrypted, and its key's sidecar travels with the database file: a copy of the file alone does
not open (that is the point).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
from keyring.backends import fail

from desktop.models.profile_key import key_file


def copy_profile(source: Path, target: Path) -> Path:
    """Copy the database ``source`` to ``target`` with its key's sidecar, if it has one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    if key_file(source).exists():
        shutil.copy2(key_file(source), key_file(target))
    return target


@contextmanager
def without_keyring() -> Iterator[None]:
    """keyring's ``fail`` backend meanwhile: a profile made now stays plain (for the tests that
    read its file with bare ``sqlite3``)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
