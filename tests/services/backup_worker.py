"""Makes or restores a backup in a child process and stops at a named step, printing it; the
test then kills the process with SIGKILL there.

Arguments: profile, encrypted (0/1), action (back_up, back_up_now, restore), the step, the
source or target folder, the passphrase."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from desktop.services import backup
from tests.services.backup_profiles import open_profile


def main() -> None:
    profile, encrypted, action, stop_at, other, passphrase = sys.argv[1:7]
    database = open_profile(Path(profile), encrypted=encrypted == "1")
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)

    def step(name: str) -> None:
        if name == stop_at:
            print(name, flush=True)
            sys.stdin.read()  # blocks until killed: the parent never writes

    if action == "back_up":
        backup.back_up(database, now=now, step=step)
    elif action == "back_up_now":
        backup.back_up_now(database, Path(other), passphrase, now=now, step=step)
    else:
        backup.restore(database, Path(other), passphrase, now=now, step=step)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
