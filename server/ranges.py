"""Numbers and times range-checked before they reach the database.

Every integer column is 32-bit on PostgreSQL (SQLite takes 64 bits), so an id, a seq or a
cursor beyond 2³¹−1 is refused with a 422 naming the field, never a storage error and a 500.
A pushed intent's ``client_time`` must be a time that exists in UTC (``9999-12-31T23:59:59-14:00``
does not).
"""

from __future__ import annotations

from datetime import UTC

from fastapi import Request

from desktop.i18n import _
from desktop.sync.protocol import SyncRequest
from server.problems import ApiProblem

INT_MAX = 2**31 - 1
INT_MIN = -(2**31)


def out_of_range(where: str) -> ApiProblem:
    return ApiProblem(
        422,
        "out_of_range",
        _("The request holds a value out of range ({where}); nothing was applied.").format(
            where=where
        ),
    )


def check_int(value: int, where: str) -> None:
    if not INT_MIN <= value <= INT_MAX:
        raise out_of_range(where)


async def check_path_numbers(request: Request) -> None:
    """An app-wide dependency: a numeric path parameter (``class_id``, ``request_id``) fits.

    ``async`` (it does no I/O): a sync dependency costs every request a hop to the thread pool."""
    for name, value in request.path_params.items():
        if isinstance(value, str) and value.lstrip("+-").isdigit():
            check_int(int(value), name)


def check_sync_request(request: SyncRequest) -> None:
    check_int(request.class_id, "class_id")
    check_int(request.cursor, "cursor")
    for index, mutation in enumerate(request.mutations):
        check_int(mutation.seq, f"mutations.{index}.seq")
        try:
            # Always aware (``Moment`` refuses a time without its offset).
            mutation.client_time.astimezone(UTC)
        except OverflowError:
            raise out_of_range(f"mutations.{index}.client_time") from None
