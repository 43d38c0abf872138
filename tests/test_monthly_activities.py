"""Monthly activities (kegiatan bulanan): realisation from approved daily output, adjustments, editing rules,
submitting and withdrawing the month, closed months, scoping and the page's query count."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from kinerja.activities import monthly
from kinerja.activities.monthly import MonthlyInput
from kinerja.core.output import outputs_of
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    Employee,
    MonthLock,
    MonthlyActivity,
    WorkMode,
)
from tests.factories import freeze_now, iki_for
from tests.querycount import count_queries

MARCH = date(2026, 3, 1)
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture()
def fixed_now(monkeypatch):
    """Today is 20 March 2026 in Jakarta: March is open, January closed (after 5 February)."""
    freeze_now(monkeypatch, NOW)
    return NOW


def daily(db, employee, day: date, quantity, unit: str = "dokumen", status=ActivityStatus.APPROVED,
          indicator_id: int | None = None) -> Activity:
    """A daily activity written straight to the table (the filing rules are tested elsewhere)."""
    activity = Activity(
        employee_id=employee.id, activity_date=day, start_time=time(8, 0), end_time=time(9, 0),
        duration_minutes=60, description="Menyusun dokumen", quantity=Decimal(str(quantity)), unit=unit,
        work_mode=WorkMode.WFO, category=ActivityCategory.MAIN, status=status, indicator_id=indicator_id,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def stored(db, employee, first: date = MARCH, status=ActivityStatus.DRAFT, quantity=0, unit: str = "dokumen",
           **fields) -> MonthlyActivity:
    item = MonthlyActivity(employee_id=employee.id, year=first.year, month=first.month,
                           planned_action=fields.pop("planned_action", "Menyusun laporan bulanan"),
                           quantity=Decimal(str(quantity)), unit=unit, status=status, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def statuses(db, employee, first: date = MARCH) -> list[ActivityStatus]:
    db.session.expire_all()
    return [item.status for item in monthly.month_items(employee.id, first)]


def entry(unit: str = "dokumen", **fields) -> MonthlyInput:
    return MonthlyInput(planned_action=fields.pop("planned_action", "Menyusun laporan"), unit=unit, **fields)


def test_realisation_sums_approved_dailies_of_the_same_unit_and_indicator(db, org, fixed_now):
    staff = org.staff_a
    daily(db, staff, date(2026, 3, 2), 5)
    daily(db, staff, date(2026, 3, 10), 7)
    daily(db, staff, date(2026, 3, 31), "2.5", unit="Dokumen")  # same unit, other spelling
    daily(db, staff, date(2026, 3, 3), 100, status=ActivityStatus.DRAFT)
    daily(db, staff, date(2026, 3, 4), 50, status=ActivityStatus.SUBMITTED)
    daily(db, staff, date(2026, 3, 5), 30, status=ActivityStatus.RETURNED)
    daily(db, staff, date(2026, 3, 6), 9, unit="laporan")
    seven = iki_for(staff).id
    daily(db, staff, date(2026, 3, 9), 4, indicator_id=seven)
    daily(db, staff, date(2026, 2, 28), 11)
    daily(db, staff, date(2026, 4, 1), 13)
    daily(db, org.staff_a2, date(2026, 3, 2), 17)
    actor = org.user(staff)

    with count_queries() as statements:
        outputs = outputs_of(staff.id, MARCH)
    assert len(statements) == 1
    assert {(key, output.quantity) for key, output in outputs.items()} == {
        ((None, "dokumen"), Decimal("14.50")), ((None, "laporan"), Decimal("9.00")), ((seven, "dokumen"), Decimal(4)),
    }

    documents = monthly.create_monthly_activity(actor, MARCH, entry("dokumen"))
    reports = monthly.create_monthly_activity(actor, MARCH, entry("laporan"))
    indicator = monthly.create_monthly_activity(actor, MARCH, entry("dokumen", indicator_id=seven))
    nothing = monthly.create_monthly_activity(actor, MARCH, entry("berkas"))
    db.session.expire_all()
    assert documents.quantity == Decimal("14.5")
    assert reports.quantity == Decimal(9)
    assert indicator.quantity == Decimal(4)
    assert nothing.quantity == 0
    assert (documents.status, documents.year, documents.month, documents.indicator_id) == (
        ActivityStatus.DRAFT, 2026, 3, None)


def test_adjustment_needs_a_reason_and_cannot_make_the_total_negative(db, org, fixed_now):
    daily(db, org.staff_a, date(2026, 3, 2), 5)
    actor = org.user(org.staff_a)

    with pytest.raises(ValidationFailed) as missing:
        monthly.create_monthly_activity(actor, MARCH, entry(adjustment=Decimal(2)))
    assert missing.value.field == "adjustment_reason"
    db.session.rollback()
    with pytest.raises(ValidationFailed) as negative:
        monthly.create_monthly_activity(actor, MARCH, entry(adjustment=Decimal(-6), adjustment_reason="Salah catat"))
    assert negative.value.field == "adjustment"
    db.session.rollback()
    assert monthly.month_items(org.staff_a.id, MARCH) == []

    zero_total = monthly.create_monthly_activity(
        actor, MARCH, entry(adjustment=Decimal(-5), adjustment_reason="Dokumen ganda"))
    plain = monthly.create_monthly_activity(actor, MARCH, entry(adjustment=Decimal(0), adjustment_reason="abaikan"))
    db.session.expire_all()
    assert (zero_total.quantity, zero_total.adjustment, zero_total.adjustment_reason) == (5, -5, "Dokumen ganda")
    assert (plain.adjustment, plain.adjustment_reason) == (0, "")

    with pytest.raises(ValidationFailed) as on_update:
        monthly.update_monthly_activity(actor, plain, entry(adjustment=Decimal("-5.01"), adjustment_reason="x"))
    assert on_update.value.field == "adjustment"


def test_required_fields_and_evidence_link(db, org, fixed_now):
    actor = org.user(org.staff_a)
    for data, field in [
        (entry(planned_action="  "), "planned_action"),
        (entry(unit=" "), "unit"),
        (entry(evidence_url="javascript:alert(1)"), "evidence_url"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            monthly.create_monthly_activity(actor, MARCH, data)
        assert refused.value.field == field
        db.session.rollback()
    item = monthly.create_monthly_activity(
        actor, MARCH, entry(unit="  berkas   masuk ", evidence_url=" https://drive.example/x ", note=" catatan "))
    assert (item.unit, item.evidence_url, item.note) == ("berkas masuk", "https://drive.example/x", "catatan")


def test_only_draft_and_returned_items_can_be_edited_or_deleted(db, org, fixed_now):
    daily(db, org.staff_a, date(2026, 3, 2), 3, unit="laporan")
    actor = org.user(org.staff_a)
    submitted = stored(db, org.staff_a, status=ActivityStatus.SUBMITTED)
    approved = stored(db, org.staff_a, status=ActivityStatus.APPROVED)
    for item in (submitted, approved):
        with pytest.raises(NotAllowed):
            monthly.update_monthly_activity(actor, item, entry("laporan"))
        db.session.rollback()
        with pytest.raises(NotAllowed):
            monthly.delete_monthly_activity(actor, item)
        db.session.rollback()

    returned = stored(db, org.staff_a, status=ActivityStatus.RETURNED, return_reason="Lengkapi bukti")
    monthly.update_monthly_activity(actor, returned, entry("laporan", planned_action="Menyusun laporan triwulan"))
    db.session.expire_all()
    assert (returned.planned_action, returned.unit, returned.quantity) == ("Menyusun laporan triwulan", "laporan", 3)
    assert returned.status is ActivityStatus.RETURNED

    draft = stored(db, org.staff_a)
    monthly.delete_monthly_activity(actor, draft)
    monthly.delete_monthly_activity(actor, returned)
    assert statuses(db, org.staff_a) == [ActivityStatus.SUBMITTED, ActivityStatus.APPROVED]

    other = stored(db, org.staff_b)
    with pytest.raises(NotAllowed):
        monthly.delete_monthly_activity(actor, other)


def test_submit_month(db, org, fixed_now):
    actor = org.user(org.staff_a)
    with pytest.raises(ValidationFailed, match="Belum ada kegiatan bulanan"):
        monthly.submit_month(actor, MARCH)
    db.session.rollback()

    stored(db, org.staff_a)
    stored(db, org.staff_a, status=ActivityStatus.RETURNED, return_reason="Perbaiki")
    stored(db, org.staff_a, status=ActivityStatus.APPROVED)
    stored(db, org.staff_a, first=date(2026, 4, 1))
    stored(db, org.staff_a2)
    assert monthly.submit_month(actor, MARCH) == 2
    assert statuses(db, org.staff_a) == [ActivityStatus.SUBMITTED, ActivityStatus.SUBMITTED, ActivityStatus.APPROVED]
    submitted = [item for item in monthly.month_items(org.staff_a.id, MARCH) if item.status is ActivityStatus.SUBMITTED]
    assert all(item.submitted_at is not None for item in submitted)
    assert statuses(db, org.staff_a, date(2026, 4, 1)) == [ActivityStatus.DRAFT]
    assert statuses(db, org.staff_a2) == [ActivityStatus.DRAFT]

    with pytest.raises(ValidationFailed, match="Tidak ada kegiatan bulanan berstatus draf"):
        monthly.submit_month(actor, MARCH)


def test_closed_month_refuses_every_change(db, org, fixed_now):
    actor = org.user(org.staff_a)
    draft = stored(db, org.staff_a)
    stored(db, org.staff_a, status=ActivityStatus.SUBMITTED)
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=2026, month=3, locked=True, reason="Rekap"))
    db.session.commit()
    actions = [
        lambda: monthly.create_monthly_activity(actor, MARCH, entry()),
        lambda: monthly.update_monthly_activity(actor, draft, entry()),
        lambda: monthly.delete_monthly_activity(actor, draft),
        lambda: monthly.submit_month(actor, MARCH),
        lambda: monthly.withdraw_month(actor, MARCH),
        lambda: monthly.refresh_realisation(actor, MARCH),
    ]
    for action in actions:
        with pytest.raises(ValidationFailed, match="sudah ditutup"):
            action()
        db.session.rollback()
    assert statuses(db, org.staff_a) == [ActivityStatus.DRAFT, ActivityStatus.SUBMITTED]
    assert not monthly.is_month_open(org.staff_a.id, MARCH)


def test_month_closes_after_the_filing_day_unless_reopened(db, org, fixed_now):
    actor = org.user(org.staff_a)
    january = date(2026, 1, 1)
    stored(db, org.staff_a, first=january)
    with pytest.raises(ValidationFailed, match="sudah ditutup"):
        monthly.submit_month(actor, january)
    db.session.rollback()
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=2026, month=1, locked=False))
    db.session.commit()
    assert monthly.submit_month(actor, january) == 1


def test_withdraw_month_while_unreviewed_then_conflict_after_an_approval(db, org, fixed_now):
    actor = org.user(org.staff_a)
    with pytest.raises(ValidationFailed, match="Tidak ada pengajuan"):
        monthly.withdraw_month(actor, MARCH)
    first, second = stored(db, org.staff_a), stored(db, org.staff_a)
    monthly.submit_month(actor, MARCH)

    assert monthly.withdraw_month(actor, MARCH) == 2
    db.session.expire_all()
    assert [(item.status, item.submitted_at) for item in (first, second)] == [(ActivityStatus.DRAFT, None)] * 2

    monthly.submit_month(actor, MARCH)
    # The appraiser approves one item.
    db.session.execute(update(MonthlyActivity).where(MonthlyActivity.id == first.id)
                       .values(status=ActivityStatus.APPROVED))
    db.session.commit()
    with pytest.raises(Conflict):
        monthly.withdraw_month(actor, MARCH)
    assert statuses(db, org.staff_a) == [ActivityStatus.APPROVED, ActivityStatus.SUBMITTED]


def test_refresh_realisation_recomputes_draft_and_returned_items(db, org, fixed_now):
    actor = org.user(org.staff_a)
    first_daily = daily(db, org.staff_a, date(2026, 3, 2), 5)
    draft = monthly.create_monthly_activity(actor, MARCH, entry())
    returned = stored(db, org.staff_a, status=ActivityStatus.RETURNED, quantity=1)
    submitted = stored(db, org.staff_a, status=ActivityStatus.SUBMITTED, quantity=1)
    daily(db, org.staff_a, date(2026, 3, 3), 3)

    assert monthly.refresh_realisation(actor, MARCH) == 2
    db.session.expire_all()
    assert (draft.quantity, returned.quantity, submitted.quantity) == (8, 8, 1)
    assert monthly.refresh_realisation(actor, MARCH) == 0

    monthly.update_monthly_activity(actor, draft, entry(adjustment=Decimal(-8), adjustment_reason="Ganda"))
    first_daily.status = ActivityStatus.RETURNED  # the appraiser changed their mind about a day
    db.session.commit()
    with pytest.raises(ValidationFailed, match="negatif"):
        monthly.refresh_realisation(actor, MARCH)
    db.session.expire_all()
    assert (draft.quantity, returned.quantity) == (8, 8)


# Through the pages.

def test_other_users_item_is_404(client, auth, db, org, fixed_now):
    theirs = stored(db, org.staff_b)
    mine = stored(db, org.staff_a)
    theirs_id, mine_id = theirs.id, mine.id
    auth.login(org.staff_a.id_number)
    assert client.get(f"/kegiatan/bulanan/item/{theirs_id}/ubah").status_code == 404
    assert client.post(f"/kegiatan/bulanan/item/{theirs_id}/ubah", data={"planned_action": "x", "unit": "x"}
                       ).status_code == 404
    assert client.post(f"/kegiatan/bulanan/item/{theirs_id}/hapus").status_code == 404
    assert client.get("/kegiatan/bulanan/item/999999/ubah").status_code == 404
    assert client.get(f"/kegiatan/bulanan/item/{mine_id}/ubah").status_code == 200
    db.session.expire_all()
    assert db.session.get(MonthlyActivity, theirs_id) is not None


def test_admin_without_employee_has_no_monthly_page(client, auth, org):
    auth.login("admin.a")
    assert client.get("/kegiatan/bulanan").status_code == 404
    assert client.get("/kegiatan/bulanan/2026-03").status_code == 404


def test_page_add_edit_submit_and_withdraw(client, auth, db, org, fixed_now):
    daily(db, org.staff_a, date(2026, 3, 2), 12)
    daily(db, org.staff_a, date(2026, 3, 3), 2, unit="laporan", status=ActivityStatus.SUBMITTED)
    stored(db, org.staff_a, status=ActivityStatus.RETURNED, planned_action="Rapat koordinasi",
           return_reason="Tambahkan notulen")
    auth.login(org.staff_a.id_number)

    current = client.get("/kegiatan/bulanan")
    assert current.status_code == 302 and "/kegiatan/bulanan/" in current.headers["Location"]
    home = client.get("/").get_data(as_text=True)
    assert "Kegiatan bulanan" in home

    page = client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)
    assert "Realisasi dari kegiatan harian yang disetujui: 12 dokumen" in page
    assert "2 laporan" not in page  # submitted, not yet approved
    assert "Tambahkan notulen" in page
    assert 'name="indicator_id"' not in page
    assert "?satuan=dokumen" in page

    refused = client.post("/kegiatan/bulanan/2026-03", data={
        "planned_action": "Menyusun dokumen", "unit": "dokumen", "adjustment": "1", "adjustment_reason": ""})
    assert refused.status_code == 200
    assert "Jelaskan alasan penyesuaian realisasi." in refused.get_data(as_text=True)

    saved = client.post("/kegiatan/bulanan/2026-03", data={
        "planned_action": "Menyusun dokumen", "unit": "dokumen", "adjustment": "-2",
        "adjustment_reason": "Dua dokumen milik bulan lalu", "evidence_url": "https://drive.example/bukti",
        "note": "Catatan"})
    assert saved.status_code == 302
    db.session.expire_all()
    item = db.session.scalar(select(MonthlyActivity).where(MonthlyActivity.planned_action == "Menyusun dokumen"))
    assert (item.quantity, item.adjustment, item.indicator_id) == (12, -2, None)
    item_id = item.id
    assert "10 dokumen" in client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)

    edited = client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={
        "planned_action": "Menyusun dokumen perencanaan", "unit": "dokumen", "adjustment": "0"})
    assert edited.status_code == 302
    db.session.expire_all()
    item = db.session.get(MonthlyActivity, item_id)
    assert (item.planned_action, item.adjustment, item.adjustment_reason) == ("Menyusun dokumen perencanaan", 0, "")

    submitted = client.post("/kegiatan/bulanan/2026-03/ajukan", follow_redirects=True)
    assert "2 kegiatan bulanan diajukan ke atasan." in submitted.get_data(as_text=True)
    assert statuses(db, org.staff_a) == [ActivityStatus.SUBMITTED] * 2
    assert client.get(f"/kegiatan/bulanan/item/{item_id}/ubah").status_code == 302
    assert client.post(f"/kegiatan/bulanan/item/{item_id}/hapus").status_code == 302
    assert db.session.get(MonthlyActivity, item_id) is not None

    withdrawn = client.post("/kegiatan/bulanan/2026-03/tarik", follow_redirects=True)
    assert "Pengajuan ditarik" in withdrawn.get_data(as_text=True)
    assert statuses(db, org.staff_a) == [ActivityStatus.DRAFT] * 2

    empty = client.post("/kegiatan/bulanan/2026-04/ajukan", follow_redirects=True)
    assert "Belum ada kegiatan bulanan" in empty.get_data(as_text=True)

    deleted = client.post(f"/kegiatan/bulanan/item/{item_id}/hapus", follow_redirects=True)
    assert "Kegiatan bulanan dihapus." in deleted.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MonthlyActivity, item_id) is None


def test_closed_month_page_hides_the_forms(client, auth, db, org, fixed_now):
    stored(db, org.staff_a, first=date(2026, 1, 1))
    auth.login(org.staff_a.id_number)
    page = client.get("/kegiatan/bulanan/2026-01").get_data(as_text=True)
    assert "sudah ditutup untuk pengisian" in page
    assert 'id="tambah"' not in page
    assert "/kegiatan/bulanan/2026-01/ajukan" not in page
    refused = client.post("/kegiatan/bulanan/2026-01", data={"planned_action": "x", "unit": "dokumen"})
    assert "sudah ditutup" in refused.get_data(as_text=True)


def queries_for(client, db, url: str) -> int:
    db.session.remove()  # requests share the test's session: start each from an empty identity map
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def add_items(db, employee, number: int) -> None:
    kinds = [ActivityStatus.DRAFT, ActivityStatus.RETURNED, ActivityStatus.SUBMITTED, ActivityStatus.APPROVED]
    for index in range(number):
        status = kinds[index % len(kinds)]
        stored(db, employee, status=status, quantity=index, unit=("dokumen", "laporan", "berkas")[index % 3],
               adjustment=Decimal(1), adjustment_reason="Koreksi", evidence_url="https://drive.example/x",
               note="Catatan", return_reason="Perbaiki" if status is ActivityStatus.RETURNED else None)


def test_page_queries_do_not_grow_with_items(client, auth, db, org, fixed_now):
    staff_id = org.staff_a.id
    daily(db, org.staff_a, date(2026, 3, 2), 4)
    daily(db, org.staff_a, date(2026, 3, 3), 2, unit="laporan")
    add_items(db, org.staff_a, 2)
    auth.login(org.staff_a.id_number)
    before = queries_for(client, db, "/kegiatan/bulanan/2026-03")
    add_items(db, db.session.get(Employee, staff_id), 28)
    after = queries_for(client, db, "/kegiatan/bulanan/2026-03")
    assert after == before, f"the monthly page ran {before} queries for 2 items, then {after} for 30"


@pytest.mark.browser
def test_monthly_page_on_a_phone(phone, live_server, db, org, fixed_now):
    from tests.browser import assert_fits_width, screenshot
    from tests.test_browser_foundation import sign_in

    daily(db, org.staff_a, date(2026, 3, 2), 12)
    stored(db, org.staff_a, status=ActivityStatus.RETURNED, quantity=12, adjustment=Decimal(-2),
           adjustment_reason="Dua dokumen milik bulan lalu", return_reason="Lampirkan daftar dokumen",
           evidence_url="https://drive.example/folder/bukti-dukung-maret-2026-yang-panjang-sekali",
           planned_action="Menyusun rancangan peraturan bupati tentang standar pelayanan minimal bidang kesehatan")
    stored(db, org.staff_a, status=ActivityStatus.SUBMITTED, unit="laporan")
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/kegiatan/bulanan/2026-03")
    phone.locator(".monthly-item").get_by_text("Lampirkan daftar dokumen").wait_for()
    assert not phone.locator(".monthly-table").is_visible()
    assert_fits_width(phone)
    screenshot(phone, "activities-monthly-360")

    phone.get_by_label("Rencana aksi").fill("Menyusun dokumen")
    phone.get_by_label("Satuan").fill("dokumen")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Simpan").click()
    phone.get_by_text("Kegiatan bulanan disimpan sebagai draf.").wait_for()
    assert_fits_width(phone)


@pytest.mark.browser
def test_monthly_page_on_a_desktop_shows_a_table(desktop, live_server, db, org, fixed_now):
    from tests.browser import screenshot
    from tests.test_browser_foundation import sign_in

    daily(db, org.staff_a, date(2026, 3, 2), 12)
    stored(db, org.staff_a, quantity=12, adjustment=Decimal(-2), adjustment_reason="Dua dokumen milik bulan lalu",
           evidence_url="https://drive.example/folder/bukti", note="Draf final menunggu paraf")
    stored(db, org.staff_a, status=ActivityStatus.APPROVED, unit="laporan", quantity=3)
    sign_in(desktop, live_server, org.staff_a.id_number)
    desktop.goto(f"{live_server}/kegiatan/bulanan/2026-03")
    table = desktop.locator(".monthly-table")
    table.get_by_text("Dua dokumen milik bulan lalu").wait_for()
    assert not desktop.locator(".monthly-item").first.is_visible()
    assert table.get_by_role("link", name="Ubah").count() == 1
    screenshot(desktop, "activities-monthly-1280")
