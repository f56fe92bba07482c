"""Benchmark of the reference server, every target of issue 11 in one run.

What it measures, on SQLite and (when ``HOMEROOM_TEST_PG_URL`` is set, e.g. under
``scripts/test-services``) on PostgreSQL, with the documented deployment
(``homeroom-server serve --workers 2`` on 127.0.0.1, docs/deployment.md, without the proxy):

1. closed loop: 50 connections sending no-change syncs back to back (each its own keep-alive
   connection, the same caught-up client of the demo class ``gvcn``): syncs/s, p50, p99;
2. open loop: 250 no-change syncs/s offered whatever the answers do: p99 measured from when
   each request was due;
3. the server's CPU per sync (user and system time of its processes over both loops): what 2
   cores that run only the server would answer;
4. 100 roll-call intents pushed in one sync over the benchmark link (``BENCHMARK_LINK``:
   256 kbit/s, 300 ms round trip), against the link's floor for the same bytes;

then the sections of ``bench/hostile.py`` (peak memory and ``/ping`` under 100 hostile bodies)
and ``bench/signin.py`` (one teacher's pushes during 12 bad logins).

Floor: the same load generator against a bare FastAPI endpoint (``bench/server_floor.py``)
doing one indexed SELECT on the same database, served by uvicorn with the same worker count;
each figure is also printed as a ratio to it. The generator (``bench/loadgen.py``, asyncio
streams) runs in its own process and shares the 2 cores with the server, as a client on the
same machine would.

Targets (issue 11): >= 500 syncs/s closed loop and p99 < 100 ms at 250/s open loop, on
PostgreSQL (SQLite's are shown without a verdict); 100 pushed intents <= 1.5 x the link floor.

Run: ``.venv/bin/python bench/server.py`` (``--quick``: shorter runs); with PostgreSQL:
``scripts/test-services .venv/bin/python bench/server.py``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import hostile, signin  # noqa: E402
from bench.loadgen import Load, Outcome, closed_loop, open_loop  # noqa: E402
from bench.served import (  # noqa: E402
    Row,
    Served,
    cpu_seconds,
    free_port,
    process,
    report,
    seeded_postgresql,
    seeded_sqlite,
    serve,
    sign_in,
)
from bench.server_floor import FLOOR_DB_ENV  # noqa: E402
from desktop.sync.protocol import PROTOCOL_VERSION, SCHEMA_VERSION  # noqa: E402
from tests.support.link_emulator import BENCHMARK_LINK, LinkEmulator  # noqa: E402

WORKERS = 2
CLIENTS = 50
OPEN_RATE = 250.0
TARGET_RATE = 500.0
TARGET_P99 = 0.100
PUSHED = 100
TARGET_PUSH_RATIO = 1.5
RTT = 2 * BENCHMARK_LINK.delay_s
BYTES_PER_SECOND = (BENCHMARK_LINK.bandwidth_bps or 0) / 8


def _floor(db: str) -> AbstractContextManager[Served]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH), "server_floor:app",
               "--factory", "--workers", str(WORKERS), "--port", str(port),
               "--log-level", "warning", "--no-access-log"]  # fmt: skip
    return process(command, port, "/floor", {FLOOR_DB_ENV: db})


def _request(port: int, path: str, body: dict[str, object], token: str | None) -> bytes:
    payload = json.dumps(body).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
            "Content-Type: application/json", f"Content-Length: {len(payload)}"]  # fmt: skip
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


def _sync_body(class_id: int, cursor: int = 0, **more: Any) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION, "schema_version": SCHEMA_VERSION,
        "client_id": str(uuid.uuid4()), "class_id": class_id, "cursor": cursor, "mutations": [],
        **more,
    }  # fmt: skip


def _caught_up(
    http: httpx.Client, token: str, body: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The body pulled up to the end of the feed, and the changes pulled."""
    changes: list[dict[str, Any]] = []
    while True:
        page = http.post(
            "/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}"}
        ).json()
        changes += page["changes"]
        body = {**body, "cursor": page["cursor"]}
        if not page["more"]:
            return body, changes


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _measure(
    pool: ProcessPoolExecutor, load: Load, duration: float, pid: int
) -> tuple[Outcome, Outcome, float]:
    """Closed loop, then open loop, after a warm-up; and the server's CPU seconds per request
    over both (its processes' user and system time)."""
    pool.submit(closed_loop, load, CLIENTS, 1.0).result()  # warm-up
    before = cpu_seconds(pid)
    closed = pool.submit(closed_loop, load, CLIENTS, duration).result()
    opened = pool.submit(open_loop, load, OPEN_RATE, duration).result()
    cpu = cpu_seconds(pid) - before
    return closed, opened, cpu / (len(closed.latencies) + len(opened.latencies))


def throughput(name: str, db: str, duration: float, strict: bool) -> list[Row]:
    """Closed and open loop against the server and the floor on one database."""
    rows: list[Row] = []
    with ProcessPoolExecutor(max_workers=1) as pool:
        with serve(db, WORKERS) as served, httpx.Client(base_url=served.url, timeout=60) as http:
            token, class_id = sign_in(served.url)
            body, _changes = _caught_up(http, token, _sync_body(class_id))
            request = _request(served.port, "/api/v1/sync", body, token)
            load = Load("127.0.0.1", served.port, request)
            closed, opened, per_sync = _measure(pool, load, duration, served.process.pid)
        with _floor(db) as floor_served:
            floor_request = _request(floor_served.port, "/floor", {"class_id": class_id}, None)
            floor_load = Load("127.0.0.1", floor_served.port, floor_request)
            floor_closed, floor_opened, per_floor = _measure(
                pool, floor_load, duration, floor_served.process.pid
            )
    rate = len(closed.latencies) / closed.elapsed
    floor_rate = len(floor_closed.latencies) / floor_closed.elapsed
    p50, p99 = _quantile(closed.latencies, 0.5), _quantile(closed.latencies, 0.99)
    open_p99 = _quantile(opened.latencies, 0.99)
    floor_open_p99 = _quantile(floor_opened.latencies, 0.99)
    section = f"{name}, {WORKERS} workers"
    ms = 1000.0
    floor_p99 = _quantile(floor_closed.latencies, 0.99)
    shown_rate = f"{rate:.0f} syncs/s ({rate / floor_rate:.2f} x floor {floor_rate:.0f}/s)"
    shown_closed = f"{p50 * ms:.1f} / {p99 * ms:.1f} ms (floor p99 {floor_p99 * ms:.1f} ms)"
    ratio_open = open_p99 / floor_open_p99
    shown_open = f"{open_p99 * ms:.1f} ms ({ratio_open:.2f} x floor {floor_open_p99 * ms:.1f} ms)"
    rate_ok = rate >= TARGET_RATE if strict else None
    open_ok = open_p99 < TARGET_P99 if strict else None
    rows.append(Row(section, f"{CLIENTS} clients back to back", shown_rate, ">= 500/s", rate_ok))
    rows.append(Row(section, "  p50 / p99", shown_closed))
    rows.append(Row(section, f"open loop {OPEN_RATE:.0f}/s p99", shown_open, "< 100 ms", open_ok))
    failed = closed.errors + opened.errors
    rows.append(Row(section, "failed requests", str(failed), "0", failed == 0))
    rows.append(
        Row(
            section,
            "server CPU per sync (all workers)",
            f"{per_sync * ms:.2f} ms (floor {per_floor * ms:.2f} ms): "
            f"{2 / per_sync:.0f} syncs/s on 2 dedicated cores",
        )
    )
    return rows


def _school_days(today: date, count: int) -> list[date]:
    days, day = [], today - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def pushed(name: str, db: str) -> list[Row]:
    """100 roll-call intents in one push over the benchmark link (256 kbit/s, 300 ms round
    trip), on a connection already open: the wall time against the link's floor for the same
    bytes (one round trip plus the bytes at the link's rate)."""
    section = f"{name}, {PUSHED} pushed intents"
    with serve(db, WORKERS) as served, LinkEmulator("127.0.0.1", served.port) as link:
        token, class_id = sign_in(served.url)
        with httpx.Client(base_url=served.url, timeout=60) as http:
            body, changes = _caught_up(http, token, _sync_body(class_id))
        students = sorted(
            c["data"]["id"]
            for c in changes
            if c["entity"] == "student" and c["data"]["class_id"] == class_id
        )
        today = date.fromisoformat(httpx.get(f"{served.url}/api/v1/ping").json()["school_today"])
        days = _school_days(today, -(-PUSHED // len(students)))
        pairs = [(d, s) for d in days for s in students[: -(-PUSHED // len(days))]][:PUSHED]
        intents = [
            {
                "id": str(uuid.uuid4()),
                "seq": index + 1,
                "name": "set_attendance",
                "client_time": f"{day.isoformat()}T08:00:00+07:00",
                "args": {
                    "student_id": student,
                    "day": day.isoformat(),
                    "session": "morning",
                    "observed": ("absent", "late")[index % 2],
                },
            }
            for index, (day, student) in enumerate(pairs)
        ]
        payload = gzip.compress(json.dumps({**body, "mutations": intents}).encode())
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Accept-Encoding": "gzip",
        }
        with httpx.Client(base_url=link.url, timeout=120) as http:
            http.post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}"})
            link.set_profile(BENCHMARK_LINK, live=True)
            link.reset_counters()
            started = time.perf_counter()
            answer = http.post("/api/v1/sync", content=payload, headers=headers)
            seconds = time.perf_counter() - started
            stats = link.stats()
    answer.raise_for_status()
    statuses: dict[str, int] = {}
    for result in answer.json()["results"]:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    floor = RTT * (1 + stats.connections) + (stats.bytes_up + stats.bytes_down) / BYTES_PER_SECOND
    ratio = seconds / floor
    return [
        Row(section, "answered", ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))),
        Row(
            section,
            "bytes on the link",
            f"{stats.bytes_up:,} up, {stats.bytes_down:,} down, {stats.connections} new conn.",
        ),
        Row(
            section,
            "push and pull back",
            f"{seconds:.2f} s = {ratio:.2f} x link floor {floor:.2f} s",
            f"<= {TARGET_PUSH_RATIO} x floor",
            ratio <= TARGET_PUSH_RATIO,
        ),
    ]


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--quick", action="store_true", help="3 s runs instead of 10 s")
    args = options.parse_args()
    duration = 3.0 if args.quick else 10.0
    print(f"{os.cpu_count()} cores, load average {_load()} at start")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = seeded_sqlite(Path(folder))
        # The targets are for PostgreSQL; SQLite's figures are shown for comparison.
        rows += throughput("SQLite", sqlite, duration, strict=False)
        rows += pushed("SQLite", sqlite)
        admin = os.environ.get("HOMEROOM_TEST_PG_URL")
        if admin:
            with seeded_postgresql(admin) as url:
                rows += throughput("PostgreSQL", url, duration, strict=True)
                rows += pushed("PostgreSQL", url)
        else:
            rows.append(Row("PostgreSQL", "not run", "HOMEROOM_TEST_PG_URL is not set"))
    sections: list[Callable[[], list[Row]]] = [hostile.measure, signin.measure]
    for section in sections:
        rows += section()
    print(f"load average {_load()} at end")
    return report(rows)


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
