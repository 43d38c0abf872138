"""Checking in on a phone: the browser's (faked) position, a selfie from the file picker, the server's verdict."""

import io
import random

import pytest
from PIL import Image

from tests.browser import assert_fits_width, screenshot
from tests.factories import OfficeFactory
from tests.test_browser_foundation import sign_in

pytestmark = pytest.mark.browser

OFFICE = (-6.8722, 107.542)  # six significant digits survive MariaDB's FLOAT columns of Office
METRE = 1 / 111_194.93


def selfie() -> dict:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (480, 640), random.Random(5).randbytes(480 * 640 * 3)).save(buffer, "JPEG")
    return {"name": "swafoto.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.fixture()
def office(org, db):
    OfficeFactory(agency=org.agency_a, name="Kantor Dinas A", latitude=OFFICE[0], longitude=OFFICE[1],
                  radius_m=100)
    db.session.commit()


def open_attendance(phone, live_server, org, metres_north: float) -> None:
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.context.grant_permissions(["geolocation"], origin=live_server)
    phone.context.set_geolocation({"latitude": OFFICE[0] + metres_north * METRE, "longitude": OFFICE[1],
                                   "accuracy": 20})
    phone.goto(f"{live_server}/presensi/")
    phone.get_by_text("Lokasi ditemukan, akurasi ±20 m.").wait_for()
    phone.get_by_label("Swafoto", exact=True).set_input_files(selfie())
    phone.locator("#selfie-preview").wait_for(state="visible")


def test_check_in_within_the_office_radius_on_a_phone(phone, live_server, org, office):
    open_attendance(phone, live_server, org, 40)
    assert_fits_width(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Presensi masuk tercatat pukul").wait_for()
    assert phone.get_by_text("dari Kantor Dinas A (radius 100 m)").first.is_visible()
    phone.get_by_text("Lokasi ditemukan, akurasi ±20 m.").wait_for()
    assert phone.get_by_role("button", name="Kirim presensi pulang").is_enabled()
    assert_fits_width(phone)
    screenshot(phone, "attendance-checked-in-360")


def test_check_in_outside_the_radius_is_refused_with_the_distance(phone, live_server, org, office):
    open_attendance(phone, live_server, org, 350)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Anda berada 350 m dari kantor terdekat").wait_for()
    assert phone.get_by_text("Presensi masuk tercatat").count() == 0
    assert_fits_width(phone)
    screenshot(phone, "attendance-refused-360")
