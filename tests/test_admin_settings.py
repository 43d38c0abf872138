"""BKD's settings page: each value validated, nothing saved when one is wrong, every change audited and in force
at once (daily maximum, effective minutes, Ramadan hours); only BKD may open it, and it needs the CSRF token."""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from kinerja.activities.queries import month_overview
from kinerja.activities.services import create_activity
from kinerja.attendance.hours import working_hours
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.models import AuditEntry, RegencySetting
from kinerja.settings import SETTINGS, parse, save_settings, setting
from tests.factories import FIXED_NOW, activity_input, freeze_now

YESTERDAY = date(2026, 11, 17)


def defaults(app, **changes: str) -> dict[str, str]:
    """The whole settings form as the page first shows it (the configuration's values), with changes."""
    values = {name: "" if app.config.get(name) is None else str(app.config[name]) for name in SETTINGS}
    return {**values, **changes}


def error_of(page: str, name: str) -> str | None:
    """The message shown under the named input (before the next input), if any."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>(.*?)(?=<input|</form>)', page, re.S)
    assert match, f"no input {name}"
    message = re.search(r'class="invalid-feedback d-block">(.*?)</div>', match.group(1), re.S)
    return html.unescape(message.group(1)) if message else None


def stored(db) -> dict[str, str]:
    return dict(db.session.execute(select(RegencySetting.name, RegencySetting.value)).all())


def setting_audits(db) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "change_setting")
                                   .order_by(AuditEntry.id)))


@pytest.fixture()
def bkd(auth, org):
    auth.login("admin.bkd")
    return org


# --- Validation -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "expected"), [
    ("EFFECTIVE_MINUTES_PER_DAY", " 450 ", "450"),
    ("EFFECTIVE_MINUTES_PER_DAY", "59", "Isi antara 60 dan 600."),
    ("EFFECTIVE_MINUTES_PER_DAY", "601", "Isi antara 60 dan 600."),
    ("EFFECTIVE_MINUTES_PER_DAY", "tiga ratus", "Isi dengan bilangan bulat."),
    ("EFFECTIVE_MINUTES_PER_DAY", "300,5", "Isi dengan bilangan bulat."),
    ("EFFECTIVE_MINUTES_PER_DAY", "", "Wajib diisi."),
    ("MAX_HOURS_PER_DAY", "0", "Isi antara 1 dan 24."),
    ("FILING_LOCK_DAY", "29", "Isi antara 1 dan 28."),
    ("WORK_START", "07.45", "07:45"),
    ("WORK_START", "25:00", "Isi jam dengan format JJ:MM, misalnya 07:30."),
    ("WORK_START", "13:00", "Jam masuk harus antara 05.00 dan 12.00."),
    ("RAMADAN_START", "2026-02-18", "2026-02-18"),
    ("RAMADAN_START", "", ""),
    ("RAMADAN_START", "18/02/2026", "Isi tanggal dengan format TTTT-BB-HH."),
    ("ATTENDANCE_MAX_ACCURACY_M", "5", "Isi antara 10 dan 1000."),
    ("SELFIE_RETENTION_DAYS", "3651", "Isi antara 7 dan 3650."),
])
def test_parse_checks_each_kind_of_value(db, name, text, expected):
    try:
        assert parse(SETTINGS[name], text) == expected
    except ValidationFailed as error:
        assert (error.field, error.message) == (name, expected)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"EFFECTIVE_MINUTES_PER_DAY": "59"}, "EFFECTIVE_MINUTES_PER_DAY", "Isi antara 60 dan 600."),
    ({"MAX_HOURS_PER_DAY": "25"}, "MAX_HOURS_PER_DAY", "Isi antara 1 dan 24."),
    ({"BACKDATE_WORKING_DAYS": "lima"}, "BACKDATE_WORKING_DAYS", "Isi dengan bilangan bulat."),
    ({"WORK_START": "7 pagi"}, "WORK_START", "Isi jam dengan format JJ:MM, misalnya 07:30."),
    ({"RAMADAN_START": "2026-02-18"}, "RAMADAN_END", "Isi awal dan akhir Ramadan, atau kosongkan keduanya."),
    ({"RAMADAN_END": "2026-03-19"}, "RAMADAN_END", "Isi awal dan akhir Ramadan, atau kosongkan keduanya."),
    ({"RAMADAN_START": "2026-03-19", "RAMADAN_END": "2026-02-18"}, "RAMADAN_END",
     "Akhir Ramadan harus sesudah awalnya."),
    ({"RAMADAN_START": "2026-02-18", "RAMADAN_END": "2026-05-18"}, "RAMADAN_END",
     "Ramadan berlangsung 29 atau 30 hari: periksa tanggal akhirnya."),
])
def test_one_bad_value_saves_nothing(app, client, bkd, db, changes, field, message):
    """The good change beside the bad one is not stored either."""
    response = client.post("/admin/pengaturan", data=defaults(app, **{"MAX_HOURS_PER_DAY": "8", **changes}))
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), field) == message
    assert stored(db) == {} and setting_audits(db) == []
    assert setting("MAX_HOURS_PER_DAY") == app.config["MAX_HOURS_PER_DAY"]


def test_every_bad_field_is_marked_at_once(app, client, bkd, db):
    page = client.post("/admin/pengaturan", data=defaults(app, EFFECTIVE_MINUTES_PER_DAY="5", WORK_START="x",
                                                          REPORT_RETENTION_DAYS="0")).get_data(as_text=True)
    assert error_of(page, "EFFECTIVE_MINUTES_PER_DAY") == "Isi antara 60 dan 600."
    assert error_of(page, "WORK_START") == "Isi jam dengan format JJ:MM, misalnya 07:30."
    assert error_of(page, "REPORT_RETENTION_DAYS") == "Isi antara 1 dan 365."
    assert error_of(page, "MAX_HOURS_PER_DAY") is None
    assert "tidak ada yang disimpan" in page


# --- Saving and auditing --------------------------------------------------------------------------------------

def test_bkd_changes_settings_and_each_change_is_audited(app, client, bkd, db):
    response = client.post("/admin/pengaturan", data=defaults(app, EFFECTIVE_MINUTES_PER_DAY="450",
                                                              WORK_START="07.45"))
    assert response.status_code == 302
    assert stored(db) == {"EFFECTIVE_MINUTES_PER_DAY": "450", "WORK_START": "07:45"}
    entries = setting_audits(db)
    assert {(entry.from_state, entry.to_state, entry.reason, entry.actor_id) for entry in entries} == {
        ("300", "450", "EFFECTIVE_MINUTES_PER_DAY: 300 → 450", bkd.bkd_admin.id),
        ("07:30", "07:45", "WORK_START: 07:30 → 07:45", bkd.bkd_admin.id),
    }
    page = client.get(response.location).get_data(as_text=True)
    assert "Menit efektif per hari: 450 menit; Jam masuk: 07.45" in page
    assert 'name="EFFECTIVE_MINUTES_PER_DAY"' in page and 'value="450"' in page
    assert "Bawaan: 300 menit" in page and "diubah BKD" in page


def test_saving_unchanged_values_stores_nothing(app, client, bkd, db):
    response = client.post("/admin/pengaturan", data=defaults(app), follow_redirects=True)
    assert "Tidak ada pengaturan yang berubah." in response.get_data(as_text=True)
    assert stored(db) == {} and setting_audits(db) == []


def test_a_second_change_updates_the_stored_value(app, client, bkd, db):
    client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="10"))
    client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="9"))
    assert stored(db) == {"MAX_HOURS_PER_DAY": "9"}
    assert [(entry.from_state, entry.to_state) for entry in setting_audits(db)] == [("12", "10"), ("10", "9")]


def test_the_page_shows_inputs_with_bounds_for_phones(client, bkd):
    page = client.get("/admin/pengaturan").get_data(as_text=True)
    assert re.search(r'<input[^>]*max="600"[^>]*min="60"[^>]*name="EFFECTIVE_MINUTES_PER_DAY"[^>]*type="number"',
                     page)
    assert re.search(r'<input[^>]*name="WORK_START"[^>]*type="time"[^>]*value="07:30"', page)
    assert re.search(r'<input[^>]*name="RAMADAN_START"[^>]*type="date"', page)
    for group in ("Kegiatan dan penilaian", "Jam kerja (Perpres 21/2023)", "Jam kerja bulan Ramadan", "Presensi",
                  "Masa simpan"):
        assert f">{group}</legend>" in page


def test_the_service_refuses_anyone_but_bkd(db, org):
    with pytest.raises(NotAllowed):
        save_settings(org.agency_admin_a, {"MAX_HOURS_PER_DAY": "8"})
    assert stored(db) == {}


# --- In force at once -----------------------------------------------------------------------------------------

def test_daily_maximum_takes_effect_at_once(app, client, bkd, db, monkeypatch):
    freeze_now(monkeypatch, FIXED_NOW)
    actor = bkd.user(bkd.staff_a)
    create_activity(actor, activity_input(date(2026, 11, 16), "07:30", "16:30"))  # 9 hours: allowed under 12
    assert client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="8")).status_code == 302
    with pytest.raises(ValidationFailed) as refused:
        create_activity(actor, activity_input(YESTERDAY, "07:30", "16:30"))
    assert refused.value.field == "end_time" and "8 jam" in refused.value.message


def test_effective_minutes_change_the_monthly_target(app, client, bkd, db):
    before = month_overview(bkd.staff_a.id, date(2026, 11, 1))
    assert before.target_minutes == before.working_days * 300
    client.post("/admin/pengaturan", data=defaults(app, EFFECTIVE_MINUTES_PER_DAY="450"))
    assert month_overview(bkd.staff_a.id, date(2026, 11, 1)).target_minutes == before.working_days * 450


def test_ramadan_hours_follow_the_hijri_calendar_until_bkd_corrects_them(app, client, bkd, db):
    """Ramadan 1447 is 18 February to 19 March 2026 in the Umm al-Qura calendar; BKD moves it a day later."""
    assert [working_hours(day).ramadan for day in (date(2026, 2, 17), date(2026, 2, 18), date(2026, 3, 19),
                                                   date(2026, 3, 20))] == [False, True, True, False]
    hours = working_hours(date(2026, 3, 2))
    assert (hours.start, hours.end, hours.ramadan) == (time(8, 0), time(15, 0), True)
    client.post("/admin/pengaturan", data=defaults(app, RAMADAN_START="2026-02-19", RAMADAN_END="2026-03-20"))
    assert [working_hours(day).ramadan for day in (date(2026, 2, 18), date(2026, 2, 19), date(2026, 3, 20),
                                                   date(2026, 3, 21))] == [False, True, True, False]
    assert working_hours(date(2027, 2, 24)).ramadan is True  # Ramadan 1448 keeps the calendar's dates
    client.post("/admin/pengaturan", data=defaults(app, RAMADAN_START="", RAMADAN_END=""))
    assert working_hours(date(2026, 2, 18)).ramadan is True and working_hours(date(2026, 3, 20)).ramadan is False


@pytest.mark.parametrize(("today", "start", "end"), [
    (date(2026, 1, 10), "2026-02-18 (1 Ramadan 1447 H", "2026-03-19 (30 Ramadan 1447 H"),
    (date(2026, 3, 19), "2026-02-18 (1 Ramadan 1447 H", "2026-03-19 (30 Ramadan 1447 H"),  # its last day
    (date(2026, 3, 20), "2027-02-08 (1 Ramadan 1448 H", "2027-03-08 (29 Ramadan 1448 H"),
])
def test_the_page_shows_which_ramadan_applies_when_left_empty(client, bkd, monkeypatch, today, start, end):
    freeze_now(monkeypatch, today)
    page = html.unescape(client.get("/admin/pengaturan").get_data(as_text=True))
    assert f"Bawaan: {start}, kalender Hijriah)" in page and f"Bawaan: {end}, kalender Hijriah)" in page
    assert "mengikuti kalender Hijriah (Umm al-Qura)" in page


# --- Who may, and CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin.a", "staff"])
@pytest.mark.parametrize(("method", "url"), [("get", "/admin/pengaturan"), ("post", "/admin/pengaturan"),
                                             ("get", "/admin/pengaturan/identitas"),
                                             ("post", "/admin/pengaturan/identitas")])
def test_only_bkd_opens_the_settings(app, client, auth, org, db, who, method, url):
    auth.login(org.staff_a.id_number if who == "staff" else who)
    response = getattr(client, method)(url, data=defaults(app, MAX_HOURS_PER_DAY="8") if method == "post" else None)
    assert response.status_code == 403
    assert stored(db) == {}


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    response = client.get("/admin/pengaturan")
    assert response.status_code == 302 and "/masuk" in response.location


def test_superadmin_may_change_settings(app, client, auth, org, db):
    auth.login("superadmin")
    assert client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="8")).status_code == 302
    assert stored(db) == {"MAX_HOURS_PER_DAY": "8"}


def test_saving_needs_the_csrf_token(app, client, bkd, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="8")).status_code == 400
    assert stored(db) == {}
    page = client.get("/admin/pengaturan").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/admin/pengaturan", data=defaults(app, MAX_HOURS_PER_DAY="8", csrf_token=token))
    assert response.status_code == 302
    assert stored(db) == {"MAX_HOURS_PER_DAY": "8"}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
