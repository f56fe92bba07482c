"""Deterministic post-audit selection (desktop/domain/post_audit.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from desktop.domain.leave import AuditStatus
from desktop.domain.policy import SchoolPolicy
from desktop.domain.post_audit import (
    AuditCandidate,
    Selection,
    SelectionReason,
    frequent,
    in_random_sample,
    random_draw,
    select,
)
from desktop.i18n import set_language

NO_RANDOM = SchoolPolicy(post_audit_rate=Decimal("0"))
ALL_RANDOM = SchoolPolicy(post_audit_rate=Decimal("1"))
R = SelectionReason


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def at(month: int, day: int, hour: int = 20) -> datetime:
    return datetime(2025, month, day, hour, 0)


def candidate(
    request_id: int,
    student_id: int = 1,
    submitted_at: datetime | None = None,
    *,
    special: bool = False,
    retro: int = 0,
    audit: AuditStatus = AuditStatus.NONE,
) -> AuditCandidate:
    # One request a week per request id by default, so nobody is "frequent" by accident.
    when = submitted_at or datetime(2025, 9, 8) + timedelta(days=7 * request_id)
    return AuditCandidate(request_id, student_id, when, special, retro, audit)


def many(count: int) -> list[AuditCandidate]:
    """``count`` ordinary requests, each of a different student."""
    return [candidate(rid, student_id=rid) for rid in range(1, count + 1)]


def ids(selections: list[Selection]) -> list[int]:
    return [sel.request_id for sel in selections]


# --- the random share -----------------------------------------------------------------------


def test_draw_is_fixed_by_seed_and_request() -> None:
    """The same (seed, request) always draws the same number in [0, 1)."""
    draw = random_draw(7, 12)
    assert draw == random_draw(7, 12)
    assert 0 <= draw < 1
    assert draw != random_draw(8, 12)
    assert draw != random_draw(7, 13)


def test_rate_zero_and_one_are_exact() -> None:
    """Rate 0 never draws; rate 1 always does."""
    for rid in range(200):
        assert not in_random_sample(3, rid, Decimal("0"))
        assert in_random_sample(3, rid, Decimal("1"))
        assert in_random_sample(3, rid, Fraction(1, 2)) == (random_draw(3, rid) < Fraction(1, 2))


def test_rate_zero_selects_only_by_rule() -> None:
    """With no random share, only the special case (#2) and the late request (#3) are selected."""
    candidates = [*many(1), candidate(2, 2, special=True), candidate(3, 3, retro=2)]
    assert select(candidates, [], NO_RANDOM, seed=1) == [
        Selection(2, (R.SPECIAL_CASE,)),
        Selection(3, (R.LATE_RETROACTIVE,)),
    ]


def test_rate_one_selects_every_selectable_request() -> None:
    """Every request not yet selected or audited is drawn."""
    candidates = [
        *many(5),
        candidate(6, 6, audit=AuditStatus.SELECTED),
        candidate(7, 7, audit=AuditStatus.CONFIRMED, special=True),
        candidate(8, 8, audit=AuditStatus.DISCREPANCY),
    ]
    result = select(candidates, [], ALL_RANDOM, seed=1)
    assert result == [Selection(rid, (R.RANDOM_SAMPLE,)) for rid in range(1, 6)]


def test_the_random_share_is_about_ten_percent() -> None:
    """1000 requests at the default 10 %: between 7 % and 13 % drawn (fixed by the seed)."""
    drawn = len(select(many(1000), [], SchoolPolicy(), seed=2025))
    assert 70 <= drawn <= 130


def test_same_seed_same_result_whatever_the_order() -> None:
    """Shuffled input, same seed: the same selection, sorted by request id."""
    candidates = [*many(60), candidate(61, 61, special=True), candidate(62, 62, retro=4)]
    policy = SchoolPolicy(post_audit_rate=Decimal("0.3"))
    expected = select(candidates, [], policy, seed=99)
    shuffled = list(candidates)
    random.Random(5).shuffle(shuffled)
    assert select(shuffled, [], policy, seed=99) == expected
    assert ids(expected) == sorted(ids(expected))
    assert 61 in ids(expected) and 62 in ids(expected)


def test_a_request_is_drawn_independently_of_the_others() -> None:
    """Whether #17 is drawn does not change when the other requests change."""
    policy = SchoolPolicy(post_audit_rate=Decimal("0.5"))
    alone = 17 in ids(select([candidate(17, 17)], [], policy, seed=4))
    with_others = 17 in ids(select(many(40), [], policy, seed=4))
    assert alone == with_others == in_random_sample(4, 17, Decimal("0.5"))


def test_a_different_seed_changes_the_random_part_only() -> None:
    """Seeds 1 and 2 draw different requests; the rule-based ones stay."""
    policy = SchoolPolicy(post_audit_rate=Decimal("0.5"))
    candidates = [*many(50), candidate(51, 51, special=True)]
    first = select(candidates, [], policy, seed=1)
    second = select(candidates, [], policy, seed=2)
    random_first = {sel.request_id for sel in first if R.RANDOM_SAMPLE in sel.reasons}
    random_second = {sel.request_id for sel in second if R.RANDOM_SAMPLE in sel.reasons}
    assert random_first != random_second
    assert 51 in ids(first) and 51 in ids(second)


# --- the rules ------------------------------------------------------------------------------


def test_late_retroactive_boundary() -> None:
    """Default threshold 2 school days: 1 day late is not selected, 2 is."""
    result = select([candidate(1, 1, retro=1), candidate(2, 2, retro=2)], [], NO_RANDOM, seed=0)
    assert result == [Selection(2, (R.LATE_RETROACTIVE,))]


def test_frequent_requests_within_thirty_days() -> None:
    """Student 7 sent on 1/10, 15/10 and 30/10: 1/10-30/10 is a 30-day window holding all three,
    so each is selected. Student 8 sent on 1/10, 15/10 and 31/10: 1/10-30/10 holds two, 15/10-
    13/11 holds two: nobody is frequent."""
    history = [
        (7, at(10, 1)),
        (7, at(10, 15)),
        (7, at(10, 30)),
        (8, at(10, 1)),
        (8, at(10, 15)),
        (8, at(10, 31)),
    ]
    candidates = [
        candidate(1, 7, at(10, 1)),
        candidate(2, 7, at(10, 15)),
        candidate(3, 7, at(10, 30)),
        candidate(4, 8, at(10, 1)),
        candidate(5, 8, at(10, 15)),
        candidate(6, 8, at(10, 31)),
    ]
    result = select(candidates, history, NO_RANDOM, seed=0)
    assert result == [Selection(rid, (R.FREQUENT_REQUESTS,)) for rid in (1, 2, 3)]


def test_frequency_marks_only_requests_inside_a_busy_window() -> None:
    """Requests on 1/10, 5/10, 10/10 and 20/12: the first three share a window; 20/12 is alone
    in every 30-day window that contains it, so it is not selected."""
    history = [(1, at(10, 1)), (1, at(10, 5)), (1, at(10, 10)), (1, at(12, 20))]
    candidates = [candidate(rid, 1, when) for rid, (_, when) in enumerate(history, start=1)]
    assert ids(select(candidates, history, NO_RANDOM, seed=0)) == [1, 2, 3]


def test_frequency_counts_history_and_the_candidate_once() -> None:
    """Two earlier requests (say rejected ones, not candidates) plus this one make three; the
    candidate counts once whether or not it is also in the history."""
    history = [(1, at(10, 1)), (1, at(10, 2))]
    this = candidate(9, 1, at(10, 3))
    assert ids(select([this], history, NO_RANDOM, seed=0)) == [9]
    assert ids(select([this], [*history, (1, at(10, 3))], NO_RANDOM, seed=0)) == [9]
    assert ids(select([this], history[:1], NO_RANDOM, seed=0)) == []
    # Another student's requests do not count.
    assert ids(select([this], [(2, at(10, 1)), (2, at(10, 2))], NO_RANDOM, seed=0)) == []


def test_frequent_with_a_custom_policy() -> None:
    """Window 7 days, 2 requests: 1/10 and 7/10 share 1/10-7/10; 1/10 and 8/10 do not."""
    policy = SchoolPolicy(frequent_requests_count=2, frequent_requests_window_days=7)
    assert frequent(at(10, 1), [date(2025, 10, 1), date(2025, 10, 7)], policy)
    assert not frequent(at(10, 1), [date(2025, 10, 1), date(2025, 10, 8)], policy)


def test_every_reason_is_listed_in_order() -> None:
    """A special, late, frequent request drawn at random shows all four reasons, in enum order."""
    history = [(1, at(10, 1)), (1, at(10, 2)), (1, at(10, 3))]
    busy = candidate(1, 1, at(10, 3), special=True, retro=3)
    assert select([busy], history, ALL_RANDOM, seed=0) == [
        Selection(1, (R.RANDOM_SAMPLE, R.SPECIAL_CASE, R.LATE_RETROACTIVE, R.FREQUENT_REQUESTS))
    ]


def test_already_selected_or_audited_requests_are_never_selected() -> None:
    """Even a special case is skipped once it is selected or audited."""
    for audit in (AuditStatus.SELECTED, AuditStatus.CONFIRMED, AuditStatus.DISCREPANCY):
        assert select([candidate(1, special=True, audit=audit)], [], ALL_RANDOM, seed=0) == []


def test_duplicate_candidates() -> None:
    """The same request listed twice counts once; two different versions are a bug."""
    one = candidate(1, special=True)
    assert select([one, one], [], NO_RANDOM, seed=0) == [Selection(1, (R.SPECIAL_CASE,))]
    with pytest.raises(ValueError, match="request 1"):
        select([one, candidate(1)], [], NO_RANDOM, seed=0)


def test_reason_labels() -> None:
    """Translated labels."""
    set_language("vi")
    assert R.RANDOM_SAMPLE.label == "Chọn ngẫu nhiên"
    assert R.SPECIAL_CASE.label == "Trường hợp đặc biệt"
    assert all(reason.label for reason in R)
