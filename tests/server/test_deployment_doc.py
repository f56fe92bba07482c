"""docs/deployment.md's systemd unit runs a command the CLI accepts, with the options the page
explains: several workers, loopback only, the proxy named, the proxy pointing at that port."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from server.cli import parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_the_unit_s_exec_start_is_a_valid_serve_command() -> None:
    text = DOC.read_text(encoding="utf-8")
    (line,) = re.findall(r"^ExecStart=(.+)$", text, flags=re.MULTILINE)
    words = shlex.split(line)
    assert Path(words[0]).name == "homeroom-server"
    args = parser().parse_args(words[1:])
    assert args.command == "serve"
    assert args.workers >= 2
    assert args.host == "127.0.0.1"
    assert args.trusted_proxy == ["127.0.0.1"]
    assert args.db is None, "the database URL (with its password) belongs in the environment file"
    assert f"proxy_pass http://127.0.0.1:{args.port};" in text
    assert f"reverse_proxy 127.0.0.1:{args.port}" in text
    assert "HOMEROOM_SERVER_DB=" in text
