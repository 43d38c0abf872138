"""TPP on a phone: a staff member reads their month so far, BKD edits the rules, an agency admin reads the list."""

from __future__ import annotations

import pytest

from kinerja.tpp.rules import save_rule_set
from tests import factories
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_foundation import sign_in
from tests.tpp_samples import AFTER_NOVEMBER, WORKING_DAYS, approve_minutes, example_rules, present

pytestmark = [pytest.mark.browser]


@pytest.fixture()
def november(org, db, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    save_rule_set(org.bkd_admin, example_rules())
    present(org.staff_a, late={WORKING_DAYS[0]: 45}, skip=(WORKING_DAYS[4],))
    approve_minutes(org.staff_a, 240)
    return org


def test_staff_read_why_their_tpp_is_what_it_is_on_a_phone(phone, live_server, november, db):
    sign_in(phone, live_server, november.staff_a.id_number)
    phone.goto(f"{live_server}/tpp/2026-11/pegawai/{november.staff_a.id}")
    phone.get_by_role("heading", name="Rincian perhitungan").wait_for()
    assert phone.get_by_text("Terlambat 31–60 menit: 1 hari × 1% = 1% dari bagian disiplin").is_visible()
    assert phone.get_by_text("Tidak masuk tanpa keterangan: 1 hari × 3% = 3% dari bagian disiplin").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "tpp-employee-360")


def test_bkd_edits_the_rules_and_an_agency_admin_reads_the_list(phone, live_server, november, db):
    sign_in(phone, live_server, "admin.bkd")
    phone.goto(f"{live_server}/tpp/aturan")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Perbup Uji No. 1 Tahun 2026").click()
    phone.get_by_label("Bagian disiplin (%)").fill("30")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan aturan").click()
    phone.get_by_text("harus berjumlah 100% (sekarang 90%)").wait_for()
    assert phone.get_by_label("Bagian disiplin (%)").input_value() == "30"  # nothing typed is lost
    assert_fits_width(phone)
    phone.get_by_label("Bagian kinerja (%)").fill("70")
    phone.get_by_label("Alasan perubahan").fill("Perbup perubahan")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan aturan").click()
    phone.get_by_text("Aturan TPP disimpan.").wait_for()
    screenshot(phone, "tpp-rules-360")

    phone.context.clear_cookies()
    sign_in(phone, live_server, "admin.a")
    phone.goto(f"{live_server}/tpp/2026-11/opd/{november.agency_a.id}")
    phone.get_by_text(november.staff_a.id_number, exact=True).wait_for()
    assert phone.get_by_role("button", name="Daftar nominatif (PDF)").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "tpp-agency-360")
