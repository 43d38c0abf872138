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
        page.locator("form[action$='/setujui-massal']").get_by_role("button", name="Setujui 2 kegiatan").click()

    page.get_by_text("2 kegiatan disetujui.").wait_for()
    assert page.locator(".alert-warning").get_by_text("1 kegiatan bertanda tidak ikut disetujui").is_visible()
    assert page.locator(".review-item").count() == 1  # what still waits; the rest is a tab away
    with page.expect_navigation():
        page.locator("#status-kegiatan").get_by_role("link", name=re.compile(r"^Semua")).click()
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


@pytest.fixture()
def many_waiting(org, db, monkeypatch) -> dict[str, list[int]]:
    """Two subordinates with waiting items: Staf A twelve clean weekdays and five weekend items (flagged), Staf A
    Dua five clean weekdays and three weekend items; another appraiser's subordinate one item (never in appraiser
    A's batch)."""
    freeze_now(monkeypatch, TODAY)

    def waiting(employee, day, start, text, off_day=False):
        return ActivityFactory(employee=employee, activity_date=day, start_time=hm(start),
                               end_time=hm(start).replace(minute=45), description=text, off_day=off_day,
                               status=ActivityStatus.SUBMITTED, submitted_at=clock.utcnow())

    weekdays = [date(2026, 11, day) for day in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17)]
    items = {
        "clean": [waiting(org.staff_a, day, "08:00", f"Melayani warga hari ke-{n}") for n, day in enumerate(weekdays)]
        + [waiting(org.staff_a2, day, "09:00", f"Arsip surat masuk {n}") for n, day in enumerate(weekdays[:5])],
        "weekend": [waiting(org.staff_a, date(2026, 11, day), "08:00", f"Pelayanan keliling tanggal {day:02d}", True)
                    for day in (1, 7, 8, 14, 15)]
        + [waiting(org.staff_a2, date(2026, 11, day), "08:00", f"Jaga posko tanggal {day:02d}", True) for day in (7, 8)]
        + [waiting(org.staff_a2, date(2026, 11, 14), "08:00", "Kerja bakti", True)],
        "other": [waiting(org.other_staff_a, date(2026, 11, 17), "08:00", "Bukan bawahan Penilai A")],
    }
    db.session.commit()
    return {kind: [activity.id for activity in activities] for kind, activities in items.items()}


def in_view(page, locator) -> bool:
    """The element is wholly on the screen as it is now, without scrolling."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_select_all_and_approve_with_the_count_in_reach(request, device, live_server, org, db, many_waiting):
    page = request.getfixturevalue(device)
    sign_in(page, live_server, org.appraiser_a.id_number)
    page.goto(f"{live_server}/pemeriksaan/")
    select_all = page.get_by_label("Pilih semua pegawai dengan kegiatan menunggu (2)")
    rows = page.locator("input.js-select-one:not(:disabled)")
    assert rows.count() == 2

    # the keyboard ticks it (Space on the focused box) and every row follows; unticking one leaves it mixed
    select_all.focus()
    page.keyboard.press("Space")
    assert select_all.is_checked() and all(rows.nth(n).is_checked() for n in range(2))
    rows.nth(1).uncheck()
    assert not select_all.is_checked() and select_all.evaluate("box => box.indeterminate")
    rows.nth(1).check()
    assert select_all.is_checked() and not select_all.evaluate("box => box.indeterminate")
    assert_fits_width(page)
    screenshot(page, f"review-inbox-select-all-{device}")
    with page.expect_navigation():
        page.get_by_role("button", name="Setujui semua kegiatan pegawai terpilih…").click()

    # 17 clean items will be approved, the 8 flagged weekend ones only if ticked: the button says so, in reach
    page.get_by_text("17 kegiatan akan disetujui.").wait_for()
    approve = page.locator("form[action$='/setujui-massal'] button[type=submit]")
    assert approve.inner_text().strip() == "Setujui 17 kegiatan"
    page_height = page.evaluate("document.documentElement.scrollHeight")
    if device == "phone":
        assert page_height > 2 * page.viewport_size["height"]  # a long page: the action must not be at its end only
    assert in_view(page, approve)
    page.get_by_label(re.compile("Pelayanan keliling tanggal 07")).check()
    assert approve.inner_text().strip() == "Setujui 18 kegiatan"
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    assert page.evaluate("window.scrollY") > 0
    assert in_view(page, approve)
    page.get_by_role("button", name="Centang semua: Hari libur / akhir pekan").click()
    assert approve.inner_text().strip() == "Setujui 25 kegiatan"
    page.get_by_label(re.compile("Kerja bakti")).uncheck()
    assert approve.inner_text().strip() == "Setujui 24 kegiatan"
    assert in_view(page, approve)
    assert_fits_width(page)
    screenshot(page, f"review-bulk-preview-{device}")

    with page.expect_navigation():
        approve.click()
    page.get_by_text("24 kegiatan disetujui.").wait_for()
    db.session.rollback()
    stored = dict(db.session.execute(select(Activity.id, Activity.status)).all())
    kerja_bakti = many_waiting["weekend"][-1]
    assert stored == {**{i: ActivityStatus.APPROVED for i in many_waiting["clean"] + many_waiting["weekend"][:-1]},
                      kerja_bakti: ActivityStatus.SUBMITTED, many_waiting["other"][0]: ActivityStatus.SUBMITTED}
