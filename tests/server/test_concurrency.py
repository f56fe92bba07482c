"""Concurrent writers and a follower pulling all along: the follower misses nothing, because a
class's seqs become visible in the order they were handed out."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from typing import Any

from desktop.sync.rows import row_key, synced_tables
from tests.server.helpers import Api, mutation, served, sync_body

WRITERS = 3
BATCHES = 4
PER_BATCH = 5


def _school_days(count: int) -> list[date]:
    days, day = [], date(2025, 10, 6)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _apply(state: dict[tuple[str, str], Any], changes: list[dict[str, Any]]) -> None:
    for change in changes:
        key = change.get("key") or row_key(synced_tables()[change["entity"]], change["data"])
        state[(change["entity"], key)] = change.get("data")


def test_a_follower_misses_no_change_while_teachers_write(db_url: str) -> None:
    with served(db_url, page_size=25) as (_store, seeded, api):
        url = str(api.http.base_url)
        token = api.token("gvcn")
        days = _school_days(WRITERS * BATCHES * PER_BATCH)
        errors: list[str] = []
        done = threading.Event()

        def writer(index: int) -> None:
            with Api(url) as own:
                own.tokens["gvcn"] = token
                client, seq = str(uuid.uuid4()), 0
                student = seeded.small.student_ids[index]
                for batch in range(BATCHES):
                    mutations = []
                    for n in range(PER_BATCH):
                        seq += 1
                        day = days[(index * BATCHES + batch) * PER_BATCH + n]
                        mutations.append(
                            mutation(
                                seq,
                                "set_attendance",
                                {
                                    "student_id": student,
                                    "day": day.isoformat(),
                                    "session": "morning",
                                    "observed": "absent",
                                },
                            )
                        )
                    answer = own.sync(sync_body(seeded.small.class_id, mutations, client_id=client))
                    statuses = [r["status"] for r in answer.json()["results"]]
                    if answer.status_code != 200 or statuses != ["applied"] * PER_BATCH:
                        errors.append(answer.text)

        followed: dict[tuple[str, str], Any] = {}

        def follower() -> None:
            with Api(url) as own:
                own.tokens["gvcn"] = token
                cursor = 0
                while True:
                    finished = done.is_set()
                    page = own.sync(sync_body(seeded.small.class_id, cursor=cursor)).json()
                    _apply(followed, page["changes"])
                    cursor = page["cursor"]
                    if finished and not page["more"]:
                        return

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        reader = threading.Thread(target=follower)
        reader.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        done.set()
        reader.join(timeout=60)
        assert errors == []

        snapshot: dict[tuple[str, str], Any] = {}
        cursor = 0
        while True:
            page = api.sync(sync_body(seeded.small.class_id, cursor=cursor)).json()
            _apply(snapshot, page["changes"])
            cursor = page["cursor"]
            if not page["more"]:
                break
        marks = [key for key in snapshot if key[0] == "attendance_mark"]
        assert len(marks) == WRITERS * BATCHES * PER_BATCH
        assert {k: v for k, v in followed.items() if v is not None} == snapshot
