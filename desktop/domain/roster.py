"""What a roster correction may hold: a person's name, a Vietnamese phone number, a guardian's
relation, a plausible date of birth. The same checks run on the client (a file's cells, an
intent before it is queued) and on the server (the pushed intent)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from desktop.domain.guardians import RELATION_CODES, relation_label
from desktop.domain.names import normalize
from desktop.errors import InvalidInput
from desktop.i18n import _

MAX_NAME = 100
"""``student.full_name`` and ``guardian.full_name`` hold 100 characters."""

YOUNGEST, OLDEST = 4, 25
"""Ages, on the first day of the school year, a student of a Vietnamese school can have (from
pre-primary transfers to continuing education); outside them the date is a typing slip."""

_NAME_PUNCTUATION = frozenset(" -'’.")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")
"""Since 2018 a mobile number is 10 digits (03, 05, 07, 08, 09) and a landline 11 (02 and a
two- or three-digit area code)."""

GENDERS = ("male", "female")


def person_name(text: str) -> str:
    """``text`` as a stored name (NFC, single spaces); ``InvalidInput`` when it is not a name:
    empty, too long, with digits or symbols, or without a letter."""
    name = normalize(text)
    if not name:
        raise InvalidInput(_("The name is empty."))
    if len(name) > MAX_NAME:
        raise InvalidInput(_("A name has at most {count} characters.").format(count=MAX_NAME))
    for character in name:
        kind = unicodedata.category(character)
        if not (kind.startswith("L") or kind.startswith("M") or character in _NAME_PUNCTUATION):
            raise InvalidInput(
                _("A name holds letters only; “{character}” is not one.").format(
                    character=character
                )
            )
    if not any(unicodedata.category(c).startswith("L") for c in name):
        raise InvalidInput(_("A name holds letters only."))
    return name


def phone_number(text: str) -> str:
    """A Vietnamese phone number as stored (digits, leading 0): spaces, dots and dashes are
    dropped and +84 becomes 0; ``InvalidInput`` for anything else."""
    digits = _PHONE_SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    raise InvalidInput(
        _(
            "This is not a Vietnamese phone number: a mobile has 10 digits (03, 05, 07, 08, 09…), "
            "a landline 11 (02…)."
        )
    )


def relation_code(text: str) -> str | None:
    """The relation's code when ``text`` names one of the usual relations (as its code, in
    Vietnamese or in English, or by a common synonym), else ``None``."""
    wanted = normalize(text).casefold()
    for code in RELATION_CODES:
        if wanted in _spellings(code):
            return code
    return None


_SYNONYMS = {
    "father": ("bố", "ba", "cha", "cha ruột", "bố đẻ"),
    "mother": ("mẹ", "má", "mẹ ruột", "mẹ đẻ"),
    "grandfather": ("ông", "ông nội", "ông ngoại"),
    "grandmother": ("bà", "bà nội", "bà ngoại"),
    "aunt": ("cô", "dì", "bác gái", "thím", "mợ"),
    "uncle": ("chú", "cậu", "bác trai", "dượng"),
    "sibling": ("anh", "chị", "anh trai", "chị gái", "anh/chị"),
    "guardian": ("người giám hộ", "giám hộ"),
}
"""What a Vietnamese class list writes in the relation column for the usual relations."""


def _spellings(code: str) -> set[str]:
    names = {code, relation_label(code), *_SYNONYMS.get(code, ())}
    return {normalize(name).casefold() for name in names}


def birth_date(born: date, year_starts: date) -> date:
    """``born`` if a student can have been born then; ``InvalidInput`` otherwise."""
    before_birthday = (year_starts.month, year_starts.day) < (born.month, born.day)
    age = year_starts.year - born.year - before_birthday
    if not YOUNGEST <= age <= OLDEST:
        raise InvalidInput(
            _(
                "A student born on this day would be {age} at the start of the school year; "
                "a student is {youngest} to {oldest}."
            ).format(age=age, youngest=YOUNGEST, oldest=OLDEST)
        )
    return born


def gender(value: str) -> str:
    if value not in GENDERS:
        raise InvalidInput(_("The gender is male or female."))
    return value
