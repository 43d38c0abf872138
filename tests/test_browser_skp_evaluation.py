"""The appraiser rates a subordinate's month on a desktop: the automatic realisation from an approved activity
linked to the IKI, an adjustment with a note, umpan balik and both ratings give the predikat; the employee then
reads the evaluation on a 360-px phone and cannot change it."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from kinerja.models import ActivityStatus
from kinerja.models.skp import Evaluation, Predikat
from tests.browser import assert_fits_width, screenshot
from tests.factories import ActivityFactory, freeze_now
from tests.test_browser_foundation import sign_in
from tests.test_browser_skp import click_and_wait
from tests.test_skp import iki_of, plan

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 18)


def test_appraiser_rates_the_month_and_the_employee_reads_it(phone, desktop, live_server, org, db, monkeypatch):
    freeze_now(monkeypatch, TODAY)
    boss = plan(db, org.appraiser_a, text="Meningkatnya layanan administrasi kependudukan")
    skp = plan(db, org.staff_a, text="Terverifikasinya berkas pindah datang", unit="berkas", parent=boss.rhk[0])
    iki = iki_of(skp)
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 17), quantity=Decimal(5), unit="berkas",
                    indicator_id=iki.id, status=ActivityStatus.APPROVED)
    db.session.commit()
    skp_id, iki_id = skp.id, iki.id

    sign_in(desktop, live_server, org.appraiser_a.id_number)
    desktop.goto(f"{live_server}/skp/periksa")
    with desktop.expect_navigation():
        desktop.get_by_role("link", name="Evaluasi November 2026").click()
    row = desktop.locator(f"#iki-{iki_id}")
    assert row.locator(".realisation-value").inner_text().strip() == "5 berkas"
    row.get_by_label("Penyesuaian").fill("2")
    row.get_by_label("Catatan").fill("Dua berkas diverifikasi di loket tanpa aplikasi")
    row.get_by_label("Umpan balik").fill("Pertahankan verifikasi di hari yang sama")
    desktop.get_by_label("Penilaian hasil kerja").select_option(label="Sesuai ekspektasi")
    desktop.get_by_label("Penilaian perilaku kerja").select_option(label="Sesuai ekspektasi")
    click_and_wait(desktop, "Simpan evaluasi", "Evaluasi bulan ini disimpan.")
    assert desktop.locator(".evaluation-predikat").inner_text().strip() == "Baik"
    assert desktop.get_by_label("Penilaian hasil kerja").input_value() == "sesuai"
    assert row.get_by_label("Umpan balik").input_value() == "Pertahankan verifikasi di hari yang sama"
    screenshot(desktop, "skp-evaluation-desktop")

    db.session.rollback()  # end the test's read snapshot: the server has written since
    saved = db.session.scalar(select(Evaluation).where(Evaluation.skp_id == skp_id))
    assert (saved.year, saved.month, saved.predikat) == (2026, 11, Predikat.GOOD)
    assert [(item.iki_id, item.adjustment) for item in saved.indicators] == [(iki_id, Decimal("2.00"))]

    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/skp/{skp_id}?bulan=2026-11")
    assert phone.locator(".evaluation-predikat").inner_text().strip() == "Baik"
    shown = phone.locator(".evaluation-indicator").inner_text()
    assert "Penyesuaian: 2 berkas" in shown
    assert "Dua berkas diverifikasi di loket tanpa aplikasi" in shown
    assert "Pertahankan verifikasi di hari yang sama" in shown
    assert phone.locator(f"#realisasi-{iki_id} .realisation-value").inner_text().strip() == "5 berkas"
    rollup = phone.locator(f"#rekap-{iki_id}")
    assert phone.locator(".rollup-table caption").inner_text().strip() == "Triwulan 4 2026"
    assert rollup.locator(".rollup-total").inner_text().strip() == "7 berkas"  # 5 automatic + 2 adjusted
    assert rollup.locator("td").first.bounding_box()["width"] >= 140  # the IKI text is not squeezed to a letter
    assert phone.locator("[name^=rating_], [name^=adjustment_], [name^=feedback_]").count() == 0
    assert phone.get_by_role("button", name="Simpan evaluasi").count() == 0
    assert_fits_width(phone)
    screenshot(phone, "skp-evaluation-employee-360")

    response = phone.goto(f"{live_server}/skp/evaluasi/{org.staff_a.id}/2026-11")
    assert response.status == 404
