"""Fixtures of the sync fault tests: PostgreSQL (as for the server tests), an in-memory
keyring and a private config folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.server.conftest import pg_admin_url, pg_url
from tests.sync.keyring_backend import MemoryKeyring

__all__ = ["memory_keyring", "pg_admin_url", "pg_url"]


@pytest.fixture
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """The refresh token goes to an in-memory keyring; the last login to a private folder."""
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
