"""``homeroom-server``: seed-demo (then a first sync of the whole demo class over HTTP),
create-account with the password on stdin, grant-substitute, openapi."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import InvalidInput
from desktop.sync.protocol import MAX_CHANGES_PER_PAGE
from server.cli import main
from server.simulate import require_loopback, simulate
from server.store import open_store
from server.tables import Account, SubstituteGrant
from tests.server.helpers import Api, sync_body
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_then_the_whole_class_syncs_in_pages(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOMEROOM_DEMO_PASSWORD", raising=False)
    assert main(["seed-demo", "--db", db_url, "--seed", "2025"]) == 0
    out = capsys.readouterr().out
    assert "Lớp 11A1: 41 học sinh" in out
    assert "Mật khẩu của mọi tài khoản mẫu là: demo" in out
    for username in ("gvcn", "hieutruong", "gv-toan", "ph-hs2025002"):
        assert f"  {username} " in out
    assert main(["seed-demo", "--db", db_url]) == 2  # only into an empty database
    with running_server(db_url) as url, Api(url) as api:
        tokens = api.login("gvcn", "demo").json()
        assert tokens["role"] == "homeroom"
        api.tokens["gvcn"] = tokens["access_token"]
        class_id = tokens["class_ids"][0]
        cursor, pages, total = 0, 0, 0
        while True:
            page = api.sync(sync_body(class_id, cursor=cursor), headers={}).json()
            pages += 1
            total += len(page["changes"])
            cursor = page["cursor"]
            if not page["more"]:
                break
            assert len(page["changes"]) == MAX_CHANGES_PER_PAGE
        assert pages == 3 and total > 2 * MAX_CHANGES_PER_PAGE
        # The demo's fixed day is kept: served as on 16/03/2026 (a parent sees their child).
        assert api.login("ph-hs2025002", "demo").json()["class_ids"] == [class_id]
        # Parents and subject teachers sign in and play for a moment, without a server error
        # (test_simulate.py plays whole school days).
        report = simulate(url, rate=60, duration=1.0, seed=3, password="demo")
        assert report.parents == 12 and report.teachers == 4
        assert report.errors == 0


def test_the_simulator_talks_to_loopback_only() -> None:
    with pytest.raises(InvalidInput):
        require_loopback("http://192.168.1.10:8765")
    with pytest.raises(InvalidInput):
        require_loopback("https://example.org")
    require_loopback("http://127.0.0.1:8765")
    require_loopback("http://[::1]:8765")
    require_loopback("http://localhost:8765")


def test_create_account_reads_the_password_from_stdin(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(sqlite_url)
    try:
        from tests.server.helpers import seed

        seeded = seed(store)
    finally:
        store.close()
    monkeypatch.delenv("HOMEROOM_ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("mật khẩu mới\n"))
    code = main(
        [
            "create-account",
            "--db",
            sqlite_url,
            "--username",
            "Thay-Tam",
            "--display-name",
            "Thầy Tâm",
            "--role",
            "subject",
            "--teacher-code",
            "GV02",
        ]
    )
    assert code == 0
    assert "Đã tạo tài khoản thay-tam (subject)." in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("khác\n"))
    again = main(
        [
            "create-account",
            "--db",
            sqlite_url,
            "--username",
            "thay-tam",
            "--display-name",
            "X",
            "--role",
            "subject",
            "--teacher-code",
            "GV02",
        ]
    )
    assert again == 2
    assert "đã có người dùng" in capsys.readouterr().err
    assert (
        main(
            [
                "grant-substitute",
                "--db",
                sqlite_url,
                "--username",
                "thay-tam",
                "--class-id",
                str(seeded.small.class_id),
                "--until",
                "2025-12-31",
            ]
        )
        == 0
    )
    store = open_store(sqlite_url)
    try:
        with store.read() as session:
            account = session.scalars(select(Account).where(Account.username == "thay-tam")).one()
            grant = session.scalars(select(SubstituteGrant)).one()
    finally:
        store.close()
    assert account.display_name == "Thầy Tâm" and grant.until == date(2025, 12, 31)


def test_openapi_command_prints_the_committed_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["openapi"]) == 0
    printed = json.loads(capsys.readouterr().out)
    committed = json.loads((ROOT / "resources" / "api" / "openapi.json").read_text("utf-8"))
    assert printed == committed
