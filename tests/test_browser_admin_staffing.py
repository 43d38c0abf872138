"""An agency admin on a phone finds an employee, moves them to another unit under another appraiser and reads
the assignment history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.models import Assignment
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_foundation import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar]


def test_agency_admin_transfers_an_employee_on_a_phone(phone, live_server, org, db):
    today = clock.today(org.agency_a.timezone)
    section_a2 = org.other_staff_a.assignments[0].unit
    sign_in(phone, live_server, "admin.a")
    phone.goto(f"{live_server}/admin/pegawai")
    assert phone.locator("#employee-total").inner_text() == "6"
    assert_fits_width(phone)
    phone.get_by_label("Cari nama atau NIP").fill("dua")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tampilkan").click()
    assert phone.locator("#employee-list li").count() == 1
    screenshot(phone, "admin-employees-360")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Staf A Dua").click()
    phone.get_by_role("heading", name="Staf A Dua").wait_for()
    assert_fits_width(phone)

    phone.get_by_label("Berlaku mulai").fill(today.isoformat())
    phone.get_by_label("Unit kerja").select_option(str(section_a2.id))
    phone.get_by_label("NIP pejabat penilai").fill(org.other_appraiser_a.id_number)
    phone.get_by_label("Nomor SK", exact=True).fill("821/17/2026")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan mutasi").click()
    phone.get_by_text("Penugasan baru berlaku mulai").wait_for()
    history = phone.locator("table tbody tr")
    assert history.count() == 2
    assert "sekarang" in history.first.inner_text() and "Penilai Lain A" in history.first.inner_text()
    assert "Penilai A" in history.nth(1).inner_text()
    assert "Seksi A2" in phone.locator("dl").inner_text()
    assert_fits_width(phone)
    screenshot(phone, "admin-employee-transferred-360")

    db.session.rollback()
    latest = db.session.scalar(select(Assignment).where(Assignment.employee_id == org.staff_a2.id,
                                                        Assignment.valid_to.is_(None)))
    assert (latest.unit_id, latest.appraiser_id, latest.valid_from) == (section_a2.id, org.other_appraiser_a.id, today)
