"""Conflicts and refusals in the teacher's words, from real conflicts with the reference server:
the student named, the teacher's action and the server's side, in Vietnamese and English, in the
school's time zone whatever this computer's; marking them seen."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from desktop import i18n
from desktop.models import OutboxIntent, SyncConflict
from desktop.models.db import Database
from desktop.services import conflict_text, conflicts
from desktop.services.conflict_text import Choice, ConflictText
from desktop.sync.state import ConflictView
from tests.services.conflict_scenario import Conflicts
from tests.services.conflict_scenario import conflicts as produce
from tests.sync_faults import harness


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conflicts]:
    with produce(tmp_path_factory.mktemp("conflicts")) as produced:
        yield produced


@pytest.fixture
def profile(scenario: Conflicts, tmp_path: Path) -> Iterator[Database]:
    database = harness.open_clone(scenario.profile, tmp_path / "copy" / scenario.profile.name)
    yield database
    database.close()


def school_clock(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")


def texts(database: Database) -> dict[str, ConflictText]:
    with database.reading() as session:
        return {text.code: text for text in conflict_text.conflicts(session)}


def test_each_refusal_names_the_student_what_the_teacher_did_and_what_happened(
    scenario: Conflicts, profile: Database
) -> None:
    """Vietnamese: the cancelled, decided-elsewhere, moved-on request and the foreign grade."""
    found = texts(profile)
    assert set(found) == {"leave_cancelled", "already_decided", "stale_request", "not_owner"}

    cancelled = found["leave_cancelled"]
    assert cancelled.student_name == scenario.names[scenario.cancelled]
    assert cancelled.request_id == scenario.cancelled
    assert cancelled.about.startswith(f"Đơn xin nghỉ #{scenario.cancelled} (sáng ")
    assert cancelled.mine == "Thầy/cô đã duyệt đơn."
    assert cancelled.theirs == (f"Phụ huynh đã hủy đơn lúc {school_clock(scenario.cancelled_at)}.")
    assert cancelled.choices == (Choice.TAKE_THEIRS, Choice.DISMISS)

    elsewhere = found["already_decided"]
    assert elsewhere.student_name == scenario.names[scenario.decided_elsewhere]
    assert elsewhere.theirs == (
        f"{scenario.decided_by} đã từ chối đơn này trước đó, lúc "
        f"{school_clock(scenario.decided_at)}."
    )

    moved_on = found["stale_request"]
    assert moved_on.student_name == scenario.names[scenario.signed_off]
    assert moved_on.mine == "Thầy/cô đã từ chối đơn: “Chưa đủ giấy tờ”."
    assert moved_on.theirs.endswith("hiện tại: Chờ duyệt.")
    assert moved_on.choices == (Choice.DECIDE_AGAIN, Choice.TAKE_THEIRS, Choice.DISMISS)

    grade = found["not_owner"]
    assert grade.student_name == scenario.names[scenario.graded_student]
    assert grade.mine == "Thầy/cô đã nhập 8,5."
    assert ", cột TX" in grade.about and grade.about.endswith(", học kì 2")  # TX1…TX4, GK, CK
    assert grade.choices == (Choice.DISMISS,)


def test_the_same_conflicts_read_in_english_when_the_language_is_english(
    scenario: Conflicts, profile: Database
) -> None:
    """Built when shown: switching the language changes every sentence, stored line or not."""
    i18n.set_language("en")
    found = texts(profile)
    assert found["leave_cancelled"].mine == "You approved the request."
    assert found["leave_cancelled"].theirs == (
        f"The parent cancelled the request at {school_clock(scenario.cancelled_at)}."
    )
    assert found["leave_cancelled"].about.startswith(f"Leave request #{scenario.cancelled} (")
    assert found["already_decided"].theirs.startswith(f"{scenario.decided_by} had already rejected")
    assert found["stale_request"].theirs.endswith("it is now: Awaiting decision.")
    assert found["not_owner"].mine == "You entered 8.5."
    assert found["stale_request"].mine == "You rejected the request: “Chưa đủ giấy tờ”."
    assert found["not_owner"].theirs == (
        "Only the subject's teacher can enter its grades; the cell stays empty."
    )
    for text in found.values():
        # The teacher's and the server's sentences: none left in Vietnamese (names aside).
        sentence = text.theirs.replace(scenario.decided_by, "")
        assert not any(letter in sentence for letter in "ạảãđơườệ"), sentence


def test_times_are_the_schools_whatever_this_computers_time_zone(
    scenario: Conflicts, profile: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A computer set to Los Angeles still says the school's wall-clock time."""
    original = os.environ.get("TZ")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        assert time.strftime("%Z") in ("PST", "PDT")
        found = texts(profile)
    finally:
        if original is None:
            monkeypatch.delenv("TZ")
        else:
            monkeypatch.setenv("TZ", original)
        time.tzset()
    assert school_clock(scenario.decided_at) in found["already_decided"].theirs
    assert found["already_decided"].when == school_clock(found["already_decided"].created_at)


def test_an_unknown_intent_falls_back_to_a_general_sentence_and_the_stored_line(
    profile: Database,
) -> None:
    """An intent of a newer app version is still shown, with the server's own words."""
    view = ConflictView(
        id=99,
        intent_name="publish_timetable",
        code="invalid_input",
        message="Máy chủ từ chối.",
        mine='{"week": 3}',
        theirs="[]",
        created_at=datetime(2026, 3, 16, 0, 42, tzinfo=UTC),
        seen=False,
    )
    with profile.reading() as session:
        text = conflict_text.describe(session, view)
    assert (text.student_name, text.about) == ("", "")
    assert text.mine == "Thầy/cô đã thực hiện một thay đổi trên máy này."
    assert text.theirs == "Máy chủ từ chối."
    assert text.when == "07:42 16/03/2026"
    assert text.choices == (Choice.DISMISS,)


def test_marking_seen_hides_them_locally_and_queues_nothing(profile: Database) -> None:
    """Seen conflicts leave the list (still shown on request); nothing goes to the outbox."""
    found = texts(profile)
    chosen = found["leave_cancelled"].id
    with profile.transaction() as session:
        outbox = len(session.scalars(select(OutboxIntent)).all())
        changes = conflicts.mark_seen(session, [chosen])
    assert changes.ids("sync_conflict") == {str(chosen)}
    with profile.transaction() as session:
        first_seen = session.get_one(SyncConflict, chosen).seen_at
        again = conflicts.mark_seen(session, [chosen])
        assert session.get_one(SyncConflict, chosen).seen_at == first_seen
        assert len(session.scalars(select(OutboxIntent)).all()) == outbox
    assert again.ids("sync_conflict") == frozenset()
    assert "leave_cancelled" not in texts(profile)
    with profile.reading() as session:
        every = conflict_text.conflicts(session, include_seen=True)
    assert [t.seen for t in every if t.id == chosen] == [True]
