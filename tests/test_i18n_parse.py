"""The catalogue reader decodes a file's strings in one go and still reads odd literals as
gettext's do."""

from __future__ import annotations

from desktop import i18n


def test_a_literal_json_cannot_read_falls_back_to_python_escapes() -> None:
    """One literal with a Python-only escape (``\\x41``) among ordinary ones: every entry is
    read, that one too."""
    text = 'msgid "plain"\nmsgstr "thường"\n\nmsgid "hex"\nmsgstr "\\x41"\n'
    assert i18n.parse_po(text) == {"plain": "thường", "hex": "A"}


def test_two_strings_on_one_line_do_not_shift_the_others() -> None:
    """A line holding two literals counts as one string, as before: the next entries keep
    their own translations."""
    text = 'msgid "a"\nmsgstr "x", "y"\n\nmsgid "b"\nmsgstr "z"\n'
    catalog = i18n.parse_po(text)
    assert catalog["b"] == "z"
    assert set(catalog) == {"a", "b"}
