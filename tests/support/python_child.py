"""A fresh Python process for what must be seen from a clean interpreter (imports, the
collector's state at start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def printed_by(code: str) -> str:
    """What ``code`` prints, run with this interpreter from the checkout; it must succeed."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
