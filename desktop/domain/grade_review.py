"""The homeroom teacher's review of grade entries, and the post-audit of grade changes.

Circular 22 (Art. 20) makes the homeroom teacher check every subject teacher's entries. Two small
state machines record that work:

- the review of one subject's entries for one semester: *pending* until the homeroom teacher marks
  it reviewed or sends it back with a note saying what to correct; any new entry makes it pending
  again, since what was reviewed is no longer what is there;
- the post-audit of one change to a score: every change made after the score was published, after
  the subject was locked or after the column's deadline is listed, and the homeroom teacher checks
  it or queries the teacher who made it.

Pure rules: who may act, and storing the state and the notes, belong to the services.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from desktop.errors import IllegalTransition, InvalidInput
from desktop.i18n import N_, _

# --------------------------------------------------------------------------------------------
# Review of a subject's entries for one semester
# --------------------------------------------------------------------------------------------


class ReviewState(StrEnum):
    PENDING = "pending"
    """Not reviewed since the last entry."""
    REVIEWED = "reviewed"
    RETURNED = "returned"
    """Sent back to the subject teacher with a note."""

    @property
    def label(self) -> str:
        return _(_REVIEW_LABELS[self])


_REVIEW_LABELS = {
    ReviewState.PENDING: N_("Waiting for review"),
    ReviewState.REVIEWED: N_("Reviewed"),
    ReviewState.RETURNED: N_("Sent back"),
}


class ReviewAction(StrEnum):
    MARK_REVIEWED = "mark_reviewed"
    SEND_BACK = "send_back"


def review_transition(
    current: ReviewState, action: ReviewAction, note: str | None = None
) -> ReviewState:
    """The state after the homeroom teacher's ``action``.

    ============  ==============  ==========================================================
    from          action          to
    ============  ==============  ==========================================================
    pending       mark reviewed   reviewed
    pending       send back       returned (a note is required)
    reviewed      send back       returned: a problem seen after the review
    returned      mark reviewed   reviewed: the subject teacher explained, nothing to change
    reviewed      mark reviewed   refused: already reviewed
    returned      send back       refused: already sent back
    ============  ==============  ==========================================================
    """
    if action is ReviewAction.SEND_BACK:
        if current is ReviewState.RETURNED:
            raise IllegalTransition(
                _("These entries were already sent back to the subject teacher.")
            )
        _require_note(
            note, _("Say what the subject teacher must correct when sending the entries back.")
        )
        return ReviewState.RETURNED
    if current is ReviewState.REVIEWED:
        raise IllegalTransition(_("These entries are already marked as reviewed."))
    return ReviewState.REVIEWED


def after_new_entry(state: ReviewState) -> ReviewState:
    """Any new or changed entry puts the subject back in the queue: the review covered less."""
    del state  # Whatever it was, the review no longer covers what is there.
    return ReviewState.PENDING


# --------------------------------------------------------------------------------------------
# Post-audit of changes to scores
# --------------------------------------------------------------------------------------------


class ChangeReviewState(StrEnum):
    PENDING = "pending"
    CHECKED = "checked"
    """Final: the homeroom teacher accepted the change."""
    QUERIED = "queried"
    """The homeroom teacher asked the teacher who made the change to explain."""

    @property
    def label(self) -> str:
        return _(_CHANGE_REVIEW_LABELS[self])


_CHANGE_REVIEW_LABELS = {
    ChangeReviewState.PENDING: N_("Not checked yet"),
    ChangeReviewState.CHECKED: N_("Checked"),
    ChangeReviewState.QUERIED: N_("Queried"),
}


class ChangeReviewAction(StrEnum):
    CHECK = "check"
    QUERY = "query"


def needs_post_audit(
    changed_at: datetime,
    published_at: datetime | None,
    deadline: date | None,
    *,
    locked_at: datetime | None = None,
) -> bool:
    """Whether a change to a score is listed for post-audit.

    Every change strictly after the score was published, after the subject was locked, or on a
    day after the column's deadline (the due day itself is still on time) is listed. The
    datetimes must all be local times, or all aware.
    """
    if published_at is not None and changed_at > published_at:
        return True
    if locked_at is not None and changed_at > locked_at:
        return True
    return deadline is not None and changed_at.date() > deadline


def change_review_transition(
    current: ChangeReviewState, action: ChangeReviewAction, note: str | None = None
) -> ChangeReviewState:
    """The state of a listed change after the homeroom teacher's ``action``.

    Pending or queried changes can be checked (an answered query is then closed) or queried
    (a note is required; querying again asks a follow-up question). A checked change is final.
    """
    if current is ChangeReviewState.CHECKED:
        raise IllegalTransition(_("This change has already been checked."))
    if action is ChangeReviewAction.QUERY:
        _require_note(note, _("Write the question for the teacher who changed the score."))
        return ChangeReviewState.QUERIED
    return ChangeReviewState.CHECKED


def _require_note(note: str | None, message: str) -> str:
    cleaned = (note or "").strip()
    if not cleaned:
        raise InvalidInput(message)
    return cleaned


__all__ = [
    "ChangeReviewAction",
    "ChangeReviewState",
    "ReviewAction",
    "ReviewState",
    "after_new_entry",
    "change_review_transition",
    "needs_post_audit",
    "review_transition",
]
