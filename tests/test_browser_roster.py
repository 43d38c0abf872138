"""Office duty on a phone: an agency admin sets a WFO cap, generates a roster, edits a cell and publishes it;
a staff member then reads their schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.models import Roster, RosterStatus, WfoCap
from kinerja.workcalendar import calendar_between, effective_working_days
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_foundation import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar]


def working_days(agency, start: date, end: date) -> int:
    """Ten in most fortnights; fewer when holidays or cuti bersama fall in it (Idul Fitri, Christmas)."""
    return effective_working_days(calendar_between(start, end, agency.work_week))


def test_agency_admin_caps_rosters_and_publishes_on_a_phone(phone, live_server, org, db):
    today = clock.today(org.agency_a.timezone)
    start = today + timedelta(days=7 - today.weekday())
    sign_in(phone, live_server, "admin.a")
    phone.goto(f"{live_server}/opd/{org.agency_a.id}/kuota-wfo")
    phone.get_by_label("Dasar pembatasan").select_option(label="PPKM level 3")
    assert phone.get_by_label("Batas WFO (%)").input_value() == "50"  # the preset, filled in by the script
    phone.get_by_label("Berlaku mulai").fill(today.isoformat())
    assert_fits_width(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan batas WFO").click()
    phone.get_by_text("Batas WFO 50% berlaku mulai").wait_for()
    screenshot(phone, "roster-cap-360")

    phone.get_by_role("link", name="Jadwal piket").click()
    assert phone.get_by_label("Mulai").input_value() == start.isoformat()
    assert phone.get_by_label("Selesai").input_value() == (start + timedelta(days=11)).isoformat()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Buat jadwal").click()
    phone.get_by_text("Jadwal piket dibuat sebagai draf").wait_for()
    assert phone.locator("[data-day-total]").inner_text().startswith("OPD: WFO 3 dari kapasitas 3")
    assert_fits_width(phone)

    with phone.expect_navigation():  # alone in his unit, at home on the first day (the larger units go first)
        phone.get_by_role("button", name="Kepala A,").click()  # WFH → WFO: a draft allows it, over the cap
    phone.get_by_text("diubah menjadi WFO").wait_for()
    assert "4 WFO melebihi kapasitas 3" in phone.locator("#roster-warnings").inner_text()  # the over-cap warning
    assert "alert-danger" in phone.locator("[data-day-total]").get_attribute("class")
    assert_fits_width(phone)
    screenshot(phone, "roster-grid-edited-360")

    phone.once("dialog", lambda dialog: dialog.accept())
    with phone.expect_navigation():
        phone.get_by_role("button", name="Terbitkan").click()
    phone.get_by_text("Jadwal diterbitkan; 6 pegawai diberi tahu.").wait_for()
    assert phone.locator("#roster-status").inner_text() == "Diterbitkan"
    assert_fits_width(phone)
    screenshot(phone, "roster-published-360")
    db.session.rollback()
    assert db.session.scalar(select(WfoCap.percent)) == 50
    assert db.session.scalar(select(Roster.status)) is RosterStatus.PUBLISHED

    phone.context.clear_cookies()
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/presensi/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="Jadwal saya").first.click()
    phone.get_by_role("heading", name="Jadwal kerja saya").wait_for()
    assert phone.locator("#my-schedule li").count() == working_days(org.agency_a, start, start + timedelta(days=11))
    assert_fits_width(phone)
    screenshot(phone, "roster-my-schedule-360")


def test_the_grid_on_a_desktop_shows_the_whole_period(desktop, live_server, org, db):
    from kinerja.models import CapReason
    from kinerja.roster import caps, services

    today = clock.today(org.agency_a.timezone)
    caps.set_cap(org.bkd_admin, org.agency_a, percent=None, valid_from=today, valid_to=None,
                 reason_kind=CapReason.ZONE_MEDIUM, reason="")
    start = today + timedelta(days=7 - today.weekday())
    roster = services.generate_roster(org.bkd_admin, org.agency_a, start, start + timedelta(days=11))
    sign_in(desktop, live_server, "admin.a")
    desktop.goto(f"{live_server}/opd/{org.agency_a.id}/jadwal/{roster.id}")
    assert desktop.locator("#roster-day").is_hidden()
    assert desktop.locator("[data-agency-day]").count() == working_days(org.agency_a, start, start + timedelta(days=11))
    assert_fits_width(desktop)
    screenshot(desktop, "roster-grid-1280")
