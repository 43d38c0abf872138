"""Security sweep, rate limits: every door that checks a password shares one failure budget per account and per
address; the API is limited per token; the 429 page is friendly. (tests/test_security.py has the sign-in basics.)
"""

from __future__ import annotations

import pytest

from kinerja.extensions import limiter
from tests.factories import PASSWORD

WRONG = "Salah-Sekali-123"
NEW_PASSWORD = "Kopi-Senja-Tugu-48"
TOO_MANY = "Terlalu banyak percobaan"


def sign_in(client, identifier: str, password: str = PASSWORD):
    return client.post("/masuk", data={"identifier": identifier, "password": password})


def change_password(client, current: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post("/kata-sandi", data={"current_password": current, "new_password": new,
                                            "confirm_password": confirm or new})


def api_token(client, identifier: str, password: str = PASSWORD):
    return client.post("/api/v1/tokens", json={"nip": identifier, "password": password, "name": "uji"})


def fail_at(door: str, client, identifier: str):
    """One wrong password at a door: the sign-in form, the API's token request or the password change page."""
    if door == "web":
        return sign_in(client, identifier, WRONG)
    if door == "api":
        return api_token(client, identifier, WRONG)
    return change_password(client, WRONG)


def still_open(door: str, client, identifier: str) -> bool:
    """Whether the right password still gets through the door."""
    if door == "web":
        return sign_in(client, identifier).status_code == 302
    if door == "api":
        return api_token(client, identifier).status_code == 201
    return change_password(client, PASSWORD).status_code == 302


DOORS = ["web", "api", "password-change"]


def browser(app, identifier: str | None = None):
    """A fresh browser, signed in as `identifier` when given (the password change page needs a session)."""
    client = app.test_client()
    if identifier:
        assert sign_in(client, identifier).status_code == 302
    return client


def lock_out(app, door: str, identifier: str) -> None:
    guesser = browser(app, identifier if door == "password-change" else None)
    for attempt in range(5):
        assert fail_at(door, guesser, identifier).status_code in (200, 401), attempt


@pytest.mark.parametrize("guesses_at", DOORS)
def test_five_wrong_passwords_at_any_door_close_every_door_of_the_account(app, db, org, guesses_at):
    nip = org.staff_a.id_number
    owner = browser(app, nip)  # signed in before the guessing, to reach the password change page
    lock_out(app, guesses_at, nip)
    assert [door for door in DOORS if still_open(door, owner if door == "password-change" else browser(app), nip)] \
        == []


@pytest.mark.parametrize("door", DOORS)
def test_a_locked_account_spares_the_others(app, db, org, door):
    lock_out(app, door, org.staff_a.id_number)
    other = org.staff_a2.id_number
    assert still_open("web", browser(app), other)
    assert still_open("password-change", browser(app, other), other)


def test_password_change_mistakes_other_than_the_password_do_not_count(client, auth, org):
    auth.login(org.staff_a.id_number)
    for _ in range(6):
        assert change_password(client, PASSWORD, NEW_PASSWORD, "Tidak-Sama-9999").status_code == 200
    assert change_password(client, PASSWORD).headers["Location"] == "/"


def test_the_api_budget_is_per_token_across_every_route(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "4 per minute")
    mine = {"Authorization": "Bearer " + api_token(client, org.staff_a.id_number).get_json()["token"]}
    theirs = {"Authorization": "Bearer " + api_token(client, org.staff_b.id_number).get_json()["token"]}
    for path in ("/api/v1/me", "/api/v1/positions", "/api/v1/units", "/api/v1/tokens"):
        assert client.get(path, headers=mine).status_code == 200, path
    limited = client.get("/api/v1/agencies", headers=mine)
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    assert client.get("/api/v1/me", headers=theirs).status_code == 200


def test_the_api_without_a_token_is_limited_per_address(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [401, 401, 401]
    assert client.get("/api/v1/me").status_code == 429
    assert client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 401


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_429_page_is_friendly(client, org, language):
    client.post("/bahasa", data={"language": language, "next": "/"})
    for _ in range(5):
        sign_in(client, org.staff_a.id_number, WRONG)
    response = sign_in(client, org.staff_a.id_number)
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    assert ("Terlalu banyak percobaan" if language == "id" else "Too many attempts") in page
    assert 'href="/static/css/app.css"' in page and "Traceback" not in page  # the site's layout, no debug page
    limiter.reset()
    assert sign_in(client, org.staff_a.id_number).status_code == 302
