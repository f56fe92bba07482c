"""One sync cycle: push the outbox and pull the class's changes, until both are done.

Each round trip's outcome (processed intents removed, conflicts recorded, pulled rows staged,
staged cursor moved) commits in one transaction; the visible tables change only in the final
transaction, after the last page: provisional rows out, server rows in, pending intents
replayed on top. A cut connection at any byte leaves either the previous state or the next
consistent one, and the next sync converges (the server is idempotent per intent id).

Every database step goes through ``on_database`` (the desktop passes its database lane, the only
writer; the command line runs them in place); only the network waits run on the calling thread.
A ``Cancellation`` is checked between rounds and before the final transaction: a cancelled sync
leaves committed staged rounds, which the next sync resumes from, and nothing half-visible.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from itertools import groupby
from typing import TypeVar

from sqlalchemy import delete, false, insert, select, update
from sqlalchemy.orm import Session

from desktop import heap
from desktop.errors import HomeroomError, InvalidInput
from desktop.i18n import _
from desktop.models import OutboxIntent, SyncConflict, SyncInbox
from desktop.models.db import Database
from desktop.models.provisional import CLIENT_CREATED, PROVISIONAL_FLAG
from desktop.services import intents, retention
from desktop.services.changes import Changes
from desktop.services.profile import effective_now
from desktop.services.scope import ClassScope, load_scope
from desktop.sync import rows, state
from desktop.sync.cycle import (
    Cancellation,
    OnDatabase,
    Progress,
    SyncCancelled,
    SyncServer,
    SyncSummary,
    in_place,
)
from desktop.sync.errors import ProtocolError
from desktop.sync.protocol import (
    MAX_MUTATIONS,
    PROTOCOL_VERSION,
    SCHEMA_VERSION,
    Change,
    Mutation,
    MutationResult,
    SyncRequest,
    SyncResponse,
)

log = logging.getLogger(__name__)
MAX_ROUNDS = 1000
REFUSED = ("rejected", "conflict")


T = TypeVar("T")
CONFLICTS = SyncConflict.__tablename__
OUTBOX = OutboxIntent.__tablename__


def sync_once(
    database: Database,
    server: SyncServer,
    *,
    class_id: int,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_database: OnDatabase = in_place,
    cancel: Cancellation | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> SyncSummary:
    """Run one full sync cycle; errors propagate after being recorded as the last error (a
    cancellation is not an error and is not recorded)."""
    cancel = cancel or Cancellation()
    trips = pushed = refused = pulled = 0
    conflicts: set[int] = set()
    processed: set[str] = set()
    try:
        for _round in range(MAX_ROUNDS):
            cancel.check()
            request = on_database(partial(_next_request, database, class_id))
            response = server.sync(request)
            trips += 1
            pushed += len(request.mutations)
            _check_response(request, response)
            cancel.check()
            done, recorded, remaining = on_database(
                partial(_record_round, database, request, response, now())
            )
            processed |= done
            conflicts |= recorded
            refused += sum(1 for r in response.results if r.status in REFUSED)
            pulled += len(response.changes)
            if progress is not None:
                progress(Progress(trips, pulled, response.more or bool(remaining)))
            if request.mutations and not done and remaining >= {m.id for m in request.mutations}:
                raise ProtocolError(_("The server did not process the pending changes."))
            if not response.more and not remaining:
                break
        else:
            # Never make a partial pull visible: the staged pages wait for the next sync.
            raise ProtocolError(
                _("The server's answer is incomplete or invalid; nothing was changed.")
            )
        cancel.check()
        cursor, touched = on_database(partial(_finish, database, class_id, now()))
    except SyncCancelled:
        raise
    except HomeroomError as error:
        on_database(partial(_remember_error, database, error.message))
        raise
    summary = SyncSummary(trips, pushed, pushed - refused, refused, pulled, cursor)
    if conflicts:
        touched[CONFLICTS] = {str(i) for i in conflicts}
    if processed:
        touched[OUTBOX] = set(processed)
    changes = Changes(summary.describe(), {k: frozenset(v) for k, v in touched.items()})
    return SyncSummary(trips, pushed, pushed - refused, refused, pulled, cursor, changes)


def _next_request(database: Database, class_id: int) -> SyncRequest:
    with database.transaction() as session:
        request = pending_request(session, class_id)
        session.execute(
            update(OutboxIntent)
            .where(OutboxIntent.id.in_([m.id for m in request.mutations]))
            .values(attempts=OutboxIntent.attempts + 1)
        )
        return request


def pending_request(session: Session, class_id: int) -> SyncRequest:
    """The request to send now: the oldest pending intents (at most ``MAX_MUTATIONS``), pulling
    from the staged cursor."""
    pending = session.scalars(
        select(OutboxIntent).order_by(OutboxIntent.seq).limit(MAX_MUTATIONS)
    ).all()
    return SyncRequest(
        protocol=PROTOCOL_VERSION,
        schema_version=SCHEMA_VERSION,
        client_id=state.client_id(session),
        class_id=class_id,
        cursor=state.staged_cursor(session),
        mutations=[
            Mutation(
                id=intent.id,
                seq=intent.seq,
                name=intent.name,
                args=json.loads(intent.args),
                client_time=intent.created_at,
            )
            for intent in pending
        ],
    )


def _check_response(request: SyncRequest, response: SyncResponse) -> None:
    """Refuse an answer that would make the client loop or move its cursor backwards."""
    if response.cursor < request.cursor or (response.more and not response.changes):
        raise ProtocolError(_("The server's answer is incomplete or invalid; nothing was changed."))


def _record_round(
    database: Database, request: SyncRequest, response: SyncResponse, at: datetime
) -> tuple[set[str], set[int], set[str]]:
    """Commit what one round trip settled: processed intents, conflicts, staged rows; return
    the intents processed, the conflicts recorded and the intents still pending.

    Every row is checked against the local schema before anything is staged: a malformed
    answer is a ``ProtocolError`` and leaves the database as it was (a row staged unchecked
    would fail the final transaction at every later sync, with the cursor already past it)."""
    sent = {m.id: m for m in request.mutations}
    done: set[str] = set()
    conflicts: list[SyncConflict] = []
    with heap.collector_paused(), database.transaction() as session:
        for result in response.results:
            mutation = sent.get(result.id)
            if mutation is None:
                continue
            done.add(result.id)
            if result.status in REFUSED:
                conflicts.append(
                    _record_conflict(
                        session, mutation, result, effective_now(session, clock=lambda: at)
                    )
                )
                _stage(session, "current", result.current)
        if done:
            session.execute(delete(OutboxIntent).where(OutboxIntent.id.in_(done)))
        _stage(session, "change", response.changes)
        if response.changes:
            state.put(session, state.STAGED_CURSOR, str(response.cursor))
        skew = (response.server_time - at).total_seconds()
        state.put(session, state.CLOCK_SKEW, f"{skew:.1f}")
        if abs(skew) > 300:
            log.warning("server clock differs from this computer's by %.0f s", skew)
        session.flush()
        recorded = {c.id for c in conflicts}
        remaining = set(session.scalars(select(OutboxIntent.id)))
    return done, recorded, remaining


def _stage(session: Session, kind: str, changes: list[Change]) -> None:
    staged: list[dict[str, str | None]] = []
    for change in changes:
        try:
            if change.op == "delete":
                key = change.key or ""
                rows.key_values(change.entity, key)
            else:
                values = rows.decode_row(change.entity, change.data or {})
                key = rows.row_key(rows.synced_tables()[change.entity], values)
        except InvalidInput as error:
            raise ProtocolError(error.message) from None
        staged.append(
            {
                "kind": kind,
                "entity": change.entity,
                "key": key,
                "op": change.op,
                "data": json.dumps(change.data, ensure_ascii=False) if change.data else None,
            }
        )
    # One executemany of plain rows, in arrival order: no ORM object per row (a first sync
    # stages thousands, and every live object lengthens the collector's pauses of the GIL).
    if staged:
        session.execute(insert(SyncInbox), staged)


def _record_conflict(
    session: Session, mutation: Mutation, result: MutationResult, at: datetime
) -> SyncConflict:
    conflict = SyncConflict(
        intent_id=mutation.id,
        intent_name=mutation.name,
        code=result.code or result.status,
        message=result.message or _("The server did not apply this change."),
        mine=json.dumps(mutation.args, ensure_ascii=False, sort_keys=True),
        theirs=json.dumps([c.data for c in result.current], ensure_ascii=False, sort_keys=True),
        created_at=at,
    )
    session.add(conflict)
    return conflict


def _finish(database: Database, class_id: int, at: datetime) -> tuple[int, dict[str, set[str]]]:
    """Make the staged server state visible, with the still-pending intents replayed on it;
    return the new cursor and the keys of the rows it touched, by table."""
    touched: dict[str, set[str]] = {}
    with heap.collector_paused(), database.transaction() as session:
        _defer_foreign_keys(session)
        staged = session.execute(
            select(SyncInbox.entity, SyncInbox.key, SyncInbox.op, SyncInbox.data).order_by(
                (SyncInbox.kind == "change").asc(), SyncInbox.id
            )
        ).all()
        for item in staged:
            touched.setdefault(item.entity, set()).add(item.key)
        for model in CLIENT_CREATED:
            provisional = session.scalars(select(model.id).where(model.id < 0)).all()
            if provisional:
                touched.setdefault(model.__tablename__, set()).update(map(str, provisional))
                session.execute(delete(model).where(model.id < 0))
        # Runs of upserts of one table go in one statement each (a first sync is a few long
        # runs); the order between runs is kept, so a later version of a row still wins.
        for (entity, op), run in groupby(staged, key=lambda item: (item.entity, item.op)):
            if op == "delete":
                for item in run:
                    rows.remove(session, entity, item.key)
            else:
                rows.upsert_many(session, entity, [json.loads(item.data or "{}") for item in run])
        session.execute(delete(SyncInbox))
        # The server's rows are whole: a year this profile purged gets its text back here.
        retention.keep_purged(session)
        new_cursor = state.staged_cursor(session)
        state.put(session, state.CURSOR, str(new_cursor))
        state.put(session, state.STAGED_CURSOR, str(new_cursor))
        # Shown to the teacher beside decisions taken on the profile's day (the demo's), so on
        # that day too; the clock skew above stays on the real clock, as the server's is.
        state.put(session, state.LAST_SUCCESS, effective_now(session, clock=lambda: at).isoformat())
        state.put(session, state.LAST_ERROR, "")
        session.flush()
        session.expire_all()
        # The rows the replay creates are as provisional as the ones it replaced: an id of the
        # server's range would name another row there (checking "change 6" would check the
        # server's change 6), and a later pull would collide with it.
        session.info[PROVISIONAL_FLAG] = True
        try:
            replayed = _replay_pending(session, class_id)
        finally:
            session.info.pop(PROVISIONAL_FLAG, None)
        for kind, ids in replayed.touched.items():
            touched.setdefault(kind, set()).update(ids)
    return new_cursor, touched


def _defer_foreign_keys(session: Session) -> None:
    """Check foreign keys at commit, not per row: the feed orders rows by their latest change,
    so a child (a grade's change record) can come before its parent (the grade, changed again
    since). SQLite switches ``defer_foreign_keys`` off at every commit, and Python's sqlite3
    opens the transaction only at the first statement that changes data: issued first, the
    pragma was switched off again by the next read's automatic commit (and the first such
    child failed the sync for good). A no-op DELETE opens the transaction first."""
    connection = session.connection()
    connection.execute(delete(SyncInbox).where(false()))
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    if connection.exec_driver_sql("PRAGMA defer_foreign_keys").scalar() != 1:
        raise RuntimeError("could not defer the foreign key checks")


def _replay_pending(session: Session, class_id: int) -> Changes:
    """Re-apply intents the server has not seen yet, so the teacher's work stays visible;
    return what they touched."""
    pending = session.scalars(select(OutboxIntent).order_by(OutboxIntent.seq)).all()
    touched: dict[str, set[str]] = {}
    if not pending:
        return Changes("")
    scope = _scope(session, class_id)
    for intent in pending:
        try:
            with session.begin_nested():
                changes = intents.apply_intent(
                    session,
                    scope,
                    intent.name,
                    json.loads(intent.args),
                    actor=intent.actor,
                    teacher_id=scope.teacher_id,
                    now=intent.created_at,  # the action's own time, as first recorded
                )
        except HomeroomError:
            continue  # the server will refuse it too, and say why
        for kind, ids in changes.touched.items():
            touched.setdefault(kind, set()).update(ids)
    return Changes("", {k: frozenset(v) for k, v in touched.items()})


def _scope(session: Session, class_id: int) -> ClassScope:
    from desktop.models import SchoolClass

    school_class = session.get_one(SchoolClass, class_id)
    return load_scope(session, school_class.name)


def _remember_error(database: Database, message: str) -> None:
    try:
        with database.transaction() as session:
            state.put(session, state.LAST_ERROR, message)
    except HomeroomError:
        log.warning("could not record the sync error")
