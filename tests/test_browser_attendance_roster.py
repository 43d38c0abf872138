"""On a phone: check-in follows the published duty roster (home allowed on a WFH day, refused on a WFO day), and
an agency admin reviews a flagged check-in."""

import pytest

from kinerja import clock
from kinerja.models import Roster, RosterEntry, RosterStatus, WorkMode
from tests.browser import assert_fits_width, screenshot
from tests.test_browser_attendance import METRE, OFFICE, office, selfie  # noqa: F401 - the office fixture
from tests.test_browser_foundation import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar]


def schedule(db, org, mode: WorkMode) -> None:
    today = clock.today()
    roster = Roster(agency_id=org.agency_a.id, start_date=today, end_date=today, status=RosterStatus.PUBLISHED)
    roster.entries = [RosterEntry(employee_id=org.staff_a.id, day=today, mode=mode)]
    db.session.add(roster)
    db.session.commit()


def open_check_in(page, live_server, identifier: str, *, metres_north: float, accuracy: float) -> None:
    sign_in(page, live_server, identifier)
    page.context.grant_permissions(["geolocation"], origin=live_server)
    page.context.set_geolocation({"latitude": OFFICE[0] + metres_north * METRE, "longitude": OFFICE[1],
                                  "accuracy": accuracy})
    page.goto(f"{live_server}/presensi/")
    page.get_by_text(f"Lokasi ditemukan, akurasi ±{accuracy:.0f} m.").wait_for()
    page.get_by_label("Swafoto", exact=True).set_input_files(selfie())
    page.locator("#selfie-preview").wait_for(state="visible")


def test_wfh_day_check_in_from_home(phone, live_server, org, office, db):  # noqa: F811
    schedule(db, org, WorkMode.WFH)
    open_check_in(phone, live_server, org.staff_a.id_number, metres_north=5_000, accuracy=15)
    assert phone.locator("#scheduled-mode").inner_text() == "Jadwal piket Anda hari ini: WFH (rumah)."
    assert phone.locator("select.js-work-mode").input_value() == "WFH"  # preset from the roster
    assert_fits_width(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Presensi masuk tercatat pukul").wait_for()
    screenshot(phone, "attendance-wfh-day-360")


def test_wfo_day_refuses_a_check_in_from_home(phone, live_server, org, office, db):  # noqa: F811
    schedule(db, org, WorkMode.WFO)
    open_check_in(phone, live_server, org.staff_a.id_number, metres_north=5_000, accuracy=15)
    assert phone.locator("select.js-work-mode").input_value() == "WFO"
    phone.locator("select.js-work-mode").select_option("WFH")
    phone.get_by_role("button", name="Kirim presensi masuk").click()  # refused in place: the selfie stays
    phone.get_by_text("Jadwal Anda hari ini WFO").wait_for()
    assert phone.get_by_text("Presensi masuk tercatat").count() == 0
    assert_fits_width(phone)


def test_agency_admin_reviews_a_flagged_check_in(phone, desktop, live_server, org, office, db):  # noqa: F811
    # An accuracy of 0 m is implausible: the check-in counts, and is flagged for a person to look at.
    open_check_in(phone, live_server, org.staff_a.id_number, metres_north=20, accuracy=0)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Presensi masuk tercatat pukul").wait_for()

    sign_in(desktop, live_server, "admin.a")
    desktop.goto(f"{live_server}/presensi/tinjauan")
    card = desktop.locator(".attendance-review").first
    assert "Staf A" in card.inner_text()
    card.locator("textarea").fill("Sudah dicek: GPS ponsel lama, posisi di kantor.")
    with desktop.expect_navigation():
        card.get_by_role("button", name="Wajar").click()
    assert desktop.get_by_role("button", name="Wajar").count() == 0  # nothing left open
    screenshot(desktop, "attendance-flag-reviewed-1280")
