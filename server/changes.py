"""Change capture: every write to a synced table updates the feed of the class(es) it belongs to.

Session events on the server's write sessions see every new, changed and deleted ORM object of
the tables the client mirrors (``desktop.sync.rows.synced_tables``). Each flush notes the rows it
wrote; just before the transaction commits, each noted row gets the next seq of its class and
replaces its previous entry in the change log, so the log holds only the latest change per row
and a pull from cursor 0 is a snapshot of the class. Writing once per transaction rather than
per flush matters: a push of 100 intents flushes about 200 times, and a row written twice (a
roll-call mark inserted, then given its status) took two seqs and two log writes. A savepoint
rolled back takes its notes with it, as it takes its rows. Rows shared by the whole school
(school, policy, year, holidays, teachers) go to every class of the school; a new class gets all
of them at once.

A deleted row is resolved to its classes as its DELETE runs (a mapper hook: it also sees
cascades and orphans), while the rows it points to are still there. Bulk ``INSERT`` statements
(the demo generator) bypass the ORM unit of work: ``capture_all`` fills the log from the tables
afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import Table, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction, object_session, sessionmaker

from desktop.models import (
    Base,
    GradeEntry,
    Holiday,
    LeaveRequest,
    PolicySetting,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    Teacher,
)
from desktop.services.direct_writes import FLUSH_OBSERVED, held
from desktop.sync.rows import encode_row, row_key, synced_tables
from server.tables import ChangeCounter, ChangeLogEntry

CAPTURED = frozenset(synced_tables())
TABLE_ORDER = {table.name: index for index, table in enumerate(Base.metadata.sorted_tables)}
SHARED = (School, PolicySetting, SchoolYear, Holiday, Teacher)
"""The school-wide tables every class's feed carries, parents first."""
CAPTURE_FLAG = FLUSH_OBSERVED
"""``Session.info`` flag of the server's write sessions (the delete hook is on every mapper);
defined where the desktop's direct writes read it, which must step aside for the feed."""
_DELETED = "homeroom_deleted_rows"
_RESOLVER = "homeroom_resolver"
_NOTED = "homeroom_noted_writes"
"""``Session.info``: the log writes of this transaction's flushes, by (class, entity, key)."""
_SAVEPOINTS = "homeroom_noted_at_savepoint"
"""``Session.info``: for each open savepoint, the notes as they stood when it began."""

Values = Mapping[str, Any]


@dataclass(frozen=True)
class LogWrite:
    class_id: int
    entity: str
    key: str
    op: str
    data: str | None


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Resolver:
    """Which classes a row belongs to, following its links; lookups are cached per flush. A
    link already loaded in ``session`` (a push loads its class's students once) is read from
    there, without a query."""

    def __init__(self, connection: Connection, session: Session | None = None) -> None:
        self.connection = connection
        self.session = session
        self.student: dict[int, int | None] = {}
        self.request: dict[int, int | None] = {}
        self.entry: dict[int, int | None] = {}
        self.subject: dict[int, int | None] = {}
        self.year: dict[int, int | None] = {}
        self.school: dict[int, frozenset[int]] = {}

    def _one(
        self, cache: dict[int, int | None], column: Any, key_column: Any, key: int
    ) -> int | None:
        if key not in cache:
            cache[key] = self.connection.execute(select(column).where(key_column == key)).scalar()
        return cache[key]

    def student_classes(self, student_id: int | None) -> frozenset[int]:
        if student_id is None:
            return frozenset()
        if student_id not in self.student and self.session is not None:
            loaded = held(self.session, Student, student_id)
            # After a flush a loaded student's class_id is the database's; an expired one
            # (not in ``__dict__``) would load here, so it is asked for like any other.
            if loaded is not None and "class_id" in loaded.__dict__:
                self.student[student_id] = loaded.class_id
        found = self._one(self.student, Student.class_id, Student.id, student_id)
        return frozenset() if found is None else frozenset({found})

    def school_classes(self, school_id: int | None) -> frozenset[int]:
        if school_id is None:
            return frozenset()
        if school_id not in self.school:
            query = (
                select(SchoolClass.id)
                .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
                .where(SchoolYear.school_id == school_id)
            )
            self.school[school_id] = frozenset(self.connection.execute(query).scalars())
        return self.school[school_id]

    def classes(self, entity: str, v: Values) -> frozenset[int]:
        """The classes whose feed carries this row (``v``: its column values by name)."""
        if entity == "school_class":
            return frozenset({v["id"]}) if v["id"] is not None else frozenset()
        if entity in ("student", "subject", "grade_deadline"):
            return frozenset({v["class_id"]}) if v["class_id"] is not None else frozenset()
        if entity in (
            "guardian",
            "leave_request",
            "attendance_mark",
            "grade_entry",
            "conduct_rating",
        ):
            return self.student_classes(v["student_id"])
        if entity == "post_audit":
            found = self._one(
                self.request, LeaveRequest.student_id, LeaveRequest.id, v["request_id"]
            )
            return self.student_classes(found)
        if entity == "grade_change":
            found = self._one(self.entry, GradeEntry.student_id, GradeEntry.id, v["entry_id"])
            return self.student_classes(found)
        if entity == "subject_term":
            found = self._one(self.subject, Subject.class_id, Subject.id, v["subject_id"])
            return frozenset() if found is None else frozenset({found})
        if entity == "school":
            return self.school_classes(v["id"])
        if entity in ("policy_setting", "teacher", "school_year"):
            return self.school_classes(v["school_id"])
        if entity == "holiday":
            school = self._one(self.year, SchoolYear.school_id, SchoolYear.id, v["school_year_id"])
            return self.school_classes(school)
        # A new synced table needs a rule here; silently leaving it out of every feed would
        # make clients diverge without anyone noticing.
        raise LookupError(f"no class rule for table {entity}")

    def preload(self) -> None:
        """Load every link at once (for ``capture_all`` over whole tables)."""
        c = self.connection
        pairs = (
            (self.student, Student.id, Student.class_id),
            (self.request, LeaveRequest.id, LeaveRequest.student_id),
            (self.entry, GradeEntry.id, GradeEntry.student_id),
            (self.subject, Subject.id, Subject.class_id),
            (self.year, SchoolYear.id, SchoolYear.school_id),
        )
        for cache, key, value in pairs:
            cache.update((row[0], row[1]) for row in c.execute(select(key, value)))
        by_school: dict[int, set[int]] = {}
        query = select(SchoolYear.school_id, SchoolClass.id).join(
            SchoolClass, SchoolClass.school_year_id == SchoolYear.id
        )
        for school_id, class_id in c.execute(query):
            by_school.setdefault(school_id, set()).add(class_id)
        for school_id in c.execute(select(School.id)).scalars():
            self.school[school_id] = frozenset(by_school.get(school_id, set()))


# --- Writing the log ----------------------------------------------------------------------------


def _insert(connection: Connection, table: Table) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def allocate(connection: Connection, class_id: int, count: int) -> int:
    """Reserve ``count`` seqs of a class; return the highest. The UPDATE locks the counter row
    until commit, so seqs of one class become visible in the order they were handed out."""
    counters: Table = ChangeCounter.__table__  # type: ignore[assignment]
    connection.execute(
        _insert(connection, counters)
        .values(class_id=class_id, seq=0)
        .on_conflict_do_nothing(index_elements=["class_id"])
    )
    top = connection.execute(
        update(counters)
        .where(counters.c.class_id == class_id)
        .values(seq=counters.c.seq + count)
        .returning(counters.c.seq)
    ).scalar_one()
    return int(top)


def write_log(connection: Connection, writes: Iterable[LogWrite]) -> int:
    """Give each write the next seq of its class (in the given order) and replace the row's
    previous entry; return how many entries were written."""
    by_class: dict[int, list[LogWrite]] = {}
    for item in writes:
        by_class.setdefault(item.class_id, []).append(item)
    log: Table = ChangeLogEntry.__table__  # type: ignore[assignment]
    total = 0
    for class_id in sorted(by_class):
        items = by_class[class_id]
        first = allocate(connection, class_id, len(items)) - len(items) + 1
        statement = _insert(connection, log)
        statement = statement.on_conflict_do_update(
            index_elements=["class_id", "entity", "key"],
            set_={
                "seq": statement.excluded.seq,
                "op": statement.excluded.op,
                "data": statement.excluded.data,
            },
        )
        rows = [
            {
                "class_id": class_id,
                "seq": first + offset,
                "entity": item.entity,
                "key": item.key,
                "op": item.op,
                "data": item.data,
            }
            for offset, item in enumerate(items)
        ]
        for start in range(0, len(rows), 5000):
            connection.execute(statement, rows[start : start + 5000])
        total += len(rows)
    return total


# --- The session hooks --------------------------------------------------------------------------


def _table_of(obj: object) -> Table | None:
    table = getattr(type(obj), "__table__", None)
    if isinstance(table, Table) and table.name in CAPTURED:
        return table
    return None


def _values(table: Table, obj: object) -> dict[str, Any]:
    return {column.name: getattr(obj, column.key) for column in table.columns}


def _previous_values(table: Table, obj: object) -> dict[str, Any] | None:
    """The row's values before this flush, when a changed column may move it to other classes
    (a student moved to another class); ``None`` when no column changed its old value."""
    state = inspect(obj)
    before = _values(table, obj)
    moved = False
    for column in table.columns:
        history = state.attrs[column.key].history
        if history.deleted and history.deleted[0] is not None:
            before[column.name] = history.deleted[0]
            moved = moved or bool(column.foreign_keys) or column.primary_key
    return before if moved else None


def _after_delete(_mapper: Any, connection: Connection, target: object) -> None:
    """Resolve a deleted row's classes as its DELETE runs: the unit of work deletes children
    before parents, so the rows it points to are still there. This sees every delete, also
    those by cascade and of orphans, which ``session.deleted`` does not list."""
    session = object_session(target)
    table = _table_of(target)
    if session is None or table is None or not session.info.get(CAPTURE_FLAG):
        return
    resolver: Resolver = session.info.setdefault(_RESOLVER, Resolver(connection))
    values = _values(table, target)
    deleted: dict[int, tuple[str, str, frozenset[int]]] = session.info.setdefault(_DELETED, {})
    deleted[id(target)] = (table.name, row_key(table, values), resolver.classes(table.name, values))


def _after_flush(session: Session, _context: Any) -> None:
    deleted: dict[int, tuple[str, str, frozenset[int]]] = session.info.pop(_DELETED, {})
    session.info.pop(_RESOLVER, None)
    # Fresh: rows inserted by this flush now exist.
    resolver = Resolver(session.connection(), session)
    writes: dict[tuple[int, str, str], LogWrite] = session.info.setdefault(_NOTED, {})

    def put(class_ids: Iterable[int], entity: str, key: str, data: str | None) -> None:
        for class_id in class_ids:
            op = "delete" if data is None else "upsert"
            writes[(class_id, entity, key)] = LogWrite(class_id, entity, key, op, data)

    for entity, key, classes in deleted.values():
        put(classes, entity, key, None)
    new = set(map(id, session.new))
    for obj in chain(session.new, session.dirty):
        table = _table_of(obj)
        if table is None or id(obj) in deleted:
            continue
        if id(obj) not in new and not session.is_modified(obj, include_collections=False):
            continue
        values = _values(table, obj)
        key = row_key(table, values)
        classes = resolver.classes(table.name, values)
        before = _previous_values(table, obj) if id(obj) not in new else None
        if before is not None:
            gone = resolver.classes(table.name, before) - classes
            put(gone, table.name, row_key(table, before), None)
            if row_key(table, before) != key:
                put(classes, table.name, row_key(table, before), None)
            if table.name == "student" and gone:
                # A student moved to another class takes their rows along.
                for child, child_key, data in student_rows(session.connection(), values["id"]):
                    put(gone, child, child_key, None)
                    put(classes, child, child_key, data)
        put(classes, table.name, key, dumps(encode_row(table, values)))
        if table.name == "school_class" and id(obj) in new:
            for entity, shared_key, data in shared_rows(session.connection(), values["id"]):
                put([values["id"]], entity, shared_key, data)


def _before_commit(session: Session) -> None:
    """The transaction's notes become log entries, in the transaction, once (a savepoint's
    commit waits for the transaction's)."""
    if session.in_nested_transaction():
        return
    session.flush()  # what is still pending is noted too
    writes: dict[tuple[int, str, str], LogWrite] = session.info.pop(_NOTED, {})
    if writes:
        ordered = sorted(writes.values(), key=lambda w: (TABLE_ORDER[w.entity], _natural(w.key)))
        write_log(session.connection(), ordered)


def _savepoint_began(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        noted = session.info.get(_NOTED, {})
        session.info.setdefault(_SAVEPOINTS, {})[transaction] = dict(noted)


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back forgets what its flushes noted; the transaction, everything."""
    if previous.nested:
        noted = session.info.get(_SAVEPOINTS, {}).get(previous)
        if noted is not None:
            session.info[_NOTED] = dict(noted)
    elif previous.parent is None:
        session.info.pop(_NOTED, None)
        session.info.pop(_SAVEPOINTS, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint's notes are kept until the transaction ends: SQLAlchemy reports a
    # savepoint's end before its rollback (``_rolled_back`` still needs them).
    if transaction.parent is None:
        session.info.pop(_NOTED, None)
        session.info.pop(_SAVEPOINTS, None)


def _natural(key: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in key.split(":"))


def shared_rows(connection: Connection, class_id: int) -> list[tuple[str, str, str]]:
    """The school-wide rows of a class's school, encoded: ``(entity, key, data)``."""
    school_id = connection.execute(
        select(SchoolYear.school_id)
        .join(SchoolClass, SchoolClass.school_year_id == SchoolYear.id)
        .where(SchoolClass.id == class_id)
    ).scalar()
    if school_id is None:
        return []
    found: list[tuple[str, str, str]] = []
    for model in SHARED:
        table: Table = model.__table__  # type: ignore[assignment]
        if model is School:
            query = select(table).where(table.c.id == school_id)
        elif model is Holiday:
            years = select(SchoolYear.id).where(SchoolYear.school_id == school_id)
            query = select(table).where(table.c.school_year_id.in_(years))
        else:
            query = select(table).where(table.c.school_id == school_id)
        for row in connection.execute(query):
            values = dict(row._mapping)
            found.append((table.name, row_key(table, values), dumps(encode_row(table, values))))
    return found


def student_rows(connection: Connection, student_id: int) -> list[tuple[str, str, str]]:
    """Every row that belongs to a student's class through the student, encoded."""
    requests = select(LeaveRequest.id).where(LeaveRequest.student_id == student_id)
    entries = select(GradeEntry.id).where(GradeEntry.student_id == student_id)
    tables = Base.metadata.tables
    queries = [
        select(tables[name]).where(tables[name].c.student_id == student_id)
        for name in (
            "guardian",
            "leave_request",
            "attendance_mark",
            "grade_entry",
            "conduct_rating",
        )
    ]
    queries.append(
        select(tables["post_audit"]).where(tables["post_audit"].c.request_id.in_(requests))
    )
    queries.append(
        select(tables["grade_change"]).where(tables["grade_change"].c.entry_id.in_(entries))
    )
    found: list[tuple[str, str, str]] = []
    for query in queries:
        table = query.get_final_froms()[0]
        assert isinstance(table, Table)
        for row in connection.execute(query):
            values = dict(row._mapping)
            found.append((table.name, row_key(table, values), dumps(encode_row(table, values))))
    return found


def install(factory: sessionmaker[Session]) -> None:
    """Capture changes in every session ``factory`` makes."""
    factory.kw.setdefault("info", {})[CAPTURE_FLAG] = True
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_transaction_create", _savepoint_began)
    event.listen(factory, "after_soft_rollback", _rolled_back)
    event.listen(factory, "after_transaction_end", _transaction_ended)


event.listen(Base, "after_delete", _after_delete, propagate=True)


def capture_all(session: Session) -> int:
    """Write a log entry for every row of every synced table (after bulk inserts that bypassed
    the session hooks); return how many entries were written."""
    session.flush()
    connection = session.connection()
    resolver = Resolver(connection)
    resolver.preload()
    writes: list[LogWrite] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in CAPTURED:
            continue
        order: Sequence[Any] = list(table.primary_key.columns)
        for row in connection.execute(select(table).order_by(*order)):
            values = dict(row._mapping)
            classes = resolver.classes(table.name, values)
            if not classes:
                continue
            key, data = row_key(table, values), dumps(encode_row(table, values))
            writes.extend(LogWrite(c, table.name, key, "upsert", data) for c in sorted(classes))
    return write_log(connection, writes)
