"""Start-up: the window's frame needs only Qt and the app's light modules; SQLAlchemy, httpx,
pydantic, the services and the screens are imported afterwards, on the database lane."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.python_child import printed_by

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
    printed = printed_by(code)
    assert printed.strip() == "[]"


def test_the_main_window_s_modules_leave_pydantic_and_the_sync_engine_for_later() -> None:
    """The screens and the sync controller load without pydantic, the intents, the sync engine
    or httpx: those come with the first action or the first sync, on a worker thread."""
    later = ("pydantic", "desktop.services.intents", "desktop.sync.engine", "httpx")
    code = (
        "import sys\n"
        "import desktop.ui.startup\n"
        f"print(sorted(m for m in {later!r} if m in sys.modules))\n"
    )
    printed = printed_by(code)
    assert printed.strip() == "[]"


def test_the_start_screens_first_read_leaves_the_intents_and_the_documents_for_later(
    demo_path: Path,
) -> None:
    """The overview of a profile with no refused change is read without pydantic, the intents'
    use cases, reportlab, openpyxl or PDFium: they come with the first action or print."""
    later = ("pydantic", "desktop.services.intents", "reportlab", "openpyxl", "pypdfium2")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from desktop.models.db import open_database\n"
        "from desktop.services.overview import overview\n"
        "from desktop.services.profile import effective_today\n"
        "from desktop.services.scope import load_scope\n"
        f"database = open_database(Path({str(demo_path)!r}))\n"
        "with database.reading() as session:\n"
        "    found = overview(session, load_scope(session), today=effective_today(session))\n"
        "assert found.sections\n"
        f"print(sorted(m for m in {later!r} if m in sys.modules))\n"
    )
    printed = printed_by(code)
    assert printed.strip() == "[]"


def test_every_screens_module_leaves_the_documents_and_the_intents_for_later() -> None:
    """The screens, made one by one after the start screen, load without pydantic, the
    intents, reportlab, openpyxl or PDFium: a window left open costs none of them."""
    screens = sorted(
        "desktop.ui." + ".".join(path.relative_to(ROOT / "desktop" / "ui").with_suffix("").parts)
        for path in (ROOT / "desktop" / "ui").glob("*/screen.py")
    )
    assert len(screens) >= 9
    later = ("pydantic", "desktop.services.intents", "reportlab", "openpyxl", "pypdfium2")
    code = (
        "import importlib, sys\n"
        f"for name in {screens!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in {later!r} if m in sys.modules))\n"
    )
    printed = printed_by(code)
    assert printed.strip() == "[]"


def test_the_frame_leaves_the_bindings_it_does_not_use_unbuilt() -> None:
    """Shown under an application-wide event filter (bench/ui.py's probe of the first paint),
    the frame makes PySide6 build none of the bindings it does not use. Its central label was
    placed through a zero-length animation, whose timer, a class PySide6 does not bind, made
    PySide6 build the binding of every QObject subclass (about 20 ms) before the first paint;
    and the ``Qt`` namespace, whose enums cost about 13 ms, is left for after it."""
    code = (
        "import PySide6.QtCore as core\n"
        "import PySide6.QtWidgets as widgets\n"
        "from PySide6.QtCore import QObject\n"
        "lazy = 'QWizard' not in vars(widgets) and 'Qt' not in vars(core)\n"
        "from desktop.app import application, frame\n"
        "class Probe(QObject):\n"
        "    def eventFilter(self, watched, event):\n"
        "        return False\n"
        "app, _t = application()\n"
        "probe = Probe()\n"
        "app.installEventFilter(probe)\n"
        "shown = frame()\n"
        "for _ in range(10):\n"
        "    app.processEvents()\n"
        "print(lazy, 'QWizard' in vars(widgets) or 'Qt' in vars(core))\n"
    )
    printed = printed_by(code)
    lazy, built = printed.split()
    if lazy != "True":
        pytest.skip("this PySide6 builds its bindings when imported")
    assert built == "False"
