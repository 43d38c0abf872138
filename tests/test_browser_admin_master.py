"""Master data on a phone: a BKD admin adds a unit under a parent and sees it in the agency's unit tree."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kinerja.models import Unit
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_foundation import sign_in

pytestmark = pytest.mark.browser


def test_bkd_admin_adds_a_unit_under_a_parent_on_a_phone(phone, live_server, org, db):
    parent = db.session.scalar(select(Unit).where(Unit.agency_id == org.agency_a.id, Unit.code == "01.02"))
    sign_in(phone, live_server, "admin.bkd")
    phone.goto(f"{live_server}/admin/")
    phone.locator("#admin-regency a[href$='/admin/opd']").click()
    phone.locator("tr[data-agency='A']").get_by_role("link", name="Unit kerja").click()
    phone.get_by_text("Sekretariat A").wait_for()
    assert_fits_width(phone)

    phone.get_by_role("link", name=re.compile(r"Tambah unit$")).click()  # not "Tambah unit di bawah ..."
    phone.get_by_label("Kode unit").fill("01.03")
    phone.get_by_label("Nama unit").fill("Seksi Pelayanan Terpadu Satu Pintu")
    phone.get_by_label("Unit induk").select_option(value=str(parent.id))
    phone.get_by_label("Layanan publik esensial").check()
    assert_fits_width(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan").click()

    phone.get_by_text("Unit Seksi Pelayanan Terpadu Satu Pintu ditambahkan.").wait_for()
    db.session.rollback()
    created = db.session.scalar(select(Unit).where(Unit.code == "01.03", Unit.agency_id == org.agency_a.id))
    assert created.parent_id == parent.id and created.essential
    row = phone.locator(f"#unit-{created.id}")
    assert row.get_attribute("data-depth") == "2"
    assert "unit-depth-2" in row.get_attribute("class")
    order = phone.locator("#unit-tree > li .unit-name").all_inner_texts()
    assert order.index("Seksi Pelayanan Terpadu Satu Pintu") == order.index("Seksi A2") + 1
    assert row.get_by_text("esensial").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "admin-unit-tree-360")


def test_master_lists_and_forms_fit_a_phone(phone, live_server, org, db):
    sign_in(phone, live_server, "admin.bkd")
    for path in ("/admin/", "/admin/opd", f"/admin/opd/{org.agency_a.id}/ubah", "/admin/jabatan",
                 "/admin/jabatan/baru", f"/admin/opd/{org.agency_a.id}/kantor/baru"):
        phone.goto(f"{live_server}{path}")
        assert phone.locator("h1").first.is_visible(), path
        assert_fits_width(phone)
    phone.get_by_label("Nama kantor").fill("Kantor Kecamatan")
    phone.get_by_label("Lintang (latitude)").fill("-6,9147")
    phone.get_by_label("Bujur (longitude)").fill("107,6098")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan").click()
    link = phone.get_by_role("link", name="Lihat di peta")
    assert link.get_attribute("href") == ("https://www.openstreetmap.org/?mlat=-6.914700&mlon=107.609800"
                                          "#map=18/-6.914700/107.609800")
    assert_fits_width(phone)
    screenshot(phone, "admin-offices-360")
