"""Check-in sessions between check-in and check-out (apel pagi, before and after the break): BKD's settings,
the check-in page and API following them, and the TPP deduction for a required session missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from kinerja.api.tokens import issue as issue_token
from kinerja.attendance import queries, services, sessions
from kinerja.attendance.sessions import SessionInput
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import AttendanceKind, AttendanceRecord, AttendanceSession, AuditEntry, WorkMode
from kinerja.tpp.engine import Day, Month, Rules, compute
from kinerja.tpp.explain import describe
from kinerja.tpp.month import compute_month
from kinerja.tpp.rules import save_rule_set
from tests import factories
from tests.test_attendance import MONDAY, OFFICE, data, north, upload
from tests.tpp_samples import AFTER_NOVEMBER, NOVEMBER, WORKING_DAYS, db_assignment, example_rules, present


@pytest.fixture()
def staff(org, db, monkeypatch):
    """Staff A of agency A, whose office has a 100 m radius, on Monday 16 November 2026 at 07.20 WIB."""
    factories.OfficeFactory(agency=org.agency_a, name="Kantor Dinas A", latitude=OFFICE[0], longitude=OFFICE[1],
                            radius_m=100)
    db.session.commit()
    factories.freeze_now(monkeypatch, MONDAY)
    return org.user(org.staff_a)


def add_session(kind=AttendanceKind.APEL, opens="07:30", closes="08:00", weekdays="12345", wfo=True, wfh=False,
                dl=False, valid_from=date(2026, 1, 1), valid_to=None) -> AttendanceSession:
    """A session already in force, written directly (BKD's page only adds sessions from tomorrow)."""
    session = AttendanceSession(kind=kind, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes),
                                weekdays=weekdays, wfo=wfo, wfh=wfh, dl=dl, valid_from=valid_from, valid_to=valid_to)
    db.session.add(session)
    db.session.commit()
    return session


def at(monkeypatch, hour: int, minute: int, day: datetime = MONDAY) -> None:
    factories.freeze_now(monkeypatch, day.replace(hour=hour, minute=minute))


def test_an_apel_within_its_window_after_check_in_is_recorded_never_late(org, staff, monkeypatch):
    add_session()
    services.check(staff, data())  # 07:20, in the office
    at(monkeypatch, 7, 40)
    status = queries.today_status(org.staff_a.id)[1]
    assert status.next_kind is AttendanceKind.APEL
    record = services.check(staff, data(kind=AttendanceKind.APEL, mode=WorkMode.WFH, seed=2))
    assert (record.kind, record.mode, record.late_minutes, record.early_minutes) == (
        AttendanceKind.APEL, WorkMode.WFO, 0, 0)  # the check-in's mode, whatever the form said
    with pytest.raises(Conflict, match=r"sudah presensi apel pagi hari ini pukul 07\.40"):
        services.check(staff, data(kind=AttendanceKind.APEL, seed=3))
    status = queries.today_status(org.staff_a.id)[1]
    assert status.next_kind is AttendanceKind.OUT and status.missed == []


def test_a_session_is_refused_outside_its_window_before_check_in_after_check_out_and_away(org, staff, monkeypatch):
    add_session()
    at(monkeypatch, 7, 35)
    with pytest.raises(ValidationFailed, match="memerlukan presensi masuk"):
        services.check(staff, data(kind=AttendanceKind.APEL))
    at(monkeypatch, 7, 20)
    services.check(staff, data())
    with pytest.raises(ValidationFailed, match=r"hanya dibuka pukul 07\.30–08\.00"):
        services.check(staff, data(kind=AttendanceKind.APEL, seed=2))
    at(monkeypatch, 7, 45)
    with pytest.raises(ValidationFailed, match="radius"):  # a WFO apel is at the office
        services.check(staff, data(kind=AttendanceKind.APEL, position=north(500), seed=3))
    with pytest.raises(ValidationFailed, match="Tidak ada sesi sebelum istirahat"):
        services.check(staff, data(kind=AttendanceKind.BREAK_START, seed=4))
    at(monkeypatch, 7, 50)
    services.check(staff, data(kind=AttendanceKind.OUT, seed=5))
    with pytest.raises(ValidationFailed, match="sudah presensi pulang"):
        services.check(staff, data(kind=AttendanceKind.APEL, seed=6))
    kinds = set(db.session.scalars(select(AttendanceRecord.kind).where(
        AttendanceRecord.employee_id == org.staff_a.id)))
    assert kinds == {AttendanceKind.IN, AttendanceKind.OUT}
    status = queries.today_status(org.staff_a.id)[1]
    assert [state.kind for state in status.missed] == [AttendanceKind.APEL]


def test_what_wfh_and_dl_days_require_is_the_regencys_choice(org, staff, monkeypatch):
    add_session()  # apel: WFO only
    add_session(AttendanceKind.BREAK_START, "11:45", "12:15", wfo=True, wfh=True)
    services.check(staff, data(mode=WorkMode.WFH, position=north(5000)))
    at(monkeypatch, 7, 40)
    status = queries.today_status(org.staff_a.id)[1]
    assert [(state.kind, state.required) for state in status.sessions] == [
        (AttendanceKind.APEL, False), (AttendanceKind.BREAK_START, True)]
    assert status.next_kind is AttendanceKind.OUT and status.upcoming.kind is AttendanceKind.BREAK_START
    with pytest.raises(ValidationFailed, match="tidak diwajibkan untuk WFH"):
        services.check(staff, data(kind=AttendanceKind.APEL, mode=WorkMode.WFH, position=north(5000), seed=2))
    at(monkeypatch, 12, 0)
    record = services.check(staff, data(kind=AttendanceKind.BREAK_START, position=north(5000), seed=3))
    assert record.mode is WorkMode.WFH  # from home: no radius for a WFH day's session


def test_a_session_held_on_mondays_only_is_not_held_on_tuesday_nor_on_a_holiday(org, staff, monkeypatch):
    add_session(weekdays="1")
    tuesday = MONDAY + timedelta(days=1)
    at(monkeypatch, 7, 20, tuesday)
    services.check(staff, data())
    at(monkeypatch, 7, 40, tuesday)
    assert queries.today_status(org.staff_a.id)[1].sessions == ()
    with pytest.raises(ValidationFailed, match="Tidak ada sesi apel pagi hari ini"):
        services.check(staff, data(kind=AttendanceKind.APEL, seed=2))


def test_the_page_shows_the_days_sessions_and_offers_the_open_one(client, auth, org, staff, monkeypatch):
    add_session()
    add_session(AttendanceKind.BREAK_START, "11:45", "12:15")
    services.check(staff, data())
    at(monkeypatch, 7, 41)
    auth.login(org.staff_a.id_number)
    page = client.get("/presensi/").get_data(as_text=True)
    assert 'id="sesi-apl"' in page and "07.30–08.00" in page and "dibuka sekarang" in page
    assert "Kirim presensi apel pagi" in page and 'name="kind" type="hidden" value="apl"' in page
    response = client.post("/presensi/", data={
        "kind": "apl", "mode": "WFO", "latitude": data().latitude, "longitude": data().longitude, "accuracy": 12,
        "device_id": "device-of-staff-a", "selfie": (upload(5), "swafoto.jpg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Presensi apel pagi tercatat pukul 07.41" in response.get_data(as_text=True)
    at(monkeypatch, 7, 55)  # the apel attended: the break session is next
    page = client.get("/presensi/").get_data(as_text=True)
    assert "Kirim presensi pulang" in page
    assert "Sesi berikutnya: sebelum istirahat, pukul 11.45–12.15" in page


def test_the_api_lists_todays_sessions_and_takes_one(client, org, staff, monkeypatch):
    add_session()
    services.check(staff, data())
    at(monkeypatch, 7, 45)
    headers = {"Authorization": f"Bearer {issue_token(org.staff_a.id_number, factories.PASSWORD, 'uji').secret}"}
    today = client.get("/api/v1/attendance/today", headers=headers).get_json()
    assert today["next_kind"] == "apl"
    assert today["sessions"][0] | {"record": None} == {
        "kind": "apl", "label": "Apel pagi", "opens": "07:30", "closes": "08:00", "required": True,
        "open_now": True, "over": False, "record": None}
    form = {"kind": "apl", "latitude": str(data().latitude), "longitude": str(data().longitude),
            "accuracy": "10", "selfie": (upload(7), "swafoto.jpg")}
    response = client.post("/api/v1/attendance/session", headers=headers, data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == "apl"
    form = {"kind": "in", "latitude": "0", "longitude": "0", "accuracy": "10", "selfie": (upload(8), "s.jpg")}
    response = client.post("/api/v1/attendance/session", headers=headers, data=form,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "/api/v1/attendance/session" in client.get("/api/v1/openapi.json").get_json()["paths"]


# --- BKD's settings ------------------------------------------------------------------------------------------

def session_input(**changes) -> SessionInput:
    values = {"kind": AttendanceKind.APEL, "opens": time(7, 30), "closes": time(8, 0), "weekdays": "12345",
              "wfo": True, "wfh": False, "dl": False, "valid_from": MONDAY.date() + timedelta(days=1),
              "valid_to": None}
    return SessionInput(**(values | changes))


@pytest.mark.parametrize(("changes", "message"), [
    ({"closes": time(7, 0)}, "Jam tutup harus sesudah jam buka"),
    ({"weekdays": ""}, "paling sedikit satu hari"),
    ({"wfo": False}, "paling sedikit satu mode kerja"),
    ({"valid_from": MONDAY.date()}, "paling cepat besok"),
    ({"kind": AttendanceKind.IN}, "Pilih jenis sesi"),
    ({"valid_to": MONDAY.date()}, "tidak boleh sebelum tanggal mulai"),
])
def test_bad_sessions_are_refused_with_a_clear_message(org, db, monkeypatch, changes, message):
    factories.freeze_now(monkeypatch, MONDAY)
    with pytest.raises(ValidationFailed, match=message):
        sessions.save_session(org.bkd_admin, session_input(**changes), MONDAY.date())
    assert db.session.scalar(select(AttendanceSession.id)) is None


def test_a_session_in_force_keeps_its_rules_and_can_only_be_ended(org, db, monkeypatch):
    factories.freeze_now(monkeypatch, MONDAY)
    today = MONDAY.date()
    current = add_session()
    with pytest.raises(ValidationFailed, match="tidak dapat diubah"):
        sessions.save_session(org.bkd_admin, session_input(valid_from=current.valid_from, opens=time(7, 15)),
                              today, current)
    with pytest.raises(ValidationFailed, match="berlaku pada masa yang sama"):
        sessions.save_session(org.bkd_admin, session_input(), today)
    sessions.save_session(org.bkd_admin, session_input(valid_from=current.valid_from, valid_to=today), today,
                          current, "Apel dipindah ke 07.15")
    later = sessions.save_session(org.bkd_admin, session_input(opens=time(7, 15)), today)
    with pytest.raises(ValidationFailed, match="tidak dapat dihapus"):
        sessions.delete_session(org.bkd_admin, current, today)
    with pytest.raises(NotAllowed):
        sessions.save_session(org.user(org.head_a), session_input(kind=AttendanceKind.BREAK_END), today)
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.reason).where(
        AuditEntry.object_type == "attendance_session").order_by(AuditEntry.id)).all()
    assert [action for action, _ in actions] == ["update", "create"]
    assert actions[0][1] == ("Apel dipindah ke 07.15; apl 07:30-08:00 hari 12345 wajib WFO 2026-01-01..- → "
                             "apl 07:30-08:00 hari 12345 wajib WFO 2026-01-01..2026-11-16")
    sessions.delete_session(org.bkd_admin, later, today)
    assert db.session.get(AttendanceSession, later.id) is None


def test_bkd_sets_sessions_on_their_page_and_others_may_not(client, auth, org, db, monkeypatch):
    factories.freeze_now(monkeypatch, MONDAY)
    auth.login(org.staff_a.id_number)
    assert client.get("/presensi/sesi").status_code == 403
    auth.logout()
    auth.login("admin.bkd")
    form = {"kind": "ist", "opens": "11:45", "closes": "12:15", "weekdays": ["1", "2", "3", "4", "5"],
            "wfo": "y", "wfh": "y", "valid_from": "2026-11-17", "valid_to": "", "reason": "Perbup 12/2026"}
    page = client.post("/presensi/sesi", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Sesi presensi disimpan" in page and "Sebelum istirahat · 11.45–12.15" in page
    assert "wajib: WFO, WFH" in page and "Senin–Jumat" in page
    page = client.post("/presensi/sesi", data=form | {"opens": "13:00", "closes": "12:00"}).get_data(as_text=True)
    assert "Jam tutup harus sesudah jam buka" in page
    for odd in ({"opens": "25:99"}, {"kind": "zz"}, {"weekdays": ["9", "x"]}, {"valid_from": "kemarin"}):
        response = client.post("/presensi/sesi", data=form | {"valid_from": "2027-01-04"} | odd)
        assert response.status_code == 200  # refused on the page, never a 500
    assert client.get("/presensi/sesi/999999").status_code == 404
    assert db.session.scalar(select(AttendanceSession.opens)) == time(11, 45)
    assert "Sesi presensi" in client.get("/admin/").get_data(as_text=True)


# --- TPP ------------------------------------------------------------------------------------------------------

def test_the_engine_cuts_each_missed_session_and_explains_it():
    rules = Rules(kinerja_share=6000, discipline_share=4000, missed_session=50)
    days = tuple(Day(day=date(2026, 11, n), ceiling=3_000_000, checked_in=True, checked_out=True,
                     missed_sessions={2: 2, 3: 1}.get(n, 0)) for n in range(1, 31))
    result = compute(rules, Month(days_in_month=30, employment_type="PNS", days=days,
                                  effective_minutes_per_day=300, approved_minutes=0, predikat=None))
    line = next(line for line in result.lines if line.code == "missed_session")
    # 3 sessions × 0,5% of the discipline share 1.200.000 = 18.000
    assert line.amount == -18_000 and result.discipline_cuts == 18_000
    assert describe(line) == ("Tidak mengikuti sesi presensi wajib (apel/istirahat): 3 kali × 0,5% = 1,5% dari "
                              "bagian disiplin")


def test_a_month_counts_the_required_sessions_missed_on_working_days(org, db, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    save_rule_set(org.bkd_admin, example_rules(missed_session=50))
    add_session()  # apel, WFO, Monday to Friday
    add_session(AttendanceKind.BREAK_START, "11:45", "12:15", weekdays="1", wfo=True, wfh=True)
    present(org.staff_a)  # every working day in, at the office, and out; no session attended
    agency_id = db_assignment(org.staff_a).agency_id
    attended = WORKING_DAYS[:15]  # the apel attended on the first 15 of the 21 working days
    for day in attended:
        db.session.add(AttendanceRecord(
            employee_id=org.staff_a.id, agency_id=agency_id, day=day, kind=AttendanceKind.APEL,
            at=datetime.combine(day, time(0, 40), tzinfo=UTC), mode=WorkMode.WFO, latitude=-6.87, longitude=107.54,
            accuracy_m=10.0))
    db.session.commit()
    result = compute_month(NOVEMBER, AFTER_NOVEMBER, employee_ids=[org.staff_a.id]).rows[0].result
    line = next(line for line in result.lines if line.code == "missed_session")
    mondays = sum(1 for day in WORKING_DAYS if day.weekday() == 0)
    # 6 apels missed + the Monday break session on each Monday (never attended)
    assert line.params["days"] == 6 + mondays
    # 0,5% each of the discipline share: 40% of the 5.000.000 ceiling of kelas 6
    assert line.amount == -(2_000_000 * 50 * (6 + mondays) // 10_000)


def test_a_ceremony_on_its_day_is_a_session_of_its_own_beside_the_weekly_apel(org, staff, monkeypatch, db):
    """'A missed apel or ceremony per occurrence': a ceremony (upacara Hari Kesadaran Nasional on the 17th) is a
    one-day session, held beside Monday's apel; missing it is one occurrence."""
    add_session(weekdays="1")
    ceremony = add_session(AttendanceKind.CEREMONY, "08:00", "09:00", weekdays="1234567",
                           valid_from=date(2026, 11, 17), valid_to=date(2026, 11, 17))
    tuesday = MONDAY + timedelta(days=1)  # 17 November 2026
    at(monkeypatch, 7, 20, tuesday)
    services.check(staff, data())
    at(monkeypatch, 8, 30, tuesday)
    status = queries.today_status(org.staff_a.id)[1]
    assert [state.kind for state in status.sessions] == [AttendanceKind.CEREMONY]
    assert status.next_kind is AttendanceKind.CEREMONY
    record = services.check(staff, data(kind=AttendanceKind.CEREMONY, seed=2))
    assert record.kind is AttendanceKind.CEREMONY and ceremony.held_on(tuesday.date())
    assert not ceremony.held_on(tuesday.date() + timedelta(days=1))
