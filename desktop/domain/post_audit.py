"""Which approved leave requests the school verifies afterwards (*hậu kiểm*, domain.md §2).

The selection is deterministic so that anyone holding the seed can reproduce it: the random share
is decided for each request on its own, from a SHA-256 of the seed and the request id, so adding,
removing or reordering other requests never changes whether a request is drawn. On top of the
random share, rules always select every special case, every late retroactive request, and every
request of a student who sent ``policy.frequent_requests_count`` requests or more within
``policy.frequent_requests_window_days`` days.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from desktop.domain.leave import AuditStatus, is_late_retroactive
from desktop.domain.policy import SchoolPolicy
from desktop.i18n import N_, _

_HASH_BITS = 64


class SelectionReason(StrEnum):
    """Why a request was selected; listed in this order."""

    RANDOM_SAMPLE = "random_sample"
    SPECIAL_CASE = "special_case"
    LATE_RETROACTIVE = "late_retroactive"
    FREQUENT_REQUESTS = "frequent_requests"

    @property
    def label(self) -> str:
        return _(_REASON_LABELS[self])


_REASON_LABELS = {
    SelectionReason.RANDOM_SAMPLE: N_("Random sample"),
    SelectionReason.SPECIAL_CASE: N_("Special case"),
    SelectionReason.LATE_RETROACTIVE: N_("Submitted late, after the absence"),
    SelectionReason.FREQUENT_REQUESTS: N_("Frequent requests by the same student"),
}


@dataclass(frozen=True)
class AuditCandidate:
    """An approved request that post-audit may select."""

    request_id: int
    student_id: int
    submitted_at: datetime
    special_case: bool
    retroactive_days: int
    audit_status: AuditStatus = AuditStatus.NONE


@dataclass(frozen=True)
class Selection:
    request_id: int
    reasons: tuple[SelectionReason, ...]


def select(
    candidates: Iterable[AuditCandidate],
    all_requests_for_frequency: Sequence[tuple[int, datetime]],
    policy: SchoolPolicy,
    seed: int,
) -> list[Selection]:
    """The selected candidates, by request id, each with every reason that applies.

    Only candidates not yet selected or audited (``audit_status`` NONE) are selectable.
    ``all_requests_for_frequency`` lists ``(student_id, submitted_at)`` of every request the
    school counts towards "frequent" (the caller decides which statuses count); a candidate is
    counted once whether or not it is in that list.
    """
    unique = _unique(candidates)
    history = _history(all_requests_for_frequency)
    selections: list[Selection] = []
    for candidate in unique:
        if candidate.audit_status is not AuditStatus.NONE:
            continue
        reasons = _reasons(candidate, history, policy, seed)
        if reasons:
            selections.append(Selection(candidate.request_id, reasons))
    return selections


def random_draw(seed: int, request_id: int) -> Fraction:
    """A number in [0, 1) fixed by ``seed`` and ``request_id`` alone."""
    digest = hashlib.sha256(f"homeroom-post-audit:{seed}:{request_id}".encode()).digest()
    return Fraction(int.from_bytes(digest[: _HASH_BITS // 8], "big"), 2**_HASH_BITS)


def in_random_sample(seed: int, request_id: int, rate: Decimal | Fraction | int) -> bool:
    """Whether the random share draws ``request_id``: its draw is below ``rate`` (compared
    exactly, so rate 0 draws nothing and rate 1 everything)."""
    return random_draw(seed, request_id) < Fraction(rate)


def frequent(
    submitted_at: datetime,
    student_dates: Sequence[date],
    policy: SchoolPolicy,
) -> bool:
    """Whether some window of ``policy.frequent_requests_window_days`` calendar days containing
    ``submitted_at``'s day holds ``policy.frequent_requests_count`` requests or more.

    ``student_dates`` are the student's request days, sorted, including this request's.
    """
    day = submitted_at.date()
    span = timedelta(days=policy.frequent_requests_window_days - 1)
    # A best window can always start on a request day no later than ``day``.
    lo = bisect_left(student_dates, day - span)
    hi = bisect_right(student_dates, day)
    for start in student_dates[lo:hi]:
        inside = bisect_right(student_dates, start + span) - bisect_left(student_dates, start)
        if inside >= policy.frequent_requests_count:
            return True
    return False


def _reasons(
    candidate: AuditCandidate,
    history: dict[int, list[datetime]],
    policy: SchoolPolicy,
    seed: int,
) -> tuple[SelectionReason, ...]:
    reasons: list[SelectionReason] = []
    if in_random_sample(seed, candidate.request_id, policy.post_audit_rate):
        reasons.append(SelectionReason.RANDOM_SAMPLE)
    if candidate.special_case:
        reasons.append(SelectionReason.SPECIAL_CASE)
    if is_late_retroactive(candidate.retroactive_days, policy):
        reasons.append(SelectionReason.LATE_RETROACTIVE)
    own = history.get(candidate.student_id, [])
    moments = own if candidate.submitted_at in own else [*own, candidate.submitted_at]
    if frequent(candidate.submitted_at, sorted(m.date() for m in moments), policy):
        reasons.append(SelectionReason.FREQUENT_REQUESTS)
    return tuple(reasons)


def _history(requests: Sequence[tuple[int, datetime]]) -> dict[int, list[datetime]]:
    by_student: dict[int, list[datetime]] = defaultdict(list)
    for student_id, submitted_at in requests:
        by_student[student_id].append(submitted_at)
    return by_student


def _unique(candidates: Iterable[AuditCandidate]) -> list[AuditCandidate]:
    """Candidates by request id; the same request twice is a caller's bug."""
    by_id: dict[int, AuditCandidate] = {}
    for candidate in candidates:
        known = by_id.setdefault(candidate.request_id, candidate)
        if known != candidate:
            raise ValueError(f"two different candidates for request {candidate.request_id}")
    return [by_id[request_id] for request_id in sorted(by_id)]
