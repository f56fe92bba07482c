"""The verification code printed on a leave form: ``HR-<request id>-<8 base32 characters>``.

The characters are an HMAC-SHA256, truncated to 40 bits, of the facts a forger would change
(request, student, the days and sessions, the decision and its time), keyed with a random secret
kept in the profile. Whoever holds the profile can tell whether a paper matches the record; a
code cannot be made for altered facts without the key. 40 bits make guessing a valid code for a
given request a one-in-a-trillion chance, and keep the code short enough to type.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum

from sqlalchemy.orm import Session

from desktop.domain.calendar import format_moment
from desktop.domain.leave import LeaveStatus
from desktop.errors import NotFound
from desktop.i18n import _
from desktop.services import leave, leave_text
from desktop.services.leave import LeaveRow
from desktop.services.profile import effective_today, get_setting, set_setting
from desktop.services.scope import ClassScope

KEY_SETTING = "print.verification_key"
PREFIX = "HR"
_DIGEST_BYTES = 5  # 40 bits: exactly 8 base32 characters, no padding
_CODE = re.compile(rf"^{PREFIX}-(\d{{1,12}})-([A-Z2-7]{{8}})$")


def signing_key(session: Session) -> bytes:
    """The profile's key, made on first use: call it in a transaction (the database lane) the
    first time, since it may have to store the key."""
    stored = get_setting(session, KEY_SETTING)
    if stored is None:
        stored = secrets.token_hex(32)
        set_setting(session, KEY_SETTING, stored)
        session.flush()
    return bytes.fromhex(stored)


def _signed_text(row: LeaveRow) -> str:
    decided = row.decided_at.astimezone(UTC).isoformat(timespec="seconds") if row.decided_at else ""
    return "|".join(
        str(part)
        for part in (
            row.id,
            row.student_id,
            row.first_day.isoformat(),
            row.first_session,
            row.last_day.isoformat(),
            row.last_session,
            row.sessions,
            row.status,
            decided,
        )
    )


def code_for(key: bytes, row: LeaveRow) -> str:
    """The code of ``row`` as it stands (print it only for an approved request)."""
    digest = hmac.new(key, _signed_text(row).encode("utf-8"), hashlib.sha256).digest()
    return f"{PREFIX}-{row.id}-{base64.b32encode(digest[:_DIGEST_BYTES]).decode('ascii')}"


def normalize_code(text: str) -> str:
    """What a teacher or a scanner typed, as a code: spaces dropped, upper case; a scanner with
    the wrong keyboard layout may send the hyphen as ``_``."""
    return "".join(text.split()).upper().replace("_", "-")


class Outcome(StrEnum):
    MATCHES = "matches"
    TAMPERED = "tampered"
    UNKNOWN_REQUEST = "unknown_request"
    NOT_APPROVED = "not_approved"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    sentence: str
    """What the teacher reads, in their language."""
    request_id: int | None = None

    @property
    def matches(self) -> bool:
        return self.outcome is Outcome.MATCHES


def verify(session: Session, scope: ClassScope, code: str) -> Verdict:
    """Whether a paper's code matches the class's record of that request today. Only reads:
    a profile without a key has printed no form, so nothing it is shown can match."""
    found = _CODE.match(normalize_code(code))
    if found is None:
        return Verdict(
            Outcome.MALFORMED,
            _("This is not a verification code (it looks like HR-123-ABCD2345)."),
        )
    request_id = int(found.group(1))
    try:
        row = leave.show(session, scope, request_id, today=effective_today(session))
    except NotFound:
        return Verdict(
            Outcome.UNKNOWN_REQUEST,
            _(
                "There is no leave request #{id} in this class: the paper does not come "
                "from this record book."
            ).format(id=request_id),
            request_id,
        )
    if row.status != LeaveStatus.APPROVED.value:
        return Verdict(
            Outcome.NOT_APPROVED,
            _(
                "Request #{id} is not approved in the record book (now: {state}): the paper "
                "is no longer valid."
            ).format(id=request_id, state=LeaveStatus(row.status).label.lower()),
            request_id,
        )
    stored = get_setting(session, KEY_SETTING)
    expected = code_for(bytes.fromhex(stored), row) if stored else ""
    if not hmac.compare_digest(expected, normalize_code(code)):
        return Verdict(
            Outcome.TAMPERED,
            _(
                "The code does not match request #{id} as recorded: the paper was altered, "
                "or the request was decided again after it was printed."
            ).format(id=request_id),
            request_id,
        )
    decided = format_moment(row.decided_at) if row.decided_at else ""
    return Verdict(
        Outcome.MATCHES,
        _(
            "The paper matches the record: request #{id} of {student}, {period} ({sessions} "
            "sessions), approved by {teacher} at {time}."
        ).format(
            id=request_id,
            student=row.student_name,
            period=leave_text.period(row),
            sessions=row.sessions,
            teacher=row.decided_by,
            time=decided,
        ),
        request_id,
    )
