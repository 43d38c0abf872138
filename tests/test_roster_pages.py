"""Pages of WFO caps, essential units and positions, the roster grid, staff's own schedule and the today
dashboard against the cap: who may open them, what they show, and what their forms change."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.attendance import dashboard
from kinerja.models import (
    CapReason,
    Notification,
    Position,
    Role,
    RosterEntry,
    RosterStatus,
    WfoCap,
    WorkMode,
)
from kinerja.roster import caps, services
from tests.factories import PositionFactory, UserFactory, staff_member
from tests.querycount import count_queries
from tests.test_attendance_dashboard import record

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

MONDAY = date(2026, 11, 30)  # two working weeks: 30 November – 11 December 2026


def monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


@pytest.fixture()
def capped(org, db):
    """Agency A under a 50% cap (PPKM level 3) from long ago, open-ended."""
    return caps.set_cap(org.bkd_admin, org.agency_a, percent=None, valid_from=date(2025, 1, 1), valid_to=None,
                        reason_kind=CapReason.PPKM_3, reason="")


@pytest.fixture()
def roster(org, capped, db):
    return services.generate_roster(org.bkd_admin, org.agency_a, MONDAY, MONDAY + timedelta(days=11))


def entry(db, roster, employee, day) -> RosterEntry:
    return db.session.scalar(select(RosterEntry).where(
        RosterEntry.roster_id == roster.id, RosterEntry.employee_id == employee.id, RosterEntry.day == day))


def login_as(auth, org, who: str) -> None:
    identifiers = {"admin": "admin.a", "bkd": "admin.bkd", "staff": org.staff_a.id_number,
                   "head": org.head_a.id_number, "staff_b": org.staff_b.id_number}
    assert auth.login(identifiers[who]).status_code == 302


# --- Who may open what ----------------------------------------------------------------------------------------

PAGES = ("/opd/{a}/kuota-wfo", "/opd/{a}/jadwal", "/opd/{a}/jadwal/{r}")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("bkd", 200), ("staff", 404), ("head", 404),
                                             ("staff_b", 404)])
def test_agency_pages_open_to_its_admins_and_bkd_only(client, auth, org, roster, path, who, status):
    login_as(auth, org, who)
    assert client.get(path.format(a=org.agency_a.id, r=roster.id)).status_code == status


@pytest.mark.parametrize("path", PAGES)
def test_an_admin_of_another_agency_gets_404(client, auth, org, roster, path, db):
    UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])
    db.session.commit()
    auth.login("admin.b")
    assert client.get(path.format(a=org.agency_a.id, r=roster.id)).status_code == 404
    # and a roster of agency A under agency B's address is not found either
    login_as(auth, org, "bkd")
    assert client.get(f"/opd/{org.agency_b.id}/jadwal/{roster.id}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("bkd", 200), ("admin", 403), ("staff", 403)])
def test_essential_positions_are_bkd_only(client, auth, org, who, status):
    login_as(auth, org, who)
    assert client.get("/bkd/jabatan-esensial").status_code == status


def test_posting_to_another_agency_changes_nothing(client, auth, org, roster, db):
    login_as(auth, org, "staff")
    day = MONDAY
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel",
                           data={"cell": f"{org.staff_a.id}:{day.isoformat()}:WFO"})
    assert response.status_code == 404
    assert client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/terbitkan").status_code == 404
    db.session.expire_all()
    assert roster.status is RosterStatus.DRAFT


# --- Caps -----------------------------------------------------------------------------------------------------

def test_a_preset_reason_with_an_empty_percent_uses_the_rule(client, auth, org, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/kuota-wfo", data={
        "reason_kind": "zone_high", "percent": "", "valid_from": "2026-12-01", "valid_to": "2026-12-31",
        "reason": ""}, follow_redirects=True)
    assert "Batas WFO 25% berlaku mulai 01-12-2026." in response.get_data(as_text=True)
    cap = db.session.scalar(select(WfoCap).where(WfoCap.agency_id == org.agency_a.id))
    assert (cap.percent, cap.reason_kind, cap.valid_to) == (25, CapReason.ZONE_HIGH, date(2026, 12, 31))


def test_the_cap_form_offers_presets_for_the_script(client, auth, org):
    login_as(auth, org, "admin")
    text = client.get(f"/opd/{org.agency_a.id}/kuota-wfo").get_data(as_text=True)
    assert 'data-preset="50" value="ppkm_3"' in text or 'value="ppkm_3" data-preset="50"' in text
    assert "js/roster.js" in text
    assert "Tidak ada batas WFO yang berlaku hari ini" in text


def test_other_reason_without_percent_or_text_is_refused_keeping_the_input(client, auth, org, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/kuota-wfo", data={
        "reason_kind": "other", "percent": "", "valid_from": "2026-12-07", "valid_to": "", "reason": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Persentase WFO wajib diisi untuk alasan ini." in text
    assert 'value="other" selected' in text or 'selected value="other"' in text
    assert 'value="2026-12-07"' in text
    assert db.session.scalar(select(WfoCap.id)) is None


def test_cases_with_a_percent_but_no_text_asks_for_the_reason(client, auth, org, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/kuota-wfo", data={
        "reason_kind": "cases", "percent": "10", "valid_from": "2026-12-07", "reason": "  "})
    text = response.get_data(as_text=True)
    assert "Uraikan alasan batas WFO ini." in text
    assert 'value="10"' in text


def test_cap_in_force_and_history_and_ending_it(client, auth, org, capped, db):
    login_as(auth, org, "admin")
    text = client.get(f"/opd/{org.agency_a.id}/kuota-wfo").get_data(as_text=True)
    assert "data-cap-percent>50%<" in text and "PPKM level 3" in text
    response = client.post(f"/opd/{org.agency_a.id}/kuota-wfo/{capped.id}/akhiri",
                           data={"last_day": "2026-12-31"}, follow_redirects=True)
    assert "Batas WFO diakhiri." in response.get_data(as_text=True)
    db.session.expire_all()
    assert capped.valid_to == date(2026, 12, 31)


def test_ending_a_cap_before_it_began_is_refused(client, auth, org, capped, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/kuota-wfo/{capped.id}/akhiri",
                           data={"last_day": "2024-12-31"}, follow_redirects=True)
    assert "Hari terakhir tidak boleh sebelum tanggal mulai batas WFO." in response.get_data(as_text=True)
    db.session.expire_all()
    assert capped.valid_to is None


# --- Essential marks ------------------------------------------------------------------------------------------

def test_units_are_marked_essential_by_checkbox(client, auth, org, db):
    units = {unit.name: unit for unit in org.agency_a.units}
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/unit-esensial", data={
        "shown": [unit.id for unit in units.values()], "essential": [units["Seksi A2"].id]}, follow_redirects=True)
    assert "(1 diubah)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [unit.name for unit in org.agency_a.units if unit.essential] == ["Seksi A2"]
    text = client.get(f"/opd/{org.agency_a.id}/kuota-wfo").get_data(as_text=True)
    assert f'value="{units["Seksi A2"].id}" id="unit-{units["Seksi A2"].id}" checked' in text


def test_units_of_another_agency_are_ignored(client, auth, org, db):
    other = org.agency_b.units[0]
    login_as(auth, org, "admin")
    client.post(f"/opd/{org.agency_a.id}/unit-esensial", data={"shown": [other.id], "essential": [other.id]})
    db.session.expire_all()
    assert other.essential is False


def test_positions_are_searched_and_marked_by_bkd(client, auth, org, db):
    nurse = PositionFactory(name="Perawat Terampil")
    PositionFactory(name="Analis Kebijakan")
    db.session.commit()
    login_as(auth, org, "bkd")
    text = client.get("/bkd/jabatan-esensial?q=perawat").get_data(as_text=True)
    assert "Perawat Terampil" in text and "Analis Kebijakan" not in text
    response = client.post("/bkd/jabatan-esensial?q=perawat",
                           data={"shown": [nurse.id], "essential": [nurse.id]}, follow_redirects=True)
    assert "Jabatan esensial disimpan (1 diubah)." in response.get_data(as_text=True)
    assert db.session.get(Position, nurse.id).essential is True


# --- Rosters --------------------------------------------------------------------------------------------------

def test_the_roster_form_defaults_to_two_working_weeks_from_next_monday(client, auth, org):
    login_as(auth, org, "admin")
    text = client.get(f"/opd/{org.agency_a.id}/jadwal").get_data(as_text=True)
    start = monday_after(clock.today(org.agency_a.timezone))
    assert f'value="{start.isoformat()}"' in text
    assert f'value="{(start + timedelta(days=11)).isoformat()}"' in text


def test_generating_without_a_cap_is_refused_with_the_dates_kept(client, auth, org):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal", data={"start_date": "2026-11-30",
                                                                  "end_date": "2026-12-11"})
    text = response.get_data(as_text=True)
    assert "Belum ada batas WFO yang berlaku pada 30-11-2026" in text
    assert 'value="2026-12-11"' in text


def test_generating_opens_the_draft_grid(client, auth, org, capped, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal", data={"start_date": "2026-11-30",
                                                                  "end_date": "2026-12-11"})
    assert response.status_code == 302 and "/jadwal/" in response.location
    text = client.get(response.location).get_data(as_text=True)
    assert "Draf" in text and "Terbitkan" in text
    listing = client.get(f"/opd/{org.agency_a.id}/jadwal").get_data(as_text=True)
    assert "30 Nov 2026 – 11 Des 2026" in listing


def test_grid_shows_counts_against_capacity(client, auth, org, roster):
    # Agency A: 6 people, 50% → 3 places, all used; units of 1, 3 and 2 people → at most 1, 2 and 1 a day.
    login_as(auth, org, "admin")
    text = client.get(f"/opd/{org.agency_a.id}/jadwal/{roster.id}").get_data(as_text=True)
    assert f'data-agency-day="{MONDAY.isoformat()}"><span class="text-nowrap" data-over="no">3/3</span>' in text
    phone = [tuple(map(int, pair)) for pair in re.findall(r"WFO (\d+)/(\d+)</span>", text)]  # the day shown
    assert sorted(places for _wfo, places in phone) == [1, 1, 2] and sum(wfo for wfo, _places in phone) == 3
    assert "Staf A Dua" in text and "Penilai Lain A" in text
    assert "Melebihi batas WFO" not in text


def test_toggling_a_cell_over_the_cap_marks_it_manual_and_warns(client, auth, org, roster, db):
    head = entry(db, roster, org.head_a, MONDAY)
    assert head.mode is WorkMode.WFH  # the agency's three places are taken that day
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel",
                           data={"cell": f"{org.head_a.id}:{MONDAY.isoformat()}:WFO"})
    assert response.status_code == 302 and f"hari={MONDAY.isoformat()}" in response.location
    db.session.expire_all()
    assert (head.mode, head.manual) == (WorkMode.WFO, True)
    text = client.get(response.location).get_data(as_text=True)
    assert "Melebihi batas WFO" in text
    assert "OPD, 30-11-2026: 4 WFO melebihi kapasitas 3." in text
    assert 'data-over="yes">4/3<' in text


def test_a_tampered_cell_is_a_bad_request(client, auth, org, roster):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel", data={"cell": "x:y:DL"})
    assert response.status_code == 400


def test_publish_then_edit_still_allowed_and_staff_sees_the_schedule(client, auth, org, roster, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/terbitkan", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Jadwal diterbitkan; 6 pegawai diberi tahu." in text
    assert "Hapus draf" not in text and "Diterbitkan" in text
    db.session.expire_all()
    assert roster.status is RosterStatus.PUBLISHED
    mode = entry(db, roster, org.staff_a, MONDAY).mode
    other = WorkMode.WFH if mode is WorkMode.WFO else WorkMode.WFO
    client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel",
                data={"cell": f"{org.staff_a.id}:{MONDAY.isoformat()}:{other.value}"})
    db.session.expire_all()
    assert entry(db, roster, org.staff_a, MONDAY).mode is other
    assert db.session.scalar(select(Notification).where(Notification.kind == "roster_changed")) is not None


def test_delete_a_draft_returns_to_the_list(client, auth, org, roster, db):
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/hapus")
    assert response.status_code == 302 and response.location.endswith(f"/opd/{org.agency_a.id}/jadwal")
    assert db.session.scalar(select(RosterEntry.id).where(RosterEntry.roster_id == roster.id)) is None


def test_regenerate_keeps_manual_entries(client, auth, org, roster, db):
    services.set_entry(org.bkd_admin, roster, org.head_a.id, MONDAY, WorkMode.WFO)
    login_as(auth, org, "admin")
    response = client.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/buat-ulang", follow_redirects=True)
    assert "perubahan manual dipertahankan" in response.get_data(as_text=True)
    assert entry(db, roster, org.head_a, MONDAY).mode is WorkMode.WFO


# --- Staff's schedule -----------------------------------------------------------------------------------------

def test_my_schedule_lists_published_days_with_today_highlighted(client, auth, org, capped, db):
    today = clock.today()
    roster = services.generate_roster(org.bkd_admin, org.agency_a, today - timedelta(days=3),
                                      today + timedelta(days=16))
    login_as(auth, org, "staff")
    assert "Belum ada jadwal piket" in client.get("/presensi/jadwal-saya").get_data(as_text=True)
    services.publish(org.bkd_admin, roster)
    text = client.get("/presensi/jadwal-saya").get_data(as_text=True)
    modes = list(db.session.scalars(select(RosterEntry.mode).where(
        RosterEntry.roster_id == roster.id, RosterEntry.employee_id == org.staff_a.id,
        RosterEntry.day >= today).order_by(RosterEntry.day)))
    assert modes and text.count('class="list-group-item d-flex') == len(modes)
    if entry(db, roster, org.staff_a, today) is not None:  # today a working day
        assert 'aria-current="date"' in text
    assert "/presensi/jadwal-saya" in client.get("/presensi/").get_data(as_text=True)


def test_my_schedule_needs_an_employee(client, auth, org):
    auth.login("admin.bkd")
    assert client.get("/presensi/jadwal-saya").status_code == 404


# --- Today's dashboard against the cap -------------------------------------------------------------------------

@pytest.fixture()
def published(org, roster, db):
    services.publish(org.bkd_admin, roster)
    return roster


def test_today_dashboard_compares_check_ins_with_the_roster(org, published, db):
    scheduled = {e.employee_id: e.mode for e in published.entries if e.day == MONDAY}
    in_office = [eid for eid, mode in scheduled.items() if mode is WorkMode.WFO]
    at_home = [eid for eid, mode in scheduled.items() if mode is WorkMode.WFH]
    people = {p.id: p for p in (org.head_a, org.appraiser_a, org.staff_a, org.staff_a2, org.other_appraiser_a,
                                org.other_staff_a)}
    record(people[in_office[0]], org.agency_a, MONDAY, WorkMode.WFH)  # scheduled WFO, works from home
    record(people[at_home[0]], org.agency_a, MONDAY, WorkMode.WFO)  # scheduled WFH, came in
    db.session.commit()
    summary = dashboard.agency_today(org.agency_a, MONDAY)
    assert summary.cap.percent == 50 and summary.scheduled
    total = summary.total
    assert (total.capacity, total.scheduled_wfo, total.office) == (3, 3, 1)
    assert total.wfo_at_home == [people[in_office[0]].full_name]
    assert sorted(total.wfo_missing) == sorted(people[e].full_name for e in in_office[1:])
    assert total.wfh_in_office == [people[at_home[0]].full_name]


def test_today_dashboard_flags_a_unit_over_its_capacity(org, capped, db):
    for person in (org.appraiser_a, org.staff_a, org.staff_a2):  # Seksi A1: 3 people, 2 places a day at most
        record(person, org.agency_a, MONDAY, WorkMode.WFO)
    db.session.commit()
    summary = dashboard.agency_today(org.agency_a, MONDAY)
    assert [unit.name for unit in summary.over_units] == ["Seksi A1"]
    assert not summary.scheduled


def test_today_dashboard_queries_stay_constant(org, published, db):
    with count_queries() as few:
        dashboard.agency_today(org.agency_a, MONDAY)
    for unit in org.agency_a.units:
        for n in range(4):
            staff_member(unit, None, name=f"Tambahan {unit.code} {n}")
    db.session.commit()
    with count_queries() as more:
        dashboard.agency_today(org.agency_a, MONDAY)
    assert len(more) == len(few) <= 7  # the agency reloaded after the commit, then six


def test_today_page_shows_the_cap_and_capacity(client, auth, org, capped):
    login_as(auth, org, "admin")
    text = client.get(f"/presensi/opd/{org.agency_a.id}/hari-ini").get_data(as_text=True)
    assert "Batas WFO 50%" in text and "PPKM level 3" in text
    assert "Di kantor 0 dari kapasitas 3 (6 pegawai tidak cuti)." in text
    assert "Tidak ada jadwal piket terbit untuk hari ini." in text
    assert f"/opd/{org.agency_a.id}/jadwal" in text


def test_navigation_links_roster_pages(client, auth, org):
    login_as(auth, org, "admin")
    text = client.get("/").get_data(as_text=True)
    assert f"/opd/{org.agency_a.id}/jadwal" in text and "Kuota &amp; jadwal" in text
    auth.logout()
    login_as(auth, org, "staff")
    text = client.get("/").get_data(as_text=True)
    assert "/presensi/jadwal-saya" in text and "Kuota &amp; jadwal" not in text
