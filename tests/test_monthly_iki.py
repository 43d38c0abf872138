"""A monthly activity realises an IKI of the plan in force in its month: the choices, the unit that follows the
IKI, the realisation from the IKI's approved output, refusals of any other IKI (form and API), editing, the
appraiser's view and the page's query count."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from kinerja.activities import monthly
from kinerja.errors import ValidationFailed
from kinerja.models import ActivityStatus, Iki, MonthlyActivity, Rhk, RhkKind, Skp, SkpStatus
from tests.factories import freeze_now, iki_for
from tests.test_api_activities import error_of, headers
from tests.test_monthly_activities import MARCH, NOW, daily, entry, queries_for

BERKAS = "Jumlah berkas yang diverifikasi"


@pytest.fixture()
def march(monkeypatch):
    """Today is 20 March 2026 in Jakarta: March is open."""
    freeze_now(monkeypatch, NOW)


def plan_iki(db, employee, start: date, end: date, text: str, unit: str, previous: Skp | None = None) -> Iki:
    """An IKI of an approved plan of the employee for the period (a revision of `previous` when given)."""
    indicator = Iki(text=text, target_value=Decimal(500), unit=unit)
    skp = Skp(employee_id=employee.id, period_start=start, period_end=end, status=SkpStatus.APPROVED,
              version=previous.version + 1 if previous else 1, previous_version_id=previous.id if previous else None,
              rhk=[Rhk(kind=RhkKind.MAIN, text=f"Terverifikasinya {unit}", position=1, indicators=[indicator])])
    db.session.add(skp)
    db.session.commit()
    return indicator


@pytest.fixture()
def berkas(db, org, march):
    """Staf A's IKI in berkas, with 42 berkas of approved daily work linked to it in March (the defect's month)."""
    iki = iki_for(org.staff_a, text=BERKAS, unit="berkas")
    daily(db, org.staff_a, date(2026, 3, 2), 30, unit="berkas", indicator_id=iki.id)
    daily(db, org.staff_a, date(2026, 3, 3), 12, unit="Berkas", indicator_id=iki.id)
    daily(db, org.staff_a, date(2026, 3, 4), 5, unit="berkas")  # not linked: not the IKI's
    daily(db, org.staff_a, date(2026, 3, 5), 9, unit="berkas", indicator_id=iki.id, status=ActivityStatus.SUBMITTED)
    db.session.commit()
    return iki


def saved_items(db) -> list[MonthlyActivity]:
    db.session.expire_all()
    return list(db.session.scalars(select(MonthlyActivity).order_by(MonthlyActivity.id)))


# The defect: daily work linked to an IKI, a monthly item in its unit showed 0.

def test_the_page_names_the_iki_and_a_linked_item_is_realised_by_its_approved_output(client, auth, db, org, berkas):
    auth.login(org.staff_a.id_number)
    page = client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)
    assert "realisasi dari kegiatan harian yang disetujui: 42 berkas" in page.lower()  # either spelling
    assert f"IKI: {BERKAS}" in page and "Indikator #" not in page
    assert f'<option data-unit="berkas" value="{berkas.id}">{BERKAS} (berkas)</option>' in page
    assert '<optgroup label="RHK Jumlah berkas yang diverifikasi">' in page
    assert f"?iki={berkas.id}" in page

    chosen = client.get(f"/kegiatan/bulanan/2026-03?iki={berkas.id}").get_data(as_text=True)
    assert f'<option data-unit="berkas" selected value="{berkas.id}">' in chosen

    saved = client.post("/kegiatan/bulanan/2026-03", data={
        "indicator_id": berkas.id, "planned_action": "Verifikasi berkas permohonan", "unit": ""})
    assert saved.status_code == 302
    [item] = saved_items(db)
    assert (item.indicator_id, item.unit, item.quantity) == (berkas.id, "berkas", 42)
    page = client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)
    assert "Realisasi: <span class=\"fw-semibold\">42 berkas</span>" in page
    assert f"IKI: {BERKAS} (berkas)" in page


def test_an_unlinked_item_keeps_todays_rule(db, org, berkas):
    item = monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("berkas"))
    assert (item.indicator_id, item.quantity) == (None, 5)


@pytest.mark.parametrize("typed", ["", "berkas", " BERKAS "])
def test_the_unit_follows_the_iki(db, org, berkas, typed):
    item = monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry(typed, indicator_id=berkas.id))
    assert (item.unit, item.quantity) == ("berkas", 42)


def test_another_unit_than_the_ikis_is_refused_and_nothing_saved(db, org, berkas):
    with pytest.raises(ValidationFailed, match=r"Satuan mengikuti indikator \(IKI\) yang dipilih: berkas\.") as error:
        monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("dokumen", indicator_id=berkas.id))
    assert error.value.field == "unit"
    db.session.rollback()
    assert saved_items(db) == []


def test_without_an_iki_a_unit_is_required(db, org, berkas):
    with pytest.raises(ValidationFailed, match=r"Satuan output wajib diisi\.") as error:
        monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry(""))
    assert error.value.field == "unit"


# Only an IKI of the employee's plan in force in the month.

@pytest.fixture()
def foreign(db, org, berkas):
    """IKI the staff member may not pick for March 2026: a colleague's, her own of 2025, and a made-up id."""
    colleague = iki_for(org.staff_a2, text="Jumlah surat", unit="surat")
    last_year = plan_iki(db, org.staff_a, date(2025, 1, 1), date(2025, 12, 31), "Jumlah berkas 2025", "berkas")
    db.session.commit()
    return {"colleague": colleague.id, "last_year": last_year.id, "made_up": 999_999}


@pytest.mark.parametrize("whose", ["colleague", "last_year", "made_up"])
def test_the_service_refuses_an_iki_outside_the_plan_in_force(db, org, foreign, whose):
    with pytest.raises(ValidationFailed, match="bukan bagian dari SKP Anda yang berlaku pada Maret 2026") as error:
        monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("berkas", indicator_id=foreign[whose]))
    assert error.value.field == "indicator_id"
    db.session.rollback()
    assert saved_items(db) == []


@pytest.mark.parametrize("whose", ["colleague", "last_year", "made_up", "garbage"])
def test_the_form_refuses_it_on_the_field_and_keeps_the_input(client, auth, db, org, foreign, whose):
    auth.login(org.staff_a.id_number)
    answer = client.post("/kegiatan/bulanan/2026-03", data={
        "indicator_id": foreign.get(whose, "abc"), "planned_action": "Rencana yang tidak boleh hilang",
        "unit": "berkas"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert re.search(r'class="form-select js-indicator is-invalid"', page)
    assert "Pilih indikator (IKI) dari SKP Anda yang berlaku pada bulan ini." in page
    assert "Rencana yang tidak boleh hilang</textarea>" in page
    assert saved_items(db) == []


def test_without_a_plan_in_force_the_field_is_hidden_and_items_are_saved_unlinked(client, auth, db, org, march):
    daily(db, org.staff_a, date(2026, 3, 2), 4)
    auth.login(org.staff_a.id_number)
    page = client.get("/kegiatan/bulanan/2026-03").get_data(as_text=True)
    assert 'name="indicator_id"' not in page
    assert "Belum ada SKP yang disetujui yang berlaku pada bulan ini" in page
    assert client.post("/kegiatan/bulanan/2026-03", data={"planned_action": "Menyusun dokumen", "unit": "dokumen"}
                       ).status_code == 302
    assert [(item.indicator_id, item.quantity) for item in saved_items(db)] == [(None, 4)]
    with pytest.raises(ValidationFailed, match="Belum ada SKP yang disetujui yang berlaku pada Maret 2026"):
        monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry(indicator_id=999_999))


def test_the_plan_covering_the_months_first_day_gives_the_choices(db, org, march):
    first = plan_iki(db, org.staff_a, date(2026, 1, 1), date(2026, 3, 15), "Semester awal", "dokumen")
    second = plan_iki(db, org.staff_a, date(2026, 3, 16), date(2026, 12, 31), "Semester akhir", "dokumen")
    assert [item.id for item in monthly.month_indicators(org.staff_a.id, MARCH)] == [first.id]
    assert [item.id for item in monthly.month_indicators(org.staff_a.id, date(2026, 4, 1))] == [second.id]


# Editing.

def test_editing_keeps_the_iki_and_may_change_or_drop_it(client, auth, db, org, berkas):
    other = Iki(text="Jumlah dokumen", target_value=Decimal(10), unit="dokumen")
    berkas.rhk.indicators.append(other)
    db.session.flush()
    daily(db, org.staff_a, date(2026, 3, 6), 3, indicator_id=other.id)
    item = monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("", indicator_id=berkas.id))
    item_id = item.id
    auth.login(org.staff_a.id_number)
    page = client.get(f"/kegiatan/bulanan/item/{item_id}/ubah").get_data(as_text=True)
    assert f'selected value="{berkas.id}"' in page

    assert client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={
        "indicator_id": berkas.id, "planned_action": "Diubah", "unit": "berkas"}).status_code == 302
    assert client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={  # the field left out: kept
        "planned_action": "Diubah lagi", "unit": "berkas"}).status_code == 302
    assert [(i.indicator_id, i.quantity) for i in saved_items(db)] == [(berkas.id, 42)]

    assert client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={
        "indicator_id": other.id, "planned_action": "Dokumen", "unit": ""}).status_code == 302
    assert [(i.indicator_id, i.unit, i.quantity) for i in saved_items(db)] == [(other.id, "dokumen", 3)]
    assert client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={
        "indicator_id": 0, "planned_action": "Tanpa IKI", "unit": "berkas"}).status_code == 302
    assert [(i.indicator_id, i.unit, i.quantity) for i in saved_items(db)] == [(None, "berkas", 5)]


def test_an_iki_of_a_since_revised_plan_may_be_kept_but_not_chosen(client, auth, db, org, berkas):
    item = monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("", indicator_id=berkas.id))
    older = Iki(text="Jumlah berkas lama", target_value=Decimal(1), unit="berkas")
    berkas.rhk.indicators.append(older)
    db.session.commit()
    revised = plan_iki(db, org.staff_a, date(2026, 1, 1), date(2026, 12, 31), "Jumlah berkas (revisi)", "berkas",
                       previous=berkas.rhk.skp)
    assert [choice.id for choice in monthly.month_indicators(org.staff_a.id, MARCH)] == [revised.id]
    item_id = item.id
    auth.login(org.staff_a.id_number)
    page = client.get(f"/kegiatan/bulanan/item/{item_id}/ubah").get_data(as_text=True)
    assert f"{BERKAS} (berkas) — tidak lagi dalam SKP yang berlaku" in page
    assert client.post(f"/kegiatan/bulanan/item/{item_id}/ubah", data={
        "indicator_id": berkas.id, "planned_action": "Tetap", "unit": "berkas"}).status_code == 302
    assert [(i.indicator_id, i.quantity) for i in saved_items(db)] == [(berkas.id, 42)]
    with pytest.raises(ValidationFailed) as error:
        monthly.update_monthly_activity(org.user(org.staff_a), db.session.get(MonthlyActivity, item_id),
                                        entry("", indicator_id=older.id))
    assert error.value.field == "indicator_id"


def test_refresh_realises_a_linked_item_in_the_ikis_unit(db, org, berkas):
    item = MonthlyActivity(employee_id=org.staff_a.id, year=2026, month=3, planned_action="Lama", quantity=0,
                           unit="dokumen", indicator_id=berkas.id)  # saved before the unit followed the IKI
    db.session.add(item)
    db.session.commit()
    assert monthly.refresh_realisation(org.user(org.staff_a), MARCH) == 1
    assert saved_items(db)[0].quantity == 42


# The appraiser's side.

def test_the_appraiser_sees_the_iki_of_each_monthly_item(client, auth, db, org, berkas):
    actor = org.user(org.staff_a)
    monthly.create_monthly_activity(actor, MARCH, entry("", indicator_id=berkas.id, planned_action="Verifikasi"))
    monthly.create_monthly_activity(actor, MARCH, entry("laporan", planned_action="Rapat"))
    monthly.submit_month(actor, MARCH)
    auth.login(org.appraiser_a.id_number)
    page = client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-03").get_data(as_text=True)
    assert f"IKI: {BERKAS} (berkas)" in page
    assert "Realisasi: 42 berkas" in page
    assert "Tanpa indikator SKP" in page


# The API.

def test_api_round_trip(client, db, org, berkas):
    staff = headers(org.staff_a)
    choices = client.get("/api/v1/monthly-activities/indicators?month=2026-03", headers=staff)
    assert choices.status_code == 200
    assert choices.get_json() == [{"id": berkas.id, "text": BERKAS, "rhk": f"RHK {BERKAS}", "unit": "berkas"}]
    assert client.get("/api/v1/monthly-activities/indicators?month=2025-03", headers=staff).get_json() == []

    created = client.post("/api/v1/monthly-activities", headers=staff, json={
        "month": "2026-03", "planned_action": "Verifikasi berkas", "indicator_id": berkas.id})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["indicator_id"], body["unit"], body["quantity"]) == (berkas.id, "berkas", 42)
    assert body["indicator"] == {"id": berkas.id, "text": BERKAS, "rhk": f"RHK {BERKAS}", "unit": "berkas"}

    listed = client.get("/api/v1/monthly-activities?month=2026-03", headers=staff).get_json()
    assert [(item["id"], item["indicator"]["text"], item["quantity"]) for item in listed] == [
        (body["id"], BERKAS, 42)]

    kept = client.put(f"/api/v1/monthly-activities/{body['id']}", headers=staff,
                      json={"planned_action": "Verifikasi semua berkas"})
    assert kept.status_code == 200, kept.get_json()
    assert (kept.get_json()["indicator_id"], kept.get_json()["quantity"]) == (berkas.id, 42)
    dropped = client.put(f"/api/v1/monthly-activities/{body['id']}", headers=staff,
                         json={"planned_action": "Tanpa IKI", "indicator_id": None, "unit": "berkas"})
    assert dropped.status_code == 200, dropped.get_json()
    assert (dropped.get_json()["indicator"], dropped.get_json()["quantity"]) == (None, 5)


@pytest.mark.parametrize("whose", ["colleague", "last_year", "made_up"])
def test_api_refuses_an_iki_outside_the_plan_with_422(client, db, org, foreign, whose):
    answer = client.post("/api/v1/monthly-activities", headers=headers(org.staff_a), json={
        "month": "2026-03", "planned_action": "Verifikasi", "unit": "berkas", "indicator_id": foreign[whose]})
    assert answer.status_code == 422
    assert "bukan bagian dari SKP Anda yang berlaku pada Maret 2026" in error_of(answer)["fields"]["indicator_id"]
    assert db.session.scalar(select(func.count()).select_from(MonthlyActivity)) == 0


def test_api_refuses_a_foreign_iki_on_change_and_a_missing_unit(client, db, org, foreign):
    staff = headers(org.staff_a)
    missing = client.post("/api/v1/monthly-activities", headers=staff,
                          json={"month": "2026-03", "planned_action": "Tanpa satuan"})
    assert missing.status_code == 422
    assert error_of(missing)["fields"] == {"unit": "Satuan output wajib diisi."}
    item = monthly.create_monthly_activity(org.user(org.staff_a), MARCH, entry("berkas"))
    changed = client.put(f"/api/v1/monthly-activities/{item.id}", headers=staff, json={
        "planned_action": "Diubah", "unit": "berkas", "indicator_id": foreign["colleague"]})
    assert changed.status_code == 422
    assert "indicator_id" in error_of(changed)["fields"]
    assert [(i.planned_action, i.indicator_id) for i in saved_items(db)] == [("Menyusun laporan", None)]


# Bulk loads.

def test_page_queries_do_not_grow_with_linked_items(client, auth, db, org, berkas):
    staff_id, iki_id = org.staff_a.id, berkas.id

    def add(number: int) -> None:
        for index in range(number):
            db.session.add(MonthlyActivity(employee_id=staff_id, year=2026, month=3, planned_action=f"B{index}",
                                           quantity=42, unit="berkas", indicator_id=iki_id if index % 2 else None))
        db.session.commit()

    add(2)
    auth.login(org.staff_a.id_number)
    before = queries_for(client, db, "/kegiatan/bulanan/2026-03")
    add(20)
    after = queries_for(client, db, "/kegiatan/bulanan/2026-03")
    assert after == before, f"the monthly page ran {before} queries for 2 items, then {after} for 22"
