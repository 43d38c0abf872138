"""Open redirects, sign-in rate limits, CSRF, pages closed to anonymous users, headers and error pages."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

import pytest

from kinerja.auth.services import safe_next_url
from tests.factories import PASSWORD


def location_path(response) -> str | None:
    return urlsplit(response.headers["Location"]).path if response.status_code == 302 else None


# --- (a) open redirects ------------------------------------------------------------------------------

OFF_SITE = [
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "https://evil.com",
    "http:evil.com",
    "https:/evil.com",
    "javascript:alert(1)",
    " /x",
    "/\t/evil.com",
    "/\r\nSet-Cookie: x=1",
    "profil",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_ignores_an_unsafe_next(auth, org, target):
    response = auth.login(org.staff_a.id_number, next=target)
    assert response.headers["Location"] == "/"


def test_encoded_slashes_in_next_stay_on_site(auth, org):
    # Accepted as a path: browsers do not decode %2F when resolving a Location, so it stays on this host.
    location = auth.login(org.staff_a.id_number, next="/%2F%2Fevil.com").headers["Location"]
    assert urlsplit(urljoin("http://localhost/masuk", location)).netloc == "localhost"


def test_sign_in_honours_a_same_site_next(auth, org):
    assert auth.login(org.staff_a.id_number, next="/profil?x=1").headers["Location"] == "/profil?x=1"


def sign_in_form_next(response) -> str:
    """The sign-in form's hidden `next` (the first in the page; the footer's language form has one too)."""
    return re.search(r'name="next" type="hidden" value="([^"]*)"', response.get_data(as_text=True)).group(1)


def test_login_required_round_trip_returns_to_the_page(client, auth, org):
    login_url = client.get("/profil").headers["Location"]
    next_value = sign_in_form_next(client.get(login_url))
    assert next_value == "/profil"
    assert auth.login(org.staff_a.id_number, next=next_value).headers["Location"] == "/profil"


def test_sign_in_form_drops_an_unsafe_next(client):
    assert sign_in_form_next(client.get("/masuk?next=//evil.com")) == ""


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com", "/\\evil.com"])
def test_language_switch_ignores_an_unsafe_next(client, target):
    response = client.post("/bahasa", data={"language": "en", "next": target})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profil", "/profil"),
        ("/profil?x=1", "/profil?x=1"),
        ("/pegawai/3#riwayat", "/pegawai/3#riwayat"),
        ("/%2F%2Fevil.com", "/%2F%2Fevil.com"),
        (None, None),
        ("", None),
        *[(target, None) for target in OFF_SITE],
    ],
)
def test_safe_next_url(target, expected):
    assert safe_next_url(target) == expected


# --- (b) rate limits on sign-in ----------------------------------------------------------------------

TOO_MANY = "Terlalu banyak percobaan"


def test_account_is_locked_after_too_many_failures(client, auth, org):
    nip = org.staff_a.id_number
    typed = [nip, f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}", nip, f"{nip[:8]}.{nip[8:]}", nip]
    for identifier in typed:  # five failures, however the NIP is typed, count against one account
        assert auth.login(identifier, "Salah-Sekali-123").status_code == 200
    response = auth.login(nip)  # even the right password
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_lock_of_one_account_spares_the_others(auth, org):
    for _ in range(6):
        auth.login(org.staff_a.id_number, "Salah-Sekali-123")
    assert auth.login(org.staff_a2.id_number).headers["Location"] == "/"


def test_successful_sign_ins_do_not_count(auth, org):
    for _ in range(4):
        auth.login(org.staff_a.id_number, "Salah-Sekali-123")
    for _ in range(3):
        assert auth.login(org.staff_a.id_number).headers["Location"] == "/"
        auth.logout()
    assert auth.login(org.staff_a.id_number, "Salah-Sekali-123").status_code == 200  # the fifth failure
    assert auth.login(org.staff_a.id_number, "Salah-Sekali-123").status_code == 429


def test_address_is_limited_across_accounts(client, auth, app, org, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "3 per minute")
    for n in range(3):
        assert auth.login(f"tidak.ada.{n}").status_code == 200
    response = auth.login(org.staff_a.id_number)
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    other_address = {"identifier": org.staff_a.id_number, "password": PASSWORD}
    response = client.post("/masuk", data=other_address, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.headers["Location"] == "/"


# --- (c) CSRF -----------------------------------------------------------------------------------------

EXPIRED = "Formulir kedaluwarsa"


def csrf_token(response) -> str:
    return re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture()
def csrf_on(app, monkeypatch):
    def enable():
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    return enable


@pytest.mark.parametrize("token", [None, "bogus"], ids=["no-token", "forged-token"])
def test_sign_in_without_valid_token_is_refused(client, org, csrf_on, token):
    csrf_on()
    data = {"identifier": org.staff_a.id_number, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/masuk", data=data)
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/keluar", {}),
        (
            "/kata-sandi",
            {
                "current_password": PASSWORD,
                "new_password": "Kopi-Senja-Tugu-48",
                "confirm_password": "Kopi-Senja-Tugu-48",
            },
        ),
        ("/bahasa", {"language": "en", "next": "/"}),
    ],
)
def test_signed_in_posts_without_token_are_refused(client, auth, org, csrf_on, path, data):
    auth.login(org.staff_a.id_number)
    before = org.user(org.staff_a).password_hash
    csrf_on()
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200  # still signed in
    assert 'lang="id"' in home.get_data(as_text=True)  # language unchanged
    assert org.user(org.staff_a).password_hash == before


def test_sign_in_and_out_with_csrf_tokens(client, org, csrf_on):
    csrf_on()
    token = csrf_token(client.get("/masuk"))
    data = {"identifier": org.staff_a.id_number, "password": PASSWORD, "csrf_token": token}
    assert client.post("/masuk", data=data).headers["Location"] == "/"
    home = client.get("/")
    assert "Staf A" in home.get_data(as_text=True)
    response = client.post("/keluar", data={"csrf_token": csrf_token(home)})
    assert location_path(response) == "/masuk"
    assert location_path(client.get("/")) == "/masuk"


# --- (d) every page is closed to anonymous users -------------------------------------------------------

# reports.verify: anyone holding a printed report checks it (rate-limited; shows what the paper shows).
# pwa.*: the manifest, the service worker and the offline page, the same bytes for everyone (tests/test_pwa.py).
PUBLIC_ENDPOINTS = {"static", "auth.login", "health", "main.set_language", "reports.verify",
                    "pwa.manifest", "pwa.service_worker", "pwa.offline"}
SAMPLE_ARGUMENTS = {"DayConverter": date(2026, 1, 5), "MonthConverter": date(2026, 1, 1)}


def sample_arguments(rule) -> dict:
    """A plausible value for each of the rule's arguments: a day or month where the converter wants one."""
    return {
        name: sorted(converter.items)[0] if hasattr(converter, "items")
        else "a" * 32 if "{32}" in converter.regex  # job ids
        else SAMPLE_ARGUMENTS.get(type(converter).__name__, 1)
        for name, converter in rule._converters.items()
    }


def test_every_page_sends_anonymous_users_to_sign_in(app, client):
    adapter = app.url_map.bind("localhost")
    open_pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith("/api/"):  # the API answers 401 JSON:
            # tests/test_api_tokens.py checks that
            continue
        if rule.rule.startswith("/iclock/"):  # attendance machines sign in by a registered serial number, and
            continue  # an unknown one is refused (tests/test_devices.py, test_security_sweep.py)
        url = adapter.build(rule.endpoint, sample_arguments(rule))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        if location_path(response) != "/masuk":
            open_pages.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert not open_pages, "answered anonymous users without asking them to sign in:\n" + "\n".join(open_pages)


# --- (e) security headers and (f) error pages -----------------------------------------------------------


def test_security_headers(client):
    headers = client.get("/masuk").headers
    policy = dict(
        (directive.split()[0], directive.split()[1:]) for directive in headers["Content-Security-Policy"].split(";")
    )
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_are_not_cached(client, auth, org):
    auth.login(org.staff_a.id_number)
    assert client.get("/profil").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_page_is_a_404_in_indonesian(client, auth, org, signed_in):
    if signed_in:
        auth.login(org.staff_a.id_number)
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)
