"""Every documented command works on the demo profile, as a teacher would use it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["--data-dir", str(folder), "init", "--demo"]) == 0
    return folder


def run(demo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(demo), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


def test_the_demo_has_requests_in_every_state(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """About 120 requests: pending, approved, rejected, cancelled and withdrawn."""
    code, out = run(demo, capsys, "leave", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and 100 <= len(rows) <= 140
    assert {r["status"] for r in rows} == {
        "submitted",
        "approved",
        "rejected",
        "cancelled",
        "withdrawn",
    }
    assert any(r["special_case"] for r in rows) and any(r["retroactive"] for r in rows)
    assert any(r["overlaps_with"] for r in rows)
    assert any(r["original"] == "overdue" for r in rows)


def test_a_teachers_morning_on_the_demo(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Decide the pending requests, sign off, take roll call, grade, review, audit, export."""
    pending = json.loads(run(demo, capsys, "leave", "list", "--status", "submitted", "--json")[1])
    plain = [r for r in pending if not r["special_case"]]
    special = [r for r in pending if r["special_case"]]
    assert run(demo, capsys, "leave", "approve", str(plain[0]["id"]))[0] == 0
    assert (
        run(
            demo,
            capsys,
            "leave",
            "reject",
            str(plain[1]["id"]),
            "--reason",
            "Cần giấy xác nhận của bác sĩ",
        )[0]
        == 0
    )
    assert run(demo, capsys, "leave", "show", str(plain[0]["id"]))[0] == 0
    if special:
        rid = str(special[0]["id"])
        run(demo, capsys, "leave", "signoff", rid, "--by", "Nguyễn Thị Trinh")
        assert run(demo, capsys, "leave", "approve", rid)[0] == 0
    approved = json.loads(run(demo, capsys, "leave", "list", "--status", "approved", "--json")[1])
    awaiting = [r for r in approved if r["original"] in ("awaiting", "overdue")]
    assert run(demo, capsys, "leave", "original", str(awaiting[0]["id"]))[0] == 0
    students = json.loads(run(demo, capsys, "attendance", "summary", "--json")[1])
    assert any(s["warning"] == 40 for s in students)
    code = run(
        demo,
        capsys,
        "attendance",
        "mark",
        students[0]["student_code"],
        "16/03/2026",
        "chiều",
        "absent",
    )[0]
    assert code == 0
    toan = ["grades", "set", students[0]["student_code"], "TOAN", "2", "CK", "8,5"]
    assert main(["--data-dir", str(demo), *toan]) == 2
    assert "Môn Toán do Mai Thị Tuyết dạy" in capsys.readouterr().err
    assert (
        run(demo, capsys, "grades", "set", students[0]["student_code"], "VAN", "2", "CK", "8,5")[0]
        == 0
    )
    assert run(demo, capsys, "grades", "review", "TOAN", "2", "--yes")[0] == 0
    for term in ("1", "2", "year"):
        assert run(demo, capsys, "grades", "report", "--semester", term)[0] == 0
    completeness = json.loads(run(demo, capsys, "grades", "completeness", "--json")[1])
    assert 0 < completeness["entered"] < completeness["expected"]
    changes = json.loads(run(demo, capsys, "grades", "changes", "--json")[1])
    if changes:
        assert run(demo, capsys, "grades", "check", str(changes[0]["id"]))[0] == 0
    selected = json.loads(run(demo, capsys, "audit", "select", "--json")[1])
    if selected:
        assert (
            run(
                demo,
                capsys,
                "audit",
                "record",
                str(selected[0]["request_id"]),
                "--method",
                "phone",
                "--outcome",
                "confirmed",
            )[0]
            == 0
        )
    export = demo / "lop-11A1.json"
    assert run(demo, capsys, "export", str(export))[0] == 0
    code, out = run(demo, capsys, "log", "verify")
    assert code == 0 and "nguyên vẹn" in out
    other = demo / "copy"
    assert main(["--data-dir", str(other), "import", str(export)]) == 0


@pytest.fixture
def far_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_request_is_shown_in_the_teachers_words(
    demo: Path, capsys: pytest.CaptureFixture[str], far_time_zone: None
) -> None:
    """Relation, reason category, procedure level and times in Vietnamese and in school time,
    whatever this computer's time zone."""
    rows = json.loads(run(demo, capsys, "leave", "list", "--json")[1])
    signed = next(r for r in rows if r["principal_signoff_by"] and r["decided_at"])
    code, out = run(demo, capsys, "leave", "show", str(signed["id"]))
    assert code == 0
    relation = {"father": "cha", "mother": "mẹ", "grandmother": "bà", "grandfather": "ông"}
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert lines["Phụ huynh"].endswith(f"({relation.get(signed['guardian_relation'], '')})")
    assert lines["Mức độ dịch vụ công"] in ("một phần (mức độ 3)", "toàn trình (mức độ 4)")
    submitted = signed["submitted_at"]  # ISO 8601 with offset
    hour = (int(submitted[11:13]) + 7 - int(submitted[-6:-3])) % 24
    assert lines["Gửi lúc"].startswith(f"{hour:02d}:{submitted[14:16]} ")
    assert lines["Hiệu trưởng ký duyệt"].startswith(signed["principal_signoff_by"])
    assert "Thời điểm quyết định" in lines


def test_completeness_is_written_with_a_decimal_comma(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = json.loads(run(demo, capsys, "grades", "completeness", "--json")[1])
    code, out = run(demo, capsys, "grades", "completeness")
    percent = str(shown["percent"]).replace(".", ",")
    assert code == 0 and f"({percent} %)" in out.splitlines()[0]
    assert "," in percent
