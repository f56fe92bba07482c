"""``POST /api/v1/sync`` without the HTTP: push each intent exactly once, then pull one page.

Push: the mutations in ``seq`` order in one serialized write transaction; a push that meets a
refusal is redone with each intent in a savepoint of its own.
An intent's effect, the change-log entries the effect produced (``server.changes``) and its
``processed_mutation`` row commit together, so a retried request can never apply an intent
twice. A refused intent is still processed and answers the server's present rows it touched;
a gap or a reused seq stops the batch (the client resends from ``last_seq_processed + 1``).
An intent seen before answers its stored result: ``duplicate`` if it was applied, the same
refusal if it was refused (so a client whose first answer was lost still learns why and can
undo). An unknown client's first intent starts its sequence, whatever its seq.

Access, the client's state and whether the feed moved past the cursor are one statement
(``server.hot``); a caught-up client's sync ends there. Pull: the class's log entries after the
cursor, one page, in one statement.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput
from desktop.i18n import _
from desktop.models import Student
from desktop.services import intents
from desktop.services.scope import ClassScope
from desktop.sync.protocol import (
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    Change,
    Mutation,
    MutationResult,
    SyncRequest,
    SyncResponse,
)
from server import current, hot, ranges
from server.problems import ApiProblem, forbidden, version_mismatch
from server.scope import load_scope_by_id
from server.settings import Settings
from server.store import Store
from server.tables import Account, ChangeLogEntry, ClientState, ProcessedMutation

log = logging.getLogger(__name__)

MIN_SCHEMA_VERSION = SCHEMA_VERSION
"""The oldest client schema whose change payloads this server can still produce."""


def check_versions(protocol: int, schema_version: int) -> None:
    if protocol != PROTOCOL_VERSION or not MIN_SCHEMA_VERSION <= schema_version <= SCHEMA_VERSION:
        raise version_mismatch()


def handle(
    store: Store, account: Account, request: SyncRequest, settings: Settings
) -> SyncResponse:
    """Push then pull for the class's homeroom teacher (or a stand-in); 403 for anyone else."""
    check_versions(request.protocol, request.schema_version)
    ranges.check_sync_request(request)
    with store.hot() as connection:
        check = hot.sync_check(
            connection,
            account,
            request.class_id,
            request.client_id,
            request.cursor,
            settings.school_today(),
        )
    if not check.allowed:
        raise forbidden(_("You are not the homeroom teacher of this class."), code="not_your_class")
    if check.owner is not None and check.owner != account.id:
        raise _another_account()
    results: list[MutationResult] = []
    last = check.last_seq
    if request.mutations:
        results, last = _push(store, account, request, settings)
    if request.mutations or check.behind:
        with store.hot() as connection:
            changes, cursor, more = pull(
                connection, request.class_id, request.cursor, settings.page_size
            )
    else:
        # Caught up (most syncs): the check saw nothing after the cursor.
        changes, cursor, more = [], request.cursor, False
    return SyncResponse(
        protocol=PROTOCOL_VERSION,
        results=results,
        last_seq_processed=last,
        changes=changes,
        cursor=cursor,
        more=more,
        server_time=settings.clock(),
    )


def _another_account() -> ApiProblem:
    return forbidden(
        _("This device is registered to another account; sign in with that account."),
        code="client_of_another_account",
    )


def _push(
    store: Store, account: Account, request: SyncRequest, settings: Settings
) -> tuple[list[MutationResult], int]:
    """The intents in order, until one is out of sequence, in one write transaction and one
    commit (a server stopped halfway commits none of it; the client resends them all).

    A refused intent must roll back only itself, which takes a savepoint around each intent:
    two more statements each, a round trip each on PostgreSQL. Refusals are rare, so the push
    first runs without them; at the first refusal or failure that attempt is rolled back and
    the push is redone with a savepoint per intent, which answers each refusal."""
    try:
        return _push_once(store, account, request, settings, guarded=False)
    except _Redo:
        return _push_once(store, account, request, settings, guarded=True)


def _push_once(
    store: Store, account: Account, request: SyncRequest, settings: Settings, *, guarded: bool
) -> tuple[list[MutationResult], int]:
    """What every intent would ask the database again is asked once: the class (calendar,
    policy), its students, which intents were processed before, the client's sequence; the
    processed rows and the client's new sequence are written at the end. ``guarded``: each
    intent in a savepoint (``_apply``); else the first refusal raises ``_Redo``."""
    results: list[MutationResult] = []
    now = settings.clock()
    mutations = sorted(request.mutations, key=lambda m: m.seq)
    with store.write() as session:
        scope = load_scope_by_id(session, request.class_id)
        # Held for the push: the rights checks, the services and the change log then find a
        # student in the session instead of loading it again for every intent.
        students = session.scalars(
            select(Student).where(Student.class_id == request.class_id)
        ).all()
        state = _client_state(session, account, request.client_id, mutations[0].seq, now)
        last = state.last_seq
        seen = _processed_before(session, request.client_id, [m.id for m in mutations])
        processed: list[dict[str, object]] = []
        for mutation in mutations:
            stored = seen.get(mutation.id)
            if stored is not None:
                results.append(_stored(stored))
                continue
            if mutation.seq != last + 1:
                break
            if guarded:
                result = _apply(session, account, scope, mutation, settings.now())
            else:
                result = _apply_unguarded(session, account, scope, mutation, settings.now())
            answer = result.model_dump_json(exclude_none=True)
            processed.append(
                {
                    "client_id": request.client_id,
                    "mutation_id": mutation.id,
                    "seq": mutation.seq,
                    "name": mutation.name[:40],
                    "class_id": request.class_id,
                    "status": result.status,
                    "result": answer,
                    "client_time": mutation.client_time,
                    "processed_at": now,
                }
            )
            seen[mutation.id] = answer
            last = mutation.seq
            results.append(result)
        if processed:
            session.execute(insert(ProcessedMutation), processed)
        state.last_seq = last
        state.last_seen = now
        del students  # held until here
    return results, last


def _client_state(
    session: Session, account: Account, client_id: str, first_seq: int, now: datetime
) -> ClientState:
    """The client's sequence, under the write lock. An unknown client's first intent starts
    it (a profile may have numbered intents before it ever reached this server)."""
    state = session.get(ClientState, client_id)
    if state is None:
        state = ClientState(
            client_id=client_id,
            account_id=account.id,
            last_seq=first_seq - 1,
            first_seen=now,
            last_seen=now,
        )
        session.add(state)
    elif state.account_id != account.id:
        raise _another_account()
    return state


def _processed_before(session: Session, client_id: str, mutation_ids: list[str]) -> dict[str, str]:
    """The stored answers (``MutationResult`` JSON) of those intents processed before."""
    rows = session.execute(
        select(ProcessedMutation.mutation_id, ProcessedMutation.result).where(
            ProcessedMutation.client_id == client_id,
            ProcessedMutation.mutation_id.in_(mutation_ids),
        )
    )
    return {mutation_id: result for mutation_id, result in rows}


class _Redo(Exception):
    """An intent of a push without savepoints was refused or failed: redo it with them."""


class _Refused(Exception):
    """Carries a refusal out of the savepoint, so the intent's partial effect is rolled back."""

    def __init__(self, error: InvalidInput) -> None:
        super().__init__(error.message)
        self.error = error


def _stored(answer: str) -> MutationResult:
    """The answer of an already processed intent: ``duplicate`` if it was applied; a refusal is
    answered again as it was (a client whose first answer was lost must still learn why)."""
    result = MutationResult.model_validate_json(answer)
    if result.status == "applied":
        return result.model_copy(update={"status": "duplicate"})
    return result


def _run(
    session: Session, account: Account, scope: ClassScope, mutation: Mutation, now: datetime
) -> None:
    """Apply one pushed intent at ``now``: the server's domain time (on a demo server, its
    school day)."""
    intents.apply_intent(
        session,
        scope,
        mutation.name,
        mutation.args,
        actor=account.display_name,
        teacher_id=account.teacher_id,
        now=now,
    )
    session.flush()


def _apply_unguarded(
    session: Session, account: Account, scope: ClassScope, mutation: Mutation, now: datetime
) -> MutationResult:
    try:
        _run(session, account, scope, mutation, now)
    except (OperationalError, InterfaceError):
        raise  # the database is away or busy: answered 503, the client retries the intent
    except Exception as error:
        raise _Redo from error
    return MutationResult(id=mutation.id, seq=mutation.seq, status="applied")


def _apply(
    session: Session, account: Account, scope: ClassScope, mutation: Mutation, now: datetime
) -> MutationResult:
    """``_run`` in a savepoint: a refusal rolls back only this intent and is answered."""
    class_id = scope.class_id
    try:
        with session.begin_nested():
            try:
                _run(session, account, scope, mutation, now)
            except InvalidInput as error:
                raise _Refused(error) from error
    except (OperationalError, InterfaceError):
        raise  # the database is away or busy: answered 503, the client retries the intent
    except _Refused as refused:
        if current.converged(session, mutation.name, mutation.args):
            return MutationResult(
                id=mutation.id,
                seq=mutation.seq,
                status="duplicate",
                code="already_decided",
                message=refused.error.message,
            )
        status, code, message = current.refusal(
            session, class_id, mutation.name, mutation.args, refused.error
        )
        rows = current.touched(session, class_id, mutation.name, mutation.args)
        return MutationResult(
            id=mutation.id,
            seq=mutation.seq,
            status="conflict" if status == "conflict" else "rejected",
            code=code,
            message=message,
            current=current.as_changes(rows)
            + current.absent(session, class_id, mutation.name, mutation.args),
        )
    except Exception as error:
        # Refused and processed like any refusal: a 500 would be retried forever and block
        # the client's outbox behind it. Only the intent's name and the error's type are
        # logged: a storage error's text carries the statement's values (names, reasons).
        log.error("intent %s could not be applied: %s", mutation.name[:40], type(error).__name__)
        return MutationResult(
            id=mutation.id,
            seq=mutation.seq,
            status="rejected",
            code="cannot_apply",
            message=_("The server could not apply this change; it was not recorded on the server."),
        )
    return MutationResult(id=mutation.id, seq=mutation.seq, status="applied")


def pull(
    connection: Connection, class_id: int, cursor: int, page_size: int
) -> tuple[list[Change], int, bool]:
    """One page of the class's changes after ``cursor``: ``(changes, new cursor, more)``, in
    one statement (a snapshot)."""
    rows = connection.execute(
        select(
            ChangeLogEntry.seq,
            ChangeLogEntry.entity,
            ChangeLogEntry.key,
            ChangeLogEntry.op,
            ChangeLogEntry.data,
        )
        .where(ChangeLogEntry.class_id == class_id, ChangeLogEntry.seq > cursor)
        .order_by(ChangeLogEntry.seq)
        .limit(page_size + 1)
    ).all()
    more = len(rows) > page_size
    page = rows[:page_size]
    changes = [
        Change.model_construct(entity=entity, op=op, key=key, data=None)
        if data is None
        else Change.model_construct(entity=entity, op=op, key=None, data=json.loads(data))
        for _seq, entity, key, op, data in page
    ]
    return changes, (page[-1][0] if page else cursor), more
