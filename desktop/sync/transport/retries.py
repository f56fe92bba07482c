"""Bounded retries of one sync call, on tenacity.

tenacity runs the loop (when to stop, how long to wait, the wait itself); what is particular to
the sync client is in the policies below: the overall budget measured on the transport's own
clock, full-jitter waits drawn from the transport's seeded random generator, and a server's
``Retry-After`` taken as the wait when it is reasonable, or as a reason to stop when it is not.
The clock, the sleep and the random generator are the caller's, so tests record the waits
without waiting.

tenacity rather than stamina: stamina's waits, clock and testing switch are process-wide, and
its back-off has no hook for a wait the server chooses; tenacity takes a sleep, a stop and a
wait per ``Retrying``, which is what one transport per profile (and per test) needs.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

import tenacity

_T = TypeVar("_T")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries of one call.

    ``attempts`` exchanges at most, and never past ``budget`` seconds from the start of the call
    (each exchange's deadline is also cut to what is left of the budget). Waits are exponential
    with full jitter: uniform in ``[0, min(max_delay, base_delay * 2**n)]``. A ``Retry-After``
    the server sends is honoured exactly when it is at most ``max_retry_after`` and fits in the
    budget; otherwise the call gives up at once and reports it (``NetworkError.retry_after``)
    for the app's scheduler.
    """

    attempts: int = 5
    budget: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0


NO_RETRY: Final = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class Attempt(Generic[_T]):
    """What one attempt came to: its ``result``, whether it is worth another attempt, and the
    wait the server asked for (``Retry-After``, seconds) if it did."""

    result: _T
    retryable: bool
    retry_after: float | None = None


def _last(state: tenacity.RetryCallState) -> Attempt[object]:
    assert state.outcome is not None
    last: Attempt[object] = state.outcome.result()
    return last


class _FullJitter(tenacity.wait_exponential):
    """tenacity's exponential window, the wait drawn uniformly in it from the caller's seeded
    generator (``wait_random_exponential`` draws from the process-wide one); the server's
    ``Retry-After`` instead, when it sent one."""

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        super().__init__(multiplier=policy.base_delay, max=policy.max_delay)
        self._rng = rng

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        asked = _last(retry_state).retry_after
        if asked is not None:
            return asked
        return self._rng.uniform(0.0, super().__call__(retry_state))


class _StopPastBudget(tenacity.stop.stop_base):
    """Stop when the coming wait would end at or past the budget (on the caller's clock)."""

    def __init__(self, budget: float, started: float, clock: Callable[[], float]) -> None:
        self._budget = budget
        self._started = started
        self._clock = clock

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return (self._clock() - self._started) + retry_state.upcoming_sleep >= self._budget


class _StopOnLongRetryAfter(tenacity.stop.stop_base):
    """Stop when the server asks for a longer pause than the policy waits: the app's scheduler
    waits, not the call."""

    def __init__(self, limit: float) -> None:
        self._limit = limit

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        asked = _last(retry_state).retry_after
        return asked is not None and asked > self._limit


def run_with_retries(
    attempt: Callable[[int, float], Attempt[_T]],
    policy: RetryPolicy,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    rng: random.Random,
) -> Attempt[_T]:
    """Call ``attempt(number, seconds_left_in_budget)`` until an attempt is not retryable or the
    policy stops; the last attempt is returned either way. An exception ``attempt`` raises is
    never retried: it reaches the caller at once."""
    started = clock()
    numbers = itertools.count(1)
    retrying = tenacity.Retrying(
        sleep=sleep,
        stop=(
            tenacity.stop_after_attempt(policy.attempts)
            | _StopOnLongRetryAfter(policy.max_retry_after)
            | _StopPastBudget(policy.budget, started, clock)
        ),
        wait=_FullJitter(policy, rng),
        retry=tenacity.retry_if_result(lambda last: bool(last.retryable)),
        retry_error_callback=_last,
    )
    result: Attempt[_T] = retrying(
        lambda: attempt(next(numbers), policy.budget - (clock() - started))
    )
    return result
