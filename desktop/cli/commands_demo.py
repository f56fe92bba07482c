"""``homeroom demo``: the whole loop on one machine — a reference server with the demo school,
a signed-in demo teacher, parents and subject teachers at work, and syncs as they go; in the
desktop window when there is a screen, else as lines of text.

Without ``--data-dir`` (or ``HOMEROOM_DATA_DIR``; never the user's real profile folder)
everything lives in a temporary folder removed at the end. With it, the demo server's database
is kept beside the profile (``demo-server.sqlite3``), so the profile's
sync cursor stays meaningful from one run to the next. The demo teacher's token is kept in
memory only (the demo must not touch the OS keyring of a shared school PC): see
``desktop.demo.local_server``, which the window's "Open the demo" uses too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import paths
from desktop.errors import EXIT_PROFILE_IN_USE
from desktop.i18n import _

if TYPE_CHECKING:
    from PySide6.QtCore import QLockFile

    from desktop.demo.local_server import LocalDemoServer


def register(commands: Any) -> None:
    p = commands.add_parser("demo", help=_("run the demo: a local server, parents, syncs"))
    p.add_argument(
        "--duration", type=float, default=600.0, metavar=_("SECONDS"), help=_("seconds to run")
    )
    p.add_argument(
        "--rate",
        type=float,
        default=10.0,
        metavar=_("NUMBER"),
        help=_("simulated minutes per real second for the parents and teachers (default: 10)"),
    )
    p.add_argument(
        "--interval",
        type=float,
        default=10.0,
        metavar=_("SECONDS"),
        help=_("seconds between syncs"),
    )
    p.add_argument(
        "--no-window", action="store_true", help=_("print the syncs instead of opening the window")
    )
    p.set_defaults(handler=demo)


@contextmanager
def _folder(data_dir: Path | None) -> Iterator[Path]:
    """The profile folder (the demo server's database beside it)."""
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        yield data_dir
        return
    with tempfile.TemporaryDirectory(prefix="homeroom-demo-") as folder:
        yield Path(folder) / "profile"


@contextmanager
def _claimed(profile: Path, *, windowed: bool) -> Iterator[QLockFile | None]:
    """The profile's window lock for the whole demo, which signs the profile in to its own
    server before the window opens: a second demo on a profile whose window is open would
    point that window at a server gone a moment later. ``None`` once refused: a message box
    in the window's place, or a message on the terminal."""
    from desktop.ui.profile_lock import ProfileInUse, lock_for_window

    lock = lock_for_window(profile)
    if lock is None:
        if not windowed:
            raise ProfileInUse()
        from desktop.app import bare_application, tell_profile_in_use

        tell_profile_in_use(bare_application())
        yield None
        return
    try:
        yield lock
    finally:
        lock.unlock()


def demo(args: argparse.Namespace) -> int:
    from desktop.cli.commands_desktop import has_screen
    from desktop.demo.local_server import DEMO_PASSWORD, DEMO_TEACHER, LocalDemoServer, server_file
    from desktop.models import profile_key
    from desktop.models.db import DATABASE_FILE
    from desktop.models.encryption import open_profile
    from desktop.models.health import DamagedDatabase
    from desktop.models.profile_key import KeyMissing

    chosen = args.data_dir or paths.data_dir_override()
    windowed = not args.no_window and has_screen()
    with _folder(chosen) as profile, _claimed(profile, windowed=windowed) as lock:
        if lock is None:
            return EXIT_PROFILE_IN_USE
        server = LocalDemoServer(server_file(profile))
        try:
            url = server.start()
            print(
                _("Demo server running at {url} (user {user}, password {password}).").format(
                    url=url, user=DEMO_TEACHER, password=DEMO_PASSWORD
                ),
                flush=True,
            )
            try:
                database = open_profile(profile / DATABASE_FILE)
            except (DamagedDatabase, KeyMissing):
                if not windowed:
                    raise
                # The window offers the ways out (a backup, a fresh copy); the profile it then
                # opens is signed in to the demo server by the window's own connector.
                database = None
            if database is not None:
                server.sign_in(database)
                database.close()
            print(
                _(
                    "Profile: {path} — in another terminal try: homeroom --data-dir {path} "
                    "leave list --status submitted"
                ).format(path=profile),
                flush=True,
            )
            parents = server.start_parents(rate=args.rate, duration=args.duration)
            try:
                if not windowed:
                    _print_syncs(profile / DATABASE_FILE, args, server)
                    # The syncs outlast the parents' duration, but a short demo may end while
                    # they still sign in: the server must outlive their last request.
                    parents.join()
                else:
                    from desktop.app import run_desktop

                    run_desktop(
                        profile / DATABASE_FILE,
                        sync_every_s=args.interval,
                        demo_server=server,
                        held=lock,
                    )
            except KeyboardInterrupt:
                pass
        finally:
            server.close()
            if chosen is None:  # the temporary profile is deleted: so is its key
                profile_key.forget(profile / DATABASE_FILE)
    return 0


def _print_syncs(path: Path, args: argparse.Namespace, server: LocalDemoServer) -> None:
    from desktop.models.encryption import open_profile
    from desktop.sync.signed_in import sync_signed_in

    database = open_profile(path)
    try:
        deadline: float | None = None
        connector = server.connector(database)
        while True:
            _report(database, sync_signed_in(database, connector).describe())
            # Counted from the end of the first sync, however long a busy machine takes over
            # the whole class: the demo then runs its duration of incremental syncs.
            deadline = deadline if deadline is not None else time.monotonic() + args.duration
            if time.monotonic() + args.interval >= deadline:
                break
            time.sleep(args.interval)
    finally:
        database.close()


def _report(database: Any, synced: str) -> None:
    from sqlalchemy import func, select

    from desktop.models import LeaveRequest

    with database.reading() as session:
        waiting = session.scalar(select(func.count()).where(LeaveRequest.status == "submitted"))
    print(
        f"{synced} " + _("{count} requests await your decision.").format(count=waiting), flush=True
    )
