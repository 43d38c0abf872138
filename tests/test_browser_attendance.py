"""Checking in on a phone: the browser's (faked) position, a selfie from the file picker, the server's verdict."""

import io
import random

import pytest
from PIL import Image

from tests.browser import assert_fits_width, screenshot
from tests.factories import OfficeFactory, freeze_now
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


def refuse_at_the_office(phone, live_server, org) -> None:
    """A WFO check-in 350 m away: refused on the page itself (no reload), the selfie still chosen."""
    open_attendance(phone, live_server, org, 350)
    phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Anda berada 350 m dari kantor terdekat").wait_for()
    assert phone.get_by_text("Presensi masuk tercatat").count() == 0
    assert phone.evaluate("document.querySelector('[name=selfie]').files[0].name") == "swafoto.jpg"
    assert phone.locator("#selfie-preview").is_visible()
    assert phone.get_by_role("button", name="Kirim sebagai WFH").is_visible()


def test_check_in_outside_the_radius_is_refused_and_sent_again_as_wfh_with_the_same_selfie(
        phone, live_server, org, office):
    refuse_at_the_office(phone, live_server, org)
    assert_fits_width(phone)
    screenshot(phone, "attendance-refused-360")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim sebagai WFH").click()
    phone.get_by_text("Presensi masuk tercatat pukul").wait_for()
    assert phone.locator("#status-hari-ini").get_by_text("WFH").count() >= 1
    screenshot(phone, "attendance-refused-then-wfh-360")


def test_a_refused_check_in_can_go_as_field_duty_with_its_letter(phone, live_server, org, office):
    refuse_at_the_office(phone, live_server, org)
    phone.get_by_role("button", name="Dinas luar (DL): isi nomor surat tugas").click()
    letter = phone.get_by_label("Nomor surat tugas")
    assert letter.is_visible()
    assert phone.get_by_text("Isi nomor surat tugas, lalu kirim.").is_visible()
    letter.fill("800/17/Disdukcapil")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim presensi masuk").click()
    phone.get_by_text("Presensi masuk tercatat pukul").wait_for()
    assert phone.get_by_text("800/17/Disdukcapil").first.is_visible()


def test_the_staff_home_on_a_phone_leads_to_presensi_in_one_tap(phone, live_server, org, office, monkeypatch):
    freeze_now(monkeypatch)  # a Wednesday afternoon
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/")
    card = phone.locator("#hari-ini")
    assert card.is_visible()
    assert card.bounding_box()["y"] < 740  # on the first screen, without scrolling
    assert card.get_by_text("Belum presensi masuk.").is_visible()
    assert card.get_by_text("Belum ada kegiatan hari ini.").is_visible()
    top = phone.locator("#topbar-presensi")
    assert top.is_visible()  # in the top bar, the menu still closed
    assert not phone.locator("#mainNav").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "home-today-360")
    with phone.expect_navigation():
        card.get_by_role("link", name="Presensi masuk").click()
    assert phone.url.endswith("/presensi/")
    assert phone.locator("#topbar-presensi").count() == 0  # not offered on the page itself
    phone.go_back()
    with phone.expect_navigation():
        phone.locator("#topbar-presensi").click()
    assert phone.url.endswith("/presensi/")
