"""The backup figures of ``bench/core.py`` (issue 12: a backup of the 40-class school, time and
size, reported without a target): an automatic backup of the plain profile and of its
encrypted copy, and the passphrase file, each as a ratio to a plain file copy with fsync of
the same database measured in the same run (best of N: the machine is shared)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from desktop.models.cipher import DatabaseKey
from desktop.models.db import Database, make_engine
from desktop.services import backup

PASSPHRASE = "benchmark passphrase"


def best_seconds(action: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def _copy_floor(source: Path, folder: Path, repeat: int) -> float:
    target = folder / "copy-floor.sqlite3"

    def copy() -> None:
        shutil.copyfile(source, target)
        handle = os.open(target, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)

    took = best_seconds(copy, repeat)
    target.unlink()
    return took


def _automatic(database: Database, moments: Iterator[datetime], repeat: int) -> tuple[float, int]:
    made: list[backup.Backup] = []
    took = best_seconds(
        lambda: made.append(backup.back_up(database, now=next(moments), kept=1)), repeat
    )
    return took, made[-1].size


def _passphrase_file(
    database: Database, stick: Path, moments: Iterator[datetime], repeat: int
) -> tuple[float, int]:
    written: list[Path] = []
    took = best_seconds(
        lambda: written.append(backup.back_up_now(database, stick, PASSPHRASE, now=next(moments))),
        repeat,
    )
    return took, written[-1].stat().st_size


def report(label: str, plain: Path, encrypted: Path, key: DatabaseKey, repeat: int = 3) -> None:
    folder = plain.parent.parent / "backup-bench"
    stick = folder / "stick"
    stick.mkdir(parents=True, exist_ok=True)
    floor = _copy_floor(plain, folder, repeat)
    print(
        f"  {label}: file copy + fsync {floor * 1000:.0f} ms"
        f" ({plain.stat().st_size / 1024:.0f} KiB)"
    )
    moments = iter(datetime(2026, 3, 16, tzinfo=UTC) + timedelta(minutes=m) for m in range(1000))
    for kind, path, profile_key in (("plain", plain, None), ("encrypted", encrypted, key)):
        engine = make_engine(path, profile_key)
        database = Database(path, engine, sessionmaker(engine), profile_key)
        try:
            took, size = _automatic(database, moments, repeat)
            print(
                f"  automatic backup of {label}, {kind}: {took * 1000:.0f} ms"
                f" = {took / floor:.1f} x the copy, {size / 1024:.0f} KiB (reported, no target)"
            )
            took, size = _passphrase_file(database, stick, moments, repeat)
            print(
                f"  passphrase file of {label}, {kind}: {took * 1000:.0f} ms"
                f" = {took / floor:.1f} x the copy (scrypt included), {size / 1024:.0f} KiB"
                " (reported, no target)"
            )
        finally:
            database.close()
