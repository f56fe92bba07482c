"""The commands on an encrypted profile: a plain one is encrypted by the first command, the
class's names never appear in the file, and a password-wrapped key is asked for at the terminal.

With ``HOMEROOM_REAL_KEYRING=1`` the key goes to the real Secret Service; otherwise to an
in-memory backend.
"""

from __future__ import annotations

import io
import json
import os
import pty
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from desktop.models import profile_key
from desktop.models.db import DATABASE_FILE, SQLITE_HEADER
from desktop.models.encryption import open_profile
from desktop.sync.memory_keyring import MemoryKeyring
from server.seed import seed_demo
from server.serving import serve_store
from server.store import open_store
from tests.cli.conftest import Run

ROOT = Path(__file__).resolve().parents[2]
SERVER_PASSWORD = "Mật-khẩu-thử-42"
APP_PASSWORD = "Mật khẩu 2026"


@pytest.fixture(autouse=True)
def os_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    if os.environ.get("HOMEROOM_REAL_KEYRING") != "1":
        keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('server') / 'server.sqlite3'}")
    seed_demo(store, seed=2025, password=SERVER_PASSWORD)
    with serve_store(store) as url:
        yield url
    store.close()


def names_of(profile: Path) -> list[bytes]:
    from sqlalchemy import select

    from desktop.models import Guardian, Student

    database = open_profile(profile / DATABASE_FILE, password=APP_PASSWORD)
    try:
        with database.reading() as session:
            names = [*session.scalars(select(Student.full_name))]
            names += session.scalars(select(Guardian.full_name))
    finally:
        database.close()
    return [name.encode("utf-8") for name in names]


def in_clear(profile: Path, names: list[bytes]) -> list[str]:
    return [
        entry.name
        for entry in profile.rglob("*")
        if entry.is_file() and any(name in entry.read_bytes() for name in names)
    ]


def test_the_first_command_encrypts_the_profile_and_the_next_ones_work_on_it(
    profile: Path, run: Run, tmp_path: Path
) -> None:
    path = profile / DATABASE_FILE
    assert path.read_bytes().startswith(SQLITE_HEADER)
    listed = run("leave", "list", "--json")
    assert listed.code == 0, listed.err

    assert not path.read_bytes().startswith(SQLITE_HEADER)
    sidecar = profile_key.read_sidecar(path)
    assert sidecar is not None and sidecar.custody == "keyring"
    names = names_of(profile)
    assert len(names) > 5 and in_clear(profile, names) == []
    assert run("leave", "list", "--json").json() == listed.json()
    exported = tmp_path / "class.json"
    assert run("export", str(exported)).code == 0
    assert json.loads(exported.read_text(encoding="utf-8"))  # the export itself is readable
    verified = run("log", "verify")
    assert verified.code == 0, verified.err


def test_login_and_sync_against_the_server_make_an_encrypted_profile(
    server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "fresh"
    monkeypatch.setattr("sys.stdin", io.StringIO(SERVER_PASSWORD + "\n"))

    def here(*args: str) -> int:
        from desktop.cli.main import main

        try:
            return main(["--data-dir", str(profile), *args])
        except SystemExit as exit_:
            return int(exit_.code or 0)

    assert here("login", "--server", server_url, "--user", "gvcn") == 0
    assert here("sync") == 0
    path = profile / DATABASE_FILE
    assert not path.read_bytes().startswith(SQLITE_HEADER)
    names = names_of(profile)
    assert len(names) > 40 and in_clear(profile, names) == []
    assert here("sync") == 0


def test_without_a_keyring_the_commands_leave_the_profile_plain_and_ask_nothing(
    profile: Path, run: Run
) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # the autouse fixture puts the previous one back

    listed = run("leave", "list")

    assert listed.code == 0, listed.err
    assert (profile / DATABASE_FILE).read_bytes().startswith(SQLITE_HEADER)
    assert profile_key.read_sidecar(profile / DATABASE_FILE) is None


def test_a_password_wrapped_profile_with_no_terminal_says_how_to_run(
    profile: Path, run: Run
) -> None:
    open_profile(profile / DATABASE_FILE, password=APP_PASSWORD, use_keyring=False).close()
    untouched = (profile / DATABASE_FILE).read_bytes()

    refused = run("leave", "list")

    assert refused.code != 0
    assert "không có cửa sổ dòng lệnh để hỏi mật khẩu" in refused.err
    assert (profile / DATABASE_FILE).read_bytes() == untouched


def command_on_a_terminal(profile: Path, typed: str, *args: str) -> tuple[int, str]:
    """Run ``homeroom`` with a pseudo-terminal as its controlling terminal, answer the password
    prompt once it is shown, and return the exit code and everything it wrote."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.chdir(ROOT)
        os.execv(
            sys.executable,
            [sys.executable, "-m", "desktop.cli.main", "--data-dir", str(profile), *args],
        )
    said = b""
    while "Mật khẩu ứng dụng: ".encode() not in said:
        chunk = os.read(terminal, 4096)
        assert chunk, said.decode("utf-8", "replace")
        said += chunk
    os.write(terminal, typed.encode("utf-8") + b"\n")
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child has gone: Linux reports EIO on the pty
            break
        if not chunk:
            break
        said += chunk
    _pid, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), said.decode("utf-8", "replace")


@pytest.mark.parametrize(("typed", "opens"), [(APP_PASSWORD, True), ("sai mật khẩu", False)])
def test_a_password_wrapped_profile_asks_at_the_terminal(
    profile: Path, typed: str, opens: bool
) -> None:
    open_profile(profile / DATABASE_FILE, password=APP_PASSWORD, use_keyring=False).close()

    code, said = command_on_a_terminal(profile, typed, "leave", "list")

    assert typed not in said  # not echoed
    if opens:
        assert code == 0, said
    else:
        assert code != 0 and "Mật khẩu ứng dụng không đúng" in said
