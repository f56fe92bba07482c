"""The self-test's check of the profile encrypted at rest, and its throwaway profile's key
leaving the OS password store with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.models import profile_key
from desktop.selftest import profile_checks
from desktop.selftest.runner import Context
from desktop.selftest.workspace import temporary_workspace
from desktop.sync.memory_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def database_keys(backend: MemoryKeyring) -> list[str]:
    return [
        user
        for (_service, user) in backend._secrets
        if user.startswith(profile_key.KEYRING_USER_PREFIX)
    ]


def test_the_demo_profile_is_encrypted_and_its_key_leaves_with_the_workspace(
    memory_keyring: MemoryKeyring,
) -> None:
    with temporary_workspace() as context:
        assert profile_checks.create_demo_profile(context) is None
        assert profile_checks.schema_at_head(context) is not None
        verdict = profile_checks.encrypted_at_rest(context)
        assert verdict == "đã mã hóa; khóa nằm trong kho mật khẩu của hệ thống"
        assert len(database_keys(memory_keyring)) == 1
    assert database_keys(memory_keyring) == []


def test_without_a_keyring_the_check_says_the_profile_is_plain(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        made = Context(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
        assert profile_checks.create_demo_profile(made) is None
        verdict = profile_checks.encrypted_at_rest(made)
    finally:
        keyring.set_keyring(previous)
    assert verdict == "chưa mã hóa: máy tính này không có kho mật khẩu (keyring)"
