"""Session lifetime: sign-out and password change end every session, idle timeout, cookie flags, config."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from config import ProductionConfig
from kinerja import create_app
from kinerja.extensions import db as _db
from tests.factories import PASSWORD

NEW_PASSWORD = "Kopi-Senja-Tugu-48"




def sign_in(client, identifier: str, password: str = PASSWORD):
    response = client.post("/masuk", data={"identifier": identifier, "password": password})
    assert response.headers["Location"] == "/", "sign-in failed"
    return response


def is_signed_out(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/masuk"


@pytest.fixture()
def other_client(app, db):
    """A second browser."""
    return app.test_client()


def test_sign_out_ends_this_and_every_other_session_of_the_user(client, other_client, app, org):
    sign_in(client, org.staff_a.id_number)
    sign_in(other_client, org.staff_a.id_number)
    bystander = app.test_client()
    sign_in(bystander, org.staff_a2.id_number)
    assert is_signed_out(client.post("/keluar"))
    assert is_signed_out(client.get("/"))
    assert is_signed_out(other_client.get("/"))
    assert bystander.get("/").status_code == 200  # another user's session is untouched


def test_sign_out_says_so(client, auth, org):
    auth.login(org.staff_a.id_number)
    page = client.post("/keluar", follow_redirects=True).get_data(as_text=True)
    assert "Anda telah keluar." in page


def test_password_change_ends_other_sessions_but_keeps_this_one(client, other_client, org):
    sign_in(client, org.staff_a.id_number)
    sign_in(other_client, org.staff_a.id_number)
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post("/kata-sandi", data=data).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert is_signed_out(other_client.get("/"))
    sign_in(other_client, org.staff_a.id_number, NEW_PASSWORD)
    assert other_client.get("/").status_code == 200


@pytest.fixture()
def short_idle(app, monkeypatch):
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 1)


def idle_for(client, seconds: float) -> None:
    with client.session_transaction() as session:
        session["last_seen"] -= seconds


def test_idle_session_ends_with_a_message(client, auth, org, short_idle):
    auth.login(org.staff_a.id_number)
    idle_for(client, 61)
    response = client.get("/profil")
    assert is_signed_out(response)
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/profil"]
    assert "tidak ada aktivitas" in client.get("/masuk").get_data(as_text=True)
    assert is_signed_out(client.get("/"))


def test_active_session_survives_and_is_refreshed(client, auth, org, short_idle):
    auth.login(org.staff_a.id_number)
    idle_for(client, 50)
    assert client.get("/profil").status_code == 200
    idle_for(client, 50)  # 50 s after the last request, 100 s after sign-in
    assert client.get("/profil").status_code == 200


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite_lax(auth, org):
    cookie = session_cookie(auth.login(org.staff_a.id_number))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"


@pytest.fixture()
def production_app(database_url):
    app = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="production-test-secret",
        PUBLIC_BASE_URL="https://kinerja.example.go.id",
        RATELIMIT_STORAGE_URI="memory://",
        WTF_CSRF_ENABLED=False,
    )
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_production_cookies_are_secure(production_app, org, db):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    nip = org.staff_a.id_number
    db.session.rollback()  # free SQLite's write lock for the other app's connection
    response = production_app.test_client().post("/masuk", data={"identifier": nip, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    assert "; Secure" in session_cookie(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("overrides", [{}, {"SECRET_KEY": ""}], ids=["unset", "empty"])
def test_production_refuses_to_start_without_secret_key(monkeypatch, database_url, overrides):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)  # the class read the environment at import
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI=database_url,
                   PUBLIC_BASE_URL="https://kinerja.example.go.id", **overrides)
