"""`homeroom login / sync / status / logout / demo` against the real reference server.

With ``HOMEROOM_REAL_KEYRING=1`` (CI runs the suite inside a D-Bus session with gnome-keyring
unlocked) the token goes to the real Secret Service; otherwise to an in-memory backend.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from desktop.cli.main import main
from desktop.sync.memory_keyring import MemoryKeyring
from server.seed import seed_demo
from server.serving import serve_store
from server.store import open_store

PASSWORD = "Mật-khẩu-thử-42"


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password=PASSWORD)
    with serve_store(store) as url:
        yield url
    store.close()


@pytest.fixture(autouse=True)
def token_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HOMEROOM_CONFIG_DIR", str(tmp_path / "config"))
    previous = keyring.get_keyring()
    if os.environ.get("HOMEROOM_REAL_KEYRING") != "1":
        keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


def run(profile: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["--data-dir", str(profile), *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_login_sync_decide_offline_sync_again_and_logout(
    server_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The teacher's loop; the password and token end up nowhere but the keyring."""
    profile = tmp_path / "profile"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _err = run(profile, capsys, "login", "--server", server_url, "--user", "gvcn")
    assert code == 0 and "Đã đăng nhập" in out
    assert run(profile, capsys, "sync")[0] == 0
    pending = json.loads(
        run(profile, capsys, "leave", "list", "--status", "submitted", "--json")[1]
    )
    plain = next(r for r in pending if not r["special_case"])
    assert run(profile, capsys, "leave", "approve", str(plain["id"]))[0] == 0
    status = json.loads(run(profile, capsys, "status", "--json")[1])
    assert status["pending_intents"] == 1
    code, out, _err = run(profile, capsys, "sync")
    assert code == 0 and "gửi 1 thay đổi" in out
    status = json.loads(run(profile, capsys, "status", "--json")[1])
    assert (status["pending_intents"], status["last_error"]) == (0, "")
    code, out, _err = run(profile, capsys, "sync", "--watch", "--cycles", "2", "--interval", "0")
    assert code == 0 and out.count("Đã đồng bộ") == 2
    shown = json.loads(run(profile, capsys, "leave", "show", str(plain["id"]), "--json")[1])
    assert shown["status"] == "approved" and shown["decided_by"]
    for file in [*profile.iterdir(), *(tmp_path / "config").glob("*")]:
        assert PASSWORD.encode() not in file.read_bytes()
    token = keyring.get_password("homeroom", f"{server_url}|gvcn")
    assert token and all(token.encode() not in f.read_bytes() for f in profile.iterdir())
    assert run(profile, capsys, "logout")[0] == 0
    assert keyring.get_password("homeroom", f"{server_url}|gvcn") is None
    code, _out, err = run(profile, capsys, "sync")  # signing out forgets the account too
    assert code == 2 and "homeroom login" in err


def test_a_wrong_password_is_refused_clearly(
    server_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No token is stored after a failed sign-in."""
    monkeypatch.setattr("sys.stdin", io.StringIO("sai mật khẩu\n"))
    code, _out, err = run(tmp_path / "p", capsys, "login", "--server", server_url, "--user", "gvcn")
    assert code == 4 and "mật khẩu" in err
    assert keyring.get_password("homeroom", f"{server_url}|gvcn") is None


def test_sync_without_login_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile never signed in gets a hint, exit 2."""
    code, _out, err = run(tmp_path / "p", capsys, "sync")
    assert code == 2 and "homeroom login" in err


def received(line: str) -> int:
    found = re.search(r"nhận (\d+)", line)
    assert found, line
    return int(found.group(1))


def test_demo_runs_server_parents_and_syncs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`homeroom demo` syncs the demo class and keeps receiving the simulated parents' work;
    run again on the same profile, it goes on from where it stopped (the server is kept)."""
    profile = tmp_path / "demo"
    demo = ("demo", "--no-window", "--duration", "6", "--interval", "1", "--rate", "5")
    code, out, _err = run(profile, capsys, *demo)
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("Đã đồng bộ")]
    assert len(lines) >= 2 and received(lines[0]) >= 4329
    rows = json.loads(run(profile, capsys, "leave", "list", "--json")[1])
    assert len(rows) > 100
    code, out, _err = run(profile, capsys, *demo)
    again = [line for line in out.splitlines() if line.startswith("Đã đồng bộ")]
    assert code == 0 and again and received(again[0]) < 100
    assert len(json.loads(run(profile, capsys, "leave", "list", "--json")[1])) >= len(rows)


def test_login_without_a_keyring_seals_the_token_under_the_app_password(
    server_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With keyring's fail backend: no app password is a Vietnamese error and nothing stored;
    with one, the token is sealed in the profile and `sync` asks for the app password."""
    from keyring.backends import fail

    from desktop.models.db import DATABASE_FILE, open_database
    from desktop.security import app_password

    keyring.set_keyring(fail.Keyring())  # the autouse fixture restores the previous one
    profile = tmp_path / "profile"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, err = run(profile, capsys, "login", "--server", server_url, "--user", "gvcn")
    assert code == 4 and "mật khẩu ứng dụng" in err and "keyring backend" not in err
    status = json.loads(run(profile, capsys, "status", "--json")[1])
    assert status["server_url"] is None

    database = open_database(profile / DATABASE_FILE)
    with database.transaction() as session:
        app_password.set_password(session, "2468")
    database.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n2468\n"))
    code, out, _err = run(profile, capsys, "login", "--server", server_url, "--user", "gvcn")
    assert code == 0 and "Đã đăng nhập" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    code, out, _err = run(profile, capsys, "sync")
    assert code == 0 and out.startswith("Đã đồng bộ")
    for file in profile.iterdir():
        assert PASSWORD.encode() not in file.read_bytes()
    assert run(profile, capsys, "logout")[0] == 0
    assert json.loads(run(profile, capsys, "status", "--json")[1])["server_url"] is None
