"""Security sweep (issue 10, item 5), every route: headers, inline markup, scripts, cookies, CSRF, the API's auth.

Each check walks `app.url_map` (see tests/security_walk.py) so a new page is covered the day it is added.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import func, select

from kinerja import SECURITY_HEADERS, create_app
from kinerja.extensions import db as _db
from kinerja.models import AttendanceRecord
from tests import security_walk as walk
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
OWN_SCRIPTS = ROOT / "static" / "js"
# Documents WeasyPrint turns into PDFs (kinerja.reports.pdf.render_html): never served to a browser, they carry
# their per-document @page rules in a <style> element, which the CSP would otherwise forbid.
PDF_TEMPLATES = {"reports/employee_month.html", "reports/agency_recap.html", "reports/skp.html",
                 "reports/skp_evaluation.html", "tpp/nominative_pdf.html", "tpp/slip_pdf.html"}
MAX_AGE_ONE_YEAR = 31_536_000


@pytest.fixture()
def seeded(org) -> walk.Seeded:
    return walk.seed(org)


@pytest.fixture()
def clients(app, org):
    return walk.signed_in_clients(app, org)


@pytest.fixture()
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def permission_features(header: str) -> dict[str, list[str]]:
    """A Permissions-Policy as {feature: [allowed origins]} ("self" for this site, none when off)."""
    features = (part.strip().partition("=") for part in header.split(",") if part.strip())
    return {name: value.strip("()").split() for name, _sep, value in features}


def header_problems(response) -> list[str]:
    """What is missing or loose in one response's security headers."""
    headers, problems = response.headers, []
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    if any(value in ("'unsafe-inline'", "'unsafe-eval'", "*") for values in csp.values() for value in values):
        problems.append(f"loose CSP {headers.get('Content-Security-Policy')!r}")
    if csp.get("frame-ancestors") != ["'none'"] or headers.get("X-Frame-Options") != "DENY":
        problems.append("framing allowed")
    if not ({"default-src", "script-src"} & csp.keys()) or csp.get("object-src", csp.get("default-src")) not in (
            ["'none'"], ["'self'"]):
        problems.append("CSP without a script or object policy")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if headers.get("Permissions-Policy") != SECURITY_HEADERS["Permissions-Policy"]:
        problems.append(f"Permissions-Policy {headers.get('Permissions-Policy')!r}")
    if "Strict-Transport-Security" in headers:
        problems.append("HSTS outside production")
    return problems


# --- (1) headers and markup of every page --------------------------------------------------------------------


def test_permissions_policy_allows_only_geolocation_and_camera_for_this_site():
    features = permission_features(SECURITY_HEADERS["Permissions-Policy"])
    allowed = {name: values for name, values in features.items() if values}
    assert allowed == {"geolocation": ["self"], "camera": ["self"]}
    denied = {"microphone", "payment", "usb", "display-capture", "fullscreen", "serial", "bluetooth", "hid",
              "midi", "publickey-credentials-get", "screen-wake-lock", "xr-spatial-tracking", "browsing-topics"}
    assert denied <= {name for name, values in features.items() if not values}


def test_csp_allows_only_this_site():
    csp = csp_directives(SECURITY_HEADERS["Content-Security-Policy"])
    assert csp["default-src"] == csp["script-src"] == csp["style-src"] == ["'self'"]
    assert csp["object-src"] == csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == csp["form-action"] == ["'self'"]


def test_every_page_sends_the_security_headers_and_no_inline_markup(app, clients, seeded, csrf_on):
    problems, html_pages = [], 0
    for rule in walk.rules(app, frozenset({"GET"}), api=False):
        url = walk.url_for_rule(app, rule, seeded)
        response = clients[walk.role_for(url)].get(url)
        found = header_problems(response)
        if response.mimetype == "text/html":
            markup = walk.read_markup(response.get_data(as_text=True))
            found += markup.problems
            found += [f"{markup.forms_without_token} POST form(s) without csrf_token"] * bool(
                markup.forms_without_token)
            html_pages += response.status_code == 200
        problems += [f"GET {url} ({rule.endpoint}, {response.status_code}): {problem}" for problem in found]
    assert not problems, "\n".join(problems)
    assert html_pages >= 60  # the walk reached real pages, not only 404s


def test_api_and_error_responses_send_the_headers_too(app, client, db, seeded):
    responses = [client.get(walk.url_for_rule(app, rule, seeded))
                 for rule in walk.rules(app, frozenset({"GET"}), api=True)]
    responses += [client.get("/tidak-ada"), client.post("/masuk", data={"identifier": "x", "password": "y"}),
                  client.get("/health")]
    problems = [f"{response.request.path} {response.status_code}: {problem}"
                for response in responses for problem in header_problems(response)]
    problems += [f"{response.request.path}: {problem}" for response in responses if response.mimetype == "text/html"
                 for problem in walk.read_markup(response.get_data(as_text=True)).problems]
    assert not problems, "\n".join(problems)
    assert "text/html" in {response.mimetype for response in responses}  # the API docs and error pages were read


@pytest.mark.parametrize("template", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_script_handler_or_style(template):
    source = (TEMPLATES / template).read_text("utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source, re.IGNORECASE), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), "inline event handler"
    assert "javascript:" not in source.lower()
    assert not re.search(r"\sstyle\s*=", source, re.IGNORECASE), "style attribute"
    if template not in PDF_TEMPLATES:
        assert "<style" not in source.lower(), "<style> element in a page served to browsers"


@pytest.mark.parametrize("script", sorted(path.name for path in OWN_SCRIPTS.glob("*.js")))
def test_own_scripts_build_no_code_or_markup_from_strings(script):
    source = (OWN_SCRIPTS / script).read_text("utf-8")
    forbidden = [r"\beval\s*\(", r"\bnew\s+Function\b", r"\.innerHTML\b", r"\.outerHTML\b", r"insertAdjacentHTML",
                 r"document\.write", r"set(?:Timeout|Interval)\(\s*['\"`]", r"setAttribute\(\s*['\"](?:style|on)"]
    assert not [pattern for pattern in forbidden if re.search(pattern, source)]


def other_app(config_name: str, database_url: str) -> Flask:
    return create_app(config_name, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="sweep-test-secret",
                      PUBLIC_BASE_URL="https://kinerja.example.go.id", RATELIMIT_STORAGE_URI="memory://",
                      WTF_CSRF_ENABLED=False)


@pytest.fixture()
def production_app(database_url, db):
    app = other_app("production", database_url)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.parametrize("config_name", ["development", "testing"])
def test_no_hsts_outside_production(database_url, config_name):
    app = other_app(config_name, database_url)
    for path in ("/masuk", "/health", "/static/css/app.css", "/api/v1/me"):
        assert "Strict-Transport-Security" not in app.test_client().get(path).headers, path


def test_production_sends_hsts_for_a_year_on_every_response(production_app):
    client = production_app.test_client()
    for path in ("/masuk", "/health", "/static/css/app.css", "/api/v1/me", "/tidak-ada"):
        hsts = client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"]
        assert int(re.match(r"max-age=(\d+)", hsts).group(1)) >= MAX_AGE_ONE_YEAR, path


# --- (2) cookies --------------------------------------------------------------------------------------------------


def cookie_attributes(response) -> dict[str, dict[str, str]]:
    """{cookie name: {attribute (lower case): value}} of every Set-Cookie header."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        cookies[name_value.split("=")[0]] = {a.split("=")[0].lower(): a.partition("=")[2] for a in attributes}
    return cookies


def test_sign_in_sets_only_a_strict_session_cookie(auth, org):
    cookies = cookie_attributes(auth.login(org.staff_a.id_number))
    assert set(cookies) == {"session"}  # no remember-me cookie: sessions end with the browser or the idle timeout
    assert "httponly" in cookies["session"] and cookies["session"]["samesite"] == "Lax"
    assert "secure" not in cookies["session"]  # development and tests run on plain http


def test_remember_cookie_would_be_as_strict_as_the_session(app, production_app):
    for config in (app.config, production_app.config):
        assert config["REMEMBER_COOKIE_HTTPONLY"] is True
        assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True


def test_production_session_cookie_is_secure_httponly_lax(production_app, org, db):
    nip = org.staff_a.id_number
    db.session.rollback()  # free SQLite's write lock for the other app's connection
    client = production_app.test_client()
    response = client.post("/masuk", data={"identifier": nip, "password": PASSWORD}, base_url="https://localhost")
    session = cookie_attributes(response)["session"]
    assert "secure" in session and "httponly" in session and session["samesite"] == "Lax"


def session_data(app: Flask, client) -> dict:
    cookie = client.get_cookie("session")
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value) if cookie else {}


def test_sign_out_clears_the_session_and_an_old_cookie_is_worthless(app, client, auth, org):
    auth.login(org.staff_a.id_number)
    assert "_user_id" in session_data(app, client)
    stolen = client.get_cookie("session").value
    auth.logout()
    assert not {"_user_id", "_fresh", "_id", "last_seen"} & session_data(app, client).keys()
    assert client.get("/").status_code == 302
    client.set_cookie("session", stolen)  # replaying the cookie from before sign-out
    assert client.get("/profil").status_code == 302


# --- (3) CSRF on every form outside the API, and the API's refusal of cookies ------------------------------------

EXPIRED = "Formulir kedaluwarsa"


def test_every_changing_request_without_a_csrf_token_is_refused_and_changes_nothing(app, clients, seeded, csrf_on):
    before, problems, walked = walk.data_fingerprint(), [], 0
    for rule in walk.rules(app, walk.CHANGING_METHODS, api=False):
        url = walk.url_for_rule(app, rule, seeded)
        client = clients[walk.role_for(url)]
        for method in sorted(rule.methods & walk.CHANGING_METHODS):
            response = client.open(url, method=method, data={"confirm": "1", "name": "Diubah"})
            walked += 1
            if response.status_code != 400 or EXPIRED not in response.get_data(as_text=True):
                problems.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert not problems, "accepted without a CSRF token:\n" + "\n".join(problems)
    assert walk.data_fingerprint() == before
    assert walked >= 90
    assert all(client.get("/profil").status_code == 200 for client in clients.values())  # still signed in


def test_a_forged_token_is_refused_too(app, clients, seeded, csrf_on):
    before = walk.data_fingerprint()
    for rule in walk.rules(app, walk.CHANGING_METHODS, api=False):
        url = walk.url_for_rule(app, rule, seeded)
        response = clients[walk.role_for(url)].post(url, data={"csrf_token": "IjAwMDAi.Zm9yZ2Vk.c2lnbmF0dXJl"})
        assert response.status_code in (400, 405), url
    assert walk.data_fingerprint() == before


def test_the_machines_protocol_ignores_the_web_session(app, clients, seeded, csrf_on):
    """/iclock is CSRF-exempt because a machine has no session: a signed-in admin's browser is just an unknown
    machine there, refused with 403 and nothing recorded but the refusal."""
    machine_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(walk.MACHINE_PREFIX)]
    assert {rule.endpoint for rule in machine_rules} == {"iclock.cdata", "iclock.getrequest", "iclock.devicecmd"}
    for rule in machine_rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = clients["bkd"].open(rule.rule, method=method, data="1001\t2026-11-16 07:30:00\t0\t1")
            assert response.status_code == 403, rule.rule
            assert response.mimetype == "text/plain"
    assert _db.session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0


def test_the_api_ignores_the_web_session_on_every_route(app, clients, seeded, csrf_on):
    """CSRF-exempt because it never reads cookies: a signed-in browser gets 401 on every API route."""
    open_routes = {"api_meta.index", "api_meta.docs", "api_meta.unknown", "api-docs.openapi_json", "tokens.issue"}
    before, problems = walk.data_fingerprint(), []
    for rule in walk.rules(app, frozenset({"GET"}) | walk.CHANGING_METHODS, api=True):
        if rule.endpoint in open_routes:
            continue
        url = walk.url_for_rule(app, rule, seeded)
        for method in sorted(rule.methods & ({"GET"} | walk.CHANGING_METHODS)):
            for client in clients.values():
                response = client.open(url, method=method, json={})
                if response.status_code != 401 or "Set-Cookie" in response.headers:
                    problems.append(f"{method} {url} -> {response.status_code}")
    assert not problems, "the API answered a session cookie:\n" + "\n".join(problems)
    assert walk.data_fingerprint() == before
