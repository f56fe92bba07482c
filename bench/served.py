"""What the server benchmarks share: a seeded demo database (SQLite or PostgreSQL), the real
``homeroom-server serve`` in a process of its own, and the printed rows with their verdicts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.seed import seed_demo  # noqa: E402
from server.store import open_store  # noqa: E402

PASSWORD = "demo"
"""The demo accounts' password (``gvcn`` is the demo class's homeroom teacher)."""
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Row:
    section: str
    label: str
    shown: str
    target: str = ""
    ok: bool | None = None
    """``None``: a figure without a target."""


def report(rows: Sequence[Row]) -> int:
    """Print the rows by section, then ``N/M targets met``; 0 when all are met."""
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"\n[{section}]")
        verdict = "" if row.ok is None else ("PASS" if row.ok else "FAIL")
        target = f"target {row.target}" if row.target else ""
        print(f"  {row.label:<34} {row.shown:<56} {target:<18} {verdict}".rstrip())
    checked = [row for row in rows if row.ok is not None]
    met = sum(1 for row in checked if row.ok)
    print(f"\n{met}/{len(checked)} targets met")
    return 0 if met == len(checked) else 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def seed(url: str) -> str:
    """The demo school in the database at ``url`` (accounts with ``PASSWORD``)."""
    store = open_store(url)
    try:
        seed_demo(store, seed=2025, password=PASSWORD)
    finally:
        store.close()
    return url


def seeded_sqlite(folder: Path) -> str:
    return seed(f"sqlite:///{folder / 'server.sqlite3'}")


@contextmanager
def seeded_postgresql(admin_url: str) -> Iterator[str]:
    """A throwaway database with the demo school, dropped afterwards."""
    name = f"homeroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield seed(url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def process(command: list[str], port: int, probe: str, env: dict[str, str]) -> Iterator[Served]:
    """A server process, once ``probe`` (a path) answers; terminated afterwards."""
    child = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"{command[1:4]} ended at start")
            try:
                httpx.post(url + probe, json={"class_id": 0}, timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # a child process has no "listening" event to wait on
        yield Served(url, port, child)
    finally:
        child.terminate()
        child.wait(timeout=30)


def serve(db: str, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``homeroom-server serve`` on ``db`` (the documented deployment when ``workers`` > 1)."""
    port = free_port()
    command = [sys.executable, "-m", "server", "serve", "--db", db, "--port", str(port),
               "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    # Any request answers once the server listens (``/ping`` is GET only: a 405 will do).
    return process(command, port, "/api/v1/ping", {"PYTHONPATH": str(ROOT), **(env or {})})


def tree(pid: int) -> list[int]:
    """A process and its descendants (``serve --workers`` runs the workers as children)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in map(int, (task / "children").read_text().split()):
            found += tree(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its live descendants."""
    total = 0.0
    for each in tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` figure (``VmRSS``, ``VmHWM``) of the largest process of the tree
    (each worker holds its own requests' memory; the password checker is a child too)."""
    found = [0]
    for each in tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                found.append(int(line.split()[1]))
    return max(found)


def sign_in(url: str, username: str = "gvcn") -> tuple[str, int]:
    """An access token of a demo account and its first class."""
    answer = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=60
    )
    answer.raise_for_status()
    return answer.json()["access_token"], int(answer.json()["class_ids"][0])
