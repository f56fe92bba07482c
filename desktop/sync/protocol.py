"""The sync API's messages (protocol 1), validated on both sides with the same models.

Documented in ``docs/sync-protocol.md``; the OpenAPI document in ``resources/api/`` is checked
against the running reference server by the tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
SCHEMA_VERSION = 2
"""The client database schema the change payloads follow (Alembic head revision number)."""

MAX_MUTATIONS = 500
MAX_CHANGES_PER_PAGE = 2000
MAX_BODY_BYTES = 8 * 1024 * 1024
GZIP_THRESHOLD = 1024


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Mutation(Message):
    id: str = Field(min_length=36, max_length=36, description="UUID: the idempotency key")
    seq: int = Field(ge=1, description="this client's order, gap-free")
    name: str = Field(min_length=1, max_length=40)
    args: dict[str, Any]
    client_time: datetime


class SyncRequest(Message):
    protocol: int
    schema_version: int
    client_id: str = Field(min_length=36, max_length=36)
    class_id: int = Field(gt=0)
    cursor: int = Field(ge=0, description="the last change seq this client has applied")
    mutations: list[Mutation] = Field(default_factory=list, max_length=MAX_MUTATIONS)


MutationStatus = Literal["applied", "duplicate", "rejected", "conflict"]


class Change(Message):
    seq: int = Field(ge=1)
    entity: str = Field(max_length=40)
    key: str = Field(max_length=120)
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None


class MutationResult(Message):
    id: str
    seq: int
    status: MutationStatus
    code: str | None = None
    message: str | None = None
    current: list[Change] = Field(
        default_factory=list,
        description="for a rejection or conflict: the server's current rows the intent touched",
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


class LoginRequest(Message):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(Message):
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
