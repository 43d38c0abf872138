"""A staff member files and submits a day on a phone, then sees it in the month calendar."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from kinerja import clock
from kinerja.workcalendar import holidays_between, is_weekend
from tests.browser import assert_fits_width, screenshot, text_fits
from tests.test_browser_foundation import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar]


def last_working_day():
    """The most recent past working day: inside the backdating window and never in the future."""
    day = clock.today() - timedelta(days=1)
    while is_weekend(day, 5) or day in holidays_between(day, day):
        day -= timedelta(days=1)
    return day


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def quick_add(page, description: str, quantity: str, unit: str, files=None) -> None:
    page.get_by_label("Uraian kegiatan").fill(description)
    page.get_by_label("Kuantitas").fill(quantity)
    page.get_by_label("Satuan").fill(unit)
    if files:
        page.get_by_label("Berkas bukti").set_input_files(files)
    with page.expect_navigation():
        page.get_by_label("Uraian kegiatan").press("Enter")  # the keyboard saves the row
    page.get_by_text("Kegiatan disimpan sebagai draf.").wait_for()


def test_file_submit_and_see_a_day_on_a_phone(phone, live_server, org, db):
    day = last_working_day()
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/kegiatan/{day.isoformat()}")

    quick_add(phone, "Melayani perekaman KTP-el", "12", "orang",
              files=[{"name": "foto-pelayanan.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    assert phone.get_by_label("Mulai").input_value() == "08:30"  # starts where the last one ended
    assert phone.get_by_label("Satuan").input_value() == "orang"  # in the last one's unit
    assert phone.get_by_label("Kuantitas").input_value() == "1"  # not "1.00"
    for choice in ("Mode kerja", "Kategori"):  # nothing cut off at 360 px
        assert text_fits(phone.get_by_label(choice)), choice
    quick_add(phone, "Verifikasi berkas pindah datang", "8", "berkas")
    quick_add(phone, "Menyusun laporan harian layanan", "1,5", "laporan")
    assert phone.get_by_text("Output: 1,5 laporan").is_visible()

    assert phone.locator(".activity-item").count() == 3
    assert phone.get_by_role("link", name="foto-pelayanan.jpg").is_visible()
    assert_fits_width(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Ajukan semua kegiatan hari ini").click()
    phone.get_by_text("3 kegiatan diajukan ke atasan.").wait_for()
    screenshot(phone, "activities-day-360")

    phone.get_by_role("link", name="Kalender bulan ini").click()
    cell = phone.locator("td.day-cell.state-submitted")
    cell.first.wait_for()
    assert cell.count() == 1 and cell.inner_text().startswith(str(day.day))
    assert "180'" in cell.inner_text()
    assert_fits_width(phone)
    screenshot(phone, "activities-month-360")
