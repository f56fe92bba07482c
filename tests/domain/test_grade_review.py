"""The homeroom teacher's review of grade entries and the post-audit of grade changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.grade_review import (
    ChangeReviewAction,
    ChangeReviewState,
    ReviewAction,
    ReviewState,
    after_new_entry,
    change_review_transition,
    needs_post_audit,
    review_transition,
)
from desktop.errors import IllegalTransition, InvalidInput
from desktop.i18n import set_language

PENDING, REVIEWED, RETURNED = ReviewState.PENDING, ReviewState.REVIEWED, ReviewState.RETURNED
MARK, SEND_BACK = ReviewAction.MARK_REVIEWED, ReviewAction.SEND_BACK
CHECK, QUERY = ChangeReviewAction.CHECK, ChangeReviewAction.QUERY


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English unless a test switches to Vietnamese."""
    set_language("en")
    yield
    set_language(None)


# ---------------------------------------------------------------------------------------------
# Review of a subject's entries
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "action", "note", "expected"),
    [
        (PENDING, MARK, None, REVIEWED),
        (PENDING, MARK, "all good", REVIEWED),
        (PENDING, SEND_BACK, "TX 2 of student 14 is missing", RETURNED),
        (REVIEWED, SEND_BACK, "Noticed a wrong GK after all", RETURNED),
        (RETURNED, MARK, None, REVIEWED),
    ],
)
def test_legal_review_transitions(
    current: ReviewState, action: ReviewAction, note: str | None, expected: ReviewState
) -> None:
    """Pending → reviewed or returned; reviewed → returned; returned → reviewed."""
    assert review_transition(current, action, note) is expected


@pytest.mark.parametrize("note", [None, "", "   ", "\n\t"])
@pytest.mark.parametrize("current", [PENDING, REVIEWED])
def test_send_back_needs_a_note(current: ReviewState, note: str | None) -> None:
    """Sending entries back without saying what to correct is refused (not illegal)."""
    with pytest.raises(InvalidInput) as caught:
        review_transition(current, SEND_BACK, note)
    assert caught.type is InvalidInput
    assert "what the subject teacher must correct" in caught.value.message


def test_marking_reviewed_twice_is_illegal() -> None:
    """Reviewed entries cannot be marked reviewed again."""
    with pytest.raises(IllegalTransition, match="already marked as reviewed"):
        review_transition(REVIEWED, MARK)


def test_sending_back_twice_is_illegal() -> None:
    """Returned entries cannot be sent back again, note or not."""
    with pytest.raises(IllegalTransition, match="already sent back"):
        review_transition(RETURNED, SEND_BACK, "again")


def test_illegal_transition_message_in_vietnamese() -> None:
    """The default language explains in Vietnamese."""
    set_language("vi")
    with pytest.raises(IllegalTransition) as caught:
        review_transition(REVIEWED, MARK)
    assert caught.value.message == "Bảng điểm này đã được đánh dấu là đã kiểm tra."
    assert REVIEWED.label == "Đã kiểm tra"
    assert RETURNED.label == "Đã trả lại"


@pytest.mark.parametrize("state", list(ReviewState))
def test_new_entry_makes_the_review_pending_again(state: ReviewState) -> None:
    """After a new entry the review no longer covers what is there."""
    assert after_new_entry(state) is PENDING


def test_review_cycle() -> None:
    """Send back, the subject teacher corrects, then the homeroom teacher reviews."""
    state = review_transition(PENDING, SEND_BACK, "CK of student 3 missing")
    assert state is RETURNED
    state = after_new_entry(state)
    assert state is PENDING
    state = review_transition(state, MARK)
    assert state is REVIEWED
    assert after_new_entry(state) is PENDING


@settings(derandomize=True, database=None, max_examples=200)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(ReviewAction)), st.sampled_from([None, "", "fix TX 1"])),
        max_size=12,
    )
)
def test_review_state_follows_the_last_accepted_action(
    steps: list[tuple[ReviewAction, str | None]],
) -> None:
    """Any run of actions: a refused one changes nothing; an accepted one sets its state."""
    state = PENDING
    for action, note in steps:
        try:
            new = review_transition(state, action, note)
        except InvalidInput:
            continue
        assert new is (REVIEWED if action is MARK else RETURNED)
        assert new is not state
        state = new


# ---------------------------------------------------------------------------------------------
# Post-audit of changes
# ---------------------------------------------------------------------------------------------

PUBLISHED = datetime(2024, 11, 20, 10, 0)
DEADLINE = date(2024, 11, 30)


@pytest.mark.parametrize(
    ("changed_at", "published_at", "deadline", "expected"),
    [
        # Before publication and before the deadline: an ordinary edit.
        (datetime(2024, 11, 19, 9, 0), PUBLISHED, DEADLINE, False),
        # At the very moment of publication: not after it.
        (PUBLISHED, PUBLISHED, DEADLINE, False),
        # One minute after publication.
        (datetime(2024, 11, 20, 10, 1), PUBLISHED, DEADLINE, True),
        # Not published; on the due day (late evening) is still on time.
        (datetime(2024, 11, 30, 23, 59), None, DEADLINE, False),
        # Not published; the day after the deadline.
        (datetime(2024, 12, 1, 0, 0), None, DEADLINE, True),
        # Neither published nor any deadline.
        (datetime(2025, 5, 1), None, None, False),
    ],
)
def test_needs_post_audit(
    changed_at: datetime, published_at: datetime | None, deadline: date | None, expected: bool
) -> None:
    """Every change after publication or after the column deadline is listed."""
    assert needs_post_audit(changed_at, published_at, deadline) is expected


def test_changes_after_lock_are_listed() -> None:
    """A change after the subject was locked is listed even if unpublished and on time."""
    locked = datetime(2024, 11, 25, 17, 0)
    assert needs_post_audit(datetime(2024, 11, 26), None, DEADLINE, locked_at=locked)
    assert not needs_post_audit(datetime(2024, 11, 24), None, DEADLINE, locked_at=locked)


@pytest.mark.parametrize(
    ("current", "action", "note", "expected"),
    [
        (ChangeReviewState.PENDING, CHECK, None, ChangeReviewState.CHECKED),
        (ChangeReviewState.PENDING, QUERY, "Why 9 instead of 6?", ChangeReviewState.QUERIED),
        (ChangeReviewState.QUERIED, CHECK, None, ChangeReviewState.CHECKED),
        (ChangeReviewState.QUERIED, QUERY, "Please attach the test", ChangeReviewState.QUERIED),
    ],
)
def test_legal_change_review_transitions(
    current: ChangeReviewState,
    action: ChangeReviewAction,
    note: str | None,
    expected: ChangeReviewState,
) -> None:
    """Pending or queried changes can be checked or queried (with a follow-up question)."""
    assert change_review_transition(current, action, note) is expected


@pytest.mark.parametrize("note", [None, "", "  "])
def test_query_needs_a_note(note: str | None) -> None:
    """A query without a question is refused."""
    with pytest.raises(InvalidInput) as caught:
        change_review_transition(ChangeReviewState.PENDING, QUERY, note)
    assert caught.type is InvalidInput
    assert "Write the question" in caught.value.message


@pytest.mark.parametrize(("action", "note"), [(CHECK, None), (QUERY, "one more thing")])
def test_checked_change_is_final(action: ChangeReviewAction, note: str | None) -> None:
    """Nothing follows a check."""
    with pytest.raises(IllegalTransition, match="already been checked"):
        change_review_transition(ChangeReviewState.CHECKED, action, note)


def test_change_review_labels_in_vietnamese() -> None:
    """The post-audit list shows Vietnamese state names."""
    set_language("vi")
    assert ChangeReviewState.PENDING.label == "Chưa kiểm tra"
    assert ChangeReviewState.QUERIED.label == "Đã yêu cầu giải trình"
    with pytest.raises(InvalidInput, match="Hãy ghi câu hỏi"):
        change_review_transition(ChangeReviewState.PENDING, QUERY, " ")
