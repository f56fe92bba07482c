"""Request bodies are UTF-8 JSON with the documented types, or they are refused whole with a
Vietnamese answer naming the field; an error answer keeps or ends the connection cleanly."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from server import sync as server_sync
from tests.server.helpers import Api, decide, log_size, mutation, served, sync_body

JSON = {"Content-Type": "application/json"}


def _post_raw(api: Api, body: bytes) -> Any:
    return api.http.post("/api/v1/sync", content=body, headers={**api.auth("gvcn"), **JSON})


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-16"),  # with its byte-order mark
        lambda text: text.encode("utf-16-le"),
        lambda text: text.encode("utf-32"),
        lambda text: b"\xef\xbb\xbf" + text.encode(),  # UTF-8 with a byte-order mark
        lambda text: text.encode("cp1258"),  # Windows' Vietnamese code page
    ],
    ids=["utf-16", "utf-16-le", "utf-32", "utf-8-bom", "cp1258"],
)
def test_a_body_not_in_utf8_is_refused_as_not_json(db_url: str, encode: Any) -> None:
    with served(db_url) as (store, seeded, api):
        body = sync_body(seeded.small.class_id, [decide(1, seeded.requests[0], note="Đúng")])
        before = log_size(store)
        answer = _post_raw(api, encode(json.dumps(body, ensure_ascii=False)))
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "code": "invalid_json",
            "message": "Nội dung yêu cầu không phải JSON mã hoá UTF-8; "
            "chưa có thay đổi nào được áp dụng.",
        }
        assert log_size(store) == before
        assert _post_raw(api, json.dumps(body, ensure_ascii=False).encode()).status_code == 200


def test_a_syntax_error_is_not_json_either(db_url: str) -> None:
    with served(db_url) as (_store, _seeded, api):
        answer = _post_raw(api, b'{"protocol": 2,')
        assert answer.status_code == 400
        assert answer.json()["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("cursor", "0"),
        ("class_id", "1"),
        ("protocol", 2.0),
        ("schema_version", True),
        ("mutations.0.seq", "1"),
    ],
)
def test_numbers_must_be_numbers(db_url: str, where: str, value: object) -> None:
    """Lax validation took "5" for 5 and true for 1; a client that sends them has a bug that
    must show, not a sync that half works."""
    with served(db_url) as (store, seeded, api):
        body = sync_body(seeded.small.class_id, [decide(1, seeded.requests[0])])
        if where.startswith("mutations"):
            body["mutations"][0]["seq"] = value
        else:
            body[where] = value
        before = log_size(store)
        answer = api.sync(body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
        assert answer.json()["message"] == (
            f"Yêu cầu không hợp lệ ({where}: phải là số nguyên); chưa có thay đổi nào được áp dụng."
        )
        assert log_size(store) == before


@pytest.mark.parametrize("value", [1760936400, 1760936400.5])
def test_a_client_time_given_as_a_number_is_refused(db_url: str, value: float) -> None:
    with served(db_url) as (store, seeded, api):
        bad = mutation(1, "decide_leave", {"request_id": seeded.requests[0], "approve": True})
        bad["client_time"] = value
        before = log_size(store)
        answer = api.sync(sync_body(seeded.small.class_id, [bad]))
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"] == (
            "Yêu cầu không hợp lệ (mutations.0.client_time: phải là thời điểm viết theo "
            "ISO 8601); chưa có thay đổi nào được áp dụng."
        )
        assert log_size(store) == before


def test_a_parents_dates_are_text_and_the_channel_a_number(db_url: str) -> None:
    with served(db_url) as (_store, _seeded, api):
        good = {
            "first_day": "2025-10-27",
            "last_day": "2025-10-27",
            "reason_category": "illness",
            "reason_text": "Cháu bị sốt",
        }
        for field, value in (("first_day", 20251027), ("channel", "4")):
            answer = api.post("/api/v1/parent/requests", "ph1", json={**good, field: value})
            assert answer.status_code == 422, (field, answer.text)
            assert f"({field}: " in answer.json()["message"]


def _exchange(sock: socket.socket, request: bytes) -> bytes:
    """Send one request and read one whole answer (its headers and Content-Length body)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    head, _sep, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return head


def _request(host: str, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_a_refusal_keeps_the_connection_and_an_unexpected_failure_ends_it_saying_so(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 422 leaves the keep-alive connection usable for the next request; a 500 is whole and
    says ``Connection: close`` before the server closes (before: no such header, and a client
    reusing the connection found it dead)."""
    with served(db_url) as (_store, seeded, api):
        address = urlsplit(str(api.http.base_url))
        host = f"{address.hostname}:{address.port}"
        auth = {**api.auth("gvcn"), **JSON}
        body = json.dumps(sync_body(seeded.small.class_id)).encode()
        with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
            refused = _exchange(sock, _request(host, "POST", "/api/v1/sync", auth, b'{"x": 1}'))
            assert refused.startswith(b"HTTP/1.1 422")
            assert b"connection: close" not in refused.lower()
            served_again = _exchange(sock, _request(host, "POST", "/api/v1/sync", auth, body))
            assert served_again.startswith(b"HTTP/1.1 200")

            def fail(*_args: object) -> None:
                raise RuntimeError("a bug the server did not expect")

            monkeypatch.setattr(server_sync, "handle", fail)
            failed = _exchange(sock, _request(host, "POST", "/api/v1/sync", auth, body))
            assert failed.startswith(b"HTTP/1.1 500")
            assert b"connection: close" in failed.lower()
            assert sock.recv(1) == b""  # then closed, cleanly
        monkeypatch.undo()
        answer = api.sync(sync_body(seeded.small.class_id))
        assert answer.status_code == 200
