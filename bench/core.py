"""Benchmark of the offline core: one leave decision, the year report, the database size.

Figures are printed as ratios to floors measured in the same run on the same disk:
- a decision (service call + commit + audit-log entry) against a bare ``sqlite3`` INSERT + COMMIT
  of one row with the same journal settings (WAL, synchronous=FULL); for the issue-12 targets
  the floor, the plain and the encrypted decision are sampled in turn, and so are the two opens;
- the year report against reading every grade row with bare ``sqlite3``;
- the database size against the gzip size of its JSON export.

The targets of issue 12, PASS/FAIL each and ``N/M targets met`` last:
- one leave decision as the window makes it (the intent performed: service, audit-log entry,
  outbox row, commit; the class's scope loaded once, as the open window holds it) on a plain
  profile against the bare INSERT + COMMIT (target <= 5), on the demo class and on the 40-class
  school;
- the same decision on the encrypted copy of the profile against the plain one (target <= 1.3);
- opening the encrypted profile (``open_database`` with its key: health check, file check,
  engine; then the class's scope) against opening the plain one the same way (target <= 1.5);
  the encrypted copy is made by ``encrypt_profile``, as a plain profile is on its first open,
  and unwrapping a password-kept key (scrypt) is reported beside it;
- a backup of the 40-class school (time and size, reported).

Run: ``.venv/bin/python bench/core.py`` (add ``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import backup_figures  # beside this file: bench/ is run as a folder of scripts
from sqlalchemy import select

from desktop.demo.generator import generate_demo_class, generate_demo_school
from desktop.domain.calendar import Session, Slot
from desktop.exchange.export import export_database
from desktop.models import LeaveRequest, SchoolClass, Student, profile_key
from desktop.models.base import utc_now
from desktop.models.cipher import DatabaseKey
from desktop.models.db import Database, open_database
from desktop.models.encryption import encrypt_profile
from desktop.services import grade_report, leave
from desktop.services.intents.registry import perform
from desktop.services.scope import load_scope

DECISION_TARGET = 5.0
ENCRYPTED_DECISION_TARGET = 1.3
ENCRYPTED_OPEN_TARGET = 1.5
BENCH_PASSWORD = "Mật khẩu đo 2026"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class BareInsert:
    """The floor: one row INSERT + COMMIT with bare ``sqlite3`` and the profile's journal
    settings (WAL, synchronous=FULL). The issue-12 decisions take one sample before each of
    theirs, so on a busy machine both see the same load."""

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")

    def insert(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t (v) VALUES ('x')")
        self.conn.execute("COMMIT")

    def once(self) -> float:
        start = time.perf_counter()
        self.insert()
        return time.perf_counter() - start

    def close(self) -> None:
        self.conn.close()


def bare_read_floor(path: Path, repeat: int) -> float:
    conn = sqlite3.connect(path)
    result = median_seconds(lambda: conn.execute("SELECT * FROM grade_entry").fetchall(), repeat)
    conn.close()
    return result


def submit_requests(database: Database, class_name: str | None, count: int) -> list[int]:
    """New pending requests to decide: one school day each, spread over the class."""
    with database.transaction() as session:
        scope = load_scope(session, class_name)
        students = session.scalars(
            select(Student).where(Student.class_id == scope.class_id).order_by(Student.id)
        ).all()
        registered = [
            (s, g) for s in students for g in s.guardians if g.econtact_registered_on is not None
        ]
        days = [d for d in scope.calendar.iter_school_days() if d.month in (4, 5)]
        ids = []
        for index in range(count):
            student, guardian = registered[index % len(registered)]
            day = days[index % len(days)]
            changes = leave.submit(
                session,
                scope,
                leave.NewRequest(
                    student_id=student.id,
                    guardian_id=guardian.id,
                    first=Slot.of(day, Session.MORNING),
                    last=Slot.of(day, Session.MORNING),
                    reason_category="illness",
                    reason_text="Ốm",
                    channel=4,
                    submitted_at=utc_now(),
                ),
                actor="bench",
            )
            ids.append(int(next(iter(changes.ids("leave_request")))))
    return ids


def measure(
    label: str,
    path: Path,
    class_name: str | None,
    repeat: int,
    floor: float,
    *,
    whole_school: bool = False,
) -> None:
    database = open_database(path)
    pending = submit_requests(database, class_name, repeat)
    decisions = []
    for index, request_id in enumerate(pending):
        start = time.perf_counter()
        with database.transaction() as session:
            leave.decide(
                session,
                load_scope(session, class_name),
                request_id=request_id,
                approve=index % 2 == 0,
                note="Benchmark",
                actor="bench",
            )
        decisions.append(time.perf_counter() - start)
    names = [class_name]
    if whole_school:
        with database.reading() as session:
            names = list(session.scalars(select(SchoolClass.name).order_by(SchoolClass.id)))
    report_time = median_seconds(lambda: _year_reports(database, names), 3)
    read_floor = bare_read_floor(path, 5)
    with database.reading() as session:
        exported = json.dumps(export_database(session, exported_at=utc_now()), ensure_ascii=False)
    database.close()
    size = path.stat().st_size
    gz = len(gzip.compress(exported.encode("utf-8")))
    decision = statistics.median(decisions)
    scope_text = f"all {len(names)} classes" if whole_school else "one class"
    print(f"[{label}]")
    print(
        f"  leave decision: median {decision * 1000:.2f} ms over {len(decisions)} decisions"
        f" = {decision / floor:.1f} x bare sqlite3 INSERT+COMMIT ({floor * 1000:.2f} ms)"
    )
    print(
        f"  year report ({scope_text}): {report_time * 1000:.0f} ms"
        f" = {report_time / read_floor:.1f} x bare read of every grade row in the file"
        f" ({read_floor * 1000:.1f} ms)"
    )
    print(
        f"  database file: {size / 1024:.0f} KiB (after checkpoint)"
        f" = {size / gz:.1f} x gzip of its JSON export ({gz / 1024:.0f} KiB)"
    )


def _year_reports(database: Database, class_names: list[str | None]) -> None:
    with database.reading() as session:
        for name in class_names:
            grade_report.report(session, load_scope(session, name), term="year")


class Targets:
    def __init__(self) -> None:
        self.met = 0
        self.total = 0

    def check(self, text: str, ratio: float, target: float) -> None:
        self.total += 1
        passed = ratio <= target
        self.met += passed
        print(f"  {text}: {ratio:.2f} x (target <= {target}) {'PASS' if passed else 'FAIL'}")


def database_on(path: Path, key: DatabaseKey | None) -> Database:
    """The profile as the window holds it, opened the same way plain or encrypted: the
    product's opener, quick_check included."""
    return open_database(path, key)


class Decisions:
    """Decisions performed as intents (outbox row included) on one open profile, one at a time:
    the requests are submitted and their versions read before any clock starts (the window
    sends the version of the row it shows)."""

    def __init__(self, path: Path, key: DatabaseKey | None, class_name: str | None, count: int):
        self.database = database_on(path, key)
        pending = submit_requests(self.database, class_name, count)
        with self.database.reading() as session:
            self.scope = load_scope(session, class_name)
            query = select(LeaveRequest.id, LeaveRequest.version).where(
                LeaveRequest.id.in_(pending)
            )
            self.versions = {request_id: version for request_id, version in session.execute(query)}
        self.pending = iter(pending)
        self.approve = True

    def once(self) -> float:
        request_id = next(self.pending)
        self.approve = not self.approve
        start = time.perf_counter()
        with self.database.transaction() as session:
            perform(
                session,
                self.scope,
                "decide_leave",
                {
                    "request_id": request_id,
                    "approve": self.approve,
                    "note": "Benchmark",
                    "base_version": self.versions[request_id],
                },
                actor="bench",
            )
        return time.perf_counter() - start

    def close(self) -> None:
        self.database.close()


def paired_decisions(
    plain: Path,
    encrypted: Path,
    key: DatabaseKey,
    class_name: str | None,
    count: int,
    floor: BareInsert,
) -> tuple[float, float, float]:
    """The medians of ``count`` decisions on the plain profile, on the encrypted one and of the
    floor, sampled in turn (the order swapped each round): a spell of load on this shared
    machine then falls on all three alike instead of on whichever ran during it."""
    samples: dict[str, list[float]] = {"plain": [], "encrypted": [], "floor": []}
    sides = {
        "plain": Decisions(plain, None, class_name, count),
        "encrypted": Decisions(encrypted, key, class_name, count),
    }
    try:
        for index in range(count):
            samples["floor"].append(floor.once())
            order = ("plain", "encrypted") if index % 2 == 0 else ("encrypted", "plain")
            for side in order:
                samples[side].append(sides[side].once())
    finally:
        for side in sides.values():
            side.close()
    return (
        statistics.median(samples["plain"]),
        statistics.median(samples["encrypted"]),
        statistics.median(samples["floor"]),
    )


def paired_opens(
    plain: Path, encrypted: Path, key: DatabaseKey, class_name: str | None, repeat: int
) -> tuple[float, float]:
    """The medians of opening each profile (check on open, first read of the class), in turn."""

    def open_once(path: Path, with_key: DatabaseKey | None) -> float:
        start = time.perf_counter()
        database = database_on(path, with_key)
        with database.reading() as session:
            load_scope(session, class_name)
        database.close()
        return time.perf_counter() - start

    plain_times, encrypted_times = [], []
    for index in range(repeat):
        if index % 2 == 0:
            plain_times.append(open_once(plain, None))
            encrypted_times.append(open_once(encrypted, key))
        else:
            encrypted_times.append(open_once(encrypted, key))
            plain_times.append(open_once(plain, None))
    return statistics.median(plain_times), statistics.median(encrypted_times)


def issue_12_targets(
    folder: Path, profiles: list[tuple[str, Path, str | None]], repeat: int, floor: BareInsert
) -> None:
    targets = Targets()
    print("[issue 12: encryption at rest]")
    for label, plain, class_name in profiles:
        encrypted = folder / f"encrypted-{plain.parent.name}" / plain.name
        encrypted.parent.mkdir()
        shutil.copyfile(plain, encrypted)
        key = profile_key.keep_under_password(encrypted, BENCH_PASSWORD)
        start = time.perf_counter()
        encrypt_profile(encrypted, key)
        took = time.perf_counter() - start
        sidecar = profile_key.read_sidecar(encrypted)
        assert sidecar is not None
        unwrap = median_seconds(
            lambda: profile_key.unlock(encrypted, sidecar, BENCH_PASSWORD),  # noqa: B023
            3,
        )
        print(
            f"  {label}: plain profile encrypted in {took * 1000:.0f} ms (backup, copy, checks);"
            f" the password-kept key unwrapped in {unwrap * 1000:.0f} ms (reported)"
        )
        plain_decision, encrypted_decision, bare = paired_decisions(
            plain, encrypted, key, class_name, repeat, floor
        )
        print(
            f"  {label}: decision {plain_decision * 1000:.2f} ms plain,"
            f" {encrypted_decision * 1000:.2f} ms encrypted;"
            f" bare INSERT+COMMIT {bare * 1000:.2f} ms (the three sampled in turn)"
        )
        targets.check(
            f"{label}: plain decision / bare INSERT+COMMIT", plain_decision / bare, DECISION_TARGET
        )
        targets.check(
            f"{label}: encrypted decision / plain decision",
            encrypted_decision / plain_decision,
            ENCRYPTED_DECISION_TARGET,
        )
        plain_open, encrypted_open = paired_opens(
            plain, encrypted, key, class_name, max(9, repeat // 3)
        )
        print(
            f"  {label}: open {plain_open * 1000:.1f} ms plain,"
            f" {encrypted_open * 1000:.1f} ms encrypted"
        )
        targets.check(
            f"{label}: encrypted open / plain open",
            encrypted_open / plain_open,
            ENCRYPTED_OPEN_TARGET,
        )
    # The loop ends on the 40-class school: its plain and encrypted profiles are backed up.
    backup_figures.report(label, plain, encrypted, key)
    print(f"{targets.met}/{targets.total} targets met")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 20 if args.quick else 60
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare_insert = BareInsert(folder)
        floor = median_seconds(bare_insert.insert, repeat * 3)
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
            measure("school of 40 classes: the teacher's class", school, last, repeat, floor)
            measure(
                "school of 40 classes: the principal's view",
                school,
                last,
                3,
                floor,
                whole_school=True,
            )
            profiles = [("demo class", demo, None), ("40-class school", school, last)]
        else:
            profiles = [("demo class", demo, None)]
        issue_12_targets(folder, profiles, repeat, bare_insert)
        bare_insert.close()


if __name__ == "__main__":
    main()
