"""Settings on a phone: a BKD admin changes the effective minutes, adds a regional holiday, and the month's
target follows both at once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kinerja.activities.queries import month_overview
from kinerja.models import HolidayEntry, HolidayKind, RegencySetting
from kinerja.settings import forget
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_foundation import sign_in

pytestmark = pytest.mark.browser


def test_bkd_admin_changes_a_setting_and_adds_a_regional_holiday_on_a_phone(phone, live_server, org, db):
    november = date(2026, 11, 1)
    before = month_overview(org.staff_a.id, november)
    sign_in(phone, live_server, "admin.bkd")

    phone.goto(f"{live_server}/admin/pengaturan")
    field = phone.get_by_label("Menit efektif per hari")
    assert field.get_attribute("type") == "number" and field.input_value() == "300"
    assert_fits_width(phone)
    field.fill("450")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan pengaturan").click()
    phone.get_by_text("Menit efektif per hari: 450 menit").wait_for()
    assert phone.get_by_label("Menit efektif per hari").input_value() == "450"
    assert_fits_width(phone)
    screenshot(phone, "admin-settings-360")

    phone.get_by_role("link", name="Kalender hari libur").click()
    phone.get_by_text("Tambah libur daerah").wait_for()
    phone.get_by_label("Tanggal").fill("2026-11-20")
    phone.get_by_label("Nama hari libur").fill("Hari Jadi Kota Uji")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tambah").click()
    phone.get_by_text("Libur daerah Hari Jadi Kota Uji pada Jumat, 20 November 2026 ditambahkan").wait_for()
    row = phone.locator("#hari-2026-11-20")
    assert row.get_by_text("Libur daerah").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "admin-calendar-360")

    db.session.rollback()
    forget()
    assert db.session.scalar(select(RegencySetting.value).where(
        RegencySetting.name == "EFFECTIVE_MINUTES_PER_DAY")) == "450"
    entry = db.session.scalar(select(HolidayEntry))
    assert (entry.day, entry.kind, entry.is_day_off) == (date(2026, 11, 20), HolidayKind.REGIONAL, True)
    after = month_overview(org.staff_a.id, november)
    assert (after.working_days, after.target_minutes) == (before.working_days - 1, (before.working_days - 1) * 450)
