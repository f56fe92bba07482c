"""Circular 22 grading rules; every expected value below is worked out by hand in a comment."""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.grading import (
    Assessment,
    Award,
    ChangeKind,
    ColumnDeadline,
    CommentResult,
    ExpectedEntry,
    GradeKind,
    Level,
    PromotionOutcome,
    RecordedEntry,
    SubjectCompleteness,
    academic_level,
    award,
    classify_change,
    comment_semester_result,
    comment_year_result,
    completeness,
    derive_year_conduct,
    expected_entries,
    expected_slots,
    format_score,
    format_score_display,
    format_score_vi,
    parse_comment,
    parse_level,
    parse_score,
    promotion,
    regular_count,
    require_change_reason,
    round_half_up,
    semester_average,
    semester_average_exact,
    validate_score,
    year_average,
)
from desktop.errors import InvalidGrade, InvalidInput
from desktop.i18n import parse_po, set_language

ROOT = Path(__file__).resolve().parents[2]
PASS, FAIL = CommentResult.PASS, CommentResult.FAIL
TOT, KHA, DAT, CD = Level.TOT, Level.KHA, Level.DAT, Level.CHUA_DAT


def D(text: str) -> Decimal:  # noqa: N802 - reads like the literal it builds
    return Decimal(text)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English unless a test switches to Vietnamese."""
    set_language("en")
    yield
    set_language(None)


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


def test_level_rank_orders_the_four_levels() -> None:
    """Tốt > Khá > Đạt > Chưa đạt, and at_least follows that order."""
    assert [level.rank for level in (TOT, KHA, DAT, CD)] == [3, 2, 1, 0]
    assert TOT.at_least(KHA) and KHA.at_least(KHA) and DAT.at_least(CD)
    assert not DAT.at_least(KHA) and not CD.at_least(DAT)


def test_enum_values_are_the_grade_book_spellings() -> None:
    """The stored values are the legal Vietnamese names and the column codes."""
    assert [str(level) for level in Level] == ["Tốt", "Khá", "Đạt", "Chưa đạt"]
    assert (str(PASS), str(FAIL)) == ("Đ", "CĐ")
    assert [str(kind) for kind in GradeKind] == ["TX", "GK", "CK"]
    assert (Assessment.SCORE.value, Assessment.COMMENT.value) == ("score", "comment")


def test_labels_are_translated() -> None:
    """Labels follow the language: English source text, Vietnamese from the catalog."""
    assert CD.label == "Unsatisfactory"
    assert GradeKind.GK.label == "Mid-term"
    set_language("vi")
    assert [level.label for level in Level] == ["Tốt", "Khá", "Đạt", "Chưa đạt"]
    assert (PASS.label, FAIL.label) == ("Đạt", "Chưa đạt")
    assert [kind.label for kind in GradeKind] == ["Thường xuyên", "Giữa kì", "Cuối kì"]
    assert Award.XUAT_SAC.label == "Học sinh Xuất sắc"
    assert Award.GIOI.label == "Học sinh Giỏi"
    assert PromotionOutcome.KEPT_BACK.label == "Ở lại lớp"


# ---------------------------------------------------------------------------------------------
# Number of regular scores and expected columns
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periods", "count"),
    [(1, 2), (35, 2), (36, 3), (70, 3), (71, 4), (105, 4), (140, 4)],
)
def test_regular_count_for_scored_subjects(periods: int, count: int) -> None:
    """≤ 35 periods a year: 2 TX; 36-70: 3; more than 70: 4 (Art. 6)."""
    assert regular_count(periods, Assessment.SCORE) == count


@pytest.mark.parametrize("periods", [35, 36, 70, 71, 105])
def test_regular_count_for_comment_subjects_is_two(periods: int) -> None:
    """Comment-only subjects have 2 regular assessments whatever their periods."""
    assert regular_count(periods, Assessment.COMMENT) == 2


@pytest.mark.parametrize("periods", [0, -35])
def test_regular_count_rejects_no_periods(periods: int) -> None:
    """A subject without periods is an input error, named in the message."""
    with pytest.raises(InvalidInput, match=str(periods)):
        regular_count(periods, Assessment.SCORE)


def test_expected_slots_list_tx_then_gk_then_ck() -> None:
    """70 periods: TX 1-3, GK 1, CK 1; a comment subject: TX 1-2, GK 1, CK 1."""
    tx, gk, ck = GradeKind.TX, GradeKind.GK, GradeKind.CK
    assert expected_slots(70, Assessment.SCORE) == [(tx, 1), (tx, 2), (tx, 3), (gk, 1), (ck, 1)]
    assert expected_slots(71, Assessment.SCORE)[:4] == [(tx, 1), (tx, 2), (tx, 3), (tx, 4)]
    assert expected_slots(105, Assessment.COMMENT) == [(tx, 1), (tx, 2), (gk, 1), (ck, 1)]


# ---------------------------------------------------------------------------------------------
# Parsing and formatting
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", "7"),
        ("7.5", "7.5"),
        ("7,5", "7.5"),
        (" 10 ", "10"),
        ("\u00a08,5\t", "8.5"),
        ("0", "0"),
        ("0.5", "0.5"),
        ("10.0", "10"),
        ("7.0", "7"),
        ("7.50", "7.5"),
        ("07", "7"),
        ("９，５", "9.5"),  # full-width digits and comma from some input methods
    ],
)
def test_parse_score_accepts_and_normalizes(text: str, expected: str) -> None:
    """Integers and one-decimal values, with a point or a comma, come back normalized."""
    value = parse_score(text)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    "text",
    ["11", "-1", "7.25", "abc", "", "   ", "nan", "NaN", "inf", "-inf", "1e1", "10.1", "7.", ".5",
     "7,5,5", "7 5", "+7", "½", "٧"],
)  # fmt: skip
def test_parse_score_rejects(text: str) -> None:
    """Out of range, two decimals, words, blanks, NaN/inf and exponents are InvalidGrade."""
    with pytest.raises(InvalidGrade):
        parse_score(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11", "11 is outside the score range 0 to 10."),
        ("-1", "“-1” is not a score."),
        ("7.25", "7.25 has more than one digit after the decimal point"),
        ("7,25", "7,25 has more than one digit after the decimal point"),
        ("abc", "“abc” is not a score."),
        ("nan", "“nan” is not a score."),
        ("", "The score is empty."),
    ],
)
def test_parse_score_messages_name_the_bad_value(text: str, message: str) -> None:
    """The message quotes what the teacher typed."""
    with pytest.raises(InvalidGrade) as caught:
        parse_score(text)
    assert message in caught.value.message


def test_parse_score_message_in_vietnamese() -> None:
    """The default language gets the Vietnamese message, with a decimal comma example."""
    set_language("vi")
    with pytest.raises(InvalidGrade) as caught:
        parse_score("abc")
    assert caught.value.message.startswith("“abc” không phải là điểm.")
    assert "7,5" in caught.value.message
    with pytest.raises(InvalidGrade) as caught:
        parse_score("11")
    assert caught.value.message == "11 nằm ngoài thang điểm từ 0 đến 10."


def test_validate_score_checks_decimals_from_storage() -> None:
    """Values that arrive as Decimal obey the same rules."""
    assert validate_score(D("7.50")) == D("7.5")
    for bad in ("7.25", "10.5", "-0.5", "NaN", "Infinity"):
        with pytest.raises(InvalidGrade):
            validate_score(D(bad))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đ", PASS),
        ("đ", PASS),
        (" Đ ", PASS),
        ("D", PASS),
        ("d", PASS),
        ("Đạt", PASS),
        ("ĐẠT", PASS),
        ("dat", PASS),
        ("CĐ", FAIL),
        ("cđ", FAIL),
        ("Cđ", FAIL),
        ("CD", FAIL),
        ("Chưa đạt", FAIL),
        ("CHƯA  ĐẠT", FAIL),
        ("chua dat", FAIL),
        (unicodedata.normalize("NFD", "Chưa đạt"), FAIL),
        (unicodedata.normalize("NFD", "Đạt"), PASS),
    ],
)
def test_parse_comment_accepts_every_common_spelling(text: str, expected: CommentResult) -> None:
    """Đ/CĐ in any case, ASCII D/CD, the full words, and decomposed (NFD) input."""
    assert parse_comment(text) is expected


@pytest.mark.parametrize("text", ["", "x", "Tốt", "Đạt rồi", "C", "7"])
def test_parse_comment_rejects_other_text(text: str) -> None:
    """Anything else is InvalidGrade naming the value."""
    with pytest.raises(InvalidGrade, match="is not a comment result"):
        parse_comment(text)


def test_parse_level_accepts_names_with_or_without_diacritics() -> None:
    """Levels are read as typed in Vietnamese, with or without accents."""
    assert parse_level("Tốt") is TOT
    assert parse_level("kha") is KHA
    assert parse_level(" ĐẠT ") is DAT
    assert parse_level("Chưa  đạt") is CD
    with pytest.raises(InvalidGrade, match="“Giỏi” is not a level"):
        parse_level("Giỏi")


def test_format_score_uses_a_point_and_format_score_vi_a_comma() -> None:
    """Data keeps "7.5"; Vietnamese display shows "7,5"; no exponent ever."""
    assert format_score(D("7.5")) == "7.5"
    assert format_score(D("7")) == "7"
    assert format_score(D("8.0")) == "8.0"
    assert format_score(D("1E+1")) == "10"
    # An unrounded value is shown rounded half up: 7.25 → 7.3.
    assert format_score(D("7.25")) == "7.3"
    assert format_score(D("8.00")) == "8.0"
    assert format_score_vi(D("7.5")) == "7,5"
    assert format_score_vi(D("10")) == "10"
    assert format_score_display(D("4.8")) == "4.8"
    set_language("vi")
    assert format_score_display(D("4.8")) == "4,8"


# ---------------------------------------------------------------------------------------------
# Rounding and averages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # float round() would give 7.2 (7.25 is exact in binary: half to even) and 4.3 (4.35 is
        # 4.3499999… in binary); half up gives 7.3 and 4.4.
        (D("7.25"), "7.3"),
        (D("4.35"), "4.4"),
        (D("8.05"), "8.1"),
        (D("7.6875"), "7.7"),
        (D("7.24999"), "7.2"),
        (D("7.35"), "7.4"),
        (D("0"), "0.0"),
        (D("10"), "10.0"),
        (D("-7.25"), "-7.3"),
        (Fraction(123, 16), "7.7"),  # 123/16 = 7.6875
        (Fraction(29, 4), "7.3"),  # 29/4 = 7.25, exactly a tie
        (Fraction(48, 7), "6.9"),  # 48/7 = 6.857142…
    ],
)
def test_round_half_up(value: Decimal | Fraction, expected: str) -> None:
    """One decimal, ties away from zero, exact; the result always has one decimal place."""
    result = round_half_up(value)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_semester_average_worked_example() -> None:
    """TX 6, 8, 7.5; GK 5; CK 10 → 7.7 (domain.md §4)."""
    # (6 + 8 + 7.5 + 2*5 + 3*10) / (3 + 5) = (21.5 + 10 + 30) / 8 = 61.5 / 8 = 7.6875 → 7.7.
    # Averaging the TX first (the known wrong way) would give (7.1667 + 10 + 30) / 6 = 7.86 → 7.9.
    tx = [D("6"), D("8"), D("7.5")]
    assert semester_average(tx, D("5"), D("10"), 3) == D("7.7")
    assert semester_average_exact(tx, D("5"), D("10"), 3) == Fraction(123, 16)


@pytest.mark.parametrize(
    ("tx", "gk", "ck", "expected"),
    [
        # (7 + 7 + 7 + 2*5 + 3*9) / 8 = (21 + 10 + 27) / 8 = 58 / 8 = 7.25 → 7.3 (float: 7.2).
        (["7", "7", "7"], "5", "9", "7.3"),
        # (8 + 8 + 8 + 2*8.2 + 3*8) / 8 = (24 + 16.4 + 24) / 8 = 64.4 / 8 = 8.05 → 8.1.
        (["8", "8", "8"], "8.2", "8", "8.1"),
        # (4 + 4 + 4 + 2*3 + 3*5.6) / 8 = (12 + 6 + 16.8) / 8 = 34.8 / 8 = 4.35 → 4.4 (float: 4.3).
        (["4", "4", "4"], "3", "5.6", "4.4"),
    ],
)
def test_semester_average_rounds_exact_ties_up(
    tx: list[str], gk: str, ck: str, expected: str
) -> None:
    """An average ending exactly in 5 at the second decimal rounds up."""
    assert semester_average([D(s) for s in tx], D(gk), D(ck), 3) == D(expected)


def test_semester_average_with_two_and_four_regular_scores() -> None:
    """The denominator is the number of TX plus 5."""
    # 2 TX: (5 + 6 + 2*7 + 3*8) / 7 = (11 + 14 + 24) / 7 = 49 / 7 = 7 → 7.0.
    assert semester_average([D("5"), D("6")], D("7"), D("8"), 2) == D("7.0")
    # 4 TX: (9 + 8 + 7 + 6 + 2*7.5 + 3*6.5) / 9 = (30 + 15 + 19.5) / 9 = 64.5 / 9 = 7.1666… → 7.2.
    assert semester_average([D("9"), D("8"), D("7"), D("6")], D("7.5"), D("6.5"), 4) == D("7.2")


def test_semester_average_of_zeros_is_zero_not_missing() -> None:
    """A recorded 0 counts; only an absent score is missing."""
    assert semester_average([D("0"), D("0")], D("0"), D("0"), 2) == D("0.0")


@pytest.mark.parametrize(
    ("tx", "gk", "ck"),
    [
        (["6", None, "7.5"], "5", "10"),  # one TX not entered
        (["6", "8"], "5", "10"),  # fewer TX than the subject's 3
        ([], "5", "10"),
        (["6", "8", "7.5"], None, "10"),  # no mid-term
        (["6", "8", "7.5"], "5", None),  # no end-of-term
    ],
)
def test_semester_average_is_none_when_anything_is_missing(
    tx: list[str | None], gk: str | None, ck: str | None
) -> None:
    """A missing score is missing, not zero: no average yet."""
    scores = [None if s is None else D(s) for s in tx]
    mid = None if gk is None else D(gk)
    end = None if ck is None else D(ck)
    assert semester_average(scores, mid, end, 3) is None
    assert semester_average_exact(scores, mid, end, 3) is None


def test_semester_average_rejects_bad_input() -> None:
    """Too many TX, no TX column, or an invalid score even in an incomplete semester."""
    with pytest.raises(InvalidGrade, match="4 regular scores but the subject has only 3"):
        semester_average([D("6")] * 4, D("5"), D("5"), 3)
    with pytest.raises(InvalidInput):
        semester_average([], D("5"), D("5"), 0)
    with pytest.raises(InvalidGrade):
        semester_average([D("11"), None], D("5"), D("5"), 2)
    with pytest.raises(InvalidGrade):
        semester_average([D("6"), D("6")], D("7.25"), None, 2)


def test_year_average_weighs_semester_two_double() -> None:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, rounded half up."""
    # (6.8 + 2*7.7) / 3 = (6.8 + 15.4) / 3 = 22.2 / 3 = 7.4.
    assert year_average(D("6.8"), D("7.7")) == D("7.4")
    # (7.0 + 2*7.1) / 3 = 21.2 / 3 = 7.0666… → 7.1.
    assert year_average(D("7.0"), D("7.1")) == D("7.1")
    # (9.0 + 2*4.0) / 3 = 17 / 3 = 5.666… → 5.7.
    assert year_average(D("9.0"), D("4.0")) == D("5.7")
    assert year_average(D("10"), D("10")) == D("10.0")


def test_year_average_rounds_semesters_first_by_default() -> None:
    """The setting decides whether unrounded semester averages enter the year average."""
    # Rounded first: 6.76 → 6.8, 6.86 → 6.9; (6.8 + 2*6.9) / 3 = 20.6 / 3 = 6.8666… → 6.9.
    assert year_average(D("6.76"), D("6.86")) == D("6.9")
    # Unrounded: (6.76 + 2*6.86) / 3 = (6.76 + 13.72) / 3 = 20.48 / 3 = 6.8266… → 6.8.
    assert year_average(D("6.76"), D("6.86"), round_semesters=False) == D("6.8")


def test_year_average_from_exact_semester_averages() -> None:
    """Unrounded semester averages are exact fractions, so nothing is lost before rounding."""
    # Semester I: (7 + 7 + 2*7 + 3*5) / 7 = 43 / 7 = 6.142857… (rounded 6.1).
    s1 = semester_average_exact([D("7"), D("7")], D("7"), D("5"), 2)
    # Semester II: (7 + 7 + 2*7 + 3*5.4) / 7 = 44.2 / 7 = 6.314285… (rounded 6.3).
    s2 = semester_average_exact([D("7"), D("7")], D("7"), D("5.4"), 2)
    assert s1 == Fraction(43, 7)
    assert s2 == Fraction(442, 70)
    # Rounded first: (6.1 + 2*6.3) / 3 = 18.7 / 3 = 6.2333… → 6.2.
    assert year_average(s1, s2) == D("6.2")
    # Exact: (43/7 + 2*44.2/7) / 3 = (43 + 88.4) / 21 = 131.4 / 21 = 6.2571… → 6.3.
    assert year_average(s1, s2, round_semesters=False) == D("6.3")


def test_year_average_missing_and_invalid() -> None:
    """A missing semester average gives no year average; an impossible one is refused."""
    assert year_average(None, D("7")) is None
    assert year_average(D("7"), None) is None
    with pytest.raises(InvalidGrade, match=r"10\.5"):
        year_average(D("10.5"), D("7"))


def test_comment_semester_result() -> None:
    """Đạt only when every required assessment is recorded and Đạt."""
    assert comment_semester_result([PASS, PASS, PASS, PASS], 4) is PASS
    assert comment_semester_result([PASS, FAIL, PASS, PASS], 4) is FAIL
    assert comment_semester_result([PASS, PASS, None, PASS], 4) is None
    assert comment_semester_result([PASS, PASS, PASS], 4) is None
    # An early Chưa đạt is not a result while assessments are still missing.
    assert comment_semester_result([FAIL, None, None, None], 4) is None
    with pytest.raises(InvalidGrade):
        comment_semester_result([PASS] * 5, 4)
    with pytest.raises(InvalidInput):
        comment_semester_result([], 0)


def test_comment_year_result_is_semester_two() -> None:
    """The year result of a comment subject equals semester II's."""
    assert comment_year_result(FAIL, PASS) is PASS
    assert comment_year_result(PASS, FAIL) is FAIL
    assert comment_year_result(PASS, None) is None


# ---------------------------------------------------------------------------------------------
# Academic result
# ---------------------------------------------------------------------------------------------


def scored(*values: str) -> dict[str, Decimal | None]:
    return {f"S{i}": D(v) for i, v in enumerate(values, start=1)}


ALL_PASS: dict[str, CommentResult | None] = {"GDTC": PASS, "HĐTN": PASS, "GDĐP": PASS}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Tốt: all ≥ 6.5 and six ≥ 8.0.
        (["8.0"] * 6 + ["6.5", "6.5"], TOT),
        (["10"] * 8, TOT),
        # One subject 6.4 < 6.5: not Tốt; all ≥ 5.0 and seven ≥ 6.5 → Khá.
        (["8.0"] * 6 + ["6.5", "6.4"], KHA),
        # Only five ≥ 8.0 (the sixth is 7.9): Khá.
        (["8.0"] * 5 + ["7.9", "6.5", "6.5"], KHA),
        # Khá: all ≥ 5.0 and six ≥ 6.5.
        (["6.5"] * 6 + ["5.0", "5.0"], KHA),
        # One subject 4.9 < 5.0: Đạt (six ≥ 5.0, none < 3.5).
        (["6.5"] * 6 + ["5.0", "4.9"], DAT),
        # Only five ≥ 6.5: Đạt.
        (["6.5"] * 5 + ["6.4", "5.0", "5.0"], DAT),
        # Đạt: six ≥ 5.0, none < 3.5.
        (["5.0"] * 6 + ["3.5", "3.5"], DAT),
        # One subject 3.4 < 3.5: Chưa đạt.
        (["5.0"] * 6 + ["3.5", "3.4"], CD),
        # Only five ≥ 5.0: Chưa đạt.
        (["5.0"] * 5 + ["4.9", "3.5", "3.5"], CD),
        # Fewer than six scored subjects can never reach "at least 6 ≥ …": Chưa đạt.
        (["10"] * 5, CD),
    ],
)
def test_academic_level_boundaries(values: list[str], expected: Level) -> None:
    """Each threshold (8.0, 6.5, 5.0, 3.5) and each "at least 6" count."""
    assert academic_level(scored(*values), ALL_PASS) is expected


def test_one_comment_subject_chua_dat_caps_the_level_at_dat() -> None:
    """Tốt scores with one comment subject Chưa đạt → Đạt; two → Chưa đạt."""
    tot_scores = scored(*(["9.0"] * 8))
    one_fail = {"GDTC": FAIL, "HĐTN": PASS, "GDĐP": PASS}
    two_fail = {"GDTC": FAIL, "HĐTN": FAIL, "GDĐP": PASS}
    assert academic_level(tot_scores, one_fail) is DAT
    assert academic_level(tot_scores, two_fail) is CD
    # One comment Chưa đạt and only five scored subjects ≥ 5.0: Chưa đạt.
    weak = scored(*(["5.0"] * 5 + ["4.9", "3.5", "3.5"]))
    assert academic_level(weak, one_fail) is CD


def test_academic_level_is_none_until_everything_is_known() -> None:
    """A missing average or comment result, or no subject at all, gives None."""
    values = scored(*(["8.0"] * 8))
    assert academic_level({**values, "S9": None}, ALL_PASS) is None
    assert academic_level(values, {**ALL_PASS, "GDTC": None}) is None
    assert academic_level({}, {}) is None


def test_academic_level_rejects_impossible_averages() -> None:
    """An average outside 0-10 is a data error."""
    with pytest.raises(InvalidGrade):
        academic_level(scored(*(["8.0"] * 7 + ["11"])), ALL_PASS)


# ---------------------------------------------------------------------------------------------
# Year conduct
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s1", "s2", "year"),
    [
        # Semester II Tốt: I at least Khá → Tốt; I Đạt or Chưa đạt → Khá.
        (TOT, TOT, TOT),
        (KHA, TOT, TOT),
        (DAT, TOT, KHA),
        (CD, TOT, KHA),
        # Semester II Khá: I at least Đạt → Khá; I Chưa đạt → Đạt.
        (TOT, KHA, KHA),
        (KHA, KHA, KHA),
        (DAT, KHA, KHA),
        (CD, KHA, DAT),
        # Semester II Đạt: I Tốt → Khá; I Khá, Đạt or Chưa đạt → Đạt.
        (TOT, DAT, KHA),
        (KHA, DAT, DAT),
        (DAT, DAT, DAT),
        (CD, DAT, DAT),
        # Semester II Chưa đạt: always Chưa đạt.
        (TOT, CD, CD),
        (KHA, CD, CD),
        (DAT, CD, CD),
        (CD, CD, CD),
    ],
)
def test_derive_year_conduct(s1: Level, s2: Level, year: Level) -> None:
    """The Art. 8.2(b) table, every one of the 16 combinations."""
    assert derive_year_conduct(s1, s2) is year


# ---------------------------------------------------------------------------------------------
# Promotion and awards
# ---------------------------------------------------------------------------------------------

YEAR_SCORES: dict[str, Decimal | None] = {
    "Toán": D("4.8"),
    "Ngữ văn": D("6.0"),
    "Vật lí": D("3.9"),
    "Lịch sử": D("5.0"),
}
YEAR_COMMENTS: dict[str, CommentResult | None] = {"GDTC": FAIL, "Âm nhạc": PASS}


def test_promoted_with_45_absences() -> None:
    """Conduct ≥ Đạt, academic ≥ Đạt, absences exactly at the limit: promoted, no reasons."""
    decision = promotion(DAT, DAT, YEAR_SCORES, {}, 45, 45)
    assert decision.outcome is PromotionOutcome.PROMOTED
    assert decision.reasons == ()
    assert decision.reassessment_subjects == ()


def test_kept_back_for_46_absences_whatever_the_results() -> None:
    """More sessions than the limit (excused or not) keeps the student back."""
    decision = promotion(TOT, TOT, {}, {}, 46, 45)
    assert decision.outcome is PromotionOutcome.KEPT_BACK_ABSENCES
    assert decision.reasons == ("Absent 46 sessions, more than the limit of 45.",)
    set_language("vi")
    assert promotion(TOT, TOT, {}, {}, 46, 45).reasons == ("Nghỉ 46 buổi, quá giới hạn 45 buổi.",)


def test_no_absence_limit_for_primary() -> None:
    """absence_limit None (Circular 27): absences never decide."""
    assert promotion(KHA, KHA, {}, {}, 120, None).outcome is PromotionOutcome.PROMOTED


def test_summer_reassessment_lists_subjects_below_five_and_comment_chua_dat() -> None:
    """Conduct ≥ Đạt, academic Chưa đạt: re-assess scored < 5.0 and comment Chưa đạt."""
    decision = promotion(DAT, CD, YEAR_SCORES, YEAR_COMMENTS, 3, 45)
    assert decision.outcome is PromotionOutcome.SUMMER_REASSESSMENT
    # Toán 4.8 and Vật lí 3.9 are below 5.0; Lịch sử 5.0 is not; GDTC is Chưa đạt.
    assert decision.reasons == (
        "Academic result for the year: Unsatisfactory.",
        "Toán 4.8 < 5.0",
        "Vật lí 3.9 < 5.0",
        "GDTC: Unsatisfactory",
    )
    assert decision.reassessment_subjects == ("Toán", "Vật lí", "GDTC")


def test_promotion_reasons_in_vietnamese_use_decimal_commas() -> None:
    """The printed list reads "Toán 4,8 < 5,0"."""
    set_language("vi")
    decision = promotion(KHA, CD, YEAR_SCORES, YEAR_COMMENTS, 0, 45)
    assert decision.reasons == (
        "Kết quả học tập cả năm: Chưa đạt.",
        "Toán 4,8 < 5,0",
        "Vật lí 3,9 < 5,0",
        "GDTC: Chưa đạt",
    )


def test_promotion_uses_subject_names_for_codes() -> None:
    """Keys may be subject codes; the reasons print the names given."""
    decision = promotion(DAT, CD, {"TOAN": D("2.5")}, {}, 0, 45, subject_names={"TOAN": "Toán"})
    assert decision.reasons[1:] == ("Toán 2.5 < 5.0",)
    assert decision.reassessment_subjects == ("Toán",)


def test_summer_conduct_training() -> None:
    """Conduct Chưa đạt with academic ≥ Đạt: summer training, nothing to re-assess."""
    decision = promotion(CD, KHA, YEAR_SCORES, {}, 0, 45)
    assert decision.outcome is PromotionOutcome.SUMMER_CONDUCT_TRAINING
    assert decision.reasons == ("Conduct for the year: Unsatisfactory.",)
    assert decision.reassessment_subjects == ()


def test_conduct_and_academic_chua_dat_train_first() -> None:
    """Both Chưa đạt: training first; re-assessment only if conduct then reaches Đạt."""
    decision = promotion(CD, CD, YEAR_SCORES, YEAR_COMMENTS, 0, 45)
    assert decision.outcome is PromotionOutcome.SUMMER_CONDUCT_TRAINING
    assert decision.reasons == (
        "Conduct for the year: Unsatisfactory.",
        "Academic result for the year: Unsatisfactory.",
        "Toán 4.8 < 5.0",
        "Vật lí 3.9 < 5.0",
        "GDTC: Unsatisfactory",
        "Summer re-assessment only if conduct is rated at least Satisfactory after the "
        "summer training.",
    )
    assert decision.reassessment_subjects == ("Toán", "Vật lí", "GDTC")


def test_after_summer_any_chua_dat_keeps_back() -> None:
    """With the re-rated results, Chưa đạt means kept back; Đạt means promoted."""
    kept = promotion(DAT, CD, {"Toán": D("4.0")}, {}, 0, 45, after_summer=True)
    assert kept.outcome is PromotionOutcome.KEPT_BACK
    assert kept.reasons == ("Academic result for the year: Unsatisfactory.", "Toán 4.0 < 5.0")
    kept = promotion(CD, DAT, {}, {}, 0, 45, after_summer=True)
    assert kept.outcome is PromotionOutcome.KEPT_BACK
    assert kept.reasons == ("Conduct for the year: Unsatisfactory.",)
    promoted = promotion(DAT, DAT, {}, {}, 0, 45, after_summer=True)
    assert promoted.outcome is PromotionOutcome.PROMOTED


def test_promotion_incomplete_until_results_are_known() -> None:
    """A missing year result is said, not guessed; absences over the limit still decide."""
    decision = promotion(DAT, None, {}, {}, 0, 45)
    assert decision.outcome is PromotionOutcome.INCOMPLETE
    assert decision.reasons == ("Academic result for the year is not complete yet.",)
    decision = promotion(None, None, {}, {}, 0, 45)
    assert decision.reasons == (
        "Conduct for the year is not set yet.",
        "Academic result for the year is not complete yet.",
    )
    assert promotion(None, None, {}, {}, 50, 45).outcome is PromotionOutcome.KEPT_BACK_ABSENCES


def test_promotion_rejects_negative_absences() -> None:
    """A negative count is an input error."""
    with pytest.raises(InvalidInput):
        promotion(DAT, DAT, {}, {}, -1, 45)


def test_awards() -> None:
    """Xuất sắc: Tốt/Tốt and six subjects ≥ 9.0; Giỏi: Tốt/Tốt; nothing otherwise."""
    six_nines = {**scored(*(["9.0"] * 6 + ["8.0", "8.0"]))}
    five_nines = {**scored(*(["9.0"] * 5 + ["8.9", "8.0", "8.0"]))}
    assert award(TOT, TOT, six_nines) is Award.XUAT_SAC
    assert award(TOT, TOT, five_nines) is Award.GIOI
    assert award(KHA, TOT, six_nines) is None
    assert award(TOT, KHA, six_nines) is None
    assert award(None, TOT, six_nines) is None
    assert award(TOT, None, six_nines) is None


# ---------------------------------------------------------------------------------------------
# Completeness
# ---------------------------------------------------------------------------------------------

TX, GK, CK = GradeKind.TX, GradeKind.GK, GradeKind.CK
DEADLINES = [
    ColumnDeadline(1, TX, date(2024, 10, 31)),
    ColumnDeadline(1, GK, date(2024, 11, 15)),
    ColumnDeadline(1, CK, date(2024, 12, 31)),
]


def rec(student: int, kind: GradeKind, slot: int, when: datetime) -> RecordedEntry:
    return RecordedEntry(student, "TOAN", 1, kind, slot, when)


def test_completeness_missing_overdue_late_and_counts() -> None:
    """The homeroom teacher sees missing cells (overdue or not), late cells and counts."""
    expected = expected_entries([1, 2], "TOAN", 35, Assessment.SCORE, semesters=[1])
    # 35 periods: TX 1-2, GK, CK = 4 cells per student, 8 for two students.
    assert len(expected) == 8
    recorded = [
        rec(1, TX, 1, datetime(2024, 10, 10, 8, 0)),
        rec(1, TX, 2, datetime(2024, 11, 2, 9, 0)),  # 2 days after 31/10: late
        rec(1, GK, 1, datetime(2024, 11, 15, 23, 59)),  # on the due day: on time
        rec(2, TX, 1, datetime(2024, 10, 1, 7, 30)),
        rec(2, TX, 3, datetime(2024, 10, 1, 7, 30)),  # no TX 3 in a 35-period subject
    ]
    report = completeness(expected, recorded, DEADLINES, today=date(2024, 12, 1))
    missing = [(m.entry.student_id, m.entry.kind, m.entry.slot, m.overdue) for m in report.missing]
    # Student 1 lacks CK (due 31/12, not overdue); student 2 lacks TX 2 and GK (both past due
    # on 1/12) and CK (not overdue).
    assert missing == [(1, CK, 1, False), (2, TX, 2, True), (2, GK, 1, True), (2, CK, 1, False)]
    assert [(m.entry.student_id, m.entry.kind) for m in report.overdue] == [(2, TX), (2, GK)]
    assert [(late.entry.student_id, late.entry.slot, late.days_late) for late in report.late] == [
        (1, 2, 2)
    ]
    assert report.late[0].due == date(2024, 10, 31)
    assert [(u.student_id, u.kind, u.slot) for u in report.unexpected] == [(2, TX, 3)]
    # Entered: student 1 TX1, TX2, GK; student 2 TX1 = 4 of 8; missing 4; late 1; overdue 2.
    assert report.counts == (
        SubjectCompleteness("TOAN", 1, expected=8, entered=4, missing=4, late=1, overdue=2),
    )
    assert (report.expected_total, report.entered_total) == (8, 4)
    # 4 / 8 = 50 %.
    assert report.percent == D("50.0")


def test_completeness_counts_per_subject_and_semester() -> None:
    """Counts are kept per subject and semester, sorted."""
    expected = expected_entries([1], "VAN", 105, Assessment.SCORE) + expected_entries(
        [1], "GDTC", 70, Assessment.COMMENT, semesters=[2]
    )
    # VAN 105 periods: 4 TX + GK + CK = 6 per semester; GDTC: 2 TX + GK + CK = 4 in semester 2.
    recorded = [RecordedEntry(1, "VAN", 2, GK, 1, datetime(2025, 3, 1))]
    report = completeness(expected, recorded, [], today=date(2025, 6, 1))
    assert [(c.subject_code, c.semester, c.expected, c.entered) for c in report.counts] == [
        ("GDTC", 2, 4, 0),
        ("VAN", 1, 6, 0),
        ("VAN", 2, 6, 1),
    ]
    # No deadline set: nothing is overdue or late.
    assert report.overdue == () and report.late == ()
    assert all(m.due is None for m in report.missing)
    # 1 of 16 = 6.25 % → cut to 6.2.
    assert report.percent == D("6.2")


def test_completeness_subject_deadline_overrides_the_school_one() -> None:
    """A deadline set for one subject replaces the general one for that subject only."""
    expected = [
        ExpectedEntry(1, "TOAN", 1, GK, 1),
        ExpectedEntry(1, "VAN", 1, GK, 1),
    ]
    deadlines = [*DEADLINES, ColumnDeadline(1, GK, date(2024, 11, 30), subject_code="TOAN")]
    recorded = [
        RecordedEntry(1, "TOAN", 1, GK, 1, datetime(2024, 11, 20)),  # before its own 30/11
        RecordedEntry(1, "VAN", 1, GK, 1, datetime(2024, 11, 20)),  # 5 days after 15/11
    ]
    report = completeness(expected, recorded, deadlines, today=date(2024, 12, 1))
    assert [(late.entry.subject_code, late.days_late) for late in report.late] == [("VAN", 5)]


def test_completeness_uses_the_first_entry_of_a_cell() -> None:
    """A cell entered on time and corrected later is not late."""
    expected = [ExpectedEntry(1, "TOAN", 1, TX, 1)]
    recorded = [
        rec(1, TX, 1, datetime(2024, 11, 20)),  # a later correction
        rec(1, TX, 1, datetime(2024, 10, 20)),  # the first entry, on time
    ]
    report = completeness(expected, recorded, DEADLINES, today=date(2024, 12, 1))
    assert report.late == ()
    assert report.percent == D("100.0")


def test_completeness_percent_is_never_rounded_up_to_complete() -> None:
    """99.95 % shows as 99.9, so 100.0 always means nothing is missing."""
    expected = [ExpectedEntry(s, "TOAN", 1, TX, 1) for s in range(1, 2001)]
    recorded = [rec(s, TX, 1, datetime(2024, 10, 1)) for s in range(1, 2000)]
    report = completeness(expected, recorded, DEADLINES, today=date(2024, 10, 2))
    # 1999 / 2000 = 99.95 % → 99.9.
    assert report.percent == D("99.9")
    # 2 / 3 = 66.666… % → 66.6.
    three = [ExpectedEntry(s, "TOAN", 1, TX, 1) for s in (1, 2, 3)]
    two = [rec(s, TX, 1, datetime(2024, 10, 1)) for s in (1, 2)]
    assert completeness(three, two, [], today=date(2024, 10, 2)).percent == D("66.6")
    # Nothing expected: complete.
    assert completeness([], [], [], today=date(2024, 10, 2)).percent == D("100.0")


def test_completeness_rejects_conflicting_deadlines_and_bad_semesters() -> None:
    """Two different dates for one column, or a semester 3, are input errors."""
    conflicting = [*DEADLINES, ColumnDeadline(1, TX, date(2024, 11, 1))]
    with pytest.raises(InvalidInput, match="semester 1, Regular"):
        completeness([], [], conflicting, today=date(2024, 10, 2))
    with pytest.raises(InvalidInput):
        ExpectedEntry(1, "TOAN", 3, TX, 1)
    with pytest.raises(InvalidInput):
        completeness([], [], [ColumnDeadline(0, TX, date(2024, 11, 1))], today=date(2024, 10, 2))


def test_expected_entries_cover_both_semesters_by_default() -> None:
    """2 students × 2 semesters × (3 TX + GK + CK) = 20 cells for a 70-period subject."""
    entries = expected_entries([1, 2], "SU", 70, Assessment.SCORE)
    assert len(entries) == 20
    assert {e.semester for e in entries} == {1, 2}
    assert ExpectedEntry(2, "SU", 2, TX, 3) in entries


# ---------------------------------------------------------------------------------------------
# Changes after publication, lock or deadline
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "locked", "deadline_passed", "kind"),
    [
        (False, False, False, ChangeKind.DIRECT),
        (True, False, False, ChangeKind.CHANGE_REQUEST),
        (False, True, False, ChangeKind.CHANGE_REQUEST),
        (False, False, True, ChangeKind.CHANGE_REQUEST),
        (True, True, True, ChangeKind.CHANGE_REQUEST),
    ],
)
def test_classify_change(
    published: bool, locked: bool, deadline_passed: bool, kind: ChangeKind
) -> None:
    """Only a change to an unpublished, unlocked score before its deadline is direct."""
    assert classify_change(published, locked, deadline_passed) is kind


def test_change_request_needs_a_reason() -> None:
    """A blank reason is refused for a change request; a direct edit may have none."""
    for blank in (None, "", "   \n"):
        with pytest.raises(InvalidInput, match="needs a reason"):
            require_change_reason(ChangeKind.CHANGE_REQUEST, blank)
    assert require_change_reason(ChangeKind.CHANGE_REQUEST, "  entry typo ") == "entry typo"
    assert require_change_reason(ChangeKind.DIRECT, None) is None
    assert require_change_reason(ChangeKind.DIRECT, "  ") is None
    assert require_change_reason(ChangeKind.DIRECT, "typo") == "typo"
    set_language("vi")
    with pytest.raises(InvalidInput, match="phải ghi rõ lý do"):
        require_change_reason(ChangeKind.CHANGE_REQUEST, "")


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

scores = st.integers(min_value=0, max_value=100).map(lambda tenths: Decimal(tenths).scaleb(-1))


@settings(derandomize=True, database=None, max_examples=300)
@given(
    tx=st.integers(min_value=2, max_value=4).flatmap(
        lambda n: st.lists(scores, min_size=n, max_size=n)
    ),
    gk=scores,
    ck=scores,
)
def test_semester_average_properties(tx: list[Decimal], gk: Decimal, ck: Decimal) -> None:
    """Within [min, max] of the scores, one decimal place, equal to integer arithmetic and to
    the exact average rounded half up."""
    result = semester_average(tx, gk, ck, len(tx))
    assert result is not None
    everything = [*tx, gk, ck]
    assert min(everything) <= result <= max(everything)
    assert result.as_tuple().exponent == -1
    # Independent oracle in whole tenths: avg = T / d; half up = floor((2T + d) / 2d).
    total_tenths = sum(int(s * 10) for s in tx) + 2 * int(gk * 10) + 3 * int(ck * 10)
    d = len(tx) + 5
    assert result == Decimal((2 * total_tenths + d) // (2 * d)).scaleb(-1)
    exact = semester_average_exact(tx, gk, ck, len(tx))
    assert exact is not None and result == round_half_up(exact)


@settings(derandomize=True, database=None, max_examples=300)
@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False))
def test_round_half_up_matches_decimal_quantize(value: Decimal) -> None:
    """The exact rounding agrees with the standard library's ROUND_HALF_UP."""
    assert round_half_up(value) == value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@settings(derandomize=True, database=None, max_examples=200)
@given(s1=scores, s2=scores)
def test_year_average_lies_between_the_semesters(s1: Decimal, s2: Decimal) -> None:
    """The year average is between the two semester averages, with one decimal."""
    result = year_average(s1, s2)
    assert result is not None
    assert min(s1, s2) <= result <= max(s1, s2)
    assert result.as_tuple().exponent == -1


@settings(derandomize=True, database=None, max_examples=200)
@given(scores)
def test_scores_round_trip_through_the_vietnamese_display(value: Decimal) -> None:
    """What is shown as "7,5" reads back as 7.5."""
    assert parse_score(format_score_vi(value)) == value
    assert parse_score(format_score(value)) == value


# ---------------------------------------------------------------------------------------------
# Translations
# ---------------------------------------------------------------------------------------------


def used_msgids(*modules: str) -> set[str]:
    found: set[str] = set()
    for module in modules:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_message_is_translated_in_grading_po() -> None:
    """Each _()/N_() msgid of the grading modules has a Vietnamese translation, keeping its
    placeholders."""
    catalog = parse_po((ROOT / "resources/i18n/vi/grading.po").read_text(encoding="utf-8"))
    msgids = used_msgids("desktop/domain/grading.py", "desktop/domain/grade_review.py")
    assert len(msgids) > 40
    assert sorted(msgids - catalog.keys()) == []
    for msgid in msgids:
        for placeholder in ("{value}", "{subject}", "{score}", "{count}", "{level}", "{kind}"):
            assert (placeholder in msgid) == (placeholder in catalog[msgid]), msgid
