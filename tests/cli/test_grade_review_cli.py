"""``grades review`` warns about missing entries and asks; ``grades changes`` and ``grades check``
agree on ids: a change not synced yet waits for sync, and after a sync with the real reference
server its new number is accepted and the check reaches the server."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from desktop.cli.main import main
from desktop.models import GradeChange, GradeDeadline, OutboxIntent, Subject, SubjectTerm
from desktop.models.db import DATABASE_FILE, open_database
from desktop.sync import engine, state
from desktop.sync.engine import sync_once
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store
from tests.cli.conftest import Result, Run
from tests.sync_faults import harness

T = TypeVar("T")


class Terminal(io.StringIO):
    """What the teacher types at a terminal."""

    def isatty(self) -> bool:
        return True


def queued(profile: Path) -> list[str]:
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.reading() as session:
            return list(session.scalars(select(OutboxIntent.name).order_by(OutboxIntent.seq)))
    finally:
        database.close()


def review_state(profile: Path, code: str, semester: int) -> str | None:
    database = open_database(profile / DATABASE_FILE)
    try:
        with database.reading() as session:
            subject = session.scalars(select(Subject).where(Subject.code == code)).one()
            term = session.get(SubjectTerm, (subject.id, semester))
            return term.review_state if term else None
    finally:
        database.close()


def test_missing_entries_without_a_terminal_are_refused_unless_yes(run: Run, profile: Path) -> None:
    """No terminal to ask at: the warning names the missing entries, nothing is queued; with
    --yes the subject is marked reviewed, the warning still printed."""
    assert run("grades", "set", "HS001", "TOAN", "1", "TX1", "8").code == 0
    refused = run("grades", "review", "TOAN", "1")
    assert refused.code == 2
    assert "Toán, học kì 1: còn thiếu 17/18 đầu điểm của 3 học sinh" in refused.err
    assert "Nguyễn Văn An (TX2, TX3, TX4, GK, CK)" in refused.err
    assert "Lê Thị Bình (TX1, TX2, TX3, TX4, GK, CK)" in refused.err
    assert "thêm --yes" in refused.err
    assert queued(profile) == ["set_grade"]
    assert review_state(profile, "TOAN", 1) == "pending"

    accepted = run("grades", "review", "TOAN", "1", "--yes")
    assert accepted.code == 0, accepted
    assert accepted.out.startswith("Lưu ý: Toán, học kì 1: còn thiếu 17/18 đầu điểm")
    assert queued(profile) == ["set_grade", "review_subject"]
    assert review_state(profile, "TOAN", 1) == "reviewed"


@pytest.mark.parametrize(("answer", "reviewed"), [("k\n", False), ("", False), ("c\n", True)])
def test_at_a_terminal_the_teacher_is_asked(
    run: Run, profile: Path, monkeypatch: pytest.MonkeyPatch, answer: str, reviewed: bool
) -> None:
    """The warning is printed and the question asked; only a yes marks the subject."""
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    result = run("grades", "review", "TOAN", "1")
    assert "Lưu ý: Toán, học kì 1: còn thiếu 18/18 đầu điểm của 3 học sinh" in result.out
    assert "Vẫn xác nhận đã kiểm tra? [c/K]" in result.out
    assert result.code == (0 if reviewed else 1)
    assert queued(profile) == (["review_subject"] if reviewed else [])
    assert review_state(profile, "TOAN", 1) == ("reviewed" if reviewed else None)


def test_a_complete_subject_and_a_send_back_are_not_questioned(run: Run, profile: Path) -> None:
    """GDQP (35 periods: TX1, TX2, GK, CK) entered for all three: reviewed without a question;
    sending back never asks."""
    for student in ("HS001", "HS002", "HS003"):
        for column in ("TX1", "TX2", "GK", "CK"):
            assert run("grades", "set", student, "GDQP", "1", column, "7").code == 0
    assert run("grades", "review", "GDQP", "1").code == 0
    sent = run("grades", "review", "TOAN", "2", "--send-back", "Còn thiếu điểm TX")
    assert sent.code == 0
    assert review_state(profile, "GDQP", 1) == "reviewed"
    assert review_state(profile, "TOAN", 2) == "returned"


def test_a_change_made_here_waits_for_sync_and_check_says_why(run: Run, profile: Path) -> None:
    """A change after the deadline, made on this computer: listed with "–" and waiting for
    sync (JSON: the provisional id and ``waiting_for_sync``); ``check`` refuses that id with a
    sentence, not a validation error."""
    database = open_database(profile / DATABASE_FILE)
    with database.transaction() as session:
        session.add(GradeDeadline(class_id=1, semester=1, kind="TX", due_on=date(2025, 10, 1)))
    database.close()
    assert run("grades", "set", "HS001", "TOAN", "1", "TX1", "6,5").code == 0
    changed = run("grades", "set", "HS001", "TOAN", "1", "TX1", "8", "--reason", "Nhập nhầm")
    assert changed.code == 0, changed
    (row,) = run("grades", "changes", "--json").json()
    assert row["id"] < 0 and row["waiting_for_sync"] is True
    assert (row["old_value"], row["new_value"]) == ("6.5", "8")
    table = run("grades", "changes")
    line = next(text for text in table.out.splitlines() if "Nguyễn Văn An" in text)
    assert line.startswith("–") and "6,5" in line and "Chờ đồng bộ" in line
    assert "đồng bộ tới" in table.out
    refused = run("grades", "check", str(row["id"]))
    assert refused.code == 2
    assert f"Lần sửa điểm {row['id']} được thực hiện trên máy này" in refused.err
    assert queued(profile) == ["set_grade", "set_grade"]


# --------------------------------------------------------------------------- with the server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password="demo")
    with serve_store(store) as url:
        yield store, url
    store.close()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder


def test_after_a_sync_the_change_has_the_servers_number_and_check_reaches_the_server(
    demo_template: Path,
    tmp_path: Path,
    server: tuple[Store, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The homeroom teacher changes a locked semester-I score of their own subject (Ngữ văn):
    waiting for sync; after a sync it is listed under the server's id, ``check`` accepts that
    id, and the next sync records the check on the server."""
    store, url = server
    profile = tmp_path / "demo"
    shutil.copytree(demo_template, profile)
    database = open_database(profile / DATABASE_FILE)
    token = harness.issue_token(store, "gvcn")
    with database.transaction() as session:
        state.sign_in(session, state.SignedIn(url, "gvcn", 1))

    def sync() -> None:
        sync_once(database, harness.transport(url, token), class_id=1)

    def run(*args: str) -> Result:
        code = main(["--data-dir", str(profile), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    sync()
    student = run("attendance", "summary", "--json").json()[0]["student_code"]
    with database.reading() as session:
        before = session.scalar(select(func.count()).select_from(GradeChange)) or 0
    changed = run("grades", "set", student, "VAN", "1", "CK", "3", "--reason", "Chấm phúc khảo")
    assert changed.code == 0, changed
    (waiting,) = [r for r in run("grades", "changes", "--json").json() if r["waiting_for_sync"]]
    assert run("grades", "check", str(waiting["id"])).code == 2

    sync()
    rows = run("grades", "changes", "--json").json()
    assert not any(r["waiting_for_sync"] for r in rows)
    (synced,) = [r for r in rows if r["student_code"] == student and r["subject_code"] == "VAN"]
    assert synced["id"] > 0 and synced["new_value"] == "3"
    with database.reading() as session:
        assert (session.scalar(select(func.count()).select_from(GradeChange)) or 0) == before + 1
    checked = run("grades", "check", str(synced["id"]))
    assert checked.code == 0, checked
    sync()
    with store.read() as session:
        assert session.get_one(GradeChange, synced["id"]).review_state == "checked"
    database.close()


def test_a_change_made_during_a_sync_keeps_a_provisional_id(
    demo_template: Path,
    tmp_path: Path,
    server: tuple[Store, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A change queued while the first sync runs is replayed on the pulled rows (the whole
    class, its score as the teacher saw it): it must stay provisional (negative, waiting for
    sync), never take an id the server may give another change; the next sync gives it the
    server's."""
    store, url = server
    profile = tmp_path / "demo"
    shutil.copytree(demo_template, profile)
    database = open_database(profile / DATABASE_FILE)
    token = harness.issue_token(store, "gvcn")

    def run(*args: str) -> Result:
        code = main(["--data-dir", str(profile), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    student = run("attendance", "summary", "--json").json()[1]["student_code"]

    def teacher_acts_before_the_last_step(work: Callable[[], T]) -> T:
        if getattr(work, "func", None) is engine._finish:
            changed = run("grades", "set", student, "VAN", "1", "GK", "2", "--reason", "Phúc khảo")
            assert changed.code == 0, changed
        return work()

    sync_once(
        database,
        harness.transport(url, token),
        class_id=1,
        on_database=teacher_acts_before_the_last_step,
    )
    (waiting,) = [
        r for r in run("grades", "changes", "--json").json() if r["student_code"] == student
    ]
    assert waiting["waiting_for_sync"] is True and waiting["id"] < 0
    sync_once(database, harness.transport(url, token), class_id=1)
    (synced,) = [
        r for r in run("grades", "changes", "--json").json() if r["student_code"] == student
    ]
    assert synced["id"] > 0 and not synced["waiting_for_sync"]
    with store.read() as session:
        server_change = session.get_one(GradeChange, synced["id"])
        assert (server_change.old_value, server_change.new_value) == (
            synced["old_value"],
            synced["new_value"],
        )
    database.close()
