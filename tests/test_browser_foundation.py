"""A new user's first steps in a real browser, on a phone and on a desktop."""

import pytest

from kinerja.models import User
from tests.browser import assert_fits_width, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base: str, identifier: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/masuk")
    page.get_by_label("NIP / nama pengguna").fill(identifier)
    page.get_by_label("Kata sandi").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()


def test_staff_first_sign_in_on_a_phone(phone, live_server, org, db):
    user = db.session.query(User).filter_by(employee_id=org.staff_a.id).one()
    user.must_change_password = True
    db.session.commit()

    sign_in(phone, live_server, org.staff_a.id_number)
    phone.wait_for_url("**/kata-sandi")
    assert_fits_width(phone)
    phone.get_by_label("Kata sandi awal").fill(PASSWORD)
    phone.get_by_label("Kata sandi baru", exact=True).fill("Sandi-Baru-Saya-2026")
    phone.get_by_label("Ulangi kata sandi baru").fill("Sandi-Baru-Saya-2026")
    phone.get_by_role("button", name="Simpan kata sandi").click()

    phone.get_by_text("Kata sandi berhasil diganti").wait_for()
    assert phone.get_by_text("Penilai A").is_visible()  # the appraiser on the home page
    assert_fits_width(phone)
    screenshot(phone, "foundation-staff-home-360")

    phone.get_by_role("button", name="Buka menu").click()
    phone.locator(".navbar-collapse.show").wait_for()  # the menu has finished opening
    phone.get_by_role("button", name="Keluar").click()
    phone.get_by_text("Anda telah keluar.").wait_for()


def test_bkd_admin_on_a_desktop_opens_an_agency(desktop, live_server, org):
    sign_in(desktop, live_server, "admin.bkd")
    desktop.get_by_role("link", name="Dinas B").click()
    desktop.get_by_role("heading", name="Dinas B").wait_for()
    assert desktop.get_by_text("Staf B").is_visible()
    screenshot(desktop, "foundation-bkd-agency-1280")


def test_out_of_scope_employee_is_not_found_in_the_browser(phone, live_server, org):
    sign_in(phone, live_server, org.staff_a.id_number)
    response = phone.goto(f"{live_server}/pegawai/{org.staff_b.id}")
    assert response.status == 404
    assert phone.get_by_text("Halaman tidak ditemukan").is_visible()
    assert_fits_width(phone)


def test_language_switch_to_english(phone, live_server, org):
    phone.goto(f"{live_server}/masuk")
    phone.select_option("#language", "en")
    phone.get_by_role("heading", name="Sign in to Kinerja").wait_for()
