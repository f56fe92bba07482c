"""Vietnamese personal names: normalisation, class-list order and diacritic-blind search.

A class list sorts by the given name (*tên*, the last word), then by the family and middle names
(*họ và tên đệm*), in the order of the Vietnamese alphabet, where ă, â, đ, ê, ô, ơ and ư are letters
of their own and tones are only a secondary difference (domain.md §7). A plain Unicode or DUCET
sort puts "Ân" and "An" together and "Đạt" after "Yến", so the keys are built here by hand.

Names are stored as typed but in NFC (:func:`normalize`); every key is derived from that form, so a
name that arrives decomposed (NFD) from an old Windows input method sorts and matches exactly like
its composed twin.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
"""The Vietnamese alphabet, with f, j, w and z (used in foreign and ethnic-minority names) at their
Latin places so they sort sensibly."""

_BREVE = "\u0306"
_CIRCUMFLEX = "\u0302"
_HORN = "\u031b"

# A vowel plus one of these marks is another letter of the alphabet, not an accented variant.
_LETTER_MARKS: dict[tuple[str, str], str] = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# Tone marks in the order the tones sort: none (0), grave, hook, tilde, acute, dot below.
_TONES: dict[str, int] = {
    "\u0300": 1,  # huyền (à)
    "\u0309": 2,  # hỏi (ả)
    "\u0303": 3,  # ngã (ã)
    "\u0301": 4,  # sắc (á)
    "\u0323": 5,  # nặng (ạ)
}

# Legacy encodings sometimes turn Đ into the Icelandic eth (Ð, ð), which looks the same.
_ETH_AS_DJ = {"ð": "đ"}

_SEPARATOR_RANK = 0  # a word boundary sorts before any character: "Lê" < "Lê Văn" < "Lêa"
_DIGIT_BASE = 1  # digits before letters
_LETTER_BASE = 20
_OTHER_BASE = 1000  # anything else (other scripts) after the alphabet, by code point
_LETTER_RANKS: dict[str, int] = {letter: _LETTER_BASE + i for i, letter in enumerate(ALPHABET)}

PartKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""Primary (letters), secondary (tones per word), tertiary (capitals) keys of a run of words."""

SortKey = tuple[
    tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...],
    tuple[int, ...], tuple[int, ...], str,
]  # fmt: skip


def normalize(text: str) -> str:
    """``text`` in NFC with runs of whitespace collapsed to one space and the ends stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_name(full: str) -> tuple[str, str]:
    """``(family_and_middle, given)``: the given name is the last word ("" for a blank name)."""
    words = normalize(full).split(" ")
    return " ".join(words[:-1]), words[-1]


def sort_key(full_name: str) -> SortKey:
    """A key that puts names in Vietnamese class-list order.

    Compared in turn: the given name's letters, then its tones; the family and middle names'
    letters, then their tones; capitals (lower case first); and finally the normalised text itself,
    so that two keys are equal exactly when the names are the same after :func:`normalize`.
    """
    rest, given = split_name(full_name)
    given_primary, given_tones, given_case = _part_key(given)
    rest_primary, rest_tones, rest_case = _part_key(rest)
    return (
        given_primary,
        given_tones,
        rest_primary,
        rest_tones,
        given_case,
        rest_case,
        normalize(full_name),
    )


def search_key(text: str) -> str:
    """``text`` folded for search: no tones or letter marks, đ as d, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = bare.casefold().replace("đ", "d").replace("ð", "d")
    return " ".join(folded.split())


def matches(query: str, full_name: str) -> bool:
    """Whether every word of ``query`` occurs in ``full_name``, both folded; a blank query
    matches every name. "ng an" finds "Nguyễn Văn An"."""
    haystack = search_key(full_name)
    return all(word in haystack for word in search_key(query).split(" ") if word)


def _part_key(words: str) -> PartKey:
    primary: list[int] = []
    tones: list[int] = []
    case: list[int] = []
    for index, word in enumerate(words.split(" ") if words else []):
        if index:
            primary.append(_SEPARATOR_RANK)
        word_tone = 0
        for base, marks in _clusters(unicodedata.normalize("NFD", word)):
            letter = _letter(base.lower(), marks)
            if letter is None:
                continue
            primary.append(_rank(letter))
            case.append(1 if base.isupper() else 0)
            # One tone per syllable, wherever it was placed ("hoà" and "hòa" are the same word).
            word_tone = word_tone or next((_TONES[m] for m in marks if m in _TONES), 0)
        tones.append(word_tone)
    return tuple(primary), tuple(tones), tuple(case)


def _clusters(decomposed: str) -> list[tuple[str, str]]:
    """Each base character with the combining marks that follow it."""
    clusters: list[tuple[str, str]] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and clusters:
            base, marks = clusters[-1]
            clusters[-1] = (base, marks + ch)
        else:
            clusters.append((ch, ""))
    return clusters


def _letter(base: str, marks: str) -> str | None:
    """The alphabet letter a cluster spells, or ``None`` for punctuation (ignored in the order)."""
    base = _ETH_AS_DJ.get(base, base)
    if not base.isalnum():
        return None
    for mark in marks:
        letter = _LETTER_MARKS.get((base, mark))
        if letter is not None:
            return letter
    return base


def _rank(letter: str) -> int:
    if letter in _LETTER_RANKS:
        return _LETTER_RANKS[letter]
    if "0" <= letter <= "9":
        return _DIGIT_BASE + ord(letter) - ord("0")
    return _OTHER_BASE + ord(letter[0])


# --- The stored sort key --------------------------------------------------------------------
#
# ``sort_key`` returns a tuple (tuples of small ints, then the normalised
# name). ``student.sort_key`` is a text column, so SQL ``ORDER BY`` must give the same order as
# comparing the tuples. Each int becomes one character from "0" (0x30) up when below 78, or "~"
# followed by six hex digits otherwise ("~" sorts after every one-character code and the hex
# digits keep their order); each inner tuple ends with "/" (0x2F), which sorts before every code,
# so a shorter tuple comes first as in Python. The normalised name closes the key; SQLite's
# binary collation compares UTF-8 bytes, which is code-point order, as Python compares strings.

_SMALL_LIMIT = 78
_SMALL_BASE = 0x30
_ESCAPE = "~"
_END = "/"


def _encode_int(value: int) -> str:
    if 0 <= value < _SMALL_LIMIT:
        return chr(_SMALL_BASE + value)
    return f"{_ESCAPE}{value:06x}"


def sort_text(full_name: str) -> str:
    """The text form of ``sort_key(full_name)``; ordering these strings
    byte-wise (SQLite's default) gives exactly the order of the tuples."""
    parts: list[str] = []
    for component in sort_key(full_name):
        if isinstance(component, str):
            parts.append(component)
        else:
            parts.append("".join(_encode_int(value) for value in component) + _END)
    return "".join(parts)
