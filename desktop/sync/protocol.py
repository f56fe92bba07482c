"""The sync API's messages (protocol 2), validated on both sides with the same models.

Documented in ``docs/sync-protocol.md``; the OpenAPI document in ``resources/api/`` is checked
against the running reference server by the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)
from pydantic_core import PydanticCustomError

PROTOCOL_VERSION = 2
SCHEMA_VERSION = 3
"""The client database schema the change payloads follow (Alembic head revision number)."""

MAX_MUTATIONS = 500
MAX_CHANGES_PER_PAGE = 2000
MAX_BODY_BYTES = 8 * 1024 * 1024
GZIP_THRESHOLD = 1024


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _written_as_text(kind: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        # A number is not a time: lax validation would read 1700000000 as a Unix time.
        if isinstance(value, int | float):
            raise PydanticCustomError(kind, "a date or time is ISO 8601 text")
        return value

    return check


Moment = Annotated[AwareDatetime, Strict(False), BeforeValidator(_written_as_text("datetime_type"))]
"""A time in a request: ISO 8601 text with its UTC offset (JSON has no time type; a naive time
would be read in the server's zone), never a number."""
Day = Annotated[date, Strict(False), BeforeValidator(_written_as_text("date_type"))]
"""A date in a request: ``YYYY-MM-DD`` text, never a number."""


class Body(Message):
    """What a client sends: the documented types only (no ``"5"`` for 5, no ``true`` for 1;
    times and dates as ISO text, ``Moment`` and ``Day``). FastAPI validates the parsed JSON in
    Python mode, where plain strictness would refuse a time's text as well."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Mutation(Body):
    id: str = Field(min_length=36, max_length=36, description="UUID: the idempotency key")
    seq: int = Field(ge=1, description="this client's order, gap-free")
    name: str = Field(min_length=1, max_length=40)
    args: dict[str, Any]
    client_time: Moment


class SyncRequest(Body):
    protocol: int
    schema_version: int
    client_id: str = Field(min_length=36, max_length=36)
    class_id: int = Field(gt=0)
    cursor: int = Field(ge=0, description="the last change seq this client has applied")
    mutations: list[Mutation] = Field(default_factory=list, max_length=MAX_MUTATIONS)


MutationStatus = Literal["applied", "duplicate", "rejected", "conflict"]


class Change(Message):
    """One row of the class as the server has it now, or its deletion.

    An upsert carries the whole row (its key is in it); only a delete names its key. Neither
    carries its seq: a page is applied whole, in order, and its ``cursor`` says where it ends
    (per-row seqs and keys were a fifth of the first sync's bytes)."""

    entity: str = Field(max_length=40)
    op: Literal["upsert", "delete"]
    key: str | None = Field(
        default=None,
        max_length=120,
        description="delete only: the primary key, parts joined by ':'",
    )
    data: dict[str, Any] | None = Field(default=None, description="upsert only: every column")

    @model_validator(mode="after")
    def _fits_op(self) -> Change:
        if self.op == "upsert" and (self.data is None or self.key is not None):
            raise ValueError("an upsert carries its row's data and no key")
        if self.op == "delete" and (self.key is None or self.data is not None):
            raise ValueError("a delete carries its key and no data")
        return self


class MutationResult(Message):
    id: str
    seq: int
    status: MutationStatus
    code: str | None = None
    message: str | None = None
    current: list[Change] = Field(
        default_factory=list,
        description=(
            "for a rejection or conflict: the server's present rows the intent touched, and "
            "deletes for the rows it would have created that the server does not have"
        ),
    )


class SyncResponse(Message):
    protocol: int
    results: list[MutationResult]
    last_seq_processed: int
    changes: list[Change]
    cursor: int
    more: bool = Field(description="true while further pages wait after this cursor")
    server_time: datetime


class Ping(Message):
    protocol: int
    schema_version: int
    server_time: datetime
    school_today: date = Field(
        description="the day the server applies the domain rules for (a demo server's is fixed)"
    )


class LoginRequest(Body):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(Body):
    refresh_token: str = Field(min_length=16, max_length=200)


class Tokens(Message):
    access_token: str
    refresh_token: str
    expires_in: int
    role: Literal["homeroom", "subject", "principal", "parent"]
    class_ids: list[int]
    display_name: str


class ApiError(Message):
    code: str
    message: str
