"""Library errors in the teacher's words: pydantic's validation errors and the OS's file errors.

pydantic and the OS explain themselves in English ("Input should be less than or equal to 4",
"No such file or directory"); nothing of that may reach a teacher. These two translators build
the sentence from what the error *is* (pydantic's error ``type`` and ``ctx``, the OS's
``errno``), never from its English text. Qt-free: the command line, the services and the window
all use them.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from desktop.i18n import N_, _, format_decimal

FIELD_LABELS: Mapping[str, str] = {
    "request_id": N_("the request number"),
    "approve": N_("the decision"),
    "note": N_("the note"),
    "base_version": N_("the version of the record"),
    "received_on": N_("the day the original was received"),
    "by": N_("the name of who signed"),
    "on": N_("the day of the sign-off"),
    "reasons": N_("the reasons for the post-audit"),
    "seed": N_("the seed of the random draw"),
    "method": N_("the way of checking"),
    "outcome": N_("the outcome"),
    "student_id": N_("the student"),
    "day": N_("the day"),
    "session": N_("the session"),
    "observed": N_("the attendance mark"),
    "subject_code": N_("the subject"),
    "semester": N_("the semester"),
    "kind": N_("the kind of grade"),
    "slot": N_("the column of the regular assessment (TX)"),
    "value": N_("the grade"),
    "reason": N_("the reason"),
    "send_back": N_("sending back"),
    "change_id": N_("the grade change number"),
    "query_note": N_("the question"),
    "term": N_("the term"),
    "level": N_("the conduct rating"),
    "username": N_("the user name"),
    "password": N_("the password"),
}
"""Argument names of the intents (``desktop.services.intents``) and the sign-in, as a teacher
would name them."""


def field_label(location: Sequence[int | str]) -> str:
    """The teacher's name of the field at a pydantic error location (its first name part)."""
    for part in location:
        if isinstance(part, str):
            label = FIELD_LABELS.get(part)
            return _(label) if label else _("the field '{name}'").format(name=part)
    return _("the data entered")


def _choices(expected: str) -> str:
    """``'phone', 'meeting' or 'document'`` (pydantic's English list) as the language lists."""
    values: list[str] = [
        quoted or number for quoted, number in re.findall(r"'((?:[^'\\]|\\.)*)'|(-?\d+)", expected)
    ]
    if not values:
        return expected
    if len(values) == 1:
        return values[0]
    return _("{items} or {last}").format(items=", ".join(values[:-1]), last=values[-1])


_WHOLE = N_("{field} must be a whole number.")
_NUMBER = N_("{field} must be a number.")
_YES_NO = N_("{field} must be yes or no.")
_DATE = N_("{field} must be a real date (dd/mm/yyyy).")
_MOMENT = N_("{field} must be a date and time.")
_LIST = N_("{field} must be a list.")
_FORM = N_("{field} is not in the expected form.")
_CHOICE = N_("{field} must be {choices}.")

_SENTENCES: Mapping[str, tuple[str, str | None]] = {
    "missing": (N_("{field} is missing."), None),
    "extra_forbidden": (N_("{field} is not expected here."), None),
    "less_than_equal": (N_("{field} must be at most {limit}."), "le"),
    "less_than": (N_("{field} must be less than {limit}."), "lt"),
    "greater_than_equal": (N_("{field} must be at least {limit}."), "ge"),
    "greater_than": (N_("{field} must be greater than {limit}."), "gt"),
    "string_too_long": (N_("{field} must have at most {limit} characters."), "max_length"),
    "too_short": (N_("{field} needs at least {limit} items."), "min_length"),
    "too_long": (N_("{field} may have at most {limit} items."), "max_length"),
    "literal_error": (_CHOICE, None),
    "enum": (_CHOICE, None),
    "int_parsing": (_WHOLE, None),
    "int_type": (_WHOLE, None),
    "int_from_float": (_WHOLE, None),
    "float_parsing": (_NUMBER, None),
    "float_type": (_NUMBER, None),
    "decimal_parsing": (_NUMBER, None),
    "bool_parsing": (_YES_NO, None),
    "bool_type": (_YES_NO, None),
    "string_type": (N_("{field} must be text."), None),
    "date_parsing": (_DATE, None),
    "date_from_datetime_parsing": (_DATE, None),
    "date_type": (_DATE, None),
    "date_from_datetime_inexact": (N_("{field} must be a day, without a time."), None),
    "datetime_parsing": (_MOMENT, None),
    "datetime_from_date_parsing": (_MOMENT, None),
    "datetime_type": (_MOMENT, None),
    "timezone_aware": (N_("{field} must say its time zone."), None),
    "tuple_type": (_LIST, None),
    "list_type": (_LIST, None),
    "model_type": (_FORM, None),
    "dict_type": (_FORM, None),
}
"""pydantic error type → the sentence, and the ``ctx`` key holding its ``{limit}``."""


def _template(kind: str, ctx: Mapping[str, Any]) -> tuple[str, str]:
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("{field} must not be empty."), ""
        return _("{field} must have at least {limit} characters."), str(ctx.get("min_length"))
    message, limit_key = _SENTENCES.get(kind, (N_("{field} is not valid."), None))
    limit = ctx.get(limit_key, "") if limit_key else ""
    return _(message), format_decimal(str(limit)) if isinstance(limit, float) else str(limit)


def _capitalized(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def validation_sentence(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence."""
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    template, limit = _template(str(error.get("type", "")), ctx)
    sentence = template.format(
        field=field_label(tuple(error.get("loc", ()))),
        limit=limit,
        choices=_choices(str(ctx.get("expected", ""))),
    )
    return _capitalized(sentence)


def validation_text(errors: Iterable[Mapping[str, Any]]) -> str:
    """Every distinct problem of a ``ValidationError`` (``exc.errors()``), one sentence each."""
    sentences = dict.fromkeys(validation_sentence(error) for error in errors)
    return " ".join(sentences) or _("The data entered is not valid.")


_OS_REASONS: Mapping[int, str] = {
    errno.ENOENT: N_("the file or folder does not exist"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder, not a file"),
    errno.EACCES: N_("Homeroom is not allowed to use it (check its permissions)"),
    errno.EPERM: N_("Homeroom is not allowed to use it (check its permissions)"),
    errno.ENOSPC: N_("the disk is full; free some space"),
    errno.EDQUOT: N_("the disk quota is used up; free some space"),
    errno.EROFS: N_("the disk is read-only (write-protected?)"),
    errno.EEXIST: N_("something of that name is already there"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EBUSY: N_("another program is using it"),
    errno.ETXTBSY: N_("another program is using it"),
    errno.EIO: N_("the disk could not be read or written (is it unplugged or damaged?)"),
    errno.EMFILE: N_("too many files are open; close some programs and retry"),
    errno.ENFILE: N_("too many files are open; close some programs and retry"),
    errno.EINVAL: N_("the name is not allowed here"),
    errno.EXDEV: N_("it cannot be moved to another disk this way"),
}


def os_error_reason(error: OSError) -> str:
    """Why a file operation failed, as a clause to follow "Cannot read/write …:" (never the
    OS's English ``strerror``)."""
    reason = _OS_REASONS.get(error.errno or 0)
    if reason is not None:
        return _(reason)
    if isinstance(error, PermissionError):
        return _(_OS_REASONS[errno.EACCES])
    if isinstance(error, FileNotFoundError):
        return _(_OS_REASONS[errno.ENOENT])
    return _("the system refused (error {code})").format(code=error.errno or "?")
