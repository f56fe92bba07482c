"""The files in ``resources/``: catalogues, schemas, the API document, fonts and icons.

The folder is installed as the package ``homeroom_resources`` (see setup.py), so the same
``importlib.resources`` lookup serves a source checkout (editable install), an installed wheel and
a frozen bundle. A missing file is an installation fault and raises ``MissingResource``: the app
must not run on, say, without its Vietnamese catalogue and silently speak English.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

RESOURCES_PACKAGE = "homeroom_resources"


class MissingResource(RuntimeError):
    """A file that belongs to every installation is absent: the installation is broken."""

    def __init__(self, name: str) -> None:
        # No catalogue may be at hand to translate this, so it says it in both languages.
        super().__init__(
            f"Bản cài đặt Homeroom thiếu tệp {name}: hãy cài đặt lại Homeroom. "
            f"(This Homeroom installation lacks {name}: reinstall Homeroom.)"
        )
        self.name = name


def resources_root() -> Traversable:
    """The installed ``resources/`` folder."""
    try:
        return files(RESOURCES_PACKAGE)
    except ModuleNotFoundError as error:
        # In a checkout: an editable install older than setup.py (run scripts/setup).
        raise MissingResource(f"resources/ ({RESOURCES_PACKAGE})") from error


def resource(*parts: str) -> Traversable:
    """``resources/<parts...>``, a file or a folder; ``MissingResource`` if it is absent."""
    found = resources_root().joinpath(*parts)
    if not (found.is_file() or found.is_dir()):
        raise MissingResource("resources/" + "/".join(parts))
    return found


SCREEN_FONTS = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
"""The window's sans (the documents' serif is ``desktop.reports.fonts``)."""


def font_data(file_name: str) -> bytes:
    """The bytes of ``resources/fonts/<file_name>``."""
    return resource("fonts", file_name).read_bytes()
