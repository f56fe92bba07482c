"""A no-change sync writes nothing: the token check, the client's state and the pull are all
read in snapshots, so a province's idle devices polling every few minutes cost no write lock."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event

from tests.server.helpers import mutation, served, sync_body

POLLS = 10


def test_no_change_syncs_commit_nothing(db_url: str) -> None:
    with served(db_url) as (store, seeded, api):
        class_id = seeded.small.class_id
        # The device is known (one intent pushed) and has caught up: what an idle client sends.
        first = sync_body(
            class_id,
            [
                mutation(
                    1,
                    "set_attendance",
                    {
                        "student_id": seeded.small.student_ids[0],
                        "day": "2025-10-20",
                        "session": "morning",
                        "observed": "absent",
                    },
                )
            ],
        )
        answer = api.sync(first).json()
        while answer["more"]:
            answer = api.sync({**first, "mutations": [], "cursor": answer["cursor"]}).json()
        commits: list[Any] = []

        def counted(connection: Any) -> None:
            commits.append(connection)

        event.listen(store.engine, "commit", counted)
        try:
            for cursor in (answer["cursor"], 0):
                for _ in range(POLLS):
                    polled = api.sync({**first, "mutations": [], "cursor": cursor})
                    assert polled.status_code == 200, polled.text
            idle = len(commits)
            # The count sees the server's writes: a push commits.
            api.sync(
                {
                    **first,
                    "mutations": [{**first["mutations"][0], "id": str(uuid.uuid4()), "seq": 2}],
                }
            )
        finally:
            event.remove(store.engine, "commit", counted)
        assert idle == 0
        assert len(commits) > 0
