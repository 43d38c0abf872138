"""An appraiser reviews a subordinate's month in a real browser: returns one item with a reason, approves the
rest through the month preview, and sees the weekend item left out of the bulk approval."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.models import Activity, ActivityStatus
from tests.browser import assert_fits_width, screenshot
from tests.factories import ActivityFactory, freeze_now, hm
from tests.test_browser_foundation import sign_in

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 18)
ITEMS = {  # name → (day, start, end, description, off day)
    "ktp": (date(2026, 11, 16), "08:00", "09:00", "Melayani perekaman KTP-el", False),
    "pindah": (date(2026, 11, 16), "09:00", "10:30", "Verifikasi berkas pindah datang", False),
    "laporan": (date(2026, 11, 17), "08:00", "09:00", "Menyusun laporan harian layanan", False),
    "sabtu": (date(2026, 11, 14), "08:00", "11:00", "Pelayanan keliling hari Sabtu", True),
}


@pytest.fixture()
def waiting(org, db, monkeypatch) -> dict[str, int]:
    freeze_now(monkeypatch, TODAY)
    items = {name: ActivityFactory(employee=org.staff_a, activity_date=day, start_time=hm(start), end_time=hm(end),
                                   description=text, off_day=off_day, status=ActivityStatus.SUBMITTED,
                                   submitted_at=clock.utcnow())
             for name, (day, start, end, text, off_day) in ITEMS.items()}
    db.session.commit()
    return {name: activity.id for name, activity in items.items()}


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_appraiser_returns_one_and_approves_the_month(request, device, live_server, org, db, waiting):
    page = request.getfixturevalue(device)
    sign_in(page, live_server, org.appraiser_a.id_number)
    page.goto(f"{live_server}/pemeriksaan/")
    row = page.locator("li", has=page.get_by_role("link", name="Staf A", exact=True))
    assert "4 menunggu" in row.inner_text()
    row.get_by_role("link", name="Staf A", exact=True).click()
    page.get_by_role("heading", name="Staf A").wait_for()

    item = page.locator(f"#kegiatan-{waiting['laporan']}")
    item.locator("summary").click()
    item.get_by_label("Alasan pengembalian").fill("Lampirkan foto laporan.")
    with page.expect_navigation():
        item.get_by_role("button", name="Kembalikan untuk revisi").click()
    page.get_by_text("1 kegiatan dikembalikan.").wait_for()

    page.get_by_role("button", name=re.compile(r"Setujui sebulan \(3 kegiatan\)")).click()
    page.get_by_text("2 kegiatan akan disetujui.").wait_for()
    flagged = page.locator(".card.border-warning")
    assert "Pelayanan keliling hari Sabtu" in flagged.inner_text()
    assert "Hari libur / akhir pekan" in flagged.inner_text()
    assert_fits_width(page)
    screenshot(page, f"review-preview-{device}")
    with page.expect_navigation():
        page.locator("form[action$='/setujui-massal']").get_by_role("button", name="Setujui").click()

    page.get_by_text("2 kegiatan disetujui.").wait_for()
    assert page.locator(".alert-warning").get_by_text("1 kegiatan bertanda tidak ikut disetujui").is_visible()
    badges = {name: page.locator(f"#kegiatan-{activity_id} .badge[class*='status-']").inner_text()
              for name, activity_id in waiting.items()}
    assert badges == {"ktp": "Disetujui", "pindah": "Disetujui", "laporan": "Dikembalikan", "sabtu": "Diajukan"}
    assert_fits_width(page)
    screenshot(page, f"review-month-{device}")

    db.session.rollback()
    stored = dict(db.session.execute(select(Activity.id, Activity.status)).all())
    assert stored == {waiting["ktp"]: ActivityStatus.APPROVED, waiting["pindah"]: ActivityStatus.APPROVED,
                      waiting["laporan"]: ActivityStatus.RETURNED, waiting["sabtu"]: ActivityStatus.SUBMITTED}
    assert db.session.get(Activity, waiting["laporan"]).return_reason == "Lampirkan foto laporan."
