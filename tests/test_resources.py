"""The shipped resources are package data, and a missing one stops the app instead of degrading."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import i18n
from desktop.resources import MissingResource, resource, resources_root
from server.openapi import committed_document

ROOT = Path(__file__).resolve().parent.parent


def test_resources_are_found_through_the_installed_package() -> None:
    """The catalogues, the schema and the API document are read through importlib.resources."""
    assert resource("i18n", "vi", "core.po").is_file()
    assert resource("schemas", "class-exchange-v1.schema.json").is_file()
    assert committed_document()["openapi"].startswith("3.")
    assert Path(str(resources_root())).resolve() == ROOT / "resources"


def test_a_missing_resource_is_an_error_naming_it() -> None:
    """Asking for an absent file raises MissingResource with its name, in both languages."""
    with pytest.raises(MissingResource, match=r"resources/fonts/none\.ttf.*cài đặt lại"):
        resource("fonts", "none.ttf")


def test_a_language_without_its_catalogue_is_an_error_not_english() -> None:
    """A catalogue that is absent raises instead of leaving every text in English."""
    with pytest.raises(MissingResource, match="i18n/xx"):
        i18n.catalog("xx")


def test_an_installation_without_the_vietnamese_catalogue_fails_at_start(tmp_path: Path) -> None:
    """With a resources package that lacks the catalogues, `homeroom --help` stops with the
    reason instead of printing English help."""
    fake = tmp_path / "homeroom_resources"
    (fake / "i18n" / "vi").mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from desktop.cli.main import main\n"
        "sys.exit(main(['--help']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode != 0
    assert "MissingResource" in result.stderr
    assert "resources/i18n/vi/*.po" in result.stderr
    assert "usage" not in result.stdout


def test_a_missing_qt_catalogue_is_an_error() -> None:
    """Qt's own texts have no silent English fallback either."""
    from desktop.ui.qt_translation import qt_catalog

    with pytest.raises(MissingResource, match=r"i18n/qt/xx\.po"):
        qt_catalog("xx")
