"""``homeroom demo``: the whole loop on one machine — a reference server with the demo school,
a signed-in demo teacher, parents and subject teachers at work, and syncs as they go.

Everything lives in a temporary folder removed at the end; the demo teacher's token is kept in
memory only (the demo must not touch the OS keyring of a shared school PC).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from desktop.i18n import _

DEMO_PASSWORD = "demo"
DEMO_TEACHER = "gvcn"


def register(commands: Any) -> None:
    p = commands.add_parser("demo", help=_("run the demo: a local server, parents, syncs"))
    p.add_argument("--duration", type=float, default=600.0, help=_("seconds to run"))
    p.add_argument("--rate", type=float, default=0.5, help=_("simulated actions per second"))
    p.add_argument("--interval", type=float, default=10.0, help=_("seconds between syncs"))
    p.set_defaults(handler=demo)


def demo(args: argparse.Namespace) -> int:
    import keyring

    from desktop.cli.commands_sync import CLASS_KEY, SERVER_KEY, USER_KEY
    from desktop.models.db import DATABASE_FILE, open_database
    from desktop.sync import state
    from desktop.sync.credentials import connect
    from desktop.sync.engine import sync_once
    from desktop.sync.memory_keyring import MemoryKeyring
    from server.seed import seed_demo
    from server.simulate import simulate
    from server.store import open_store
    from server.testing import serve_store

    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory(prefix="homeroom-demo-") as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'server.sqlite3'}")
        seed_demo(store, seed=2025, password=DEMO_PASSWORD)
        with serve_store(store) as url:
            print(
                _("Demo server running at {url} (user {user}, password {password}).").format(
                    url=url, user=DEMO_TEACHER, password=DEMO_PASSWORD
                ),
                flush=True,
            )
            transport, source = connect(url, DEMO_TEACHER)
            identity = source.login(DEMO_PASSWORD)
            profile = args.data_dir or Path(folder) / "profile"
            database = open_database(profile / DATABASE_FILE)
            with database.transaction() as session:
                state.put(session, SERVER_KEY, url)
                state.put(session, USER_KEY, DEMO_TEACHER)
                state.put(session, CLASS_KEY, str(identity.class_ids[0]))
            print(
                _(
                    "Profile: {path} — in another terminal try: homeroom --data-dir {path} "
                    "leave list --status submitted"
                ).format(path=profile),
                flush=True,
            )
            stop = threading.Event()
            parents = threading.Thread(
                target=lambda: simulate(
                    url, rate=args.rate, duration=args.duration, seed=7, password=DEMO_PASSWORD
                ),
                name="demo-parents",
                daemon=True,
            )
            try:
                summary = sync_once(database, transport, class_id=identity.class_ids[0])
                _report(database, summary.describe())
                parents.start()
                deadline = time.monotonic() + args.duration
                while time.monotonic() < deadline and not stop.wait(args.interval):
                    summary = sync_once(database, transport, class_id=identity.class_ids[0])
                    _report(database, summary.describe())
            except KeyboardInterrupt:
                pass
            finally:
                stop.set()
                database.close()
                transport.close()
        store.close()
    return 0


def _report(database: Any, synced: str) -> None:
    from sqlalchemy import func, select

    from desktop.models import LeaveRequest

    with database.reading() as session:
        waiting = session.scalar(select(func.count()).where(LeaveRequest.status == "submitted"))
    print(
        f"{synced} " + _("{count} requests await your decision.").format(count=waiting), flush=True
    )
