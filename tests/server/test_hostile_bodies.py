"""Hostile bodies cost little: the token is checked before a body is read, each endpoint has its
own size limit, and the JSON's nesting and element count are bounded before it is parsed."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from typing import Any

import pytest

from desktop import i18n
from server import body
from server.app import create_app
from server.body import BodyMiddleware
from tests.server.helpers import served, sync_body

EIGHT_MIB = 8 * 1024 * 1024 - 64


def _empty_objects(size: int) -> bytes:
    """A JSON list of ``{}`` about ``size`` bytes long: millions of objects once parsed."""
    return b"[" + b"{}," * ((size - 4) // 3) + b"{}]"


def _vietnamese(message: str) -> bool:
    """``message`` is one of the Vietnamese catalogue's, its placeholders filled in."""
    return any(
        re.fullmatch(re.sub(r"\\\{[a-z_]+\\\}", ".+", re.escape(text)), message)
        for text in i18n.catalog("vi").values()
    )


def test_an_unauthenticated_gzip_bomb_is_refused_before_it_is_inflated(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    inflated: list[int] = []
    feed = body.Inflater.feed

    def counting(self: body.Inflater, data: bytes) -> None:
        inflated.append(len(data))
        feed(self, data)

    monkeypatch.setattr(body.Inflater, "feed", counting)
    bomb = gzip.compress(_empty_objects(EIGHT_MIB), compresslevel=9)
    assert len(bomb) < 64 * 1024
    with served(sqlite_url) as (_store, _seeded, api):
        for token in (None, "not-a-token"):
            headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            answer = api.http.post("/api/v1/sync", content=bomb, headers=headers)
            assert answer.status_code == 401
            assert _vietnamese(answer.json()["message"])
    assert inflated == []


def test_a_login_body_of_100_kib_is_too_large(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        answer = api.http.post(
            "/api/v1/auth/login",
            json={"username": "gvcn", "password": "x" * 100 * 1024},
        )
        assert answer.status_code == 413
        assert answer.json()["code"] == "body_too_large"
        assert _vietnamese(answer.json()["message"])
        refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": "y" * 100_000})
        assert refresh.status_code == 413
        assert api.login("gvcn").status_code == 200


@pytest.mark.parametrize("gzipped", [False, True])
def test_deep_nesting_and_millions_of_objects_are_refused_with_a_problem(
    sqlite_url: str, gzipped: bool
) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        good = sync_body(seeded.small.class_id)
        deep = json.dumps({**good, "mutations": []})[:-1].encode()
        deep += b', "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
        # Forty deep: few containers, refused for its depth alone.
        nested = json.dumps({**good, "mutations": []})[:-1].encode()
        nested += b', "x": ' + b"[" * 40 + b"]" * 40 + b"}"
        for hostile in (deep, nested, _empty_objects(EIGHT_MIB)):
            headers = {**api.auth("gvcn"), "Content-Type": "application/json"}
            content = hostile
            if gzipped:
                content = gzip.compress(hostile)
                headers["Content-Encoding"] = "gzip"
            answer = api.http.post("/api/v1/sync", content=content, headers=headers)
            assert answer.status_code in (400, 422), answer.text[:200]
            assert answer.json()["code"] == "body_too_complex"
            assert _vietnamese(answer.json()["message"])
        # Brackets and commas inside strings do not count: a reason text may hold them.
        assert api.sync({**good, "mutations": []}).status_code == 200


def test_the_json_check_ignores_what_strings_hold() -> None:
    text = json.dumps({"a": "[[[[" * 10_000 + ",,,," * 100_000, "b": [1, 2, {"c": '"\\'}]})
    assert body.json_shape(text.encode()) == body.Shape(depth=3, containers=3, elements=6)
    # An unterminated string is scanned once, not once per quote.
    assert body.json_shape(b'"' + b'\\"' * 1_000_000).containers == 0


def _two_at_once(headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    """With one decoding slot, a second body arrives while a first is still being read."""

    async def scenario() -> list[dict[str, Any]]:
        reached = asyncio.Event()
        release = asyncio.Event()

        async def endpoint(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

        middleware = BodyMiddleware(endpoint, limits=body.Limits(default=1024), slots=1)
        scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers}

        async def slow() -> dict[str, Any]:
            reached.set()
            await release.wait()
            return {"type": "http.request", "body": b"{}", "more_body": False}

        async def quick() -> dict[str, Any]:
            return {"type": "http.request", "body": b"{}", "more_body": False}

        sent: list[dict[str, Any]] = []

        async def collect(message: dict[str, Any]) -> None:
            sent.append(message)

        first = asyncio.create_task(middleware(scope, slow, collect))
        await reached.wait()
        await middleware(scope, quick, collect)
        release.set()
        await first
        return sent

    return asyncio.run(scenario())


def test_bodies_over_the_decoding_bound_get_503_with_retry_after() -> None:
    """One slot: while a body of unknown length is being read, a second is answered 503 at
    once."""
    sent = _two_at_once([(b"transfer-encoding", b"chunked")])
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [503, 200]
    assert (b"retry-after", b"1") in starts[0]["headers"]
    refused = json.loads(next(m["body"] for m in sent if m["type"] == "http.response.body"))
    assert refused["code"] == "busy" and _vietnamese(refused["message"])


def test_small_plain_bodies_need_no_decoding_slot() -> None:
    """A burst of ordinary syncs (a few hundred bytes, not compressed) is never answered busy:
    50 devices at once used to get 503 and a closed connection past the eighth."""
    sent = _two_at_once([(b"content-length", b"2")])
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [200, 200]


def test_the_openapi_document_lists_the_body_answers() -> None:
    paths = create_app(None).openapi()["paths"]
    assert {"413", "422"} <= set(paths["/api/v1/auth/login"]["post"]["responses"])
    assert {"400", "401", "413", "503"} <= set(paths["/api/v1/sync"]["post"]["responses"])


def test_a_signed_in_bomb_stops_after_its_first_few_hundred_kb() -> None:
    inflater = body.Inflater(EIGHT_MIB)
    with pytest.raises(body._Refuse) as refused:
        inflater.feed(gzip.compress(_empty_objects(EIGHT_MIB), compresslevel=9), body.Tally())
    assert refused.value.problem.code == "body_too_complex"
    assert inflater.size < 512 * 1024
