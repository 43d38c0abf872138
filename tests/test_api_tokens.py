"""API tokens: issuing with the sign-in's rules and limits, listing, revoking, expiry; no cookies; CSRF stays on
for the web while the API works without it; errors as JSON in the caller's language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinerja import clock
from kinerja.extensions import db
from kinerja.models.api import ApiToken
from tests import factories

PASSWORD = factories.PASSWORD


def issue(client, identifier: dict, password: str = PASSWORD, **headers):
    return client.post("/api/v1/tokens", json={**identifier, "password": password, "name": "HP Android"},
                       headers=headers)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_token_with_nip_authenticates_and_stores_only_a_hash(client, org):
    response = issue(client, {"nip": org.staff_a.id_number})
    assert response.status_code == 201
    body = response.get_json()
    stored = db.session.get(ApiToken, body["id"])
    assert stored.prefix == body["token"][:8] and body["token"] not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(days=30)
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.get_json()["employee"]["nip"] == org.staff_a.id_number


def test_admin_gets_a_token_with_username(client, org):
    response = issue(client, {"username": "admin.bkd"})
    assert response.status_code == 201
    assert client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).get_json()["employee"] is None


def test_wrong_password_is_401_as_json(client, org):
    response = issue(client, {"nip": org.staff_a.id_number}, password="salah-sekali")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_sign_in_limit_per_account_gives_429(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    for _attempt in range(3):
        assert issue(client, {"nip": org.staff_a.id_number}, password="salah").status_code == 401
    locked = issue(client, {"nip": org.staff_a.id_number})
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "rate_limited"
    assert issue(client, {"nip": org.staff_b.id_number}).status_code == 201


def test_web_and_api_share_the_sign_in_failure_budget(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "3 per 15 minutes")
    for _attempt in range(2):
        client.post("/masuk", data={"identifier": org.staff_a.id_number, "password": "salah"})
    assert issue(client, {"nip": org.staff_a.id_number}, password="salah").status_code == 401
    assert issue(client, {"nip": org.staff_a.id_number}).status_code == 429


def test_disabled_account_is_refused(client, org):
    user = org.user(org.staff_a)
    user.is_enabled = False
    db.session.commit()
    assert issue(client, {"nip": org.staff_a.id_number}).status_code == 401


def test_must_change_password_gets_a_clear_code(client, org):
    org.user(org.staff_a).must_change_password = True
    db.session.commit()
    response = issue(client, {"nip": org.staff_a.id_number})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_change_required"


def test_validation_names_the_field_in_the_callers_language(client, org):
    response = client.post("/api/v1/tokens", json={"nip": "1"}, headers={"Accept-Language": "id"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["password"] == "Wajib diisi." and "name" in error["fields"]


def test_messages_follow_accept_language(client, org):
    indonesian = client.get("/api/v1/me").get_json()["error"]["message"]
    english = client.get("/api/v1/me", headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()["error"]
    assert english["code"] == "unauthorized"
    assert indonesian.startswith("Token tidak ada")


def make_token(client, employee_or_identity) -> tuple[int, str]:
    body = issue(client, employee_or_identity).get_json()
    return body["id"], body["token"]


def test_list_shows_own_active_and_expired_tokens(client, org):
    first_id, _expired = make_token(client, {"nip": org.staff_a.id_number})
    second_id, live = make_token(client, {"nip": org.staff_a.id_number})
    make_token(client, {"nip": org.staff_b.id_number})
    db.session.get(ApiToken, first_id).expires_at = clock.utcnow() - timedelta(minutes=1)
    db.session.commit()
    body = client.get("/api/v1/tokens?per_page=1", headers=bearer(live)).get_json()
    assert body["total"] == 2 and body["pages"] == 2 and len(body["items"]) == 1
    everything = client.get("/api/v1/tokens", headers=bearer(live)).get_json()["items"]
    assert {(item["id"], item["expired"]) for item in everything} == {(first_id, True), (second_id, False)}
    assert "token" not in everything[0]


def test_expired_token_is_401(client, org):
    token_id, secret = make_token(client, {"nip": org.staff_a.id_number})
    db.session.get(ApiToken, token_id).expires_at = clock.utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_revoked_token_is_401(client, org):
    token_id, secret = make_token(client, {"nip": org.staff_a.id_number})
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(secret)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert db.session.get(ApiToken, token_id).revoked_by_id == org.user(org.staff_a).id


@pytest.mark.parametrize(("revoker", "status"), [
    ("staff_b", 404),          # another person
    ("agency_admin_b", 404),   # admin of another agency
    ("agency_admin_a", 204),   # admin of the owner's agency
    ("bkd", 204),
])
def test_who_may_revoke_someone_elses_token(client, org, revoker, status):
    from kinerja.models import Role

    token_id, _secret = make_token(client, {"nip": org.staff_a.id_number})
    factories.UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])
    db.session.commit()
    identity = {"staff_b": {"nip": org.staff_b.id_number}, "agency_admin_b": {"username": "admin.b"},
                "agency_admin_a": {"username": "admin.a"}, "bkd": {"username": "admin.bkd"}}[revoker]
    _id, secret = make_token(client, identity)
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(secret))
    assert response.status_code == status
    assert (db.session.get(ApiToken, token_id).revoked_at is not None) is (status == 204)


def test_last_used_is_noted_at_most_once_a_minute(client, org):
    token_id, secret = make_token(client, {"nip": org.staff_a.id_number})
    client.get("/api/v1/me", headers=bearer(secret))
    first = db.session.get(ApiToken, token_id).last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at == first


def test_no_cookie_on_any_api_response_and_session_does_not_authenticate(client, auth, org):
    assert auth.login(org.staff_a.id_number).status_code == 302
    assert client.get("/api/v1/me").status_code == 401  # the web session is not an API credential
    _id, secret = make_token(client, {"nip": org.staff_a.id_number})
    for response in (client.get("/api/v1/me", headers=bearer(secret)), client.get("/api/v1/openapi.json"),
                     client.get("/api/v1/nothing-here"), issue(client, {"nip": org.staff_a.id_number}),
                     client.get("/api/v1/docs")):
        assert "Set-Cookie" not in response.headers, response.request.path


def test_csrf_applies_to_web_forms_but_not_to_the_api(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    web = client.post("/masuk", data={"identifier": org.staff_a.id_number, "password": PASSWORD})
    assert web.status_code == 400
    assert issue(client, {"nip": org.staff_a.id_number}).status_code == 201


def test_unknown_address_and_wrong_method_answer_json(client, org):
    _id, secret = make_token(client, {"nip": org.staff_a.id_number})
    missing = client.get("/api/v1/tidak-ada", headers=bearer(secret))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/me", headers=bearer(secret))
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["Allow"]


def test_cors_is_off_by_default_and_limited_to_listed_origins(client, org, app, monkeypatch):
    preflight = {"Origin": "https://app.contoh.go.id", "Access-Control-Request-Method": "GET"}
    assert "Access-Control-Allow-Origin" not in client.options("/api/v1/me", headers=preflight).headers
    monkeypatch.setitem(app.config, "API_CORS_ORIGINS", ["https://app.contoh.go.id"])
    allowed = client.options("/api/v1/me", headers=preflight)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.contoh.go.id"
    other = client.options("/api/v1/me", headers={**preflight, "Origin": "https://lain.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_docs_page_loads_vendored_swagger_ui_without_inline_script(client, db):
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in text and "/static/js/api-docs.js" in text
    assert "<script>" not in text and "https://" not in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200


def test_api_calls_are_rate_limited_per_token(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    secret = issue(client, {"nip": org.staff_a.id_number}).get_json()["token"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert [client.get("/api/v1/me", headers=headers).status_code for _call in range(3)] == [200, 200, 200]
    limited = client.get("/api/v1/me", headers=headers)
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    other = issue(client, {"nip": org.staff_b.id_number}).get_json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
