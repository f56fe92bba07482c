"""Sign-in, the rate limit, token expiry, and refresh-token rotation with reuse detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.auth import hash_password, token_hash, verify_password
from server.tables import AccessToken, RefreshToken
from tests.server.helpers import PASSWORD, TODAY, served


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("bí mật"), hash_password("bí mật")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_password("bí mật", first) and not verify_password("bi mat", first)
    assert not verify_password("bí mật", "md5$whatever")


def test_login_answers_tokens_and_the_accounts_classes(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, seeded, api):
        answer = api.login("GVCN")  # user names are not case-sensitive
        assert answer.status_code == 200, answer.text
        tokens = answer.json()
        assert tokens["role"] == "homeroom"
        assert tokens["class_ids"] == [seeded.small.class_id]
        assert tokens["display_name"] == "Trần Thị Hồng Nhung"
        assert tokens["expires_in"] == 900
        assert len(tokens["access_token"]) == 43
        with store.read() as session:
            stored = session.scalars(select(AccessToken.token_hash)).all()
        # Only hashes are kept.
        assert token_hash(tokens["access_token"]) in stored
        assert tokens["access_token"] not in stored
        principal = api.login("hieutruong").json()
        assert principal["class_ids"] == sorted([seeded.small.class_id, seeded.other_class_id])
        assert api.login("ph1").json()["class_ids"] == [seeded.small.class_id]


def test_wrong_password_and_unknown_user_answer_the_same(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        wrong = api.login("gvcn", "sai")
        unknown = api.login("không-có", "sai")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["code"] == "bad_credentials"
        assert wrong.json()["message"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_five_failures_lock_the_user_name_for_a_while(sqlite_url: str) -> None:
    """After 5 failures in 5 minutes even the right password gets 429 with Retry-After;
    another user from another address is not affected."""
    with served(sqlite_url) as (_store, _seeded, api):
        for _ in range(5):
            assert api.login("gvcn", "sai").status_code == 401
        locked = api.login("gvcn", PASSWORD)
        assert locked.status_code == 429
        assert locked.json()["code"] == "too_many_attempts"
        assert 0 < int(locked.headers["Retry-After"]) <= 300
        assert api.login("gvcn2").status_code == 200


def test_an_expired_or_unknown_access_token_is_refused(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, _seeded, api):
        token = api.token("gvcn")
        with store.write() as session:
            row = session.get_one(AccessToken, token_hash(token))
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        answer = api.http.get(
            "/api/v1/parent/requests", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        forged = api.http.get("/api/v1/parent/requests", headers={"Authorization": "Bearer x"})
        assert forged.status_code == 401


def test_refresh_rotates_and_a_reused_token_ends_the_sign_in(sqlite_url: str) -> None:
    with served(sqlite_url) as (store, _seeded, api):
        first = api.login("gvcn").json()
        second = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert second.status_code == 200
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]
        assert rotated["access_token"] != first["access_token"]
        # Presented again at once (its answer lost): the same pair, not a new one.
        again = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert again.status_code == 200
        assert again.json()["refresh_token"] == rotated["refresh_token"]
        third = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
        ).json()
        # The first refresh token's successor was used: presenting it again means it leaked.
        reused = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert reused.status_code == 401
        assert reused.json()["code"] == "refresh_reused"
        # The whole family is revoked: the newest refresh token and its access token too.
        after = api.http.post(
            "/api/v1/auth/refresh", json={"refresh_token": third["refresh_token"]}
        )
        assert after.status_code == 401
        answer = api.http.get(
            "/api/v1/parent/requests",
            headers={"Authorization": f"Bearer {third['access_token']}"},
        )
        assert answer.status_code == 401
        with store.read() as session:
            rows = session.scalars(select(RefreshToken)).all()
        assert all(row.revoked_at is not None for row in rows)
        # Signing in again starts a new family.
        assert api.login("gvcn").status_code == 200


def test_ping_needs_no_sign_in(sqlite_url: str) -> None:
    with served(sqlite_url) as (_store, _seeded, api):
        ping = api.http.get("/api/v1/ping")
        assert ping.status_code == 200
        body = ping.json()
        assert body["protocol"] == 2 and body["schema_version"] == 3
        # The real clock, even on a server fixed on a demo school day: clients measure skew.
        moment = datetime.fromisoformat(body["server_time"])
        assert abs((moment - datetime.now(UTC)).total_seconds()) < 60
        # ...and the school day the rules are applied for, which simulators and clients use.
        assert body["school_today"] == TODAY.isoformat()
