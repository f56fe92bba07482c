"""Signing out on the server (issue 11, item 3): ``auth/logout`` ends the refresh token's sign-in
and its access tokens; other sign-ins of the same account go on. Real server on loopback."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.helpers import PASSWORD, Api, served, sync_body


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


def revoke(api: Api, username: str, by: str = "hieutruong") -> httpx.Response:
    return api.post(f"/api/v1/principal/accounts/{username}/sign-out", by)


def test_the_principal_ends_every_sign_in_of_a_lost_pcs_teacher(sqlite_url: str) -> None:
    device = {"X-Homeroom-Device": "the-lost-laptop-key-0123456789"}
    with served(sqlite_url) as (_store, seeded, api):
        lost = api.http.post(
            "/api/v1/auth/login", json={"username": "gvcn", "password": PASSWORD}, headers=device
        ).json()
        office = signed_in(api, "gvcn")
        colleague = signed_in(api, "gvcn2")
        assert revoke(api, "GVCN").status_code == 204
        for tokens in (lost, office):
            assert sync_with(api, tokens["access_token"], seeded.small.class_id).status_code == 401
            again = api.http.post(
                "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            )
            assert again.status_code == 401
        assert sync_with(api, colleague["access_token"], seeded.other_class_id).status_code == 200
        # The lost PC's key no longer vouches: strangers' failures hold it back like anyone.
        for _ in range(5):
            assert api.login("gvcn", "sai").status_code == 401
        relogin = api.http.post(
            "/api/v1/auth/login", json={"username": "gvcn", "password": PASSWORD}, headers=device
        )
        assert relogin.status_code == 429


def test_only_the_principal_ends_sign_ins_and_only_of_staff(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        assert revoke(api, "gvcn2", by="gvcn").status_code == 403
        assert revoke(api, "ph1").status_code == 404
        unknown = revoke(api, "không-có")
        assert unknown.status_code == 404
        assert unknown.json()["message"] == "Trường của thầy/cô không có tài khoản cán bộ không-có."
        assert api.http.post("/api/v1/principal/accounts/gvcn/sign-out").status_code == 401
