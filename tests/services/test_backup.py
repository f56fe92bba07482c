"""Backups and restore on real profiles, plain and encrypted: automatic copies and their
rotation, the passphrase file, every bad backup refused with its own message and the current
profile untouched, a full disk, and a process killed at each step."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.errors import InvalidInput, StorageError
from desktop.models.cipher import new_key
from desktop.models.db import HEAD_REVISION, Database
from desktop.services import backup, backup_copy, backup_file
from tests.disk import fill, free, small_disk
from tests.services.backup_profiles import (
    demo_names,
    first_name,
    make_template,
    open_profile,
    place,
    rename_first,
)

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
PASSPHRASE = "Sổ chủ nhiệm 10A1"
ROOT = Path(__file__).resolve().parents[2]
WORKER = ["-m", "tests.services.backup_worker"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
def encrypted(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def profile(template: Path, tmp_path: Path, encrypted: bool) -> Iterator[Database]:
    database = open_profile(
        place(template, tmp_path / "profile", encrypted=encrypted), encrypted=encrypted
    )
    yield database
    database.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def beside(database: Database) -> set[str]:
    """The files in the profile's folder and its backups folder."""
    folder = database.path.parent
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_an_automatic_backup_restores_the_records_and_is_as_encrypted_as_the_profile(
    profile: Database, encrypted: bool
) -> None:
    original = first_name(profile)
    made = backup.back_up(profile, now=NOW)
    assert made.path.parent == profile.path.parent / "backups"
    assert made.path.name == f"auto-{NOW.astimezone():%Y%m%d-%H%M%S}.sqlite"
    raw = made.path.read_bytes()
    assert raw.startswith(b"SQLite format 3") is not encrypted
    names = demo_names(profile)
    assert len(names) > 40
    assert [n for n in names if n in raw] == ([] if encrypted else names)

    rename_first(profile, "Đã Đổi Tên")
    restored = backup.restore(profile, made.path, now=NOW + timedelta(minutes=5))

    assert first_name(profile) == original
    assert restored.previous.kind == backup.BEFORE_RESTORE
    assert backup_copy.inspect(profile.path, profile.key) == HEAD_REVISION
    assert not {n for n in beside(profile) if n.endswith((".restoring", ".incoming", ".part"))}


def test_the_passphrase_file_holds_no_name_and_restores_with_the_passphrase(
    profile: Database, tmp_path: Path
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    original = first_name(profile)
    written = backup.back_up_now(profile, stick, PASSPHRASE, now=NOW)
    assert [p.name for p in stick.iterdir()] == [written.name]
    assert written.suffix == ".hmbak"
    raw = written.read_bytes()
    assert [n for n in demo_names(profile) if n in raw] == []
    assert not any(n.endswith(".part") for n in beside(profile))
    header = backup_file.read_header(written).header
    assert header.schema_revision == HEAD_REVISION and header.classes and header.created == NOW

    rename_first(profile, "Đã Đổi Tên")
    # Typed on another keyboard: the same letters, decomposed (NFD), open it too.
    shown = backup.preview(profile, written, unicodedata.normalize("NFD", PASSPHRASE))
    assert shown.created == NOW and shown.classes == header.classes
    backup.restore(profile, written, PASSPHRASE, now=NOW)
    assert first_name(profile) == original


def test_a_short_passphrase_is_refused_before_anything_is_written(
    profile: Database, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="ít nhất 8 ký tự"):
        backup.back_up_now(profile, tmp_path, "ngắn", now=NOW)
    assert not list(tmp_path.glob("*.hmbak*"))


def _bad_files(good: Path, folder: Path, profile: Database) -> dict[str, tuple[Path, str]]:
    raw = good.read_bytes()
    truncated = folder / "truncated.hmbak"
    truncated.write_bytes(raw[: len(raw) // 2])
    flipped = folder / "flipped.hmbak"
    body = bytearray(raw)
    body[-100] ^= 0xFF
    flipped.write_bytes(bytes(body))
    foreign = folder / "holiday.jpg"
    foreign.write_bytes(b"\xff\xd8\xff\xe0" + bytes(5000))
    other_sqlite = folder / "other.sqlite"
    import sqlite3

    connection = sqlite3.connect(other_sqlite)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    newer = folder / "newer.hmbak"
    key = new_key()
    body_file = folder / "body"
    backup_copy.export(profile.path, profile.key, body_file, key)
    with newer.open("wb") as handle:
        backup_file.write(
            handle,
            body_file,
            key,
            PASSPHRASE,
            app_version="9.0",
            schema_revision="9999",
            created=NOW,
            school="",
            classes=(),
        )
    return {
        "wrong passphrase": (good, "Cụm mật khẩu không mở được"),
        "truncated": (truncated, "không đầy đủ hoặc bị hỏng"),
        "damaged": (flipped, "không đầy đủ hoặc bị hỏng"),
        "foreign": (foreign, "không phải là bản sao lưu của Homeroom"),
        "foreign sqlite": (other_sqlite, "không phải là bản sao lưu của Homeroom"),
        "newer": (newer, "phiên bản Homeroom mới hơn"),
    }


def test_every_bad_backup_is_refused_with_its_own_message_and_the_profile_untouched(
    profile: Database, tmp_path: Path
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    good = backup.back_up_now(profile, stick, PASSPHRASE, now=NOW)
    cases = _bad_files(good, tmp_path, profile)
    rename_first(profile, "Sau Sao Lưu")
    before, files = digest(profile.path), beside(profile)
    for case, (source, message) in cases.items():
        passphrase = "không phải cụm này" if case == "wrong passphrase" else PASSPHRASE
        for attempt in (backup.preview, backup.restore):
            with pytest.raises(InvalidInput, match=message):
                if attempt is backup.preview:
                    backup.preview(profile, source, passphrase)
                else:
                    backup.restore(profile, source, passphrase, now=NOW)
            assert digest(profile.path) == before, case
            assert beside(profile) == files, case
            assert first_name(profile) == "Sau Sao Lưu", case


def test_rotation_keeps_the_newest(profile: Database) -> None:
    for day in range(5):
        backup.back_up(profile, now=NOW + timedelta(days=day), kept=3)
    kept = [b.created for b in backup.list_backups(profile) if b.kind == backup.AUTO]
    assert kept == [(NOW + timedelta(days=d)).astimezone() for d in (4, 3, 2)]
    # A clock set back: the copy just made stays, the oldest of the rest goes.
    backup.back_up(profile, now=NOW, kept=3)
    kept = [b.created for b in backup.list_backups(profile) if b.kind == backup.AUTO]
    assert kept == [(NOW + timedelta(days=d)).astimezone() for d in (4, 3, 0)]


def test_a_backup_is_due_daily_and_on_closing_after_a_change(profile: Database) -> None:
    assert backup.due(profile, now=NOW)
    backup.back_up(profile, now=NOW)
    later = NOW + timedelta(hours=3)
    assert not backup.due(profile, now=later)
    assert not backup.due(profile, now=later, closing=True)
    rename_first(profile, "Đã Đổi Tên")
    assert not backup.due(profile, now=later)
    assert backup.due(profile, now=later, closing=True)
    assert backup.due(profile, now=NOW + timedelta(days=1))
    assert backup.due(profile, now=NOW - timedelta(hours=1))  # the clock was set back


def test_a_full_disk_stops_a_backup_with_a_message_and_leaves_the_profile_usable(
    template: Path, tmp_path: Path, encrypted: bool
) -> None:
    with small_disk(tmp_path, "24m") as disk:
        database = open_profile(
            place(template, disk / "profile", encrypted=encrypted), encrypted=encrypted
        )
        try:
            original = first_name(database)
            earlier = backup.back_up(database, now=NOW - timedelta(days=1), kept=1)
            files = beside(database)
            fill(disk)
            with pytest.raises(StorageError, match="đầy"):
                backup.back_up(database, now=NOW, kept=1)
            assert [b.path for b in backup.list_backups(database)] == [earlier.path]
            with pytest.raises(StorageError, match="đầy"):
                backup.back_up_now(database, disk, PASSPHRASE, now=NOW)
            assert beside(database) == files
            assert not list(disk.glob("*.hmbak*"))
            assert first_name(database) == original
            free(disk)
            rename_first(database, "Vẫn Dùng Được")
            assert first_name(database) == "Vẫn Dùng Được"
        finally:
            database.close()


def test_a_full_disk_stops_a_restore_and_the_profile_stays(
    template: Path, tmp_path: Path, encrypted: bool
) -> None:
    with small_disk(tmp_path, "24m") as disk:
        database = open_profile(
            place(template, disk / "profile", encrypted=encrypted), encrypted=encrypted
        )
        try:
            stick = tmp_path / "usb"
            stick.mkdir()
            written = backup.back_up_now(database, stick, PASSPHRASE, now=NOW)
            rename_first(database, "Sau Sao Lưu")
            before = digest(database.path)
            fill(disk)
            with pytest.raises(StorageError, match="đầy"):
                backup.restore(database, written, PASSPHRASE, now=NOW)
            assert digest(database.path) == before
            assert not [n for n in beside(database) if n.endswith((".restoring", ".incoming"))]
            free(disk)
            assert first_name(database) == "Sau Sao Lưu"
        finally:
            database.close()


@pytest.mark.parametrize("action, step", [("back_up", "copied"), ("back_up_now", "written")])
def test_a_backup_killed_midway_leaves_no_backup_and_the_profile_as_it_was(
    profile: Database, encrypted: bool, tmp_path: Path, action: str, step: str
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    original, before = first_name(profile), digest(profile.path)
    args = [str(profile.path), "1" if encrypted else "0", action]
    worker = subprocess.Popen(
        [sys.executable, *WORKER, *args, step, str(stick), PASSPHRASE],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == step
    finally:
        worker.kill()
        worker.wait()
    assert backup.list_backups(profile) == []
    assert not list(stick.glob("*.hmbak"))
    assert digest(profile.path) == before and first_name(profile) == original
    left = [*profile.path.parent.rglob("*.part"), *stick.glob("*.part")]
    assert left  # what the killed process was writing
    names = demo_names(profile)
    in_clear = [p.name for p in left if any(n in p.read_bytes() for n in names)]
    # Half-written copies of an encrypted profile are as encrypted as it is; the passphrase
    # file is encrypted whatever the profile.
    assert in_clear == ([] if encrypted or action == "back_up_now" else [left[0].name])
    # The next backup clears what the killed one left and works.
    made = backup.back_up(profile, now=NOW)
    assert [b.path for b in backup.list_backups(profile)] == [made.path]
    assert not [n for n in beside(profile) if n.endswith(".part")]


@pytest.mark.parametrize("step", ["unpacked", "checked", "kept", "swapped"])
def test_a_restore_killed_at_any_step_leaves_one_whole_profile(
    profile: Database, encrypted: bool, tmp_path: Path, step: str
) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    original = first_name(profile)
    written = backup.back_up_now(profile, stick, PASSPHRASE, now=NOW)
    rename_first(profile, "Sau Sao Lưu")
    profile.close()
    worker = subprocess.Popen(
        [
            sys.executable,
            *WORKER,
            str(profile.path),
            "1" if encrypted else "0",
            "restore",
            step,
            str(written),
            PASSPHRASE,
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == step
    finally:
        worker.kill()
        worker.wait()
    reopened = open_profile(profile.path, encrypted=encrypted)
    try:
        assert backup_copy.inspect(reopened.path, reopened.key) == HEAD_REVISION
        expected = original if step == "swapped" else "Sau Sao Lưu"
        assert first_name(reopened) == expected
        # A restore after the killed one clears its leftovers and completes.
        backup.restore(reopened, written, PASSPHRASE, now=NOW)
        assert first_name(reopened) == original
        assert not [n for n in beside(reopened) if n.endswith((".restoring", ".incoming"))]
    finally:
        reopened.close()


def test_the_copies_made_before_an_encryption_are_listed_restorable_and_never_rotated(
    profile: Database,
) -> None:
    made = backup.back_up(profile, now=NOW - timedelta(days=3))
    before = made.path.with_name(made.path.name.replace("auto-", "before-encryption-"))
    made.path.rename(before)
    for day in range(3):
        backup.back_up(profile, now=NOW + timedelta(days=day), kept=1)
    kinds = [(b.kind, b.path) for b in backup.list_backups(profile)]
    assert kinds[-1] == (backup.BEFORE_ENCRYPTION, before)
    assert [k for k, _p in kinds].count(backup.AUTO) == 1
    original = first_name(profile)
    rename_first(profile, "Đã Đổi Tên")
    backup.restore(profile, before, now=NOW + timedelta(days=4))
    assert first_name(profile) == original


def test_a_flipped_bit_anywhere_before_the_body_is_refused_with_a_backup_message(
    template: Path, tmp_path: Path
) -> None:
    """Seeded: each trial flips one bit of the magic, length, header or wrapped key (the file
    format is the same whatever the profile's encryption: a plain one)."""
    profile = open_profile(place(template, tmp_path / "profile", encrypted=False), encrypted=False)
    try:
        _flip_trials(profile, tmp_path)
    finally:
        profile.close()


def _flip_trials(profile: Database, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    good = backup.back_up_now(profile, stick, PASSPHRASE, now=NOW)
    raw = good.read_bytes()
    prefix = backup_file.read_header(good).body_offset
    seed = 20261202
    print(f"flip seed {seed}")
    rng = random.Random(seed)
    refusals = (
        backup_file.NotABackup,
        backup_file.DamagedBackup,
        backup_file.WrongPassphrase,
        backup_file.NewerBackup,
    )
    bad = tmp_path / "bad.hmbak"
    seen: set[type] = set()
    for _trial in range(24):
        data = bytearray(raw)
        position = rng.randrange(prefix)
        data[position] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(data))
        with pytest.raises(refusals) as refused:
            backup.preview(profile, bad, PASSPHRASE)
        seen.add(type(refused.value))
    assert backup_file.DamagedBackup in seen and backup_file.WrongPassphrase in seen
