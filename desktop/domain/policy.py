"""The school's policy: the settings a principal may change, with the defaults of domain.md.

Stored in the database as key/value rows (``desktop.models``); this module owns the names, the
types, the defaults and the validation. To add a setting: add a field here with its default, add
its Vietnamese label in ``SETTING_LABELS`` and the catalog, and document it in ``docs/policy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from desktop.domain.calendar import CountingRule
from desktop.errors import InvalidInput
from desktop.i18n import N_, _


class SchoolLevel(StrEnum):
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"


@dataclass(frozen=True)
class SchoolPolicy:
    """Per-school rules; every field has the default stated in domain.md."""

    special_case_sessions: int = 6
    """A request of more than this many sessions is a special case (principal sign-off)."""
    flag_retroactive: bool = True
    """Flag requests submitted after the absence began."""
    late_retroactive_school_days: int = 2
    """A retroactive request this many school days late or more is always post-audited."""
    flag_overlaps: bool = True
    """Flag a request overlapping another pending or approved one of the same student."""
    original_overdue_school_days: int = 3
    """A level-3 paper original is overdue this many school days after the leave ends."""
    post_audit_rate: Decimal = Decimal("0.10")
    """Share of approved requests drawn at random for post-audit."""
    frequent_requests_count: int = 3
    frequent_requests_window_days: int = 30
    """A student with this many requests within this many days is always post-audited."""
    absence_warnings: tuple[int, ...] = (30, 40, 45)
    absence_limit: int = 45
    counting_rule: CountingRule = CountingRule.EACH_SESSION
    school_level: SchoolLevel = SchoolLevel.UPPER_SECONDARY
    round_semester_before_year: bool = True
    leave_detail_retention_days: int = 365
    """Days after a school year's last day that its leave details (reasons, notes) are kept."""

    def __post_init__(self) -> None:
        if self.special_case_sessions < 1:
            raise InvalidInput(_("The special-case threshold must be at least 1 session."))
        if not Decimal(0) <= self.post_audit_rate <= Decimal(1):
            raise InvalidInput(_("The post-audit rate must be between 0 and 1."))
        if self.original_overdue_school_days < 0 or self.late_retroactive_school_days < 0:
            raise InvalidInput(_("A number of school days cannot be negative."))
        if self.leave_detail_retention_days < 0:
            raise InvalidInput(_("The retention period cannot be negative."))
        if list(self.absence_warnings) != sorted(self.absence_warnings):
            raise InvalidInput(_("Absence warning thresholds must be in increasing order."))

    @property
    def has_absence_limit(self) -> bool:
        """Primary schools (Circular 27/2020) have no 45-session limit."""
        return self.school_level is not SchoolLevel.PRIMARY

    def to_strings(self) -> dict[str, str]:
        """The policy as key/value text, as it is stored."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if isinstance(value, bool):
                out[key] = "true" if value else "false"
            elif isinstance(value, tuple):
                out[key] = ",".join(str(v) for v in value)
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_strings(cls, values: Mapping[str, str]) -> SchoolPolicy:
        """Parse stored key/value text; unknown keys are ignored, missing ones take defaults."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in values:
                kwargs[f.name] = _parse(f.name, str(f.type), values[f.name])
        return cls(**kwargs)


def _parse(name: str, type_name: str, text: str) -> Any:
    try:
        if type_name == "bool":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if type_name == "int":
            return int(text)
        if type_name == "Decimal":
            return Decimal(text)
        if type_name == "tuple[int, ...]":
            return tuple(int(part) for part in text.split(",") if part.strip())
        if type_name == "CountingRule":
            return CountingRule(text)
        if type_name == "SchoolLevel":
            return SchoolLevel(text)
    except (ValueError, InvalidOperation) as exc:
        raise InvalidInput(
            _("Invalid value for policy setting {name}: {value}").format(name=name, value=text)
        ) from exc
    raise InvalidInput(_("Unknown policy setting: {name}").format(name=name))


SETTING_LABELS: dict[str, str] = {
    "special_case_sessions": N_("Special case above (sessions)"),
    "flag_retroactive": N_("Flag retroactive requests"),
    "late_retroactive_school_days": N_("Late retroactive after (school days)"),
    "flag_overlaps": N_("Flag overlapping requests"),
    "original_overdue_school_days": N_("Paper original overdue after (school days)"),
    "post_audit_rate": N_("Post-audit random share"),
    "frequent_requests_count": N_("Frequent requests: count"),
    "frequent_requests_window_days": N_("Frequent requests: window (days)"),
    "absence_warnings": N_("Absence warnings at (sessions)"),
    "absence_limit": N_("Absence limit (sessions)"),
    "counting_rule": N_("Counting rule for two-session days"),
    "school_level": N_("School level"),
    "round_semester_before_year": N_("Round semester averages before the year average"),
    "leave_detail_retention_days": N_("Keep leave details after the year ends (days)"),
}
