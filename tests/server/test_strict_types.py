"""Bodies are UTF-8 JSON with the documented types: no other encoding, no coercion of strings
to numbers or of numbers to times, no naive times, and undecodable JSON is its own 400."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.helpers import Api, mutation, served, sync_body


def _post_raw(api: Api, body: bytes, username: str = "gvcn") -> Any:
    return api.http.post(
        "/api/v1/sync",
        content=body,
        headers={**api.auth(username), "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_a_body_not_in_plain_utf8_is_refused(sqlite_url: str, encoding: str) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        body = json.dumps(sync_body(seeded.small.class_id)).encode(encoding)
        answer = _post_raw(api, body)
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == "invalid_json"
        assert "UTF-8" in answer.json()["message"]
        # The same request in UTF-8 is served.
        assert _post_raw(api, json.dumps(sync_body(seeded.small.class_id)).encode()).is_success


@pytest.mark.parametrize("body", [b"{not json", b'{"cursor": 0', b"\xff\xfe\x00", b"[1,]"])
def test_undecodable_json_is_a_documented_400(sqlite_url: str, body: bytes) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        for answer in (
            _post_raw(api, body),
            api.http.post(
                "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
            ),
        ):
            assert answer.status_code == 400, answer.text
            assert answer.json()["code"] == "invalid_json"
            assert "JSON" in answer.json()["message"]
            assert "không" in answer.json()["message"]  # Vietnamese, not the library's English


def test_numbers_sent_as_strings_are_refused(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        good = sync_body(seeded.small.class_id)
        hostile: dict[str, dict[str, Any]] = {
            "cursor": {**good, "cursor": "0"},
            "class_id": {**good, "class_id": str(seeded.small.class_id)},
            "protocol": {**good, "protocol": str(good["protocol"])},
            "seq": sync_body(
                seeded.small.class_id, [{**mutation(1, "decide_leave", {}), "seq": "1"}]
            ),
            "cursor as a float": {**good, "cursor": 0.0},
            "cursor as a boolean": {**good, "cursor": False},
        }
        for where, body in hostile.items():
            answer = api.sync(body)
            assert answer.status_code == 422, (where, answer.text)
            assert answer.json()["code"] == "invalid_request", where
        grade = {
            "class_id": str(seeded.small.class_id),
            "student_id": seeded.small.student_ids[0],
            "subject_code": "TOAN",
            "semester": 1,
            "kind": "TX",
            "slot": 1,
            "value": "8",
        }
        answer = api.put("/api/v1/subject/grades", "gv-toan", json=grade)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
        assert api.sync(good).status_code == 200


@pytest.mark.parametrize("client_time", [1760922000, 1760922000.5, "2025-10-20T08:00:00"])
def test_a_client_time_that_is_a_number_or_naive_is_refused(
    sqlite_url: str, client_time: object
) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        bad = mutation(1, "decide_leave", {"request_id": seeded.requests[0], "approve": True})
        bad["client_time"] = client_time
        answer = api.sync(sync_body(seeded.small.class_id, [bad]))
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
        assert "client_time" in answer.json()["message"]
        assert answer.json()["message"].startswith("Yêu cầu")
