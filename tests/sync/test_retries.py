"""The retry loop on its own: what stops it, what it waits, and what it never retries.

The transport's behaviour over real HTTP is in ``test_transport.py``; these pin the policy the
loop applies, with a fake clock that the recorded waits move forward (no real waiting).
"""

from __future__ import annotations

import random

import pytest

from desktop.sync.transport.retries import Attempt, RetryPolicy, run_with_retries

SEED = 20261202


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def run(outcomes: list[Attempt[str]], policy: RetryPolicy, clock: Clock) -> Attempt[str]:
    print(f"seed {SEED}")
    remaining = iter(outcomes)
    return run_with_retries(
        lambda number, left: next(remaining),
        policy,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(SEED),
    )


def test_a_final_attempt_ends_the_loop_and_is_returned() -> None:
    clock = Clock()
    last = run([Attempt("busy", True), Attempt("ok", False)], RetryPolicy(), clock)
    assert last.result == "ok"
    expected = random.Random(SEED)
    assert clock.waits == [expected.uniform(0, 0.5)]


def test_the_attempts_bound_the_loop_and_the_last_failure_is_returned() -> None:
    clock = Clock()
    outcomes = [Attempt(f"busy {n}", True) for n in range(1, 4)]
    last = run(outcomes, RetryPolicy(attempts=3), clock)
    assert last.result == "busy 3"
    assert len(clock.waits) == 2


def test_retry_after_is_the_wait_and_a_long_one_stops_at_once() -> None:
    clock = Clock()
    outcomes = [Attempt("busy", True, retry_after=7.0), Attempt("busy", True, retry_after=900.0)]
    last = run(outcomes, RetryPolicy(max_retry_after=120.0), clock)
    assert last.retry_after == 900.0
    assert clock.waits == [7.0]


def test_no_wait_runs_past_the_budget() -> None:
    clock = Clock()
    outcomes = [Attempt("busy", True, retry_after=4.0) for _ in range(10)]
    run(outcomes, RetryPolicy(attempts=10, budget=10.0), clock)
    assert clock.waits == [4.0, 4.0]


def test_the_seconds_left_shrink_with_the_waits() -> None:
    clock = Clock()
    seen: list[float] = []

    def attempt(number: int, left: float) -> Attempt[int]:
        seen.append(left)
        return Attempt(number, number < 3, retry_after=5.0)

    run_with_retries(
        attempt, RetryPolicy(budget=60.0), clock=clock, sleep=clock.sleep, rng=random.Random(SEED)
    )
    assert seen == [60.0, 55.0, 50.0]


def test_an_exception_is_never_retried() -> None:
    clock = Clock()

    def attempt(number: int, left: float) -> Attempt[int]:
        raise LookupError(number)

    with pytest.raises(LookupError):
        run_with_retries(
            attempt, RetryPolicy(), clock=clock, sleep=clock.sleep, rng=random.Random(SEED)
        )
    assert clock.waits == []
