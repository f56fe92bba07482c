"""Making a written file, and a rename in a folder, survive a power cut: the one place for the
fsync calls that atomic writes (a temporary file, then ``os.replace``) end with."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    # Opened for writing: Windows flushes only a handle that may write.
    _fsync(path, os.O_RDWR)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; not possible (nor needed) on Windows, which has no
    folder handles to sync."""
    if os.name != "posix":
        return
    _fsync(folder, os.O_RDONLY)


def _fsync(path: Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
