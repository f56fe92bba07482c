"""PySide6's scan of every imported module, made cheap.

Once ``PySide6.QtCore`` is imported, PySide6 looks at every module imported after it, to know
whether it may use ``from __feature__ import ...``: it reads the module's whole source with
``inspect.getsource`` and searches it for "PySide6". ``inspect`` goes through ``linecache``,
which keeps every source it read: at start-up, the window's few hundred modules (SQLAlchemy,
the models, the services, the screens) were read, split into lines and kept for good, about a
tenth of the import time and 21 MiB of memory on this machine. The same question is answered
here by searching the file's bytes, nothing kept. A PySide6 without that hook is left alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

_HOOK_MODULE = "shibokensupport.feature"
_HOOK = "_mod_uses_pyside"


def lighten() -> bool:
    """Replace PySide6's per-import check by the cheap one (idempotent); whether it is in
    place."""
    try:
        feature = importlib.import_module(_HOOK_MODULE)
    except ImportError:
        return False
    original = getattr(feature, _HOOK, None)
    if not callable(original):
        return False
    if getattr(original, "_homeroom_light", False):
        return True
    setattr(feature, _HOOK, _light(original))
    return True


def _light(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)  # no plain source file: PySide6's own answer
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False  # as PySide6 answers for a module whose source cannot be read

    uses_pyside._homeroom_light = True  # type: ignore[attr-defined]
    uses_pyside._homeroom_original = original  # type: ignore[attr-defined]
    return uses_pyside
