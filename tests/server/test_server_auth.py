"""Login, tokens (hashed, expiring, revocable), devices, password reset, disabled accounts, login rate limits."""

from __future__ import annotations

import uuid

from server_support import PASSWORD, Api, ServerEnv
from sqlalchemy import select, text, update

from inspector.server.auth import set_active, set_password
from inspector.server.models import Token, User


def _login_body(username: str, password: str = PASSWORD, device_id: str | None = None) -> dict[str, str]:
    return {"username": username, "password": password, "device_id": device_id or str(uuid.uuid4())}


def test_login_returns_a_token_that_is_stored_only_hashed(api: Api, env: ServerEnv) -> None:
    response = api.post("/api/v1/auth/login", json={**_login_body("slt-ins"), "device_name": "三里屯-03"})
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("ins1_") and body["token_type"] == "bearer"
    assert body["user"]["roles"] == ["inspector"]
    assert body["user"]["jurisdictions"] == [{"code": "110105004000000", "name": "三里屯街道", "short_name": "三里屯"}]
    assert body["device"]["name"] == "三里屯-03"
    with env.db.read() as session:
        stored = list(session.scalars(select(Token.token_hash)))
        dump = " ".join(str(v) for row in session.execute(text("SELECT * FROM tokens")) for v in row)
    assert len(stored) == 1 and body["token"] not in dump
    me = Api(api.http, body["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["user"]["username"] == "slt-ins"


def test_wrong_password_and_unknown_user_look_the_same(api: Api) -> None:
    wrong = api.post("/api/v1/auth/login", json=_login_body("slt-ins", "not-the-password"))
    unknown = api.post("/api/v1/auth/login", json=_login_body("nobody", "not-the-password"))
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"] == "login_failed"
    assert wrong.json()["message"] == unknown.json()["message"]


def test_logout_ends_the_token(api: Api) -> None:
    user = api.login("slt-ins")
    assert user.post("/api/v1/auth/logout").status_code == 204
    after = user.get("/api/v1/me")
    assert after.status_code == 401 and after.json()["error"] == "token_invalid"


def test_an_expired_token_is_refused_with_token_expired(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    with env.db.write() as session:
        session.execute(update(Token).values(expires_at="2020-01-01T00:00:00.000Z"))
    response = user.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"] == "token_expired"


def test_admin_revokes_a_lost_laptop_and_its_next_request_is_refused(api: Api) -> None:
    inspector = api.login("slt-ins")
    assert inspector.get("/api/v1/me").status_code == 200
    admin = api.login("admin")
    devices = admin.get("/api/v1/devices?all=true").json()["items"]
    laptop = next(d for d in devices if d["user"]["username"] == "slt-ins")
    revoked = admin.post(f"/api/v1/devices/{laptop['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = inspector.get("/api/v1/me")
    assert refused.status_code == 401 and refused.json()["error"] == "token_revoked"
    # logging in again makes a fresh session on that device
    again = api.login("slt-ins", device_id=inspector.device_id)
    assert again.get("/api/v1/me").status_code == 200


def test_only_the_owner_or_an_admin_in_scope_may_revoke(api: Api) -> None:
    owner = api.login("slt-ins")
    device_id = owner.get("/api/v1/me").json()["device"]["id"]
    other_inspector = api.login("jw-ins")
    assert other_inspector.post(f"/api/v1/devices/{device_id}/revoke").status_code == 404
    assert other_inspector.get("/api/v1/devices?all=true").status_code == 403
    foreign_admin = api.login("jw-admin")  # admin of 建外 only
    assert foreign_admin.post(f"/api/v1/devices/{device_id}/revoke").status_code == 404
    listed = foreign_admin.get("/api/v1/devices?all=true").json()["items"]
    assert all(d["user"]["username"] != "slt-ins" for d in listed)
    own = owner.post(f"/api/v1/devices/{device_id}/revoke")
    assert own.status_code == 200
    assert owner.get("/api/v1/me").json()["error"] == "token_revoked"


def test_password_reset_and_disabling_end_sessions(api: Api, env: ServerEnv) -> None:
    first = api.login("slt-ins")
    second = api.login("slt-sup")
    with env.db.write() as session:
        set_password(session, env.settings, "slt-ins", "a-new-password")
        set_active(session, "slt-sup", False)
    assert first.get("/api/v1/me").json()["error"] == "token_revoked"
    assert second.get("/api/v1/me").json()["error"] == "token_revoked"
    assert api.post("/api/v1/auth/login", json=_login_body("slt-ins")).status_code == 401
    assert api.login("slt-ins", "a-new-password").get("/api/v1/me").status_code == 200
    disabled = api.post("/api/v1/auth/login", json=_login_body("slt-sup"))
    assert disabled.status_code == 403 and disabled.json()["error"] == "account_disabled"


def test_failed_logins_are_rate_limited_per_username(api: Api, env: ServerEnv) -> None:
    limit = env.settings.login_max_failures_per_user
    for _ in range(limit):
        assert api.post("/api/v1/auth/login", json=_login_body("slt-ins", "wrong-password")).status_code == 401
    blocked = api.post("/api/v1/auth/login", json=_login_body("slt-ins"))  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "rate_limited"
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= env.settings.login_window_seconds
    assert blocked.json()["retry_after"] == retry_after
    assert api.post("/api/v1/auth/login", json=_login_body("slt-sup")).status_code == 200  # other users are fine


def test_failed_logins_are_rate_limited_per_address(api: Api, env: ServerEnv) -> None:
    limit = env.settings.login_max_failures_per_address
    for index in range(limit):
        response = api.post("/api/v1/auth/login", json=_login_body(f"guess-{index}", "wrong-password"))
        assert response.status_code == 401
    blocked = api.post("/api/v1/auth/login", json=_login_body("slt-ins"))
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_a_successful_login_clears_the_username_count(api: Api, env: ServerEnv) -> None:
    for _ in range(env.settings.login_max_failures_per_user - 1):
        api.post("/api/v1/auth/login", json=_login_body("slt-ins", "wrong-password"))
    api.login("slt-ins")
    for _ in range(env.settings.login_max_failures_per_user - 1):
        assert api.post("/api/v1/auth/login", json=_login_body("slt-ins", "wrong-password")).status_code == 401
    assert api.post("/api/v1/auth/login", json=_login_body("slt-ins")).status_code == 200
    with env.db.read() as session:
        assert session.scalar(select(User.active).where(User.username == "slt-ins")) is True
