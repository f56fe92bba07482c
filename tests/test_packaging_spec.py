"""The installers' fixed parts: the Linux menu entry and the spec's inputs exist and agree."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_menu_entry_names_the_app_in_vietnamese_and_english() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "packaging/linux/homeroom.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "homeroom"  # /usr/bin/homeroom; install-user.sh rewrites it
    assert desktop["Name[vi]"] == "Sổ Chủ Nhiệm"
    assert desktop["Name[en]"] == "Homeroom"
    assert "Sổ Chủ Nhiệm" in desktop["Name"]
    assert desktop["Comment[vi]"] and desktop["Comment"]
    assert desktop["Icon"] == "homeroom"
    assert desktop["Categories"].endswith(";")


def test_the_spec_s_icons_and_entry_point_exist() -> None:
    spec = (ROOT / "packaging/homeroom.spec").read_text(encoding="utf-8")
    for name in ("homeroom.ico", "homeroom.icns", "homeroom-256.png"):
        assert name in spec
        assert (ROOT / "resources/icons" / name).is_file()
    assert (ROOT / "packaging/homeroom_main.py").is_file()
    compile(spec, "homeroom.spec", "exec")
