"""Every intent is declared once with every part, and what the server would refuse for lack of
right the client refuses before queueing, with the same sentence."""

from __future__ import annotations

import ast
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop.errors import NotPermitted
from desktop.i18n import catalog
from desktop.models import OutboxIntent, Subject, Teacher
from desktop.models.db import Database
from desktop.services.conflict_reading import Facts, Told
from desktop.services.intents import INTENTS, Intent, apply_intent, parse_args, perform
from desktop.services.scope import load_scope
from desktop.sync.state import ConflictView
from tests.factories import SmallClass

NOW = datetime(2026, 3, 16, 3, tzinfo=UTC)

EXAMPLES: dict[str, dict[str, Any]] = {
    "decide_leave": {"request_id": 1, "approve": False, "note": "Thiếu giấy", "base_version": 1},
    "receive_original": {"request_id": 1, "received_on": "2026-03-17"},
    "record_signoff": {"request_id": 1, "by": "Nguyễn Thị Trinh", "on": "2026-03-17"},
    "select_for_audit": {"request_id": 1, "reasons": ["random"], "seed": 7},
    "record_audit": {"request_id": 1, "method": "phone", "outcome": "confirmed"},
    "set_attendance": {
        "student_id": 1,
        "day": "2026-03-16",
        "session": "morning",
        "observed": "absent",
    },
    "set_grade": {
        "student_id": 1,
        "subject_code": "TOAN",
        "semester": 2,
        "kind": "TX",
        "slot": 1,
        "value": "8,5",
        "base_version": 0,
    },
    "review_subject": {"subject_code": "TOAN", "semester": 2, "send_back": True, "note": "Thiếu"},
    "check_grade_change": {"change_id": 1, "query_note": "Vì sao đổi?"},
    "set_conduct": {"student_id": 1, "term": 2, "level": "Khá"},
    "update_student": {
        "student_id": 1,
        "full_name": "Nguyễn Văn Ân",
        "date_of_birth": "2009-01-11",
    },
    "set_guardian": {
        "student_id": 1,
        "guardian_id": 1,
        "full_name": "Trần Thị Mai",
        "relation": "mother",
        "phone": "0912345678",
    },
}
"""One valid example per intent: a new intent without one fails the first test."""

CODES = ("not_owner", "not_found", "stale_version", "invalid_input", "grade_conflict")


def test_every_intent_has_an_example_here() -> None:
    """The registry and this file's examples name the same intents."""
    assert set(EXAMPLES) == set(INTENTS)


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_every_intent_has_every_part(name: str) -> None:
    """Arguments named after the intent, a translated label, and every part a callable."""
    intent = INTENTS[name]
    assert intent.name == name == intent.args.NAME
    assert parse_args(name, EXAMPLES[name]) == intent.args.model_validate(EXAMPLES[name])
    assert catalog("vi").get(intent.label), "the label has no Vietnamese"
    parts = [f for f in dataclasses.fields(Intent) if f.name not in ("args", "label")]
    assert {f.name for f in parts} == {
        "apply",
        "permitted",
        "touched",
        "created",
        "conflict",
        "converged",
        "reading",
    }
    for part in parts:
        assert callable(getattr(intent, part.name)), part.name


@pytest.mark.parametrize("name", sorted(INTENTS))
@pytest.mark.parametrize("code", CODES)
def test_every_intent_reads_its_refusals(
    db: Database, small: SmallClass, name: str, code: str
) -> None:
    """Whatever the server answered, the intent says what the teacher did and what happened."""
    conflict = ConflictView(
        id=1,
        intent_name=name,
        code=code,
        message="Máy chủ từ chối.",
        mine=json.dumps(EXAMPLES[name]),
        theirs="[]",
        created_at=NOW,
        seen=False,
    )
    with db.reading() as session:
        facts = Facts(session, conflict, EXAMPLES[name], ())
        told = INTENTS[name].reading(facts)
    assert isinstance(told, Told)
    assert told.mine and told.theirs


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_every_intent_answers_a_refusal_with_rows_of_its_class_only(
    db: Database, small: SmallClass, name: str
) -> None:
    """Asked about another class, an intent touches nothing and created nothing."""
    intent = INTENTS[name]
    args = parse_args(name, EXAMPLES[name])
    with db.reading() as session:
        assert intent.touched(session, small.class_id + 1, args) == []
        assert intent.created(session, small.class_id + 1, args) is None


@pytest.fixture
def math_teacher(db: Database, small: SmallClass) -> int:
    """Toán taught by another teacher of the school."""
    with db.transaction() as session:
        homeroom = session.get_one(Teacher, load_scope(session).teacher_id)
        other = Teacher(
            school_id=homeroom.school_id, code="GV02", full_name="Mai Thị Tuyết", role="teacher"
        )
        session.add(other)
        session.flush()
        subject = session.scalars(select(Subject).where(Subject.code == "TOAN")).one()
        subject.teacher_id = other.id
        return other.id


def _grade(student_id: int) -> dict[str, Any]:
    return {**EXAMPLES["set_grade"], "student_id": student_id}


def test_the_client_refuses_another_teachers_subject_before_queueing(
    db: Database, small: SmallClass, math_teacher: int
) -> None:
    """The homeroom teacher's grade in Toán is refused at once, naming who teaches it; nothing
    is queued or changed."""
    with pytest.raises(NotPermitted) as refused, db.transaction() as session:
        perform(session, load_scope(session), "set_grade", _grade(small.student_ids[0]), actor="GV")
    assert refused.value.message == (
        "Môn Toán do Mai Thị Tuyết dạy; chỉ giáo viên đó được nhập điểm môn này."
    )
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 0


def test_the_server_refuses_it_with_the_same_sentence_and_lets_its_teacher(
    db: Database, small: SmallClass, math_teacher: int
) -> None:
    """Applied for the homeroom teacher's account the grade is refused in the same words; for
    the subject's teacher it is entered."""
    raw = _grade(small.student_ids[0])
    with db.transaction() as session:
        scope = load_scope(session)
        with pytest.raises(NotPermitted) as refused:
            apply_intent(
                session, scope, "set_grade", raw, actor="GV", teacher_id=scope.teacher_id, now=NOW
            )
        assert "Mai Thị Tuyết" in refused.value.message
        changes = apply_intent(
            session, scope, "set_grade", raw, actor="Cô Tuyết", teacher_id=math_teacher, now=NOW
        )
    assert changes.touched.get("grade_entry")


def test_the_homeroom_teacher_still_enters_an_unassigned_subject(
    db: Database, small: SmallClass
) -> None:
    """A subject the school assigned to no teacher is open to the homeroom teacher."""
    with db.transaction() as session:
        changes = perform(
            session, load_scope(session), "set_grade", _grade(small.student_ids[0]), actor="GV"
        )
    assert changes.touched.get("grade_entry")


def test_a_roll_call_mark_for_a_student_of_another_class_is_refused(
    db: Database, small: SmallClass
) -> None:
    """Who may: only the class's own students are marked, on either side."""
    raw = {**EXAMPLES["set_attendance"], "student_id": max(small.student_ids) + 100}
    with pytest.raises(NotPermitted), db.transaction() as session:
        perform(session, load_scope(session), "set_attendance", raw, actor="GV")


def _literal_keys(node: ast.expr) -> set[str] | None:
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _perform_calls() -> set[tuple[str, int, str, frozenset[str]]]:
    """``(file, line, intent name, argument keys)`` of every ``perform(...)`` call with a literal
    name in the window and the command line; the keys when the arguments are a dictionary
    written there or assigned to a variable just before."""
    found: set[tuple[str, int, str, frozenset[str]]] = set()
    root = Path(__file__).resolve().parents[2] / "desktop"
    for path in sorted([*root.glob("ui/**/*.py"), *root.glob("cli/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for function in functions:
            dicts: dict[str, list[tuple[int, set[str] | None]]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        dicts.setdefault(target.id, []).append(
                            (node.lineno, _literal_keys(node.value))
                        )
            for node in ast.walk(function):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "perform"):
                    continue
                if len(node.args) < 4 or not isinstance(node.args[2], ast.Constant):
                    continue
                raw = node.args[3]
                keys = _literal_keys(raw)
                if isinstance(raw, ast.Name):
                    before = [k for line, k in dicts.get(raw.id, []) if line <= node.lineno]
                    keys = before[-1] if before else None
                found.add((path.name, node.lineno, str(node.args[2].value), frozenset(keys or ())))
    return found


def test_the_window_and_the_cli_name_only_declared_intents_and_arguments() -> None:
    """A misspelt intent or argument in a caller fails here, not in a teacher's hands."""
    calls = _perform_calls()
    assert len(calls) >= 10
    for file, line, name, keys in calls:
        assert name in INTENTS, f"{file}:{line}: {name}"
        if keys:
            assert keys <= set(INTENTS[name].args.model_fields), f"{file}:{line}: {keys}"
