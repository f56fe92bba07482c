"""The wrong-try policy with an injected clock: three free tries, then a doubling wait."""

from __future__ import annotations

from desktop.security.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_three_wrong_tries_are_free_then_the_wait_doubles_up_to_a_minute() -> None:
    """No wait for the first tries; after the third wrong one 1 s, then 2, 4 ... at most 60."""
    clock = Clock()
    throttle = Throttle(clock)
    throttle.failed()
    throttle.failed()
    assert throttle.wait_left() == 0
    waits = []
    for _ in range(9):
        throttle.failed()
        waits.append(throttle.seconds_to_show())
        clock.now += throttle.wait_left()
        assert throttle.wait_left() == 0
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_wait_counts_down_with_the_clock_and_a_success_resets_it() -> None:
    """The countdown follows the clock; the right password forgets the wrong tries."""
    clock = Clock()
    throttle = Throttle(clock)
    for _ in range(5):
        throttle.failed()
    assert throttle.seconds_to_show() == 4
    clock.now += 2.5
    assert throttle.seconds_to_show() == 2
    throttle.succeeded()
    assert throttle.wait_left() == 0 and throttle.wrong_tries == 0
    throttle.failed()
    assert throttle.wait_left() == 0
