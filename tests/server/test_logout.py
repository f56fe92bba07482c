"""Signing out on the server (issue 11, item 3): ``auth/logout`` ends the refresh token's sign-in
and its access tokens; other sign-ins of the same account go on. Real server on loopback."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.helpers import Api, served, sync_body


def signed_in(api: Api, username: str) -> dict[str, Any]:
    answer = api.login(username)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def sync_with(api: Api, access_token: str, class_id: int) -> httpx.Response:
    return api.http.post(
        "/api/v1/sync",
        json=sync_body(class_id),
        headers={"Authorization": f"Bearer {access_token}"},
    )


def logout(api: Api, refresh_token: str) -> httpx.Response:
    return api.http.post("/api/v1/auth/logout", json={"refresh_token": refresh_token})


def test_logout_ends_the_access_and_the_refresh_token(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        class_id = seeded.small.class_id
        tokens = signed_in(api, "gvcn")
        assert sync_with(api, tokens["access_token"], class_id).status_code == 200
        answer = logout(api, tokens["refresh_token"])
        assert answer.status_code == 204, answer.text
        assert sync_with(api, tokens["access_token"], class_id).status_code == 401
        refreshed = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert refreshed.status_code == 401
        assert refreshed.json()["code"] == "refresh_invalid"


def test_logout_after_a_refresh_ends_the_whole_sign_in(sqlite_url: str) -> None:
    """The client may hold a rotated token's successor: the family ends, not one token."""
    with served(sqlite_url) as (_store, seeded, api):
        first = signed_in(api, "gvcn")
        second = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        ).json()
        assert logout(api, first["refresh_token"]).status_code == 204
        assert sync_with(api, second["access_token"], seeded.small.class_id).status_code == 401
        after = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert after.status_code == 401


def test_logout_leaves_the_accounts_other_devices_signed_in(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, seeded, api):
        laptop, office = signed_in(api, "gvcn"), signed_in(api, "gvcn")
        assert logout(api, laptop["refresh_token"]).status_code == 204
        assert sync_with(api, office["access_token"], seeded.small.class_id).status_code == 200
        again = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": office["refresh_token"]}
        )
        assert again.status_code == 200


def test_a_resent_or_unknown_logout_is_answered_the_same(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        tokens = signed_in(api, "gvcn")
        assert logout(api, tokens["refresh_token"]).status_code == 204
        assert logout(api, tokens["refresh_token"]).status_code == 204
        assert logout(api, "x" * 43).status_code == 204
        assert logout(api, "short").status_code == 422
