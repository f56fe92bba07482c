"""The students screen's "export the student's data" on the demo class: the selected student's
record saved where the teacher chose, as a PDF for the guardian (read back: that student's
name, guardians and requests, no classmate's) or as the JSON the CLI writes."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Guardian, LeaveRequest, Student
from desktop.models.db import Database
from desktop.services import subject_access, workspace
from desktop.ui.navigation import Navigator
from desktop.ui.students.screen import StudentsScreen
from desktop.ui.tasks import TaskRunner
from tests.reports.test_incident_report import pdf_text


def shown(qtbot: QtBot, database: Database, runner: TaskRunner) -> StudentsScreen:
    screen = StudentsScreen(database, runner, Navigator())
    qtbot.addWidget(screen)
    screen.resize(1236, 690)
    screen.show()
    qtbot.waitExposed(screen)
    screen.reload()
    qtbot.waitUntil(lambda: screen.filter.rowCount() > 0 and screen.page.page is not None)
    return screen


def test_the_selected_student_is_exported_as_pdf_and_as_json(
    qtbot: QtBot, database: Database, runner: TaskRunner, tmp_path: Path
) -> None:
    screen = shown(qtbot, database, runner)
    row = screen.selected()
    assert row is not None and screen.export_button.isEnabled()
    assert screen.export_button.text() == "Xuất dữ liệu của học sinh…"
    with database.reading() as session:
        guardians = session.scalars(select(Guardian.full_name).where(Guardian.student_id == row.id))
        guardian_names = list(guardians)
        others = session.scalars(select(Student.full_name).where(Student.id != row.id)).all()
        requests = session.scalars(select(LeaveRequest.id).where(LeaveRequest.student_id == row.id))
        request_count = len(list(requests))

    screen.export.ask_save = lambda name: tmp_path / name
    screen.export_button.click()
    target = tmp_path / f"du-lieu-{row.code}.pdf"
    qtbot.waitUntil(lambda: screen.message.text() == f"Đã lưu thành {target}.")
    assert screen.message.styleSheet() == ""
    text = pdf_text(target.read_bytes())
    assert "DỮ LIỆU CÁ NHÂN CỦA HỌC SINH" in text
    assert f"Họ và tên: {row.full_name}" in text and f"Mã học sinh: {row.code}" in text
    assert all(name in text for name in guardian_names)
    assert ("Chưa có đơn xin nghỉ học nào." in text) == (request_count == 0)
    assert not [name for name in others if f"Họ và tên: {name}" in text or f"em {name} " in text]

    json_target = tmp_path / "an.json"
    screen.export.ask_save = lambda _name: json_target
    screen.export_button.click()
    qtbot.waitUntil(lambda: screen.message.text() == f"Đã lưu thành {json_target}.")
    with workspace.work(database, None, write=False) as unit:
        expected = subject_access.to_json(
            subject_access.collect(unit.session, unit.scope, row.code)
        )
    assert json_target.read_text(encoding="utf-8") == expected + "\n"
    assert json.loads(expected)["student"]["code"] == row.code
