"""The signing page of a TPP daftar nominatif and the public verification page of its signed, then superseded,
versions: on a 360-px phone and a desktop, nothing wider than the screen and no serious axe-core violation."""

from __future__ import annotations

import pytest

from kinerja.extensions import db as _db
from kinerja.models import SigningSetup
from kinerja.signatures import services, subjects
from kinerja.tpp.rules import save_rule_set
from kinerja.tpp.services import lock_month, reopen_month
from tests import factories
from tests.browser import assert_fits_width, axe_violations, screenshot
from tests.test_browser_foundation import sign_in
from tests.test_signatures import PASSPHRASE, Authority
from tests.tpp_samples import AFTER_NOVEMBER, NOVEMBER, approve_minutes, example_rules, present

pytestmark = [pytest.mark.browser]


@pytest.fixture()
def signed_list(app, org, db, tmp_path, monkeypatch):
    """Agency A's November list, locked, signed by the Kepala OPD, then the month reopened and locked again."""
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "laporan"))
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    save_rule_set(org.bkd_admin, example_rules())
    present(org.staff_a)
    approve_minutes(org.staff_a, 300)
    authority = Authority()
    (tmp_path / "pemda.p12").write_bytes(authority.pkcs12("Kepala A"))
    (tmp_path / "akar.pem").write_bytes(authority.pem())
    _db.session.add(SigningSetup(mode="local", pkcs12_path=str(tmp_path / "pemda.p12"),
                                 trust_roots_path=str(tmp_path / "akar.pem"), visible=True, page=0))
    _db.session.commit()
    period = lock_month(org.bkd_admin, org.agency_a, NOVEMBER, AFTER_NOVEMBER)
    head = org.user(org.head_a)
    first = subjects.nominative_document(org.agency_a, NOVEMBER, AFTER_NOVEMBER)
    ids = (first.id, first.code)
    services.sign_report(head, first, services.SignerInput(PASSPHRASE), AFTER_NOVEMBER)
    reopen_month(org.bkd_admin, period, "Koreksi presensi")
    lock_month(org.bkd_admin, org.agency_a, NOVEMBER, AFTER_NOVEMBER)
    second = subjects.nominative_document(org.agency_a, NOVEMBER, AFTER_NOVEMBER)
    ids += (second.id,)
    services.sign_report(head, second, services.SignerInput(PASSPHRASE), AFTER_NOVEMBER)
    ids += (org.head_a.id_number, org.agency_a.name, org.agency_a.id)
    _db.session.close()  # no transaction left open: the live server writes (sign-in)
    return ids


@pytest.mark.parametrize("width", [360, 1280])
def test_signing_and_verification_pages_fit_and_pass_axe(browser, signed_list, live_server, width):
    _first_id, first_code, second_id, head_nip, agency_name, agency_id = signed_list
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID", bypass_csp=True,
                                  timezone_id="Asia/Jakarta")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/laporan/verifikasi/{first_code}")
        assert page.get_by_text("Daftar nominatif TPP").first.is_visible()
        assert page.get_by_text("digantikan sejak").first.is_visible()
        assert page.get_by_text("Tanda tangan sah").first.is_visible()
        assert_fits_width(page)
        assert axe_violations(page) == []
        screenshot(page, f"tte-verify-superseded-{width}")

        sign_in(page, live_server, head_nip)
        page.goto(f"{live_server}/tte/laporan/{second_id}")
        assert page.get_by_label("Passphrase sertifikat elektronik").is_visible()
        assert page.get_by_text(agency_name).first.is_visible()
        assert_fits_width(page)
        assert axe_violations(page) == []
        screenshot(page, f"tte-nominative-sign-{width}")
        page.goto(f"{live_server}/tpp/2026-11/opd/{agency_id}")
        with page.expect_navigation():
            page.get_by_role("link", name="Daftar nominatif: tanda tangan elektronik").click()
        assert page.url.endswith(f"/tte/laporan/{second_id}")
    finally:
        context.close()
