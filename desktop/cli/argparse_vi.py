"""Route argparse's own messages ("usage:", "required", "invalid choice") through our catalog."""

from __future__ import annotations

import argparse

from desktop.i18n import _


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _(singular) if n == 1 else _(plural)


def install() -> None:
    # argparse looks these names up in its module globals at call time.
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
