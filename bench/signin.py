"""Benchmark: one teacher's pushes while strangers try passwords (issue 11, item 2).

Method
------
* The real server (FastAPI + uvicorn on 127.0.0.1, ``server.serving``) on a fresh SQLite file
  seeded like the server tests (``tests.server.helpers.seed``). The sign-in limits are set out
  of reach, so every bad login costs a full scrypt check: the worst case, a distributed attack
  with many names and addresses.
* One teacher pushes ``PUSHES`` syncs back to back, each with one roll-call change (a real
  write), over one keep-alive connection.
* **Floor**: those pushes alone, measured first in the same run. Then the same pushes while
  ``ATTACKERS`` threads send bad logins back to back until the pushes are done (a ``503`` for a
  sign-in kept waiting by the bound on concurrent password checks is not counted as answered).
* The attackers are threads of a process of their own; the server and the pusher are threads
  of this one (they share its GIL).
* Target: pushes/s under attack >= 0.8 x the floor. The load generator, the attackers and the
  server share the machine's cores (2 here, with other work on them): figures are noisy, run
  it twice.

Run: ``.venv/bin/python -m bench.signin`` (``--pushes N``, ``--attackers N``); as a script,
``bench/server.py`` would shadow the ``server`` package.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from server.serving import serve_store
from server.settings import Settings
from server.store import open_store

# The test infrastructure is not installed with the app: it comes from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.served import Row
from tests.server.helpers import TODAY, Api, mutation, seed, sync_body

PUSHES = 150
ATTACKERS = 12
TARGET = 0.8
UNREACHABLE = 10**9
SECTION = "Sign-in under attack"


def _push(api: Api, class_id: int, student_id: int, count: int) -> float:
    """Pushes per second for ``count`` one-change syncs (``api`` signed in already: under
    attack the teacher's own sign-in waits its turn for the password check)."""
    client, marks = str(uuid.uuid4()), ("absent", "late")
    started = time.perf_counter()
    for seq in range(1, count + 1):
        args = {
            "student_id": student_id,
            "day": TODAY.isoformat(),
            "session": "morning",
            "observed": marks[seq % 2],
        }
        body = sync_body(class_id, [mutation(seq, "set_attendance", args)], client_id=client)
        answer = api.sync(body, "gvcn")
        if answer.status_code != 200:
            raise SystemExit(f"push {seq} failed: {answer.status_code} {answer.text}")
    return count / (time.perf_counter() - started)


def _attack(url: str, stop: Any, answered: Any) -> None:
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            answer = http.post("/api/v1/auth/login", json={"username": "gvcn2", "password": "x"})
            if answer.status_code not in (401, 503):
                raise SystemExit(f"a bad login got {answer.status_code}: {answer.text}")
            if answer.status_code == 401:
                with answered.get_lock():
                    answered.value += 1


def _attackers(url: str, count: int, stop: Any, answered: Any) -> None:
    """The attackers' process: ``count`` threads of bad logins until ``stop``."""
    threads = [
        threading.Thread(target=_attack, args=(url, stop, answered), daemon=True)
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(pushes: int = PUSHES, attackers: int = ATTACKERS) -> list[Row]:
    """The benchmark's figures; the last row carries the target."""
    with tempfile.TemporaryDirectory(prefix="homeroom-bench-signin-") as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'server.sqlite3'}")
        try:
            seeded = seed(store)
            settings = Settings(
                today=TODAY,
                max_failures_per_user=UNREACHABLE,
                max_failures_per_address=UNREACHABLE,
            )
            class_id, student = seeded.small.class_id, seeded.small.student_ids[0]
            with serve_store(store, settings) as url, Api(url) as api:
                api.token("gvcn")
                _push(api, class_id, student, 10)  # warm-up: imports, first connection
                floor = _push(api, class_id, student, pushes)
                spawn = multiprocessing.get_context("spawn")
                stop, answered = spawn.Event(), spawn.Value("i", 0)
                process = spawn.Process(target=_attackers, args=(url, attackers, stop, answered))
                process.start()
                while answered.value < attackers and process.is_alive():  # all under way
                    time.sleep(0.05)
                started, before = time.perf_counter(), answered.value
                try:
                    attacked = _push(api, class_id, student, pushes)
                finally:
                    stop.set()
                    process.join()
                logins = answered.value - before
                elapsed = time.perf_counter() - started
        finally:
            store.close()
    share = attacked / floor
    return [
        Row(SECTION, "pushes alone (floor)", f"{floor:.1f} pushes/s"),
        Row(
            SECTION,
            f"pushes with {attackers} bad logins",
            f"{attacked:.1f} pushes/s ({logins / elapsed:.1f} bad logins/s answered)",
        ),
        Row(SECTION, "share of the floor", f"{share:.2f}", f">= {TARGET}", share >= TARGET),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=PUSHES)
    parser.add_argument("--attackers", type=int, default=ATTACKERS)
    args = parser.parse_args()
    rows = measure(args.pushes, args.attackers)
    for row in rows:
        verdict = "" if row.ok is None else ("PASS" if row.ok else "FAIL")
        target = f"(target {row.target}) " if row.target else ""
        print(f"{row.label + ':':38} {row.shown} {target}{verdict}".rstrip())
    checked = [row for row in rows if row.ok is not None]
    print(f"{sum(bool(row.ok) for row in checked)}/{len(checked)} targets met")


if __name__ == "__main__":
    main()
