"""The parts of a sync cycle that its callers hold: how the database work is run, how a sync is
stopped, what it reports as it goes and at the end. Apart from the engine (and its pydantic
protocol), so that the window's start-up can wire its sync controller without loading them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from desktop.i18n import _
from desktop.services.changes import Changes
from desktop.sync.errors import SyncError

if TYPE_CHECKING:
    from desktop.sync.protocol import SyncRequest, SyncResponse

T = TypeVar("T")


class SyncServer(Protocol):
    def sync(self, request: SyncRequest) -> SyncResponse: ...


class OnDatabase(Protocol):
    """Runs one unit of database work where the database is written, and returns its result."""

    def __call__(self, work: Callable[[], T], /) -> T: ...


def in_place(work: Callable[[], T]) -> T:
    """``OnDatabase`` for a single-threaded caller (the command line, the demo)."""
    return work()


class SyncCancelled(SyncError):
    """The sync was stopped between rounds (the window is closing); nothing half-applied."""


class Cancellation:
    """A flag set from any thread; the sync stops at its next check."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a cancellation; ``True`` if it came."""
        return self._event.wait(seconds)

    def check(self) -> None:
        if self._event.is_set():
            raise SyncCancelled(_("The sync was stopped; it will resume at the next sync."))


@dataclass(frozen=True)
class Progress:
    """Reported after each round trip: rows pulled so far and whether more pages follow."""

    round_trips: int
    pulled: int
    more: bool


@dataclass(frozen=True)
class SyncSummary:
    round_trips: int
    pushed: int
    applied: int
    refused: int
    pulled: int
    cursor: int
    changes: Changes = field(default_factory=lambda: Changes(""), repr=False)
    """What the final transaction made visible (table name → row keys), and the conflicts
    recorded (``sync_conflict`` → ids) and processed intents (``outbox`` → ids)."""

    def describe(self) -> str:
        return _(
            "Synced: {pushed} changes sent ({refused} refused), {pulled} received, "
            "{trips} round trips."
        ).format(
            pushed=self.pushed, refused=self.refused, pulled=self.pulled, trips=self.round_trips
        )
