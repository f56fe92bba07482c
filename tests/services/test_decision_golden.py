"""A leave decision writes exactly what it wrote before it was made cheaper: every row of every
table (marks, requests, audit chain, outbox payload), its answer and the class's totals, on the
demo class and on the 40-class school (``decision_golden`` says how the snapshot was taken)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.services.decision_golden import build, capture, golden_path


@pytest.mark.parametrize("school", [False, True], ids=["demo-class", "40-class-school"])
def test_decisions_write_the_golden_rows(tmp_path: Path, school: bool) -> None:
    path = tmp_path / "homeroom.sqlite3"
    snapshot = capture(path, build(path, school=school))
    golden = json.loads(golden_path(school).read_text(encoding="utf-8"))
    assert snapshot["chain"]["intact"]
    for part in ("answers", "totals", "chain"):
        assert snapshot[part] == golden[part], part
    assert sorted(snapshot["written"]) == sorted(golden["written"])
    for table, rows in golden["written"].items():
        assert snapshot["written"][table] == rows, table
