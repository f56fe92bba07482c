"""Who may reach what: every role against every kind of endpoint, in one table."""

from __future__ import annotations

import httpx
import pytest

from tests.server.helpers import Api, Seeded, served, sync_body

ROLES = ["gvcn", "gvcn2", "hieutruong", "gv-toan", "ph1"]


def calls(seeded: Seeded) -> dict[str, tuple[str, str, dict[str, object]]]:
    own = seeded.small.class_id
    return {
        "sync own class": ("POST", "/api/v1/sync", {"json": sync_body(own)}),
        "sync other class": ("POST", "/api/v1/sync", {"json": sync_body(seeded.other_class_id)}),
        "parent requests": ("GET", "/api/v1/parent/requests", {}),
        "subject list": ("GET", "/api/v1/subject/subjects", {}),
        "own subject grades": (
            "GET",
            f"/api/v1/subject/classes/{own}/subjects/TOAN/grades",
            {"params": {"semester": 1}},
        ),
        "other subject grades": (
            "GET",
            f"/api/v1/subject/classes/{own}/subjects/GDQP/grades",
            {"params": {"semester": 1}},
        ),
        "own subject review": ("GET", f"/api/v1/subject/classes/{own}/subjects/TOAN/review", {}),
        "other subject review": (
            "GET",
            f"/api/v1/subject/classes/{own}/subjects/GDQP/review",
            {},
        ),
        "principal classes": ("GET", "/api/v1/principal/classes", {}),
        "principal completeness": ("GET", f"/api/v1/principal/classes/{own}/completeness", {}),
    }


ALLOWED = {
    "sync own class": {"gvcn"},
    "sync other class": {"gvcn2"},
    "parent requests": {"ph1"},
    "subject list": set(ROLES),  # each sees only what they teach: see the test below
    "own subject grades": {"gv-toan"},
    "other subject grades": set(),
    "own subject review": {"gv-toan"},
    "other subject review": set(),
    "principal classes": {"hieutruong"},
    "principal completeness": {"hieutruong"},
}


def call(
    api: Api, who: str | None, method: str, path: str, options: dict[str, object]
) -> httpx.Response:
    headers = api.auth(who) if who else {}
    return api.http.request(method, path, headers=headers, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("endpoint", list(ALLOWED))
def test_each_role_reaches_only_its_own(sqlite_url: str, endpoint: str) -> None:
    """Allowed roles get 2xx; every other role 403 (or 404 hiding another's record);
    no token at all 401."""
    with served(sqlite_url) as (_store, seeded, api):
        method, path, options = calls(seeded)[endpoint]
        outcome = {who: call(api, who, method, path, options).status_code for who in ROLES}
        allowed = {who for who, status in outcome.items() if 200 <= status < 300}
        assert allowed == ALLOWED[endpoint], outcome
        assert all(outcome[who] in (403, 404) for who in ROLES if who not in allowed), outcome
        assert call(api, None, method, path, options).status_code == 401


def test_the_subject_list_shows_only_what_each_one_teaches(sqlite_url: str) -> None:
    """Any signed-in user may ask; only the maths teacher's answer holds anything."""
    with served(sqlite_url) as (_store, _seeded, api):
        taught = {who: api.get("/api/v1/subject/subjects", who).json() for who in ROLES}
        assert [s["subject_code"] for s in taught["gv-toan"]] == ["TOAN"]
        assert all(taught[who] == [] for who in ROLES if who != "gv-toan")
