"""``homeroom backup list|create|restore`` on a real profile: Vietnamese output, exit codes,
the passphrase read from standard input, and a wrong one refused with the profile unchanged."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from desktop.models.db import DATABASE_FILE, SQLITE_HEADER, open_database
from desktop.sync.memory_keyring import MemoryKeyring
from tests.cli.conftest import Run
from tests.cli.test_fast_commands import HEAVY, run_listing
from tests.damage import overwrite_pages_of
from tests.services.backup_profiles import first_name, rename_first

PASSPHRASE = "Sổ chủ nhiệm 10A1"


def _rename(profile: Path, name: str) -> str:
    database = open_database(profile / DATABASE_FILE)
    try:
        before = first_name(database)
        rename_first(database, name)
        return before
    finally:
        database.close()


def _name(profile: Path) -> str:
    database = open_database(profile / DATABASE_FILE)
    try:
        return first_name(database)
    finally:
        database.close()


@pytest.fixture
def memory_keyring() -> Iterator[None]:
    """An OS keyring (in memory) for the profile's key: the profile is encrypted."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A PC without a keyring: the profile stays plain, so its table's pages can be found in its
    bytes and damaged (an encrypted profile's damage is tests/models/test_encryption.py's)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_create_list_and_restore_a_backup_beside_the_profile(run: Run, profile: Path) -> None:
    assert run("backup", "list").out == "Chưa có bản sao lưu nào.\n"
    made = run("backup", "create")
    assert made.code == 0 and made.out.startswith("Đã sao lưu vào ")
    path = Path(made.out.removeprefix("Đã sao lưu vào ").strip().removesuffix("."))
    listed = run("backup", "list")
    assert "tự động" in listed.out and str(path) in listed.out

    original = _rename(profile, "Đã Đổi Tên")
    restored = run("backup", "restore", str(path), "--yes")
    assert restored.code == 0, restored.err
    assert "Dữ liệu của lớp trong hồ sơ này sẽ được thay" in restored.out
    assert "Đã khôi phục. Đã giữ lại 0 thay đổi chưa đồng bộ." in restored.out
    assert _name(profile) == original


def test_a_passphrase_file_on_a_stick_restores_with_its_passphrase_only(
    run: Run, profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    _stdin(monkeypatch, PASSPHRASE + "\n")
    made = run("backup", "create", "--to", str(stick), "--passphrase-stdin")
    assert made.code == 0, made.err
    (written,) = stick.glob("*.hmbak")
    original = _rename(profile, "Sau Sao Lưu")

    _stdin(monkeypatch, "sai cụm mật khẩu\n")
    wrong = run("backup", "restore", str(written), "--passphrase-stdin", "--yes")
    assert wrong.code == 2
    assert wrong.err.startswith("Lỗi: Cụm mật khẩu không mở được bản sao lưu này.")
    assert _name(profile) == "Sau Sao Lưu"

    _stdin(monkeypatch, PASSPHRASE + "\n")
    unconfirmed = run("backup", "restore", str(written), "--passphrase-stdin")
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.err
    assert _name(profile) == "Sau Sao Lưu"

    _stdin(monkeypatch, PASSPHRASE + "\n")
    restored = run("backup", "restore", str(written), "--passphrase-stdin", "--yes")
    assert restored.code == 0, restored.err
    assert _name(profile) == original


def test_a_short_passphrase_and_a_missing_folder_are_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "ngắn\n")
    short = run("backup", "create", "--to", str(tmp_path), "--passphrase-stdin")
    assert (short.code, short.err) == (2, "Lỗi: Cụm mật khẩu phải có ít nhất 8 ký tự.\n")
    _stdin(monkeypatch, PASSPHRASE + "\n")
    missing = run("backup", "create", "--to", str(tmp_path / "no-stick"), "--passphrase-stdin")
    assert missing.code == 3
    assert "không tồn tại" in missing.err


def test_without_a_terminal_the_passphrase_must_come_with_its_option(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    _stdin(monkeypatch, PASSPHRASE + "\n")
    refused = run("backup", "create", "--to", str(stick))
    assert (refused.code, refused.err) == (
        2,
        "Lỗi: Không có cửa sổ dòng lệnh để hỏi cụm mật khẩu: hãy đưa nó qua --passphrase-stdin.\n",
    )
    assert list(stick.iterdir()) == []


def test_a_foreign_file_is_refused(run: Run, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text("không phải sao lưu", encoding="utf-8")
    refused = run("backup", "restore", str(foreign), "--yes")
    assert (refused.code, refused.err) == (
        2,
        "Lỗi: Tệp này không phải là bản sao lưu của Homeroom.\n",
    )


def test_backup_help_is_vietnamese_and_light(tmp_path: Path) -> None:
    code, out, packages = run_listing(tmp_path, "backup", "--help")
    assert code == 0 and "sao lưu hoặc khôi phục" not in out  # the group's own help lists actions
    assert "sao lưu ngay" in out
    assert packages.isdisjoint(HEAVY), packages & set(HEAVY)


def test_a_damaged_profile_is_restored_from_the_backup_its_message_names(
    run: Run, profile: Path, no_keyring: None
) -> None:
    made = run("backup", "create")
    path = Path(made.out.removeprefix("Đã sao lưu vào ").strip().removesuffix("."))
    original = _rename(profile, "Sau Sao Lưu")  # closed: the log is checkpointed
    overwrite_pages_of(profile / DATABASE_FILE, "student")
    refused = run("privacy", "purge", "--dry-run")
    assert refused.code == 3 and str(path) in refused.err

    restored = run("backup", "restore", str(path), "--yes")
    assert restored.code == 0, restored.err
    assert "bị hỏng" in restored.err  # the damage message, then the restore
    assert _name(profile) == original
    listed = run("backup", "list")
    assert "hồ sơ bị hỏng, được giữ lại" in listed.out


def test_a_damaged_encrypted_profile_is_restored_under_its_own_key(
    run: Run, profile: Path, memory_keyring: None
) -> None:
    made = run("backup", "create")
    path = Path(made.out.removeprefix("Đã sao lưu vào ").strip().removesuffix("."))
    database = profile / DATABASE_FILE
    assert not database.read_bytes().startswith(SQLITE_HEADER)
    original = _rename(profile, "Sau Sao Lưu")
    data = bytearray(database.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 100 : middle + 164] = bytes(64)  # a page whose authentication no longer holds
    database.write_bytes(bytes(data))
    assert run("privacy", "purge", "--dry-run").code == 3

    restored = run("backup", "restore", str(path), "--yes")
    assert restored.code == 0, restored.err
    assert "bị hỏng" in restored.err
    assert _name(profile) == original
    assert not database.read_bytes().startswith(SQLITE_HEADER)
