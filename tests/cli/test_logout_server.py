"""`homeroom logout` ends the sign-in on the server (issue 11, item 3), and still forgets it on
this computer when the server cannot be reached. Real reference server on loopback."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import pytest

from desktop.cli.main import main
from desktop.sync.memory_keyring import MemoryKeyring
from server.seed import seed_demo
from server.serving import serve_store
from server.store import Store, open_store

PASSWORD = "Mật-khẩu-thử-42"
NOT_TOLD = "Không báo được cho máy chủ"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    seed_demo(opened, seed=2025, password=PASSWORD)
    yield opened
    opened.close()


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


def signed_in_token(
    url: str, profile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _out, err = run(profile, capsys, "login", "--server", url, "--user", "gvcn")
    assert code == 0, err
    token = keyring.get_password("homeroom", f"{url}|gvcn")
    assert token is not None
    return token


def test_logout_ends_the_sign_in_on_the_server(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile = tmp_path / "profile"
    with serve_store(store) as url:
        token = signed_in_token(url, profile, capsys, monkeypatch)
        code, out, _err = run(profile, capsys, "logout")
        assert code == 0 and NOT_TOLD not in out
        assert keyring.get_password("homeroom", f"{url}|gvcn") is None
        refreshed = httpx.post(f"{url}/api/v1/auth/refresh", json={"refresh_token": token})
        assert refreshed.status_code == 401
        assert refreshed.json()["code"] == "refresh_invalid"


def test_logout_offline_still_forgets_the_sign_in_here_and_says_so(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile = tmp_path / "profile"
    with serve_store(store) as url:
        token = signed_in_token(url, profile, capsys, monkeypatch)
    code, out, _err = run(profile, capsys, "logout")
    assert code == 0 and NOT_TOLD in out and "Đã đăng xuất" in out
    assert keyring.get_password("homeroom", f"{url}|gvcn") is None
    code, _out, err = run(profile, capsys, "sync")
    assert code == 2 and "homeroom login" in err
    # Nobody told it: on the server the sign-in lives on until it expires.
    with serve_store(store) as url_again:
        # A new port: the token was issued by the same database, so it still refreshes.
        refreshed = httpx.post(f"{url_again}/api/v1/auth/refresh", json={"refresh_token": token})
        assert refreshed.status_code == 200
