"""A BKD admin reads the dashboard down to one employee, on a desktop and on a 360 px phone: the regency's
agencies, an agency's units, a unit's staff, and the employee's monthly report."""

from __future__ import annotations

import pytest

from tests.browser import assert_fits_width, screenshot

# The fixtures: a month of activities worked by hand, and the day the dashboard is read on.
from tests.test_admin_dashboard import october, today  # noqa: F401
from tests.test_browser_foundation import sign_in

pytestmark = pytest.mark.browser


def read_down_to_one_employee(page, base: str, org, tmp_path, name: str) -> None:
    sign_in(page, base, "admin.bkd")
    page.goto(f"{base}/admin/dasbor?bulan=2026-10")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Oktober 2026")
    row = page.locator("tr[data-agency='A']")
    assert row.locator("[data-col='filed']").inner_text().startswith("5,4")  # 7 of 130 working days
    assert row.locator("[data-col='oldest']").inner_text() == "10 hari"
    chart = page.locator("svg#chart-predikat")
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label") == "Sebaran predikat"
    assert chart.is_visible()
    assert_fits_width(page)
    screenshot(page, f"dashboard-regency-{name}")

    with page.expect_navigation():
        row.get_by_role("link", name="Dinas A").click()
    breadcrumbs = page.get_by_role("navigation", name="Jejak halaman")
    breadcrumbs.get_by_role("link", name="Pemerintah Kota Uji").wait_for()  # the way back up
    assert page.locator("tr[data-unit]").all_inner_texts()[0].startswith("Sekretariat A")
    assert_fits_width(page)
    screenshot(page, f"dashboard-agency-{name}")

    with page.expect_navigation():
        page.locator("tr[data-unit='01.01']").get_by_role("link", name="Seksi A1").click()
    employee = page.locator(f"tr[data-employee='{org.staff_a2.id}']")
    assert employee.locator("[data-col='pending']").inner_text() == "2"
    assert page.locator("tr[data-employee]").count() == 3
    assert_fits_width(page)
    screenshot(page, f"dashboard-unit-{name}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Laporan bulanan Staf A (PDF)").click()
    target = tmp_path / f"laporan-{name}.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert org.staff_a.id_number in download_info.value.suggested_filename


def test_bkd_admin_reads_the_dashboard_on_a_desktop(desktop, live_server, today, october, tmp_path):  # noqa: F811
    read_down_to_one_employee(desktop, live_server, october, tmp_path, "desktop")


def test_bkd_admin_reads_the_dashboard_on_a_phone(phone, live_server, today, october, tmp_path):  # noqa: F811
    read_down_to_one_employee(phone, live_server, october, tmp_path, "360")
