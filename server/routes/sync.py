"""``POST /api/v1/sync``: the homeroom teacher's push and pull (see docs/sync-protocol.md)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from desktop.sync.protocol import SyncRequest, SyncResponse
from server import sync
from server.deps import AccountDep, SettingsDep, StoreDep
from server.routes.common import PREFIX, errors

router = APIRouter(prefix=PREFIX, tags=["sync"])


@router.post(
    "/sync",
    response_model=SyncResponse,
    responses=errors(401, 403, 426),
)
async def sync_class(
    body: SyncRequest, account: AccountDep, store: StoreDep, settings: SettingsDep
) -> Response:
    """Push the pending intents (each exactly once, in order), then pull one page of changes."""
    # Async with one explicit hop: the database work runs in the thread pool, the rest of the
    # request (dependencies, the answer) on the event loop without further hops.
    answer = await run_in_threadpool(sync.handle, store, account, body, settings)
    # Serialized directly: the page is already made of validated models. Unset optional
    # fields (an upsert's key, a delete's data, an applied intent's code) are left out.
    return Response(answer.model_dump_json(exclude_none=True), media_type="application/json")
