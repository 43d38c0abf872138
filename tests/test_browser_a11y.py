"""Accessibility (issue 21 §2): no serious or critical axe-core violations (WCAG 2.1 AA) on the pages staff,
appraisers, agency admins and BKD use, on a 360-px phone and on a desktop.

Every page a role can open without choosing an object (each GET route without parameters that answers HTML),
and the main pages that take one (a day, a month, an agency, an employee), is loaded in Chromium and checked
with axe-core, as the role that uses it."""

from __future__ import annotations

import os

import pytest

from kinerja import clock
from tests.browser import axe_script, axe_violations
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # The markup does not depend on the database: checked once, on the embedded default.
    pytest.mark.skipif(os.environ.get("KINERJA_TEST_DB", "sqlite") != "sqlite",
                       reason="pages are the same on every database; axe runs on the SQLite suite"),
]

SKIPPED_PREFIXES = ("/static", "/api/", "/iclock", "/keluar", "/tugas/", "/swafoto")


def plain_pages(app) -> list[str]:
    """GET routes without parameters, the app's own pages (not the API, files or the machines' protocol)."""
    pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        if rule.rule.endswith((".json", ".xlsx", ".csv", ".pdf", ".zip", ".js", ".webmanifest")):
            continue
        pages.add(rule.rule)
    return sorted(pages)


def object_pages(org) -> dict[str, list[str]]:
    today = clock.today()
    month = f"{today:%Y-%m}"
    return {
        "staff": [f"/kegiatan/{today.isoformat()}", f"/kegiatan/bulanan/{month}", f"/tpp/{month}/pegawai/"
                  f"{org.staff_a.id}"],
        "appraiser": [f"/pemeriksaan/pegawai/{org.staff_a.id}"],
        "agency_admin": [f"/tpp/{month}/opd/{org.agency_a.id}", f"/admin/pegawai/{org.staff_a.id}",
                         f"/opd/{org.agency_a.id}/kuota-wfo", f"/opd/{org.agency_a.id}/jadwal"],
        "bkd": [f"/tpp/{month}", "/tpp/aturan/baru", f"/tpp/{month}/nilai-opd"],
    }


def sign_in(page, base: str, identifier: str) -> None:
    page.goto(f"{base}/masuk")
    page.get_by_label("NIP / nama pengguna").fill(identifier)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()


def check_pages(page, base: str, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = page.goto(f"{base}{path}")
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        if (violations := axe_violations(page)):
            found[path] = violations
    return found


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("role", ["public", "staff", "appraiser", "agency_admin", "bkd"])
def test_no_serious_axe_violations(browser, live_server, app, org, db, role, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID", bypass_csp=True,
                                  timezone_id="Asia/Jakarta")
    context.add_init_script(path=axe_script())  # some fifty pages a role: cheaper than adding it to each
    page = context.new_page()
    try:
        identifiers = {"staff": org.staff_a.id_number, "appraiser": org.appraiser_a.id_number,
                       "agency_admin": "admin.a", "bkd": "admin.bkd"}
        if role == "public":
            paths = ["/masuk", "/lupa-kata-sandi"]
        else:
            sign_in(page, live_server, identifiers[role])
            paths = plain_pages(app) + object_pages(org).get(role, [])
        found = check_pages(page, live_server, paths)
    finally:
        context.close()
    assert found == {}, "\n".join(f"{path}: {line}" for path, lines in found.items() for line in lines)
