"""What a use case touched, so screens refresh only that and the CLI can report it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Entity kind → ids changed, plus a one-line translated summary of the action."""

    summary: str
    touched: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, summary: str, **touched: Iterable[object]) -> Changes:
        return cls(summary, {kind: frozenset(str(i) for i in ids) for kind, ids in touched.items()})

    def ids(self, kind: str) -> frozenset[str]:
        return self.touched.get(kind, frozenset())
