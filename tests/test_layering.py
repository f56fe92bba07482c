"""The Qt-free layers must import with PySide6 made unavailable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_FREE = [
    "desktop.domain",
    "desktop.models",
    "desktop.services",
    "desktop.sync",
    "desktop.reports",
    "desktop.exchange",
    "desktop.demo",
    "desktop.cli",
    "desktop.security",
]


def test_qt_free_packages_import_without_pyside6() -> None:
    """Domain, models, services, sync, reports, exchange, demo, CLI and security never import
    Qt."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in QT_FREE
        for path in (ROOT / package.replace(".", "/")).rglob("*.py")
        if "migrations" not in path.parts
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    code = (
        "import sys, importlib\n"
        "sys.modules['PySide6'] = None\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('ok', len(sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(modules) > 10


def test_the_schools_today_has_one_source() -> None:
    """No rule or screen asks the computer for today's date: they read the school's today
    (``desktop.services.profile.effective_today``: the demo's day, or today in the school's time
    zone)."""
    asking = re.compile(r"\bdate\.today\(|\bQDate\.currentDate\(|\bdatetime\.today\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "desktop").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if asking.search(line)
    ]
    assert offenders == []
