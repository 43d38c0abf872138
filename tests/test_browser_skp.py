"""A staff member drafts an SKP on a phone under the appraiser's approved RHK, corrects the IKI's target and the
RHK's text in their inline forms and submits it; the appraiser approves it; an approved activity linked to the IKI
then shows in the SKP's monthly realisation."""

from datetime import date

import pytest
from sqlalchemy import select, update

from kinerja.models import Activity, ActivityStatus, Skp
from tests.browser import assert_fits_width, screenshot
from tests.factories import freeze_now
from tests.test_browser_foundation import sign_in
from tests.test_skp import plan

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 18)


def click_and_wait(page, button: str, message: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    page.get_by_text(message).first.wait_for()


def test_draft_approve_and_realise_an_skp(phone, desktop, live_server, org, db, monkeypatch):
    freeze_now(monkeypatch, TODAY)
    plan(db, org.appraiser_a, text="Meningkatnya layanan administrasi kependudukan")

    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/skp/")
    click_and_wait(phone, "Buat draf SKP", "Draf SKP dibuat.")
    phone.get_by_label("Rencana hasil kerja").fill("Terverifikasinya berkas pindah datang")
    phone.get_by_label("RHK atasan yang diintervensi").select_option(
        label="Meningkatnya layanan administrasi kependudukan")
    click_and_wait(phone, "Simpan RHK", "RHK ditambahkan.")
    assert "Meningkatnya layanan administrasi kependudukan" in phone.locator(".parent-rhk").inner_text()
    phone.locator("summary", has_text="Tambah indikator (IKI)").click()
    phone.get_by_label("Indikator kinerja individu").fill("Jumlah berkas terverifikasi")
    phone.get_by_label("Target").fill("120")
    phone.get_by_label("Satuan").fill("berkas")
    click_and_wait(phone, "Simpan indikator", "Indikator ditambahkan.")
    edit = phone.locator("details.iki-edit")
    edit.locator("summary").click()
    edit.get_by_label("Target").fill("150")
    with phone.expect_navigation():
        edit.get_by_role("button", name="Simpan indikator").click()
    phone.get_by_text("Indikator diubah.").wait_for()
    assert "150 berkas" in phone.locator(".skp-iki").inner_text()
    rhk_edit = phone.locator("details.rhk-edit")
    rhk_edit.locator("summary").click()
    rhk_edit.get_by_label("Rencana hasil kerja").fill("Terverifikasinya berkas pindah datang tepat waktu")
    assert_fits_width(phone)
    screenshot(phone, "skp-edit-rhk-360")
    with phone.expect_navigation():
        rhk_edit.get_by_role("button", name="Simpan RHK").click()
    phone.get_by_text("RHK diubah.").wait_for()
    assert "tepat waktu" in phone.locator(".skp-rhk").inner_text()
    assert_fits_width(phone)
    click_and_wait(phone, "Ajukan SKP ke pejabat penilai", "SKP diajukan ke pejabat penilai.")
    screenshot(phone, "skp-submitted-360")

    sign_in(desktop, live_server, org.appraiser_a.id_number)
    desktop.goto(f"{live_server}/skp/periksa")
    desktop.get_by_role("link", name="Staf A", exact=True).click()
    desktop.get_by_label("Berorientasi Pelayanan").fill("Menjawab permohonan warga di hari yang sama")
    click_and_wait(desktop, "Setujui SKP", "SKP disetujui.")

    phone.goto(f"{live_server}/kegiatan/2026-11-17")
    phone.get_by_label("Uraian kegiatan").fill("Verifikasi berkas pindah datang")
    phone.get_by_label("Kuantitas").fill("8")
    phone.get_by_label("Satuan").fill("berkas")
    phone.get_by_label("Indikator SKP (IKI)").select_option(label="Jumlah berkas terverifikasi (berkas)")
    click_and_wait(phone, "Simpan", "Kegiatan disimpan sebagai draf.")
    db.session.rollback()  # end the test's read snapshot: the server has written since
    db.session.execute(update(Activity).values(status=ActivityStatus.APPROVED))  # the review is tested elsewhere
    db.session.commit()

    skp_id = db.session.scalar(select(Skp.id).where(Skp.employee_id == org.staff_a.id))
    phone.goto(f"{live_server}/skp/{skp_id}?bulan=2026-11")
    assert phone.locator(".realisation-value").inner_text().strip() == "8 berkas"
    assert "Menjawab permohonan warga" in phone.content()
    assert_fits_width(phone)
    screenshot(phone, "skp-realisation-360")
