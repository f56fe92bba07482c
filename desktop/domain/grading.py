"""Circular 22/2021/TT-BGDĐT grading rules: scores, averages, levels, promotion, completeness.

Pure rules for lower and upper secondary schools (domain.md §4, research §1.1): what a valid score
is, how many regular scores a subject has, the semester and year averages, the academic result
(*kết quả học tập*), the year conduct (*kết quả rèn luyện*), promotion and awards, which grade
entries are missing or late, and when changing a score needs a change request.

Every number is a ``Decimal`` with at most one digit after the point; the averages are computed on
exact fractions and rounded half up to one decimal, never with binary floats or ``round()``.
A missing score is ``None``: it is *missing*, not zero, until the school records a make-up or a 0,
and any average that depends on it is ``None`` too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from fractions import Fraction

from desktop.errors import InvalidGrade, InvalidInput
from desktop.i18n import N_, _, format_decimal

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


class GradeKind(StrEnum):
    """A column of the grade book: regular (*ĐĐGtx*), mid-term (*ĐĐGgk*), end-of-term (*ĐĐGck*)."""

    TX = "TX"
    GK = "GK"
    CK = "CK"

    @property
    def order(self) -> int:
        """Position in the grade book: regular columns first, the end-of-term one last."""
        return _KIND_ORDER[self]

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


_KIND_ORDER = {GradeKind.TX: 0, GradeKind.GK: 1, GradeKind.CK: 2}
_KIND_LABELS = {
    GradeKind.TX: N_("Regular"),
    GradeKind.GK: N_("Mid-term"),
    GradeKind.CK: N_("End-of-term"),
}


class Assessment(StrEnum):
    """How a subject is assessed: by score (0-10) or by comment only (Đạt / Chưa đạt)."""

    SCORE = "score"
    COMMENT = "comment"


class CommentResult(StrEnum):
    """The result of a comment-assessed subject; the values are what the grade book prints."""

    PASS = "Đ"
    FAIL = "CĐ"

    @property
    def label(self) -> str:
        return _(N_("Satisfactory")) if self is CommentResult.PASS else _(N_("Unsatisfactory"))


class Level(StrEnum):
    """The four levels of the academic result and of conduct; the values are the legal names."""

    TOT = "Tốt"
    KHA = "Khá"
    DAT = "Đạt"
    CHUA_DAT = "Chưa đạt"

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Chưa đạt, for comparisons ("at least Khá")."""
        return _LEVEL_RANK[self]

    def at_least(self, other: Level) -> bool:
        return self.rank >= other.rank

    @property
    def label(self) -> str:
        return _(_LEVEL_LABELS[self])


_LEVEL_RANK = {Level.TOT: 3, Level.KHA: 2, Level.DAT: 1, Level.CHUA_DAT: 0}
_LEVEL_LABELS = {
    Level.TOT: N_("Good"),
    Level.KHA: N_("Fair"),
    Level.DAT: N_("Satisfactory"),
    Level.CHUA_DAT: N_("Unsatisfactory"),
}

SCORE_MIN = Decimal(0)
SCORE_MAX = Decimal(10)
PASS_MARK = Decimal("5.0")
"""ĐTBmcn below this sends a scored subject to summer re-assessment."""

_TENTH = Decimal("0.1")


# --------------------------------------------------------------------------------------------
# How many scores a subject has
# --------------------------------------------------------------------------------------------


def regular_count(periods_per_year: int, assessment: Assessment) -> int:
    """Regular assessments (*ĐĐGtx*) per semester (Art. 6).

    Scored subjects: 2 up to 35 periods a year, 3 from 36 to 70, 4 above 70. Comment-only
    subjects: 2, whatever their periods.
    """
    if periods_per_year < 1:
        raise InvalidInput(
            _("The number of periods a year must be at least 1, not {periods}.").format(
                periods=periods_per_year
            )
        )
    if assessment is Assessment.COMMENT or periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4


def expected_slots(periods_per_year: int, assessment: Assessment) -> list[tuple[GradeKind, int]]:
    """The grade-book columns of one semester: TX 1..n, then GK 1 and CK 1 (Art. 6-7).

    Comment-only subjects also have one mid-term and one end-of-term assessment.
    """
    count = regular_count(periods_per_year, assessment)
    slots = [(GradeKind.TX, slot) for slot in range(1, count + 1)]
    slots += [(GradeKind.GK, 1), (GradeKind.CK, 1)]
    return slots


# --------------------------------------------------------------------------------------------
# Reading and writing one score
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?", re.ASCII)


def parse_score(text: str) -> Decimal:
    """A score typed by a teacher or read from a file, as a normalized ``Decimal``.

    Accepts an integer or a decimal written with a point or the Vietnamese comma ("7,5"),
    surrounding blanks and full-width digits. Rejects anything else, including exponents
    ("1e1"), NaN and infinities, values outside 0-10 and a second significant decimal
    ("7.25"); a trailing zero ("7.50") is harmless and accepted. ``7.0`` comes back as ``7``.
    """
    # NFKC turns full-width digits and commas (some Vietnamese input methods) into ASCII.
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        raise InvalidGrade(
            _(
                "The score is empty. Enter a number from 0 to 10 with at most one decimal, "
                "such as 7 or 7.5."
            )
        )
    if not _NUMBER.fullmatch(cleaned):
        raise _not_a_score(cleaned)
    value = validate_score(Decimal(cleaned.replace(",", ".")), shown=cleaned)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(_TENTH)


def validate_score(value: Decimal, *, shown: str | None = None) -> Decimal:
    """``value`` unchanged if Circular 22 allows it as a score, else ``InvalidGrade``.

    For values that arrive as ``Decimal`` (storage, sync, imports); ``shown`` is how the value
    is named in the message (the user's own text when there is one).
    """
    name = shown if shown is not None else str(value)
    if not value.is_finite():
        raise _not_a_score(name)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise InvalidGrade(_("{value} is outside the score range 0 to 10.").format(value=name))
    if value != value.quantize(_TENTH, rounding=ROUND_DOWN):
        raise InvalidGrade(
            _(
                "{value} has more than one digit after the decimal point; "
                "a score has at most one, such as 7.5."
            ).format(value=name)
        )
    return value


def _not_a_score(shown: str) -> InvalidGrade:
    return InvalidGrade(
        _(
            "“{value}” is not a score. Enter a number from 0 to 10 with at most one decimal, "
            "such as 7 or 7.5."
        ).format(value=shown)
    )


def _fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Chưa  Đạt" and "chua dat" compare equal."""
    composed = unicodedata.normalize("NFC", text).strip().casefold().replace("đ", "d")
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", composed) if not unicodedata.combining(ch)
    )
    return " ".join(bare.split())


_COMMENT_WORDS = {
    "d": CommentResult.PASS,
    "dat": CommentResult.PASS,
    "cd": CommentResult.FAIL,
    "chua dat": CommentResult.FAIL,
}


def parse_comment(text: str) -> CommentResult:
    """A comment result: "Đ"/"CĐ", "Đạt"/"Chưa đạt", in any case, with or without diacritics.

    Files from other tools write "D"/"CD" in ASCII, and macOS clipboards may hand over
    decomposed (NFD) text, so both are accepted.
    """
    result = _COMMENT_WORDS.get(_fold(text))
    if result is None:
        raise InvalidGrade(
            _(
                "“{value}” is not a comment result. Enter Đ (Satisfactory) or CĐ (Unsatisfactory)."
            ).format(value=text.strip())
        )
    return result


_LEVEL_WORDS = {
    "tot": Level.TOT,
    "kha": Level.KHA,
    "dat": Level.DAT,
    "chua dat": Level.CHUA_DAT,
}


def parse_level(text: str) -> Level:
    """A level typed or imported: "Tốt", "Khá", "Đạt", "Chưa đạt", any case, diacritics optional."""
    level = _LEVEL_WORDS.get(_fold(text))
    if level is None:
        raise InvalidGrade(
            _("“{value}” is not a level. Enter Tốt, Khá, Đạt or Chưa đạt.").format(
                value=text.strip()
            )
        )
    return level


def format_score(value: Decimal) -> str:
    """The data form of a score or average: "7", "7.5", "8.0" (a point, never an exponent).

    A value with more than one decimal (an unrounded average) is rounded half up first.
    """
    if not value.is_finite():
        raise _not_a_score(str(value))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        value = round_half_up(value)
    return format(value, "f")


def format_score_vi(value: Decimal) -> str:
    """The Vietnamese display form: "7,5" (decimal comma)."""
    return format_score(value).replace(".", ",")


def format_score_display(value: Decimal) -> str:
    """The display form in the language in force: "7,5" in Vietnamese, "7.5" in English."""
    return format_decimal(format_score(value))


def format_value_display(text: str) -> str:
    """A stored grade value ("7.5", "Đ") as shown: a score in the display form of the language
    in force ("7,5"), a comment result as it is."""
    cleaned = text.strip()
    if _NUMBER.fullmatch(cleaned):
        return format_decimal(cleaned.replace(",", "."))
    return cleaned


def column_label(kind: GradeKind, slot: int) -> str:
    """A grade-book column as every screen and command names it: TX1…TX4, GK, CK."""
    return f"{kind.value}{slot}" if kind is GradeKind.TX else kind.value


# --------------------------------------------------------------------------------------------
# Averages (Art. 9)
# --------------------------------------------------------------------------------------------

Average = Decimal | Fraction
"""A subject average: a recorded ``Decimal`` or an exact, unrounded ``Fraction``."""


def round_half_up(value: Decimal | Fraction) -> Decimal:
    """``value`` to one decimal, halves away from zero: 7.25 → 7.3, 8.05 → 8.1, 7.6875 → 7.7.

    Works on the exact rational value, so an unrounded average such as 48/7 is never first cut
    to 28 digits (which could turn an exact 7.25 into 7.2499… and round it down).
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _not_a_score(str(value))
        exact = Fraction(value)
    else:
        exact = value
    sign = -1 if exact < 0 else 1
    tenths = int(abs(exact) * 10 + Fraction(1, 2))  # floor, as the operand is not negative
    return Decimal(sign * tenths).scaleb(-1)


def _as_fraction(average: Average) -> Fraction:
    if isinstance(average, Decimal) and not average.is_finite():
        raise _not_a_score(str(average))
    exact = Fraction(average)
    if not 0 <= exact <= 10:
        raise InvalidGrade(
            _("The average {value} is outside the range 0 to 10.").format(value=str(average))
        )
    return exact


def _weighted_total(
    tx: Sequence[Decimal | None],
    gk: Decimal | None,
    ck: Decimal | None,
    expected_tx: int,
) -> tuple[Decimal, int] | None:
    """``(ΣTX + 2·GK + 3·CK, nTX + 5)``, every score checked, or ``None`` when the mid-term,
    the end-of-term or any of the ``expected_tx`` regular scores is missing."""
    if expected_tx < 1:
        raise InvalidInput(
            _("The number of regular scores must be at least 1, not {count}.").format(
                count=expected_tx
            )
        )
    if len(tx) > expected_tx:
        # A regular score beyond the subject's columns is a data error, not a bonus score.
        raise InvalidGrade(
            _("There are {count} regular scores but the subject has only {expected}.").format(
                count=len(tx), expected=expected_tx
            )
        )
    # Validate every value present before deciding "incomplete": garbage must not hide.
    present = [validate_score(score) for score in tx if score is not None]
    mid = validate_score(gk) if gk is not None else None
    end = validate_score(ck) if ck is not None else None
    if len(present) < expected_tx or mid is None or end is None:
        return None
    # Valid scores have at most one decimal, so their Decimal sum is exact.
    return sum(present, Decimal(0)) + 2 * mid + 3 * end, len(present) + 5


def semester_average_exact(
    tx: Sequence[Decimal | None],
    gk: Decimal | None,
    ck: Decimal | None,
    expected_tx: int,
) -> Fraction | None:
    """The unrounded semester average ``(ΣTX + 2·GK + 3·CK) / (nTX + 5)``, or ``None``.

    ``None`` when the mid-term, the end-of-term or any of the ``expected_tx`` regular scores is
    missing (``None`` in ``tx``, or fewer than expected). Each regular score weighs 1 on its
    own: averaging the regular scores first is a known wrong implementation.
    """
    weighted = _weighted_total(tx, gk, ck, expected_tx)
    return None if weighted is None else Fraction(weighted[0]) / weighted[1]


def semester_average(
    tx: Sequence[Decimal | None],
    gk: Decimal | None,
    ck: Decimal | None,
    expected_tx: int,
) -> Decimal | None:
    """The semester average ĐTBmhk rounded half up to one decimal, or ``None`` if incomplete.

    TX 6, 8, 7.5; GK 5; CK 10 → (21.5 + 10 + 30) / 8 = 7.6875 → 7.7.
    """
    weighted = _weighted_total(tx, gk, ck, expected_tx)
    if weighted is None:
        return None
    total, weight = weighted
    # In whole tenths the average is T / d, and half up is floor(T / d + 1/2) = (2T + d) // 2d:
    # exact integers, where a Fraction per student cost the grade book a millisecond a read.
    tenths = int(total * 10)
    return Decimal((2 * tenths + weight) // (2 * weight)).scaleb(-1)


def year_average(
    s1: Average | None, s2: Average | None, *, round_semesters: bool = True
) -> Decimal | None:
    """The year average ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, rounded half up; ``None`` if missing.

    With ``round_semesters`` (the default, vnEdu's behaviour) each semester average is rounded
    to one decimal first; without it the exact values are used, so pass the results of
    ``semester_average_exact`` to get the fully unrounded computation.
    """
    if s1 is None or s2 is None:
        return None
    first, second = _as_fraction(s1), _as_fraction(s2)
    if round_semesters:
        first, second = Fraction(round_half_up(first)), Fraction(round_half_up(second))
    return round_half_up((first + 2 * second) / 3)


def comment_semester_result(
    results: Sequence[CommentResult | None], expected: int
) -> CommentResult | None:
    """A comment subject's semester result, or ``None`` while assessments are missing.

    Đạt when all ``expected`` assessments (the length of ``expected_slots``: 2 regular, one
    mid-term, one end-of-term) are recorded and all are Đạt; Chưa đạt when all are recorded
    and one is not. A missing assessment stays missing until the school records it.
    """
    if expected < 1:
        raise InvalidInput(
            _("The number of assessments must be at least 1, not {count}.").format(count=expected)
        )
    if len(results) > expected:
        raise InvalidGrade(
            _("There are {count} assessments but the subject has only {expected}.").format(
                count=len(results), expected=expected
            )
        )
    present = [result for result in results if result is not None]
    if len(present) < expected:
        return None
    if all(result is CommentResult.PASS for result in present):
        return CommentResult.PASS
    return CommentResult.FAIL


def comment_year_result(s1: CommentResult | None, s2: CommentResult | None) -> CommentResult | None:
    """A comment subject's year result: the semester II result (Art. 9.1).

    ``s1`` is taken, though the law ignores it, so call sites read like the other year rules.
    """
    return s2


# --------------------------------------------------------------------------------------------
# Academic result and conduct
# --------------------------------------------------------------------------------------------

MIN_STRONG_SUBJECTS = 6
""""At least 6 scored subjects" in the Tốt, Khá and Đạt rules and the Xuất sắc award."""


def academic_level(
    scored: Mapping[str, Decimal | None],
    comment: Mapping[str, CommentResult | None],
) -> Level | None:
    """The academic result (Art. 9.2) from ĐTBmhk (semester) or ĐTBmcn (year) per subject.

    - Tốt: every comment subject Đạt; every scored subject ≥ 6.5; at least 6 of them ≥ 8.0.
    - Khá: every comment subject Đạt; every scored subject ≥ 5.0; at least 6 of them ≥ 6.5.
    - Đạt: at most one comment subject Chưa đạt; at least 6 scored subjects ≥ 5.0; none < 3.5.
    - Chưa đạt: every other case (including a class with fewer than 6 scored subjects).

    Pass the averages as recorded (rounded to one decimal). Returns ``None``, meaning "not yet
    known", when any subject's average or result is missing, or when there is no subject at
    all: a level computed from part of the subjects would be wrong, not provisional.
    """
    if not scored and not comment:
        return None
    if any(value is None for value in scored.values()) or any(
        value is None for value in comment.values()
    ):
        return None
    averages = [_as_fraction(value) for value in scored.values() if value is not None]
    failed_comments = sum(1 for value in comment.values() if value is CommentResult.FAIL)

    def at_least(threshold: str) -> int:
        return sum(1 for average in averages if average >= Fraction(Decimal(threshold)))

    def all_at_least(threshold: str) -> bool:
        return at_least(threshold) == len(averages)

    if failed_comments == 0:
        if all_at_least("6.5") and at_least("8.0") >= MIN_STRONG_SUBJECTS:
            return Level.TOT
        if all_at_least("5.0") and at_least("6.5") >= MIN_STRONG_SUBJECTS:
            return Level.KHA
    if failed_comments <= 1 and at_least("5.0") >= MIN_STRONG_SUBJECTS and all_at_least("3.5"):
        return Level.DAT
    return Level.CHUA_DAT


_YEAR_CONDUCT: dict[tuple[Level, Level], Level] = {
    # (semester II, semester I) -> year, as Art. 8.2(b) lists it.
    (Level.TOT, Level.TOT): Level.TOT,
    (Level.TOT, Level.KHA): Level.TOT,
    (Level.TOT, Level.DAT): Level.KHA,
    (Level.TOT, Level.CHUA_DAT): Level.KHA,
    (Level.KHA, Level.TOT): Level.KHA,
    (Level.KHA, Level.KHA): Level.KHA,
    (Level.KHA, Level.DAT): Level.KHA,
    (Level.KHA, Level.CHUA_DAT): Level.DAT,
    (Level.DAT, Level.TOT): Level.KHA,
    (Level.DAT, Level.KHA): Level.DAT,
    (Level.DAT, Level.DAT): Level.DAT,
    (Level.DAT, Level.CHUA_DAT): Level.DAT,
    (Level.CHUA_DAT, Level.TOT): Level.CHUA_DAT,
    (Level.CHUA_DAT, Level.KHA): Level.CHUA_DAT,
    (Level.CHUA_DAT, Level.DAT): Level.CHUA_DAT,
    (Level.CHUA_DAT, Level.CHUA_DAT): Level.CHUA_DAT,
}


def derive_year_conduct(s1: Level, s2: Level) -> Level:
    """The year conduct proposed from the two semesters (Art. 8.2(b)); semester II weighs most.

    ============  =========================================
    year          semester II / semester I
    ============  =========================================
    Tốt           II Tốt and I at least Khá
    Khá           II Khá and I at least Đạt;
                  II Đạt and I Tốt;
                  II Tốt and I Đạt or Chưa đạt
    Đạt           II Đạt and I Khá, Đạt or Chưa đạt;
                  II Khá and I Chưa đạt
    Chưa đạt      II Chưa đạt (the remaining cases)
    ============  =========================================

    The homeroom teacher may still change the year value; this is the proposal.
    """
    return _YEAR_CONDUCT[(s2, s1)]


# --------------------------------------------------------------------------------------------
# Promotion (Art. 12-14) and awards (Art. 15)
# --------------------------------------------------------------------------------------------


class PromotionOutcome(StrEnum):
    """What the promotion list says about one student."""

    PROMOTED = "promoted"
    SUMMER_REASSESSMENT = "summer_reassessment"
    SUMMER_CONDUCT_TRAINING = "summer_conduct_training"
    KEPT_BACK = "kept_back"
    KEPT_BACK_ABSENCES = "kept_back_absences"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        return _(_OUTCOME_LABELS[self])


_OUTCOME_LABELS = {
    PromotionOutcome.PROMOTED: N_("Promoted"),
    PromotionOutcome.SUMMER_REASSESSMENT: N_("Summer re-assessment"),
    PromotionOutcome.SUMMER_CONDUCT_TRAINING: N_("Summer conduct training"),
    PromotionOutcome.KEPT_BACK: N_("Kept back"),
    PromotionOutcome.KEPT_BACK_ABSENCES: N_("Kept back for absences"),
    PromotionOutcome.INCOMPLETE: N_("Results incomplete"),
}


@dataclass(frozen=True)
class PromotionDecision:
    """The outcome for one student, with the sentences the promotion list prints.

    ``reassessment_subjects`` names the subjects to re-assess in the summer (scored subjects
    with ĐTBmcn < 5.0, comment subjects Chưa đạt) whenever the academic result is Chưa đạt,
    in the order the subjects were given.
    """

    outcome: PromotionOutcome
    reasons: tuple[str, ...] = ()
    reassessment_subjects: tuple[str, ...] = ()


def promotion(
    year_conduct: Level | None,
    year_academic: Level | None,
    scored_year: Mapping[str, Decimal | None],
    comment_year: Mapping[str, CommentResult | None],
    absences: int,
    absence_limit: int | None,
    *,
    after_summer: bool = False,
    subject_names: Mapping[str, str] | None = None,
) -> PromotionDecision:
    """Promotion (Art. 12): year conduct ≥ Đạt, year academic result ≥ Đạt, absences ≤ limit.

    - More absent sessions than ``absence_limit`` (45 by default policy; excused or not):
      kept back, whatever the results. ``None`` means no limit (primary schools, Circular 27).
    - Conduct or academic result not known yet: incomplete.
    - Conduct Chưa đạt: summer conduct training (Art. 13). If the academic result is also
      Chưa đạt, the re-assessment follows only if the re-rated conduct reaches Đạt (Art. 14, as
      the Ministry answered it); the subjects are listed already.
    - Conduct ≥ Đạt, academic result Chưa đạt: summer re-assessment (Art. 14) of the subjects
      in ``reassessment_subjects``.
    - With ``after_summer`` (the results re-rated after the summer), any remaining Chưa đạt
      means kept back.

    ``scored_year``/``comment_year`` are keyed by subject; ``subject_names`` maps a key to the
    name printed in the reasons (the key itself when absent). Students with disabilities are
    decided by the principal (Art. 12.4) and are not covered here.
    """
    if absences < 0:
        raise InvalidInput(_("The number of absent sessions cannot be negative."))
    names = subject_names or {}
    failing = _failing_subjects(scored_year, comment_year, names)
    conduct_reason = (
        _("Conduct for the year: {level}.").format(level=year_conduct.label)
        if year_conduct is not None
        else _("Conduct for the year is not set yet.")
    )
    academic_reason = (
        _("Academic result for the year: {level}.").format(level=year_academic.label)
        if year_academic is not None
        else _("Academic result for the year is not complete yet.")
    )

    if absence_limit is not None and absences > absence_limit:
        return PromotionDecision(
            PromotionOutcome.KEPT_BACK_ABSENCES,
            (
                _("Absent {absences} sessions, more than the limit of {limit}.").format(
                    absences=absences, limit=absence_limit
                ),
            ),
        )
    if year_conduct is None or year_academic is None:
        missing = []
        if year_conduct is None:
            missing.append(conduct_reason)
        if year_academic is None:
            missing.append(academic_reason)
        return PromotionDecision(PromotionOutcome.INCOMPLETE, tuple(missing))

    conduct_ok = year_conduct.at_least(Level.DAT)
    academic_ok = year_academic.at_least(Level.DAT)
    if conduct_ok and academic_ok:
        return PromotionDecision(PromotionOutcome.PROMOTED)

    reasons: list[str] = []
    if not conduct_ok:
        reasons.append(conduct_reason)
    subjects: tuple[str, ...] = ()
    if not academic_ok:
        reasons.append(academic_reason)
        reasons.extend(reason for _name, reason in failing)
        subjects = tuple(name for name, _reason in failing)
    if after_summer:
        return PromotionDecision(PromotionOutcome.KEPT_BACK, tuple(reasons), subjects)
    if not conduct_ok:
        if not academic_ok:
            reasons.append(
                _(
                    "Summer re-assessment only if conduct is rated at least Satisfactory "
                    "after the summer training."
                )
            )
        return PromotionDecision(PromotionOutcome.SUMMER_CONDUCT_TRAINING, tuple(reasons), subjects)
    return PromotionDecision(PromotionOutcome.SUMMER_REASSESSMENT, tuple(reasons), subjects)


def _failing_subjects(
    scored_year: Mapping[str, Decimal | None],
    comment_year: Mapping[str, CommentResult | None],
    names: Mapping[str, str],
) -> list[tuple[str, str]]:
    """(name, reason) of each subject below the pass mark, in the order given."""
    failing: list[tuple[str, str]] = []
    for key, average in scored_year.items():
        if average is not None and _as_fraction(average) < Fraction(PASS_MARK):
            name = names.get(key, key)
            failing.append(
                (
                    name,
                    _("{subject} {score} < {threshold}").format(
                        subject=name,
                        score=format_score_display(average),
                        threshold=format_score_display(PASS_MARK),
                    ),
                )
            )
    for key, result in comment_year.items():
        if result is CommentResult.FAIL:
            name = names.get(key, key)
            failing.append(
                (name, _("{subject}: {result}").format(subject=name, result=result.label))
            )
    return failing


class Award(StrEnum):
    """Year-end titles (Art. 15)."""

    XUAT_SAC = "xuat_sac"
    GIOI = "gioi"

    @property
    def label(self) -> str:
        if self is Award.XUAT_SAC:
            return _(N_("Outstanding student"))
        return _(N_("Excellent student"))


EXCELLENT_MARK = Decimal("9.0")


def award(
    year_conduct: Level | None,
    year_academic: Level | None,
    scored_year: Mapping[str, Decimal | None],
) -> Award | None:
    """*Học sinh Xuất sắc*: Tốt/Tốt and ĐTBmcn ≥ 9.0 in at least 6 subjects; *Giỏi*: Tốt/Tốt.

    ``None`` for no award, including while the year results are not known.
    """
    if year_conduct is not Level.TOT or year_academic is not Level.TOT:
        return None
    excellent = sum(
        1
        for average in scored_year.values()
        if average is not None and _as_fraction(average) >= Fraction(EXCELLENT_MARK)
    )
    return Award.XUAT_SAC if excellent >= MIN_STRONG_SUBJECTS else Award.GIOI


# --------------------------------------------------------------------------------------------
# Completeness: what is missing, what came late
# --------------------------------------------------------------------------------------------


def _require_semester(semester: int) -> None:
    if semester not in (1, 2):
        raise InvalidInput(
            _("The semester must be 1 or 2, not {semester}.").format(semester=semester)
        )


@dataclass(frozen=True)
class ExpectedEntry:
    """One grade-book cell that must be filled: a student's score in one column."""

    student_id: int
    subject_code: str
    semester: int
    kind: GradeKind
    slot: int

    def __post_init__(self) -> None:
        _require_semester(self.semester)

    @property
    def key(self) -> tuple[int, str, int, GradeKind, int]:
        return (self.student_id, self.subject_code, self.semester, self.kind, self.slot)


@dataclass(frozen=True)
class RecordedEntry(ExpectedEntry):
    """A filled cell and when its first value was entered (school local time)."""

    entered_at: datetime


@dataclass(frozen=True)
class ColumnDeadline:
    """The last day (inclusive) for a column; a TX deadline covers every TX slot.

    ``subject_code`` ``None`` applies to every subject; a deadline for one subject overrides it.
    """

    semester: int
    kind: GradeKind
    due: date
    subject_code: str | None = None

    def __post_init__(self) -> None:
        _require_semester(self.semester)


@dataclass(frozen=True)
class MissingEntry:
    """An expected cell with no value, with its deadline if the school set one."""

    entry: ExpectedEntry
    due: date | None
    overdue: bool
    """The deadline has passed (``today`` is after ``due``)."""


@dataclass(frozen=True)
class LateEntry:
    """A cell first entered after its deadline; ``days_late`` counts calendar days."""

    entry: RecordedEntry
    due: date
    days_late: int


@dataclass(frozen=True)
class SubjectCompleteness:
    """Counts for one subject and semester."""

    subject_code: str
    semester: int
    expected: int
    entered: int
    missing: int
    late: int
    overdue: int


@dataclass(frozen=True)
class CompletenessReport:
    """What the homeroom teacher sees: missing cells, late ones, and counts per subject."""

    missing: tuple[MissingEntry, ...]
    late: tuple[LateEntry, ...]
    unexpected: tuple[RecordedEntry, ...]
    """Recorded cells no expected entry names (a TX slot the subject does not have)."""
    counts: tuple[SubjectCompleteness, ...]
    expected_total: int
    entered_total: int
    percent: Decimal
    """Entered share of the expected cells, 0.0-100.0, cut (not rounded) to one decimal so that
    100.0 always means complete."""

    @property
    def overdue(self) -> tuple[MissingEntry, ...]:
        return tuple(item for item in self.missing if item.overdue)


def expected_entries(
    student_ids: Iterable[int],
    subject_code: str,
    periods_per_year: int,
    assessment: Assessment,
    semesters: Iterable[int] = (1, 2),
) -> list[ExpectedEntry]:
    """Every cell a subject needs for these students, following ``expected_slots``."""
    slots = expected_slots(periods_per_year, assessment)
    return [
        ExpectedEntry(student_id, subject_code, semester, kind, slot)
        for semester in semesters
        for student_id in student_ids
        for kind, slot in slots
    ]


def _deadline_index(
    deadlines: Iterable[ColumnDeadline],
) -> dict[tuple[str | None, int, GradeKind], date]:
    index: dict[tuple[str | None, int, GradeKind], date] = {}
    for deadline in deadlines:
        key = (deadline.subject_code, deadline.semester, deadline.kind)
        if key in index and index[key] != deadline.due:
            raise InvalidInput(
                _("Two deadlines are set for the same column: semester {semester}, {kind}.").format(
                    semester=deadline.semester, kind=deadline.kind.label
                )
            )
        index[key] = deadline.due
    return index


def _entry_order(entry: ExpectedEntry | RecordedEntry) -> tuple[str, int, int, int, int]:
    return (entry.subject_code, entry.semester, entry.student_id, entry.kind.order, entry.slot)


def completeness(
    expected: Iterable[ExpectedEntry],
    recorded: Iterable[RecordedEntry],
    deadlines: Iterable[ColumnDeadline],
    today: date,
) -> CompletenessReport:
    """Which expected cells are missing (and overdue), which were filled late, and counts.

    A cell entered on its due day is on time. When a cell was recorded several times (a score
    changed later), its earliest entry decides lateness: a later correction is a change, not
    a late entry. Results are sorted by subject, semester, student, then column.
    """
    index = _deadline_index(deadlines)

    def due_of(subject_code: str, semester: int, kind: GradeKind) -> date | None:
        specific = index.get((subject_code, semester, kind))
        return specific if specific is not None else index.get((None, semester, kind))

    # Each entry's key made once: the overview runs this over every cell of the class after
    # every change, and the key property was most of its time.
    first_entry: dict[tuple[int, str, int, GradeKind, int], RecordedEntry] = {}
    for record in recorded:
        record_key = record.key
        known = first_entry.get(record_key)
        if known is None or record.entered_at < known.entered_at:
            first_entry[record_key] = record

    wanted = [(entry, entry.key) for entry in sorted(set(expected), key=_entry_order)]
    wanted_keys = {entry_key for _entry, entry_key in wanted}
    missing: list[MissingEntry] = []
    late: list[LateEntry] = []
    tallies: dict[tuple[str, int], list[int]] = {}  # expected, entered, missing, late, overdue
    for entry, entry_key in wanted:
        tally = tallies.setdefault((entry.subject_code, entry.semester), [0, 0, 0, 0, 0])
        tally[0] += 1
        due = due_of(entry.subject_code, entry.semester, entry.kind)
        done = first_entry.get(entry_key)
        if done is None:
            overdue = due is not None and today > due
            missing.append(MissingEntry(entry, due, overdue))
            tally[2] += 1
            tally[4] += int(overdue)
            continue
        tally[1] += 1
        entered_on = done.entered_at.date()
        if due is not None and entered_on > due:
            late.append(LateEntry(done, due, (entered_on - due).days))
            tally[3] += 1

    unexpected = sorted(
        (record for key, record in first_entry.items() if key not in wanted_keys),
        key=_entry_order,
    )
    counts = tuple(
        SubjectCompleteness(subject, semester, *tally)
        for (subject, semester), tally in sorted(tallies.items())
    )
    expected_total = len(wanted)
    entered_total = expected_total - len(missing)
    return CompletenessReport(
        missing=tuple(missing),
        late=tuple(late),
        unexpected=tuple(unexpected),
        counts=counts,
        expected_total=expected_total,
        entered_total=entered_total,
        percent=_percent_down(entered_total, expected_total),
    )


def _percent_down(part: int, whole: int) -> Decimal:
    """``part / whole`` as a percentage cut to one decimal; nothing expected counts as 100.0."""
    if whole == 0:
        return Decimal("100.0")
    tenths = (part * 1000) // whole
    return Decimal(tenths).scaleb(-1)


# --------------------------------------------------------------------------------------------
# Changing a score that is already evidence
# --------------------------------------------------------------------------------------------


class ChangeKind(StrEnum):
    """How a change to an existing score is made."""

    DIRECT = "direct"
    """An ordinary edit: the score is neither published, locked nor past its deadline."""
    CHANGE_REQUEST = "change_request"
    """A traced request with a reason, who, when, old and new value; never a silent overwrite."""


def classify_change(published: bool, locked: bool, deadline_passed: bool) -> ChangeKind:
    """A change to a score published to parents, in a locked subject or after the column's
    deadline is a change request; any other change is a direct edit.

    This is for changing a value already entered; filling an empty cell after the deadline is a
    late entry, which ``completeness`` reports.
    """
    if published or locked or deadline_passed:
        return ChangeKind.CHANGE_REQUEST
    return ChangeKind.DIRECT


def require_change_reason(kind: ChangeKind, reason: str | None) -> str | None:
    """The reason, stripped; a change request without one (blank counts) is refused."""
    cleaned = (reason or "").strip()
    if kind is ChangeKind.CHANGE_REQUEST and not cleaned:
        raise InvalidInput(
            _(
                "Changing a score after it was published, locked or past its deadline needs "
                "a reason."
            )
        )
    return cleaned or None


__all__ = [
    "EXCELLENT_MARK",
    "MIN_STRONG_SUBJECTS",
    "PASS_MARK",
    "SCORE_MAX",
    "SCORE_MIN",
    "Assessment",
    "Average",
    "Award",
    "ChangeKind",
    "ColumnDeadline",
    "CommentResult",
    "CompletenessReport",
    "ExpectedEntry",
    "GradeKind",
    "LateEntry",
    "Level",
    "MissingEntry",
    "PromotionDecision",
    "PromotionOutcome",
    "RecordedEntry",
    "SubjectCompleteness",
    "academic_level",
    "award",
    "classify_change",
    "column_label",
    "comment_semester_result",
    "comment_year_result",
    "completeness",
    "derive_year_conduct",
    "expected_entries",
    "expected_slots",
    "format_score",
    "format_score_display",
    "format_score_vi",
    "format_value_display",
    "parse_comment",
    "parse_level",
    "parse_score",
    "regular_count",
    "require_change_reason",
    "round_half_up",
    "semester_average",
    "semester_average_exact",
    "validate_score",
    "year_average",
]
