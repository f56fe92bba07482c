"""Start-up: the window's frame needs only Qt and the app's light modules; SQLAlchemy, httpx,
pydantic, the services and the screens are imported afterwards, on the database lane."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HEAVY = (
    "sqlalchemy",
    "httpx",
    "pydantic",
    "alembic",
    "desktop.models",
    "desktop.services.leave",
    "desktop.sync.engine",
    "desktop.ui.main_window",
    "desktop.ui.startup",
)


def test_the_frame_is_shown_before_anything_heavy_is_imported() -> None:
    """Importing the composition root and showing the frame loads none of the heavy modules."""
    code = (
        "import sys\n"
        "from desktop.app import application, frame\n"
        "app, _t = application()\n"
        "shown = frame()\n"
        "app.processEvents()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_main_window_s_modules_leave_pydantic_and_the_sync_engine_for_later() -> None:
    """The screens and the sync controller load without pydantic, the intents, the sync engine
    or httpx: those come with the first action or the first sync, on a worker thread."""
    later = ("pydantic", "desktop.services.intents", "desktop.sync.engine", "httpx")
    code = (
        "import sys\n"
        "import desktop.ui.startup\n"
        f"print(sorted(m for m in {later!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
