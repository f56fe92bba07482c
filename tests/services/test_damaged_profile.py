"""Setting a damaged profile aside for a fresh copy from the server: the file, its write-ahead
log and its key record move into the backups folder together, so the kept copy still opens with
its own key; a move that fails puts back what had moved and says why in Vietnamese."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.errors import StorageError
from desktop.models import profile_key
from desktop.models.db import BACKUP_FOLDER, open_database
from desktop.models.encryption import encrypt_profile
from desktop.models.health import check_health
from desktop.services import damaged_profile
from desktop.services.backup import DAMAGED, free_name
from tests.services.backup_profiles import make_template, place

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
PASSWORD = "mật khẩu ứng dụng"


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    path = place(make_template(tmp_path / "template"), tmp_path / "profile", encrypted=False)
    key = profile_key.keep_under_password(path, PASSWORD)
    encrypt_profile(path, key)
    return path


def test_the_kept_copy_opens_with_the_key_record_moved_beside_it(encrypted: Path) -> None:
    before = encrypted.read_bytes()

    kept = damaged_profile.set_aside(encrypted, now=NOW)

    assert kept.parent == encrypted.parent / BACKUP_FOLDER
    assert kept.name.startswith("damaged-") and kept.read_bytes() == before
    assert not encrypted.exists() and not profile_key.key_file(encrypted).exists()
    sidecar = profile_key.read_sidecar(kept)
    assert sidecar is not None and sidecar.custody == "password"
    key = profile_key.unlock(kept, sidecar, PASSWORD)
    check_health(kept, key=key)
    open_database(kept, key).close()


def test_opening_without_checks_needs_the_password_where_the_key_is_kept_under_it(
    encrypted: Path,
) -> None:
    with pytest.raises(profile_key.PasswordNeeded):
        damaged_profile.open_damaged(encrypted, None)
    with pytest.raises(profile_key.WrongPassword):
        damaged_profile.open_damaged(encrypted, "không đúng")
    opened = damaged_profile.open_damaged(encrypted, PASSWORD)
    assert opened is not None and opened.key is not None
    opened.close()
    profile_key.key_file(encrypted).unlink()
    assert damaged_profile.open_damaged(encrypted, PASSWORD) is None  # no record, no key


def test_a_move_that_fails_puts_back_what_had_moved(encrypted: Path) -> None:
    folder = encrypted.parent / BACKUP_FOLDER
    # The kept copy's key record cannot be written: a folder stands in its place.
    blocker = profile_key.key_file(free_name(folder, DAMAGED, NOW))
    blocker.mkdir(parents=True)
    (blocker / "inside").write_text("x", encoding="ascii")
    before = encrypted.read_bytes()

    with pytest.raises(StorageError, match="Không chuyển được hồ sơ sang chỗ khác"):
        damaged_profile.set_aside(encrypted, now=NOW)

    assert encrypted.read_bytes() == before and profile_key.key_file(encrypted).exists()
    assert not list(folder.glob("damaged-*.sqlite*"))
