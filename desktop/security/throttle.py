"""How fast someone may guess the app password: three tries freely, then a wait that doubles
after each further wrong try (1, 2, 4 ... seconds, at most a minute).

The policy only answers "how long until the next try"; it never sleeps, so the window can show
the countdown and keep running. The clock is injected (monotonic seconds) for tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable

FREE_TRIES = 3
FIRST_DELAY_S = 1.0
LONGEST_DELAY_S = 60.0


class Throttle:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._wrong = 0
        self._allowed_at = 0.0

    @property
    def wrong_tries(self) -> int:
        return self._wrong

    def failed(self) -> None:
        """Count a wrong try; from the fourth on, the next one must wait."""
        self._wrong += 1
        if self._wrong >= FREE_TRIES:
            delay = min(FIRST_DELAY_S * 2 ** (self._wrong - FREE_TRIES), LONGEST_DELAY_S)
            self._allowed_at = self._clock() + delay

    def succeeded(self) -> None:
        self._wrong = 0
        self._allowed_at = 0.0

    def wait_left(self) -> float:
        """Seconds until the next try is allowed (0 when it is allowed now)."""
        return max(0.0, self._allowed_at - self._clock())

    def seconds_to_show(self) -> int:
        """The wait rounded up to whole seconds, as the countdown shows it."""
        return math.ceil(self.wait_left())
