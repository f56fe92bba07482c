"""The class list's intents against the real server over HTTP: a roster corrected in Excel
reaches the server at the next sync (a guardian added here comes back with the server's id),
and a teacher standing in for the homeroom teacher is refused, in the words the client uses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from desktop.errors import NotPermitted
from desktop.exchange.excel import exports, roster_import
from desktop.models import Guardian, OutboxIntent, Student
from desktop.models.db import open_database
from desktop.services import conflict_text, intents, rights, workspace
from desktop.services.intents import apply_intent
from desktop.sync.engine import sync_once
from server.accounts import grant_substitute
from server.scope import load_scope_by_id
from tests.server.helpers import NOW, mutation, served, sync_body
from tests.server.test_client_roundtrip import HttpServer

STAND_IN = (
    "Chỉ giáo viên chủ nhiệm của lớp được sửa danh sách lớp và thông tin phụ huynh; giáo viên "
    "dạy thay không được sửa."
)


def test_a_corrected_roster_reaches_the_server(sqlite_url: str, tmp_path: Path) -> None:
    with served(sqlite_url) as (store, seeded, api):
        database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
        try:
            server = HttpServer(api, "gvcn")
            sync_once(database, server, class_id=seeded.small.class_id)
            exported = tmp_path / "lop.xlsx"
            with workspace.work(database, None, write=False) as w:
                exports.export_roster(w.session, w.scope, path=exported)
            workbook = load_workbook(exported)
            sheet = workbook.worksheets[0]
            sheet["D7"] = date(2009, 2, 11)  # HS002's date of birth
            sheet["F8"] = "Phạm Thị Thu"  # HS003's guardian's name
            sheet["J8"], sheet["K8"], sheet["L8"] = "Phạm Văn Lực", "bố", "0388123456"
            workbook.save(tmp_path / "sua.xlsx")
            with workspace.work(database, None) as w:
                roster_import.import_roster(
                    w.session, w.scope, tmp_path / "sua.xlsx", actor=w.actor
                )

            summary = sync_once(database, server, class_id=seeded.small.class_id)

            assert summary.pushed == 3 and summary.refused == 0
            student_ids = seeded.small.student_ids
            with store.read() as session:
                assert session.get_one(Student, student_ids[1]).date_of_birth == date(2009, 2, 11)
                on_server = {
                    (g.full_name, g.relation, g.phone)
                    for g in session.scalars(
                        select(Guardian).where(Guardian.student_id == student_ids[2])
                    )
                }
            assert on_server == {
                ("Phạm Thị Thu", "mother", "0900000003"),
                ("Phạm Văn Lực", "father", "0388123456"),
            }
            with database.reading() as session:
                assert session.scalar(select(func.count()).select_from(OutboxIntent)) == 0
                local = session.scalars(
                    select(Guardian).where(Guardian.student_id == student_ids[2])
                ).all()
                assert sorted(g.full_name for g in local) == ["Phạm Thị Thu", "Phạm Văn Lực"]
                assert all(g.id > 0 for g in local)  # the provisional row replaced
        finally:
            database.close()


def test_a_teacher_standing_in_is_refused_with_the_clients_sentence(sqlite_url: str) -> None:
    """The stand-in syncs the class (decides its requests) but a correction of the class list
    is refused; the same correction from the homeroom teacher is applied."""
    with served(sqlite_url) as (store, seeded, api):
        class_id, student = seeded.small.class_id, seeded.small.student_ids[0]
        with store.write() as session:
            grant_substitute(session, username="gvcn2", class_id=class_id, until=date(2025, 10, 31))
        args = {"student_id": student, "full_name": "Nguyễn Văn Ân"}

        response = api.sync(sync_body(class_id, [mutation(1, "update_student", args)]), "gvcn2")

        assert response.status_code == 200, response.text
        [result] = response.json()["results"]
        assert (result["status"], result["code"], result["message"]) == (
            "rejected",
            "not_owner",
            STAND_IN,
        )
        with store.read() as session:
            assert session.get_one(Student, student).full_name == "Nguyễn Văn An"
        applied = api.sync(sync_body(class_id, [mutation(1, "update_student", args)]), "gvcn")
        assert applied.json()["results"][0]["status"] == "applied"
        with store.read() as session:
            assert session.get_one(Student, student).full_name == "Nguyễn Văn Ân"


def test_the_rule_is_the_same_sentence_on_both_sides(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, seeded, _api), store.write() as session:
        scope = load_scope_by_id(session, seeded.small.class_id)
        with pytest.raises(NotPermitted) as refused:
            apply_intent(
                session,
                scope,
                "set_guardian",
                {
                    "student_id": seeded.small.student_ids[0],
                    "full_name": "Lê Thị Hoa",
                    "relation": "aunt",
                    "phone": "0912345678",
                },
                actor="GV dạy thay",
                teacher_id=seeded.subject_teacher_id,
                now=NOW,
            )
        with pytest.raises(NotPermitted) as client:
            rights.require_roster_keeper(scope, seeded.subject_teacher_id)
    assert refused.value.message == client.value.message == STAND_IN


def test_a_stand_ins_correction_comes_back_refused_and_undone(
    sqlite_url: str, tmp_path: Path
) -> None:
    """On a stand-in's computer the correction shows at once; the sync brings the refusal in
    the teacher's words and the record as the server keeps it."""
    with served(sqlite_url) as (store, seeded, api):
        class_id, student = seeded.small.class_id, seeded.small.student_ids[0]
        with store.write() as session:
            grant_substitute(session, username="gvcn2", class_id=class_id, until=date(2025, 10, 31))
        database = open_database(tmp_path / "profile" / "homeroom.sqlite3")
        try:
            server = HttpServer(api, "gvcn2")
            sync_once(database, server, class_id=class_id)
            with workspace.work(database, None) as w:
                intents.perform(
                    w.session,
                    w.scope,
                    "update_student",
                    {"student_id": student, "date_of_birth": "2009-01-11"},
                    actor="Lê Văn Tâm",
                )
            summary = sync_once(database, server, class_id=class_id)
            assert summary.refused == 1
            with database.reading() as session:
                assert session.get_one(Student, student).date_of_birth == date(2009, 1, 10)
                [told] = conflict_text.conflicts(session)
        finally:
            database.close()
        assert (told.intent_name, told.code) == ("update_student", "not_owner")
        assert told.mine == "Thầy/cô đã sửa ngày sinh 11/01/2009."
        assert told.theirs == STAND_IN
