"""Benchmark of the offline core: one leave decision, the year report, the database size.

Figures are printed as ratios to floors measured in the same run on the same disk:
- a decision (service call + commit + audit-log entry) against a bare ``sqlite3`` INSERT + COMMIT
  of one row with the same journal settings (WAL, synchronous=FULL);
- the year report against reading every grade row with bare ``sqlite3``;
- the database size against the gzip size of its JSON export.

Run: ``.venv/bin/python bench/core.py`` (add ``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from desktop.demo.generator import generate_demo_class, generate_demo_school
from desktop.exchange.export import export_database
from sqlalchemy import select

from desktop.models import LeaveRequest, SchoolClass, Student
from desktop.models.base import utc_now
from desktop.models.db import open_database
from desktop.services import grade_report, leave
from desktop.services.scope import load_scope


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_insert_floor(folder: Path, repeat: int) -> float:
    path = folder / "floor.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

    def insert() -> None:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES ('x')")
        conn.execute("COMMIT")

    result = median_seconds(insert, repeat)
    conn.close()
    return result


def bare_read_floor(path: Path, repeat: int) -> float:
    conn = sqlite3.connect(path)
    result = median_seconds(lambda: conn.execute("SELECT * FROM grade_entry").fetchall(), repeat)
    conn.close()
    return result


def measure(label: str, path: Path, class_name: str | None, repeat: int, floor: float) -> None:
    database = open_database(path)
    with database.reading() as session:
        scope = load_scope(session, class_name)
        pending = list(
            session.scalars(
                select(LeaveRequest.id)
                .join(Student)
                .where(LeaveRequest.status == "submitted", Student.class_id == scope.class_id)
                .order_by(LeaveRequest.id)
            )
        )
    decisions = []
    for request_id in pending[:repeat]:
        start = time.perf_counter()
        with database.transaction() as session:
            leave.decide(
                session,
                load_scope(session, class_name),
                request_id=request_id,
                approve=False,
                note="Benchmark",
                actor="bench",
                now=utc_now(),
            )
        decisions.append(time.perf_counter() - start)
    report_time = median_seconds(lambda: _year_report(database, class_name), max(3, repeat // 10))
    read_floor = bare_read_floor(path, 5)
    with database.reading() as session:
        exported = json.dumps(export_database(session, exported_at=utc_now()), ensure_ascii=False)
    database.close()
    size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(path.name + "-*"))
    gz = len(gzip.compress(exported.encode("utf-8")))
    decision = statistics.median(decisions)
    print(f"[{label}]")
    print(
        f"  leave decision: median {decision * 1000:.2f} ms over {len(decisions)} decisions"
        f" = {decision / floor:.1f} x bare sqlite3 INSERT+COMMIT ({floor * 1000:.2f} ms)"
    )
    print(
        f"  year report: {report_time * 1000:.0f} ms"
        f" = {report_time / read_floor:.1f} x bare read of all grade rows"
        f" ({read_floor * 1000:.1f} ms)"
    )
    print(
        f"  database: {size / 1024:.0f} KiB = {size / gz:.1f} x gzip of its JSON export"
        f" ({gz / 1024:.0f} KiB)"
    )


def _year_report(database: object, class_name: str | None) -> None:
    with database.reading() as session:  # type: ignore[attr-defined]
        grade_report.report(session, load_scope(session, class_name), term="year")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 20 if args.quick else 60
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor = bare_insert_floor(folder, repeat * 3)
        demo = folder / "demo" / "homeroom.sqlite3"
        database = open_database(demo)
        with database.transaction() as session:
            generate_demo_class(session, seed=2025)
        database.close()
        measure("demo class (1 class)", demo, None, repeat, floor)
        if not args.quick:
            school = folder / "school" / "homeroom.sqlite3"
            database = open_database(school)
            start = time.perf_counter()
            with database.transaction() as session:
                generate_demo_school(session, seed=2025, classes=40)
                last = session.scalars(
                    select(SchoolClass.name).order_by(SchoolClass.id.desc())
                ).first()
            database.close()
            print(f"(40-class school generated in {time.perf_counter() - start:.1f} s)")
            measure("school of 40 classes, last class", school, last, repeat, floor)


if __name__ == "__main__":
    main()
