"""The one translation mechanism, for the CLI, reports and the Qt UI alike.

Source strings are English ``msgid`` values; the Vietnamese catalog, the ``.po`` files in
``resources/i18n/vi/`` (one per area, merged), is the default language and must be complete (a test
checks it). ``HOMEROOM_LANG=en`` selects English.
The catalog is a plain gettext ``.po`` file read at start-up, so translators can use their usual
tools and there is no compile step.
"""

from __future__ import annotations

import ast
import json
import os
from functools import cache

from desktop.resources import MissingResource, resource

LANGUAGE_ENV = "HOMEROOM_LANG"
DEFAULT_LANGUAGE = "vi"
SUPPORTED_LANGUAGES = ("vi", "en")

_language: str | None = None


def parse_po(text: str) -> dict[str, str]:
    """The ``msgid -> msgstr`` pairs of a ``.po`` file; empty translations are left out."""
    # Read in two passes: the lines into steps and string literals, then every literal of the
    # file decoded by one call to the JSON parser (C), not one call per line: the catalogue is
    # read at every start, before the first window shows.
    steps: list[int] = []
    literals: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if line.startswith("msgid "):
            steps.append(_MSGID)
            line = line[len("msgid ") :]
        elif line.startswith("msgstr "):
            steps.append(_MSGSTR)
            line = line[len("msgstr ") :]
        if line.startswith('"'):
            steps.append(_TEXT)
            literals.append(line)
    return _entries(steps, _decoded(literals))


_MSGID, _MSGSTR, _TEXT = 0, 1, 2
"""The steps of ``parse_po``: an entry starts, its translation starts, a string follows."""


def _decoded(literals: list[str]) -> list[str]:
    try:
        values = json.loads("[" + ",".join(literals) + "]")
    except ValueError:
        values = None
    if (
        isinstance(values, list)
        and len(values) == len(literals)
        and all(isinstance(value, str) for value in values)
    ):
        return values
    return [_unquote(literal) for literal in literals]  # one odd literal: each on its own


def _entries(steps: list[int], values: list[str]) -> dict[str, str]:
    catalog: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    taken = iter(values)

    def flush() -> None:
        source, translation = "".join(msgid), "".join(msgstr)
        if source and translation:
            catalog[source] = translation
        msgid.clear()
        msgstr.clear()

    for step in steps:
        if step == _MSGID:
            flush()
            target = msgid
        elif step == _MSGSTR:
            target = msgstr
        else:
            value = next(taken)
            if target is not None:
                target.append(value)
    flush()
    return catalog


def _unquote(quoted: str) -> str:
    """A .po string literal's text. Its escapes (\\n, \\", \\\\) are JSON's, and the JSON
    parser is C: the catalogue is read at every start, before the first window shows."""
    try:
        text = json.loads(quoted)
    except ValueError:
        text = None
    return text if isinstance(text, str) else str(ast.literal_eval(quoted))


@cache
def catalog(language: str) -> dict[str, str]:
    """The translations for ``language``; English is the identity. A language without its
    catalogue raises ``MissingResource`` rather than falling back to English."""
    if language == "en":
        return {}
    files = sorted(
        (entry for entry in resource("i18n", language).iterdir() if entry.name.endswith(".po")),
        key=lambda entry: entry.name,
    )
    if not files:
        raise MissingResource(f"resources/i18n/{language}/*.po")
    merged: dict[str, str] = {}
    for entry in files:
        merged.update(parse_po(entry.read_text(encoding="utf-8")))
    return merged


def current_language() -> str:
    """The language in force: set explicitly, else ``HOMEROOM_LANG``, else Vietnamese."""
    if _language is not None:
        return _language
    wanted = os.environ.get(LANGUAGE_ENV, DEFAULT_LANGUAGE).split("_")[0].lower()
    return wanted if wanted in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def set_language(language: str | None) -> None:
    """Force a language for this process (``None`` returns to the environment's choice)."""
    global _language
    _language = language


def _(message: str) -> str:
    """``message`` in the current language (falls back to the English source)."""
    return catalog(current_language()).get(message, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalog without translating it now."""
    return message


def format_decimal(text: str) -> str:
    """A number already written with a decimal point, as the language in force writes it:
    "74,5" in Vietnamese, "74.5" in English."""
    return text.replace(".", ",") if current_language() == "vi" else text
