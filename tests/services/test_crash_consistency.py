"""A process killed at any moment leaves the database consistent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.models.db import open_database
from desktop.services import attendance, audit_log
from desktop.services.scope import load_scope
from tests.factories import build_small_class

ROOT = Path(__file__).resolve().parents[2]
KILLS = 12


@pytest.mark.slow
def test_random_kills_never_leave_a_half_written_change(tmp_path: Path) -> None:
    """SIGKILL mid-command: integrity, foreign keys, the log chain and the ledger all hold."""
    path = tmp_path / "homeroom.sqlite3"
    db = open_database(path)
    with db.transaction() as session:
        build_small_class(session)
    db.close()
    seed = 20251128
    rng = random.Random(seed)
    print(f"kill seed {seed}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for run in range(KILLS):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.services.crash_worker", str(path), str(run)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert worker.stdout is not None and worker.stderr is not None
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        # Killed during the step after a seeded number of finished ones: counted in steps, not
        # seconds, so a busy machine cannot make the worker do too little.
        steps = rng.randint(1, 8)
        for done in range(steps):
            line = worker.stdout.readline().strip()
            assert line == "step", f"the worker stopped after {done} steps: {worker.stderr.read()}"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        db = open_database(path)
        try:
            with db.reading() as session:
                conn = session.connection()
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                assert audit_log.verify(session).intact
                assert attendance.ledger_differences(session, load_scope(session)) == []
        finally:
            db.close()
    db = open_database(path)
    with db.reading() as session:
        assert audit_log.verify(session).entries > KILLS, "the worker did too little to test"
    db.close()
