"""One window per profile. A teacher who starts Homeroom again while its window is open, behind
other windows or minimised, gets a sentence pointing to that window, not a second window over
the same file: two sync engines, two backups on close and, on the demo, two servers. The
command line is not held back: its commands share the database with the window as before.

A ``QLockFile`` holds the profile for as long as the window is open; one left by a window that
was killed or lost its power names a process that no longer runs, and the next start takes it
over."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from desktop import paths
from desktop.errors import EXIT_PROFILE_IN_USE, HomeroomError
from desktop.i18n import _


class ProfileInUse(HomeroomError):
    exit_code = EXIT_PROFILE_IN_USE

    def __init__(self) -> None:
        super().__init__(
            _(
                "Homeroom already has this profile open in another window; carry on there (it "
                "may be minimised or behind other windows)."
            )
        )


def lock_for_window(profile_folder: Path) -> QLockFile | None:
    """The profile's lock, held until ``unlock()``; ``None`` when another window holds it. A
    folder where no lock can be written (read-only, not creatable) gets an unheld lock: the
    profile's own opening says what is wrong there, in the teacher's words."""
    lock = QLockFile(str(paths.window_lock_file(profile_folder)))
    try:
        profile_folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return lock
    # Held for hours: never stale by age, only when the process that wrote it has gone.
    lock.setStaleLockTime(0)
    if lock.tryLock(0) or lock.error() != QLockFile.LockError.LockFailedError:
        return lock
    return None
