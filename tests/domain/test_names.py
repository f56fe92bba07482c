"""Vietnamese names: normalisation, class-list order and search (desktop/domain/names.py).

Alphabet: a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z).
Tones, a secondary difference: none < grave (à) < hook (ả) < tilde (ã) < acute (á) < dot (ạ).
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.names import matches, normalize, search_key, sort_key, split_name


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ordered(names: list[str]) -> list[str]:
    shuffled = list(names)
    random.Random(4).shuffle(shuffled)
    return sorted(shuffled, key=sort_key)


# --- normalize / split_name -----------------------------------------------------------------


def test_normalize_collapses_whitespace_and_composes() -> None:
    """NFC, one space between words, no space at the ends (tabs and no-break spaces too)."""
    assert normalize("  Nguyễn \t Văn\u00a0 An \n") == "Nguyễn Văn An"
    assert normalize(nfd("Nguyễn Văn An")) == "Nguyễn Văn An"
    assert normalize(nfd("Nguyễn")) != nfd("Nguyễn")  # it really recomposed
    assert normalize("") == ""


def test_normalize_legacy_tone_marks() -> None:
    """The deprecated combining tone marks U+0340/U+0341 compose like grave/acute."""
    assert normalize("a\u0341nh") == "ánh"
    assert normalize("a\u0340") == "à"


def test_split_name() -> None:
    """The given name is the last word; the rest is family and middle names."""
    assert split_name("Nguyễn Văn An") == ("Nguyễn Văn", "An")
    assert split_name("  Lê   Thị Bình ") == ("Lê Thị", "Bình")
    assert split_name("Tôn Nữ Thị Ngọc Hân") == ("Tôn Nữ Thị Ngọc", "Hân")
    assert split_name("An") == ("", "An")
    assert split_name("") == ("", "")
    assert split_name(nfd("Trần Đức Thắng")) == ("Trần Đức", "Thắng")


# --- sort_key -------------------------------------------------------------------------------


def test_given_name_first() -> None:
    """Given name An (a) sorts before Bình (b) whatever the family name."""
    assert ordered(["Lê Thị Bình", "Nguyễn Văn An"]) == ["Nguyễn Văn An", "Lê Thị Bình"]


def test_same_given_name_sorts_by_family_and_middle() -> None:
    """Same given name An: "Lê Văn" (l) before "Nguyễn Văn" (n); a prefix comes first."""
    assert ordered(["Nguyễn Văn An", "Lê Văn An", "Lê Văn Bảo An", "Bùi An"]) == [
        "Bùi An",  # b < l
        "Lê Văn An",  # "Lê Văn" is a prefix of "Lê Văn Bảo"
        "Lê Văn Bảo An",
        "Nguyễn Văn An",
    ]


def test_given_names_in_vietnamese_order() -> None:
    """Worked by hand:
    An (a n) < Ánh (a n h: An is a prefix; the acute is only secondary) < Ân (â > a);
    Bình < Chi < Dũng < Đạt (đ after d) < Hà < Hạ (same letters h a, grave < dot below)
    < Hải (h a i: longer, letters decide before tones) < Yến."""
    expected = ["An", "Ánh", "Ân", "Bình", "Chi", "Dũng", "Đạt", "Hà", "Hạ", "Hải", "Yến"]
    names = [f"Nguyễn Văn {given}" for given in expected]
    assert ordered(names) == names


def test_plain_unicode_sort_is_wrong_but_ours_is_right() -> None:
    """Code points put Đ (U+0110) after Y and Â before Ă; the alphabet does the opposite."""
    assert sorted(["Đạt", "Yến"]) == ["Yến", "Đạt"]
    assert ordered(["Đạt", "Yến"]) == ["Đạt", "Yến"]
    assert sorted(["Ăn", "Ân"]) == ["Ân", "Ăn"]
    assert ordered(["Ân", "Ăn"]) == ["Ăn", "Ân"]


def test_letters_with_marks_are_letters_of_their_own() -> None:
    """a < ă < â, d < đ < e, e < ê, o < ô < ơ, u < ư: compare the first differing letter."""
    assert ordered(["Ân", "Anh", "Ăn", "Ánh"]) == ["Anh", "Ánh", "Ăn", "Ân"]
    assert ordered(["Em", "Đào", "Dung"]) == ["Dung", "Đào", "Em"]
    assert ordered(["Hên", "Hen"]) == ["Hen", "Hên"]
    assert ordered(["Thơ", "Tho", "Thô"]) == ["Tho", "Thô", "Thơ"]
    assert ordered(["Tư", "Tu", "Tuấn"]) == ["Tu", "Tuấn", "Tư"]  # tu-a-n < tư: u < ư


def test_tone_order() -> None:
    """Same letters: none < grave < hook < tilde < acute < dot below; more letters come later."""
    expected = ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ", "Hai"]
    assert ordered(expected) == expected


def test_letters_decide_before_tones_across_the_word() -> None:
    """h-a-n-g < h-a-n-h (g < h), whatever the tones; h-ă-n-g comes after both (ă > a)."""
    assert ordered(["Hạnh", "Hàng"]) == ["Hàng", "Hạnh"]
    assert ordered(["Hằng", "Hạnh", "Hàng"]) == ["Hàng", "Hạnh", "Hằng"]


def test_given_name_tones_before_family_name() -> None:
    """All the "Hà" come before all the "Hạ": the given name is compared fully first."""
    names = ["Nguyễn Thị Hạ", "Lê Thị Hà", "Bùi Thị Hạ", "Vũ Thị Hà"]
    assert ordered(names) == ["Lê Thị Hà", "Vũ Thị Hà", "Bùi Thị Hạ", "Nguyễn Thị Hạ"]


def test_family_tones_are_secondary() -> None:
    """Family "Le" and "Lê" differ by a letter (e < ê); "Lý" vs "Ly" only by a tone."""
    assert ordered(["Lê An", "Le An"]) == ["Le An", "Lê An"]
    assert ordered(["Lý An", "Ly An", "Lỳ An"]) == ["Ly An", "Lỳ An", "Lý An"]


def test_letters_outside_the_alphabet() -> None:
    """f between e/ê and g, j between i and k, w between v and x, z after y; digits first."""
    assert ordered(["Gia", "Fa", "Êm"]) == ["Êm", "Fa", "Gia"]
    assert ordered(["Kha", "Ja", "Ích"]) == ["Ích", "Ja", "Kha"]
    assert ordered(["Xuân", "Wei", "Vy"]) == ["Vy", "Wei", "Xuân"]
    assert ordered(["Zin", "Yến"]) == ["Yến", "Zin"]
    assert ordered(["A", "2", "1"]) == ["1", "2", "A"]


def test_case_is_only_a_tie_breaker() -> None:
    """Capitals do not change the letter order; lower case goes first on an exact tie."""
    assert ordered(["an", "Bình", "AN"]) == ["an", "AN", "Bình"]
    assert ordered(["bình", "An"]) == ["An", "bình"]
    assert sort_key("nguyễn văn an")[:4] == sort_key("NGUYỄN VĂN AN")[:4]


def test_tone_placement_does_not_change_the_order() -> None:
    """Old-style "Hoà" and new-style "Hòa" are the same word: letters and tones are equal."""
    assert sort_key("Lê Hoà")[:6] == sort_key("Lê Hòa")[:6]
    assert sort_key("Lê Hoà") != sort_key("Lê Hòa")  # still a strict, total order


def test_decomposed_input_sorts_like_composed() -> None:
    """An NFD name from an old input method gets the very same key."""
    for name in ["Nguyễn Văn An", "Đặng Thị Ngọc Hân", "Phạm Ưng Ơn", "Lê Ấu"]:
        assert sort_key(nfd(name)) == sort_key(name)
    assert ordered([nfd("Ân"), "Ăn", nfd("An")]) == [nfd("An"), "Ăn", nfd("Ân")]


def test_legacy_eth_sorts_as_dj() -> None:
    """A legacy Ð (U+00D0, eth) in place of Đ sorts at Đ's place, between D and E."""
    assert sort_key("\u00d0ào")[:4] == sort_key("Đào")[:4]
    assert ordered(["Em", "\u00d0ào", "Dung"]) == ["Dung", "\u00d0ào", "Em"]


def test_punctuation_is_ignored_by_the_letters() -> None:
    """A hyphen or apostrophe does not move a name in the order."""
    assert sort_key("H'Hen")[:2] == sort_key("HHen")[:2]


def test_blank_name_has_a_key() -> None:
    """An empty name sorts first rather than failing."""
    assert ordered(["An", ""]) == ["", "An"]


# --- search ---------------------------------------------------------------------------------


def test_search_key_folds_diacritics_and_dj() -> None:
    """Tones, letter marks and case go; đ becomes d; spaces are single."""
    assert search_key("Nguyễn Văn An") == "nguyen van an"
    assert search_key("  ĐẶNG   Thị Ưng ") == "dang thi ung"
    assert search_key("Phạm Ơn Ấu") == "pham on au"
    assert search_key(nfd("Đỗ Thị Hằng")) == "do thi hang"
    assert search_key("\u00d0ào") == "dao"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("nguyen van an", True),
        ("Nguyễn Văn An", True),
        ("NGUYEN", True),
        ("ng an", True),  # prefixes
        ("an nguyen", True),  # any order
        ("uyễ", True),  # substring, with diacritics folded
        ("van", True),
        ("dang", False),
        ("nguyen binh", False),  # every word must match
        ("", True),
        ("   ", True),
    ],
)
def test_matches(query: str, found: bool) -> None:
    """Every query word must occur in the folded name."""
    assert matches(query, "Nguyễn Văn An") is found


def test_matches_dj_and_decomposed() -> None:
    """A folded "dat" finds "Đạt"; an NFD query finds an NFC name and vice versa."""
    assert matches("dat", "Phạm Tiến Đạt")
    assert matches("đạt", "Phạm Tiến Đạt")
    assert matches(nfd("Tiến"), "Phạm Tiến Đạt")
    assert matches("tien", nfd("Phạm Tiến Đạt"))


# --- properties -----------------------------------------------------------------------------

_CHARS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyfjwz"
    "AĂÂĐÊÔƠƯNHT"
    "àảãáạằẳẵắặầẩẫấậèéẹềếệìíịòóọồốộờớợùúụừứựỳýỵ"
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
    "  \t\u00a0-'19\u00d0"
)
names = st.text(alphabet=st.sampled_from(_CHARS), max_size=14)


@settings(derandomize=True, max_examples=300)
@given(names)
def test_key_is_the_same_for_nfc_and_nfd(name: str) -> None:
    """NFC and NFD spellings of a name get the same sort and search keys."""
    composed = unicodedata.normalize("NFC", name)
    assert sort_key(nfd(name)) == sort_key(composed) == sort_key(name)
    assert search_key(nfd(name)) == search_key(composed)


@settings(derandomize=True, max_examples=300)
@given(names, names)
def test_keys_equal_exactly_when_names_are_equal(a: str, b: str) -> None:
    """Two keys are equal iff the names are the same after normalisation: a strict total order."""
    assert (sort_key(a) == sort_key(b)) == (normalize(a) == normalize(b))
    assert (sort_key(a) < sort_key(b)) + (sort_key(a) == sort_key(b)) + (
        sort_key(a) > sort_key(b)
    ) == 1


@settings(derandomize=True, max_examples=200)
@given(st.lists(names, max_size=8))
def test_sorting_does_not_depend_on_the_normal_form(batch: list[str]) -> None:
    """Sorting NFD copies gives the same order as sorting the originals."""
    by_original = [normalize(n) for n in sorted(batch, key=sort_key)]
    by_nfd = [normalize(n) for n in sorted((nfd(n) for n in batch), key=sort_key)]
    assert by_original == by_nfd


@settings(derandomize=True, max_examples=200)
@given(names)
def test_normalize_and_search_key_are_idempotent(name: str) -> None:
    """Normalising or folding twice changes nothing; a name always matches itself."""
    assert normalize(normalize(name)) == normalize(name)
    assert search_key(search_key(name)) == search_key(name)
    assert matches(name, name)
