"""``perform`` for the screens, which import it when the window starts: the intents' module
(pydantic, every use case) is loaded on the database lane by the first action, not on the
window's way to its first screen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desktop.services.changes import Changes
from desktop.services.scope import ClassScope


def perform(
    session: Session,
    scope: ClassScope,
    name: str,
    raw: dict[str, Any],
    *,
    actor: str,
    now: datetime | None = None,
) -> Changes:
    """``desktop.services.intents.perform``."""
    from desktop.services.intents import perform as run

    return run(session, scope, name, raw, actor=actor, now=now)
