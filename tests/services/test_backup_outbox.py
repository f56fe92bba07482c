"""The outbox survives a restore, against the real server on loopback: the intents the current
profile has not synced are carried into the restored one, the ones the backup still held but
the server has processed since are not sent again, and every intent applies exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import AttendanceMark
from desktop.models.cipher import export_encrypted
from desktop.models.db import APPLICATION_ID, Database, open_database
from desktop.services import backup
from desktop.sync.engine import sync_once
from desktop.sync.protocol import SyncRequest, SyncResponse
from tests.server.helpers import TODAY, Api, served
from tests.services.backup_profiles import KEY, open_profile
from tests.sync_faults import harness

NOW = datetime(2025, 10, 20, 9, 0, tzinfo=UTC)


class Recorded:
    """The engine's ``SyncServer`` over HTTP, noting each request it sent."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.requests: list[SyncRequest] = []

    def sync(self, request: SyncRequest) -> SyncResponse:
        self.requests.append(request)
        response = self.api.http.post(
            "/api/v1/sync",
            content=request.model_dump_json(),
            headers={**self.api.auth("gvcn"), "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        return SyncResponse.model_validate_json(response.content)

    def sent(self) -> list[str]:
        return [m.id for r in self.requests for m in r.mutations]


def _synced_profile(folder: Path, api: Api, class_id: int, *, encrypted: bool) -> Database:
    """A profile after its first sync; encrypted: the same made into a SQLCipher file."""
    plain = open_database(folder / "plain" / "homeroom.sqlite3")
    sync_once(plain, Recorded(api), class_id=class_id)
    if not encrypted:
        return plain
    plain.close()
    target = folder / "profile" / "homeroom.sqlite3"
    target.parent.mkdir()
    export_encrypted(plain.path, target, KEY, APPLICATION_ID)
    return open_profile(target, encrypted=True)


def _observed(database: Database, student: int) -> str | None:
    with database.reading() as session:
        return session.scalar(
            select(AttendanceMark.observed).where(
                AttendanceMark.student_id == student,
                AttendanceMark.day == TODAY,
                AttendanceMark.session == "morning",
            )
        )


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("pending_at_restore", [True, False], ids=["pending", "all-synced"])
def test_a_restore_keeps_unsynced_intents_and_the_server_applies_each_once(
    tmp_path: Path, pending_at_restore: bool, encrypted: bool
) -> None:
    with served(f"sqlite:///{tmp_path / 'server.sqlite3'}") as (store, seeded, api):
        class_id = seeded.small.class_id
        profile = _synced_profile(tmp_path, api, class_id, encrypted=encrypted)
        try:
            students = harness.students_of(profile)
            held = harness.roll_call(profile, students[0], TODAY, "morning", "late")
            made = backup.back_up(profile, now=NOW)  # holds ``held`` as pending
            sync_once(profile, Recorded(api), class_id=class_id)
            synced = harness.roll_call(profile, students[1], TODAY, "morning", "late")
            sync_once(profile, Recorded(api), class_id=class_id)
            carried = (
                harness.roll_call(profile, students[2], TODAY, "morning", "late")
                if pending_at_restore
                else None
            )

            restored = backup.restore(profile, made.path, now=NOW)

            assert restored.carried.pending == Counter(
                {"set_attendance": 1} if pending_at_restore else {}
            )
            assert restored.carried.already_sent == 1
            # The carried roll call shows before any sync; the one the backup held stays.
            assert _observed(profile, students[2]) == ("late" if pending_at_restore else None)
            assert _observed(profile, students[0]) == "late"
            after = harness.roll_call(profile, students[0], TODAY, "afternoon", "late")
            server = Recorded(api)
            sync_once(profile, server, class_id=class_id)

            expected = [i for i in (carried, after) if i is not None]
            assert server.sent() == expected
            found = harness.ledger(store, harness.client_id(profile))
            assert found.statuses == {
                i: "applied" for i in (held, synced, *expected) if i is not None
            }
            assert found.seqs == list(range(1, len(found.seqs) + 1))
            harness.assert_converged(store, profile, class_id)
        finally:
            profile.close()
