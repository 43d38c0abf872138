"""A BKD admin imports a staff file with errors on a phone, fixes it, imports it, downloads the new accounts'
initial passwords and finds the new staff on the agency page."""

import io

import pytest
from openpyxl import load_workbook

from kinerja.extensions import db
from kinerja.identity import Gender
from kinerja.models import PositionKind
from tests.browser import assert_fits_width, screenshot
from tests.factories import PositionFactory
from tests.test_browser_foundation import sign_in
from tests.test_staff_import import POSITION, new_nip, row, xlsx

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def check(page, content: bytes) -> None:
    page.get_by_label("Berkas Excel (.xlsx)").set_input_files(
        [{"name": "pegawai-simpeg.xlsx", "mimeType": XLSX, "buffer": content}])
    with page.expect_navigation():
        page.get_by_role("button", name="Periksa berkas").click()


def test_bkd_admin_fixes_and_imports_a_staff_file_on_a_phone(phone, live_server, org):
    PositionFactory(name=POSITION, kind=PositionKind.PELAKSANA)
    db.session.commit()
    appraiser = org.appraiser_a.id_number
    broken = [row(1, Nama="Rina Kartika", NIP=new_nip(1, Gender.FEMALE), **{"Jenis kelamin": "P",
                                                                             "NIP atasan": appraiser}),
              row(2, Nama="Asep Permana", OPD="Dinas Kesehatan", **{"NIP atasan": new_nip(1, Gender.FEMALE)})]
    fixed = [broken[0], row(2, Nama="Asep Permana", **{"NIP atasan": new_nip(1, Gender.FEMALE)})]

    sign_in(phone, live_server, "admin.bkd")
    phone.goto(f"{live_server}/admin/impor-pegawai")
    check(phone, xlsx(broken))
    errors = phone.locator("#kesalahan")
    errors.wait_for()
    assert "OPD \"Dinas Kesehatan\" tidak dikenal" in errors.inner_text()
    assert phone.get_by_role("button", name="Simpan impor").count() == 0
    assert_fits_width(phone)
    screenshot(phone, "staff-import-errors-360")

    check(phone, xlsx(fixed))
    phone.get_by_text("2 pegawai baru, 0 berubah, 0 tetap").wait_for()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan impor").click()
    phone.locator("#kata-sandi-awal").wait_for()
    shown = [cell.strip() for cell in phone.locator("[data-initial-password]").all_inner_texts()]
    assert len(set(shown)) == 2 and all(shown)
    assert_fits_width(phone)
    screenshot(phone, "staff-import-result-360")
    with phone.expect_download() as downloading:
        phone.get_by_role("button", name="Unduh kata sandi awal (.xlsx), sekali saja").click()
    sheet = load_workbook(io.BytesIO(downloading.value.path().read_bytes()))["Kata sandi awal"]
    assert sorted(row[4] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(shown)

    with phone.expect_navigation():
        phone.locator("#pegawai-baru").get_by_role("link", name="Dinas A").first.click()
    phone.get_by_role("heading", name="Dinas A").wait_for()
    assert phone.get_by_text("Rina Kartika").is_visible()
    assert phone.get_by_text("Asep Permana").is_visible()
    assert_fits_width(phone)

    phone.goto(f"{live_server}/admin/dasbor")  # the regency dashboard counts them at once
    agency_row = phone.locator("tr[data-agency='A']")
    assert agency_row.locator("td").nth(1).inner_text().strip() == "8"  # six before the import
    assert_fits_width(phone)
