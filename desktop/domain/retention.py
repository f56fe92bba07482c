"""How long a finished school year's leave details are kept (Law 91/2025/QH15: data kept only as
long as its purpose needs; domain.md §6).

The details are the free text people wrote: the guardian's reason, the teacher's decision note,
the auditor's note. What the law and Circular 22 require beyond the year (who was absent, which
sessions, excused or not, the reason's category, grades) is not a detail and is always kept.
"""

from __future__ import annotations

from datetime import date, timedelta


def purge_from(year_last_day: date, retention_days: int) -> date:
    """The first day on which the year's leave details are due to be purged."""
    return year_last_day + timedelta(days=retention_days + 1)


def is_due(year_last_day: date, retention_days: int, today: date) -> bool:
    return today >= purge_from(year_last_day, retention_days)
