"""A teacher's app as a separate process, to be killed mid-sync by ``test_interruptions``.

``python -m tests.sync_faults.sync_worker PROFILE URL CLASS_ID SEED`` with the access token in
``HOMEROOM_TEST_TOKEN``: prints ``ready`` once the profile is open, then repeats: queue a few
roll-call marks offline (seeded), sync (a network error is only printed). It reports its
progress as one marker line per step (``queued``, ``request``, ``answer``, ``round N: ...``) so
the test can kill it after a chosen number of steps, whatever the machine's speed. It never
stops on its own before ``ROUNDS`` rounds; the test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from desktop.errors import HomeroomError
from desktop.models import Student
from desktop.models.db import open_database
from desktop.services import intents
from desktop.services.scope import load_scope
from desktop.sync.engine import sync_once
from desktop.sync.errors import AuthError
from desktop.sync.protocol import SyncRequest, SyncResponse
from desktop.sync.transport import NO_RETRY, SyncTransport

ROUNDS = 50
FIRST_DAY = date(2025, 10, 6)  # a Monday


class Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def access_token(self) -> str | None:
        return self.token

    def refresh(self) -> None:
        raise AuthError("no refresh in the worker", status=401)


class Reporting:
    """The transport, with a marker before each request goes out and after its answer came."""

    def __init__(self, inner: SyncTransport) -> None:
        self.inner = inner

    def sync(self, request: SyncRequest) -> SyncResponse:
        print("request", flush=True)
        answer = self.inner.sync(request)
        print("answer", flush=True)
        return answer


def main(profile: str, url: str, class_id: str, seed: str) -> None:
    rng = random.Random(int(seed))
    database = open_database(Path(profile))
    client = SyncTransport(
        url,
        credentials=Token(os.environ["HOMEROOM_TEST_TOKEN"]),
        retry=NO_RETRY,
        allow_http=True,
        trust_env=False,
    )
    print("ready", flush=True)
    for round_number in range(ROUNDS):
        with database.transaction() as session:
            scope = load_scope(session)
            students = sorted(s.id for s in session.query(Student))
            for _n in range(rng.randint(1, 4)):
                day = FIRST_DAY + timedelta(days=rng.randrange(0, 40, 7) + rng.randint(0, 4))
                intents.perform(
                    session,
                    scope,
                    "set_attendance",
                    {
                        "student_id": rng.choice(students),
                        "day": day.isoformat(),
                        "session": rng.choice(["morning", "afternoon"]),
                        "observed": rng.choice(["absent", "late", "present", None]),
                    },
                    actor="Trần Thị Hồng Nhung",
                )
        print("queued", flush=True)
        try:
            summary = sync_once(database, Reporting(client), class_id=int(class_id))
            print(f"round {round_number}: {summary}", flush=True)
        except HomeroomError as error:
            print(f"round {round_number}: {type(error).__name__}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
