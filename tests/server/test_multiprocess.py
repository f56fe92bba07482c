"""Several server processes on one database: the same intents pushed to two processes at once
apply once each, and the class's change seqs stay gap-free. One of the processes runs two
uvicorn workers (``serve --workers 2``), so the worker factory is exercised too."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from server.store import open_store
from server.tables import ChangeCounter, ChangeLogEntry, ProcessedMutation
from tests.server.helpers import Api, mutation, seed, sync_body
from tests.server.processes import server_process

ROUNDS = 4
PER_ROUND = 5


def _school_days(count: int) -> list[date]:
    days, day = [], date(2025, 10, 6)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_two_processes_apply_each_intent_once_with_gap_free_seqs(db_url: str) -> None:
    store = open_store(db_url)
    try:
        seeded = seed(store)
        class_id = seeded.small.class_id
        with store.read() as session:
            top_before = (
                session.scalar(select(ChangeCounter.seq).where(ChangeCounter.class_id == class_id))
                or 0
            )
        with ExitStack() as stack:
            urls = [stack.enter_context(server_process(db_url, workers))[0] for workers in (2, 1)]
            clients = [stack.enter_context(Api(url)) for url in urls]
            token = clients[0].token("gvcn")
            for api in clients:
                api.tokens["gvcn"] = token
            client_id = str(uuid.uuid4())
            days = iter(_school_days(ROUNDS * PER_ROUND))
            student = seeded.small.student_ids[0]
            pushed: list[str] = []
            statuses: dict[str, list[str]] = {}
            for round_ in range(ROUNDS):
                mutations = [
                    mutation(
                        round_ * PER_ROUND + n + 1,
                        "set_attendance",
                        {
                            "student_id": student,
                            "day": next(days).isoformat(),
                            "session": "morning",
                            "observed": "absent",
                        },
                    )
                    for n in range(PER_ROUND)
                ]
                pushed += [m["id"] for m in mutations]
                body = sync_body(class_id, mutations, client_id=client_id)
                barrier = threading.Barrier(len(clients))
                answers: list[Any] = [None] * len(clients)

                def push(
                    index: int,
                    body: dict[str, Any] = body,
                    barrier: Any = barrier,
                    answers: list[Any] = answers,
                ) -> None:
                    barrier.wait()
                    answers[index] = clients[index].sync(body)

                threads = [threading.Thread(target=push, args=(i,)) for i in range(len(clients))]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for answer in answers:
                    assert answer.status_code == 200, answer.text
                    for result in answer.json()["results"]:
                        statuses.setdefault(result["id"], []).append(result["status"])
        assert {key: sorted(value) for key, value in statuses.items()} == {
            key: ["applied", "duplicate"] for key in pushed
        }
        with store.read() as session:
            processed = set(session.scalars(select(ProcessedMutation.mutation_id)))
            entries = session.execute(
                select(ChangeLogEntry.seq, ChangeLogEntry.entity, ChangeLogEntry.data).where(
                    ChangeLogEntry.class_id == class_id, ChangeLogEntry.seq > top_before
                )
            ).all()
            top = session.scalar(
                select(ChangeCounter.seq).where(ChangeCounter.class_id == class_id)
            )
        assert set(pushed) <= processed
        # Every seq handed out was written (a later change of the same row replaces its entry,
        # so the stored seqs may skip, but the counter never runs ahead of the log) ...
        assert top == max(seq for seq, _entity, _data in entries)
        # ... and the intents' rows carry seqs in the order the intents were pushed.
        days = [json.loads(data)["day"] for _seq, entity, data in sorted(entries)
                if entity == "attendance_mark" and data]  # fmt: skip
        assert days == [d.isoformat() for d in _school_days(ROUNDS * PER_ROUND)]
    finally:
        store.close()
