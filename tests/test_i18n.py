"""The translation mechanism and the completeness of the Vietnamese catalog."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from desktop import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def messages_in(paths: list[Path]) -> dict[str, str]:
    """Every literal passed to ``_()``, ``N_()`` (or gettext's ``ngettext``) in ``paths``,
    with where it is."""
    found: dict[str, str] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_", "ngettext")
            ):
                for argument in node.args[: 2 if node.func.id == "ngettext" else 1]:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found.setdefault(argument.value, f"{path.name}:{node.lineno}")
    return found


def source_messages() -> dict[str, str]:
    """Every literal passed to ``_()`` or ``N_()`` in the package, with where it is."""
    return messages_in(
        [p for p in sorted((ROOT / "desktop").rglob("*.py")) if "migrations" not in p.parts]
    )


def test_every_message_has_a_vietnamese_translation() -> None:
    """Vietnamese is the default language and must be complete."""
    catalog = i18n.catalog("vi")
    missing = [
        f"{where}: {msg!r}" for msg, where in source_messages().items() if msg not in catalog
    ]
    assert missing == [], "untranslated:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders() -> None:
    """A translation that drops or renames a {placeholder} would crash or lose information."""
    catalog = i18n.catalog("vi")
    wrong = [
        msg
        for msg in source_messages()
        if msg in catalog
        and sorted(PLACEHOLDER.findall(msg)) != sorted(PLACEHOLDER.findall(catalog[msg]))
    ]
    assert wrong == []


def test_vietnamese_is_the_default_and_english_is_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without HOMEROOM_LANG the app speaks Vietnamese; HOMEROOM_LANG=en gives English."""
    message = "The disk is full: the change was not saved. Free some space."
    assert i18n._(message) != message
    monkeypatch.setenv("HOMEROOM_LANG", "en")
    assert i18n._(message) == message
    monkeypatch.setenv("HOMEROOM_LANG", "fr")
    assert i18n.current_language() == "vi"


def test_po_parser_handles_continuations_and_escapes() -> None:
    """Multi-line entries and escaped quotes are joined as gettext does."""
    text = 'msgid ""\n"a \\"b\\""\nmsgstr "x"\n"y\\n"\n\nmsgid "untranslated"\nmsgstr ""\n'
    assert i18n.parse_po(text) == {'a "b"': "xy\n"}


def test_every_translation_is_of_a_text_still_in_use() -> None:
    """A catalogue entry no code asks for is dead weight that drifts from the code (a message
    reworded in the code keeps its old Vietnamese here). The users are the package, the server
    (which answers in Vietnamese through the same catalogue) and argparse's own texts, which
    ``desktop.cli.argparse_vi`` routes through it."""
    import argparse

    used = messages_in(
        [
            *(p for p in (ROOT / "desktop").rglob("*.py") if "migrations" not in p.parts),
            *(ROOT / "server").rglob("*.py"),
            Path(argparse.__file__),
        ]
    )
    unused = sorted(msgid for msgid in i18n.catalog("vi") if msgid not in used)
    assert unused == []


def test_no_source_text_is_translated_two_ways() -> None:
    """The catalogue merges one file per area: a msgid given two different Vietnamese texts in
    two files would take whichever file is read last (the backups' "Kind" became "Loại sự cố")."""
    from desktop.i18n import parse_po
    from desktop.resources import resource

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for entry in sorted(resource("i18n", "vi").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        for msgid, msgstr in parse_po(entry.read_text(encoding="utf-8")).items():
            if msgid in seen and seen[msgid][1] != msgstr:
                clashes.append((msgid, seen[msgid][0], entry.name))
            seen.setdefault(msgid, (entry.name, msgstr))
    assert not clashes, clashes
