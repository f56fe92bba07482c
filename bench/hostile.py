"""Benchmark of hostile request bodies against the reference server (issue 11 item 1).

The real server runs in its own process (``homeroom-server serve`` on a ``seed-demo`` SQLite
database), so its memory is its own: peak RSS is the kernel's high-water mark (``VmHWM``), its
CPU from ``/proc/<pid>/stat``. The load: 100 concurrent hostile requests, five rounds, four kinds
in turn (25 of each at a time): an anonymous 8 KiB gzip body that expands to 8 MiB of ``{}`` (to
``/sync``), a 100 KiB sign-in, and, with a valid token, the same gzip bomb and an array nested
100,000 deep. While they run, ``/ping`` is asked
back to back; its p99 is compared with ``/ping`` on the idle server (the floor, same run).

Targets (issue 11): peak server memory under 300 MB; ``/ping`` under load within 200 ms.
The machine has 2 cores shared with other work: figures are noisy; run it twice.

    .venv/bin/python bench/hostile.py [SOURCE]

``SOURCE``: another checkout's root to benchmark instead (e.g. an export of main), put first on
``PYTHONPATH`` for the server process.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

PINGER = """
import json, select, sys, time
import httpx
times = []
with httpx.Client(base_url=sys.argv[1], timeout=60) as client:
    while True:
        start = time.perf_counter()
        client.get("/api/v1/ping")
        times.append(time.perf_counter() - start)
        if len(times) == 1:
            print("ready", flush=True)
        if select.select([sys.stdin], [], [], 0)[0]:
            break
print(json.dumps(times[1:]))
"""

CONCURRENT = 100
ROUNDS = 5
"""Each of the 100 senders sends this many in turn, so the load lasts long enough to ping."""
PEAK_TARGET_MB = 300.0
PING_TARGET_S = 0.200
SECTION = "Hostile bodies"


@dataclass(frozen=True)
class Row:
    """One printed figure (the shape of ``bench/server.py``'s rows)."""

    section: str
    label: str
    shown: str
    target: str = ""
    ok: bool | None = None
    """``None``: a figure without a target."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def _pings(url: str, count: int) -> list[float]:
    times = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(count):
            start = time.perf_counter()
            client.get("/api/v1/ping")
            times.append(time.perf_counter() - start)
    return times


def measure(source: str | None = None) -> list[Row]:
    """The benchmark's figures, against this checkout or ``source``'s."""
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = source
    folder = Path(tempfile.mkdtemp(prefix="homeroom-hostile-"))
    db = f"sqlite:///{folder / 'server.sqlite3'}"
    cli = [sys.executable, "-m", "server.cli"]
    subprocess.run([*cli, "seed-demo", "--db", db], check=True, env=env, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--db", db, "--port", str(port), "--log-level", "error"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/api/v1/ping", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        login = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "gvcn", "password": "demo"}, timeout=30
        )
        token = login.json()["access_token"]
        idle = _pings(url, 200)
        rss_idle = _kib(server.pid, "VmRSS") / 1024

        objects = b"[" + b"{}," * (8 * 1024 * 1024 // 3 - 2) + b"{}]"
        bomb = gzip.compress(objects, compresslevel=9)
        deep = gzip.compress(b"[" * 100_000 + b"]" * 100_000)
        gz = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        bearer = {"Authorization": f"Bearer {token}"}
        kinds = [
            ("/api/v1/sync", bomb, gz),
            (
                "/api/v1/auth/login",
                b'{"username": "gvcn", "password": "' + b"x" * 102_400 + b'"}',
                {"Content-Type": "application/json"},
            ),
            ("/api/v1/sync", bomb, {**gz, **bearer}),
            ("/api/v1/sync", deep, {**gz, **bearer}),
        ]
        # One client for all: a client each would cost the load generator more CPU (its TLS
        # context) than the server spends on the requests.
        shared = httpx.Client(
            base_url=url, timeout=120, limits=httpx.Limits(max_connections=CONCURRENT)
        )
        codes: dict[int, int] = {}
        lock = threading.Lock()

        def hostile(index: int) -> None:
            path, content, headers = kinds[index % len(kinds)]
            try:
                status = shared.post(path, content=content, headers=headers).status_code
            except httpx.TransportError:
                status = 0
            with lock:
                codes[status] = codes.get(status, 0) + 1

        # The pinger is a process of its own: the 100 hostile threads here must not hold it up.
        pinger = subprocess.Popen(
            [sys.executable, "-c", PINGER, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert pinger.stdout is not None and pinger.stdin is not None
        pinger.stdout.readline()  # its first ping answered: it is running
        cpu_before = _cpu_seconds(server.pid)
        with ThreadPoolExecutor(CONCURRENT) as pool:
            list(pool.map(hostile, range(CONCURRENT * ROUNDS)))
        pinger.stdin.close()
        loaded = json.loads(pinger.stdout.read())
        pinger.wait(timeout=30)
        shared.close()
        peak = _kib(server.pid, "VmHWM") / 1024
        cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)

    floor = _p99(idle)
    worst = _p99(loaded)
    sent = CONCURRENT * ROUNDS
    return [
        Row(SECTION, "server", source or "this checkout"),
        Row(SECTION, "answers", str(dict(sorted(codes.items())))),
        Row(SECTION, "idle RSS (floor)", f"{rss_idle:.0f} MB"),
        Row(SECTION, "idle /ping p99 (floor)", f"{floor * 1000:.1f} ms"),
        Row(
            SECTION,
            f"server CPU for {sent} hostile requests",
            f"{cpu:.2f} s, {cpu / sent * 1000:.1f} ms each",
        ),
        Row(
            SECTION,
            f"peak RSS under {CONCURRENT} hostile bodies",
            f"{peak:.0f} MB = {peak / rss_idle:.2f}x idle",
            f"< {PEAK_TARGET_MB:.0f} MB",
            peak < PEAK_TARGET_MB,
        ),
        Row(
            SECTION,
            "/ping p99 under load",
            f"{worst * 1000:.1f} ms = {worst / floor:.1f}x idle over {len(loaded)} pings",
            f"< {PING_TARGET_S * 1000:.0f} ms",
            worst < PING_TARGET_S,
        ),
    ]


def main() -> int:
    rows = measure(sys.argv[1] if len(sys.argv) > 1 else None)
    for row in rows:
        verdict = "" if row.ok is None else ("PASS" if row.ok else "FAIL")
        target = f"(target {row.target}) " if row.target else ""
        print(f"{row.label}: {row.shown} {target}{verdict}".rstrip())
    checked = [row for row in rows if row.ok is not None]
    print(f"{sum(bool(row.ok) for row in checked)}/{len(checked)} targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
