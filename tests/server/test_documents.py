"""The committed OpenAPI document and the server's Vietnamese catalog are complete and current."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import httpx

from desktop import i18n
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\\{[a-z_]+\\}")


def test_the_committed_openapi_document_is_what_the_server_serves(sqlite_url: str) -> None:
    """Regenerate with: homeroom-server openapi > resources/api/openapi.json"""
    committed = json.loads((ROOT / "resources" / "api" / "openapi.json").read_text("utf-8"))
    with running_server(sqlite_url) as url:
        served = httpx.get(f"{url}/openapi.json", timeout=10).json()
    assert served == committed
    assert "/api/v1/sync" in served["paths"]
    sync = served["paths"]["/api/v1/sync"]["post"]
    assert {"401", "403", "413", "422", "426"} <= set(sync["responses"])


def _server_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "server").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_server_message_has_a_vietnamese_translation() -> None:
    catalog = i18n.catalog("vi")
    messages = _server_messages()
    missing = [f"{where}: {msg!r}" for msg, where in messages.items() if msg not in catalog]
    assert missing == [], "untranslated:\\n" + "\\n".join(missing)
    wrong = [
        msg
        for msg in messages
        if sorted(PLACEHOLDER.findall(msg)) != sorted(PLACEHOLDER.findall(catalog[msg]))
    ]
    assert wrong == []
