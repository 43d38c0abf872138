"""Every admin action leaves an audit entry naming the actor, the action, the object and what changed.

`AUDITED` maps each admin endpoint to a scenario that performs the action for real (through the web page or
the API) and says which entry it must leave. `NOT_ADMIN_ACTIONS` lists, with the reason, every other rule
that accepts POST/PUT/PATCH/DELETE. A new state-changing route in neither fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from kinerja import clock
from kinerja.admin import staff_import_store
from kinerja.api.tokens import issue as issue_token
from kinerja.extensions import db
from kinerja.models import (
    ActingAssignment,
    ActivityStatus,
    Agency,
    AttendanceDevice,
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    AttendanceSession,
    AuditEntry,
    BackdateGrant,
    CapReason,
    Channel,
    DevicePin,
    FlagKind,
    HolidayEntry,
    Leave,
    MessageGateway,
    MessageStatus,
    Office,
    OutboundMessage,
    Position,
    Regency,
    Role,
    Roster,
    RosterEntry,
    SigningSetup,
    TppAgencyScore,
    TppPenalty,
    TppPeriod,
    TppRuleSet,
    Unit,
    UserRole,
    WfoCap,
    WorkMode,
)
from kinerja.roster import caps
from kinerja.roster import services as roster_services
from kinerja.settings import SETTINGS
from kinerja.tpp.month import months_after
from kinerja.tpp.rules import save_rule_set
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    HolidayEntryFactory,
    LeaveFactory,
    OfficeFactory,
    Organisation,
    PositionFactory,
    UnitFactory,
)
from tests.test_staff_import import POSITION, row, xlsx
from tests.tpp_samples import example_rules

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Expected:
    """The audit entry an action must leave; `values` must appear in its from/to states or reason."""

    object_type: str
    action: str
    object_id: int | None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    actor: str  # "bkd" or "agency_admin"
    run: Callable[[FlaskClient, Organisation], tuple[TestResponse, Expected]]


def find(model, **filters):
    """The first row of the model with these column values, or None."""
    return db.session.scalar(select(model).filter_by(**filters))


def next_monday() -> date:
    today = clock.today()
    return today + timedelta(days=7 - today.weekday())


def capped(org: Organisation) -> WfoCap:
    return caps.set_cap(org.bkd_admin, org.agency_a, percent=None, valid_from=date(2025, 1, 1), valid_to=None,
                        reason_kind=CapReason.PPKM_3, reason="")


def draft_roster(org: Organisation) -> Roster:
    capped(org)
    monday = next_monday()
    return roster_services.generate_roster(org.bkd_admin, org.agency_a, monday, monday + timedelta(days=11))


def flagged(org: Organisation) -> AttendanceFlag:
    record = AttendanceRecord(employee_id=org.staff_a.id, agency_id=org.agency_a.id, day=clock.today(),
                              kind=AttendanceKind.IN, at=clock.utcnow(), mode=WorkMode.WFO, latitude=-6.87,
                              longitude=107.54, accuracy_m=0.0)
    flag = AttendanceFlag(record=record, kind=FlagKind.EXACT_ACCURACY, detail='{"accuracy": 0}')
    db.session.add_all([record, flag])
    db.session.commit()
    return flag


def agency_form(agency: Agency | None = None, **changes) -> dict:
    data = {"code": "DISKOMINFO", "name": "Dinas Komunikasi dan Informatika", "short_name": "Diskominfo",
            "timezone": "Asia/Jakarta", "work_week": "5", "head_number": ""}
    if agency is not None:
        data.update(code=agency.code, name=agency.name, short_name=agency.short_name,
                    head_number=agency.head.id_number)
    return {**data, **changes}


def office_form(**changes) -> dict:
    return {"name": "Kantor Pusat", "address": "Jl. Merdeka 1", "latitude": "-6.9", "longitude": "107.6",
            "radius_m": "150", **changes}


# --- the scenarios, one per admin endpoint ---------------------------------------------------------------------


def agency_new(c, org):
    response = c.post("/admin/opd/baru", data=agency_form())
    return response, Expected("agency", "create", getattr(find(Agency, code="DISKOMINFO"), "id", -1))


def agency_edit(c, org):
    response = c.post(f"/admin/opd/{org.agency_a.id}/ubah", data=agency_form(org.agency_a, work_week="6"))
    return response, Expected("agency", "update", org.agency_a.id, ("work_week: 5 → 6",))


def unit_new(c, org):
    response = c.post(f"/admin/opd/{org.agency_a.id}/unit/baru", data={"code": "09", "name": "Seksi Baru"})
    return response, Expected("unit", "create", getattr(find(Unit, code="09"), "id", -1))


def unit_edit(c, org):
    unit = find(Unit, agency_id=org.agency_a.id, code="01.02")
    response = c.post(f"/admin/opd/{org.agency_a.id}/unit/{unit.id}/ubah",
                      data={"code": "01.02", "name": "Seksi Dua", "parent_id": str(unit.parent_id)})
    return response, Expected("unit", "update", unit.id, ("Seksi A2", "Seksi Dua"))


def unit_delete(c, org):
    unit = UnitFactory(agency=org.agency_a, code="09", name="Unit Kosong")
    db.session.commit()
    response = c.post(f"/admin/opd/{org.agency_a.id}/unit/{unit.id}/hapus")
    return response, Expected("unit", "delete", unit.id, ("Unit Kosong",))


def position_new(c, org):
    response = c.post("/admin/jabatan/baru", data={"name": "Perawat Ahli", "kind": "fungsional", "class_grade": "8"})
    return response, Expected("position", "create", getattr(find(Position, name="Perawat Ahli"), "id", -1))


def position_edit(c, org):
    position = PositionFactory(name="Analis", class_grade=8)
    db.session.commit()
    response = c.post(f"/admin/jabatan/{position.id}/ubah",
                      data={"name": "Analis", "kind": "pelaksana", "class_grade": "9"})
    return response, Expected("position", "update", position.id, ("class_grade: 8 → 9",))


def office_new(c, org):
    response = c.post(f"/admin/opd/{org.agency_a.id}/kantor/baru", data=office_form())
    return response, Expected("office", "create", getattr(find(Office, name="Kantor Pusat"), "id", -1))


def office_edit(c, org):
    office = OfficeFactory(agency=org.agency_a, name="Kantor Lama")
    db.session.commit()
    response = c.post(f"/admin/opd/{org.agency_a.id}/kantor/{office.id}/ubah", data=office_form(name="Kantor Lama"))
    return response, Expected("office", "update", office.id, ("latitude: -6.8722 → -6.9",))


def office_delete(c, org):
    office = OfficeFactory(agency=org.agency_a, name="Kantor Tutup")
    db.session.commit()
    response = c.post(f"/admin/opd/{org.agency_a.id}/kantor/{office.id}/hapus")
    return response, Expected("office", "delete", office.id, ("Kantor Tutup",))


def calendar_add(c, org):
    response = c.post("/admin/kalender/tambah", data={"day": "2026-11-20", "name": "Hari Jadi Kota"})
    entry_id = getattr(find(HolidayEntry, name="Hari Jadi Kota"), "id", -1)
    return response, Expected("holiday", "add_holiday", entry_id, ("2026-11-20 Hari Jadi Kota",))


def calendar_rename(c, org):
    entry = HolidayEntryFactory()
    db.session.commit()
    response = c.post("/admin/kalender/2026-11-20/ganti-nama", data={"name": "Hari Jadi ke-100"})
    return response, Expected("holiday", "rename_holiday", entry.id, ("Hari Jadi Kota Uji → Hari Jadi ke-100",))


def calendar_remove(c, org):
    entry = HolidayEntryFactory()
    db.session.commit()
    response = c.post("/admin/kalender/2026-11-20/hapus")
    return response, Expected("holiday", "delete_holiday", entry.id, ("2026-11-20 Hari Jadi Kota Uji",))


def calendar_cancel(c, org):
    response = c.post("/admin/kalender/2026-08-17/batalkan", data={"reason": "SK Bupati 12/2026"})
    return response, Expected("holiday", "cancel_holiday", None, ("SK Bupati 12/2026",))


def grant_role(c, org):
    user = org.user(org.staff_b)
    response = c.post(f"/admin/akun/{user.id}/peran", data={"role": "agency_admin", "agency_id": org.agency_b.id})
    return response, Expected("user", "grant_role", user.id, ("agency_admin", org.staff_b.id_number))


def revoke_role(c, org):
    user = org.user(org.staff_b)
    granted = UserRole(user_id=user.id, role=Role.AGENCY_ADMIN, agency_id=org.agency_b.id)
    db.session.add(granted)
    db.session.commit()
    response = c.post(f"/admin/akun/{user.id}/peran/{granted.id}/cabut")
    return response, Expected("user", "revoke_role", user.id, ("agency_admin",))


def reset_password(c, org):
    user = org.user(org.staff_a)
    return c.post(f"/admin/akun/{user.id}/reset-sandi"), Expected("user", "reset_password", user.id)


def set_enabled(c, org):
    user = org.user(org.staff_a)
    return c.post(f"/admin/akun/{user.id}/nonaktifkan"), Expected("user", "disable_account", user.id)


def retire(c, org):
    response = c.post(f"/admin/pegawai/{org.staff_a2.id}/berhenti", data={
        "retire_date": clock.today().isoformat(), "reason": "pensiun", "retire_decree_number": ""})
    return response, Expected("employee", "retire", org.staff_a2.id, ("active", "pensiun"))


def transfer(c, org):
    unit = find(Unit, agency_id=org.agency_a.id, code="01.02")
    response = c.post(f"/admin/pegawai/{org.staff_a.id}/mutasi", data={
        "agency_id": org.agency_a.id, "effective_date": clock.today().isoformat(), "unit_id": unit.id,
        "position_id": org.staff_a.assignments[0].position_id, "appraiser_number": org.other_appraiser_a.id_number,
        "decree_number": "821/1"})
    return response, Expected("employee", "transfer", org.staff_a.id, (str(org.agency_a.id),))


def bank_account(c, org):
    response = c.post(f"/admin/pegawai/{org.staff_a.id}/rekening", data={"bank_name": "Bank Jateng",
                                                                         "bank_account": "0012-345678"})
    return response, Expected("employee", "set_bank_account", org.staff_a.id, ("Bank Jateng 0012345678",))


def settings(c, org):
    data = {name: "" if c.application.config.get(name) is None else str(c.application.config[name])
            for name in SETTINGS}
    response = c.post("/admin/pengaturan", data={**data, "MAX_HOURS_PER_DAY": "10"})
    return response, Expected("setting", "change_setting", None, ("MAX_HOURS_PER_DAY", "10"))


def regency_identity(c, org):
    response = c.post("/admin/pengaturan/identitas", data={"name": "Pemerintah Kota Baru", "signature_city": "Baru"})
    return response, Expected("regency", "change_regency", find(Regency).id, ("Pemerintah Kota Baru",))


def staff_import_confirm(c, org):
    PositionFactory(name=POSITION)
    db.session.commit()
    token = staff_import_store.stage(org.bkd_admin, xlsx([row(1)]))
    response = c.post("/admin/impor-pegawai/simpan",
                      data={"token": token, "effective_date": clock.today().isoformat(), "file_name": "p.xlsx"})
    return response, Expected("staff_import", "import_staff", None, ("p.xlsx",))


def leave(c, org):
    response = c.post(f"/opd/{org.agency_a.id}/cuti", data={
        "id_number": org.staff_a.id_number, "kind": "cuti", "start_date": "2026-03-02", "end_date": "2026-03-06",
        "document_number": "800/12/Cuti/2026"})
    return response, Expected("leave", "record_leave", getattr(find(Leave, employee_id=org.staff_a.id), "id", -1))


def delete_leave(c, org):
    record = LeaveFactory(employee_id=org.staff_a.id)
    db.session.commit()
    response = c.post(f"/opd/{org.agency_a.id}/cuti/{record.id}/hapus")
    return response, Expected("leave", "delete_leave", record.id)


def grants(c, org):
    today = clock.today()
    response = c.post(f"/opd/{org.agency_a.id}/pengecualian", data={
        "id_number": org.staff_a.id_number, "start_date": (today - timedelta(days=20)).isoformat(),
        "end_date": (today - timedelta(days=10)).isoformat(), "valid_until": (today + timedelta(days=3)).isoformat(),
        "reason": "Sakit, baru masuk"})
    grant = find(BackdateGrant, employee_id=org.staff_a.id)
    return response, Expected("backdate_grant", "grant_backdate", getattr(grant, "id", -1))


def acting(c, org):
    today = clock.today()
    response = c.post(f"/opd/{org.agency_a.id}/plh", data={
        "acting_number": org.appraiser_a.id_number, "absent_number": org.other_appraiser_a.id_number,
        "kind": "plh", "start_date": (today - timedelta(days=1)).isoformat(),
        "end_date": (today + timedelta(days=5)).isoformat(), "decree_number": "800.1.3/045/2026"})
    record = find(ActingAssignment, acting_id=org.appraiser_a.id)
    return response, Expected("acting_assignment", "assign_acting", getattr(record, "id", -1))


def end_acting(c, org):
    today = clock.today()
    record = ActingAssignment(acting_id=org.appraiser_a.id, absent_id=org.other_appraiser_a.id,
                              valid_from=today - timedelta(days=3), valid_to=today + timedelta(days=3),
                              decree_number="800/1")
    db.session.add(record)
    db.session.commit()
    response = c.post(f"/opd/{org.agency_a.id}/plh/{record.id}/akhiri")
    return response, Expected("acting_assignment", "end_acting", record.id)


def decide_flag(c, org):
    flag = flagged(org)
    response = c.post(f"/presensi/tinjauan/{flag.id}", data={"decision": "clear", "note": "GPS ponsel lama"})
    return response, Expected("attendance_flag", "cleared_flag", flag.id, ("cleared", "GPS ponsel lama"))


def month_locks(c, org):
    response = c.post("/bkd/kunci-bulan?bulan=2026-10", data={
        "agency_id": org.agency_a.id, "action": "close", "reason": "Batas akhir pengisian"})
    return response, Expected("month", "lock", 202610, ("closed", "Batas akhir pengisian"))


def caps_page(c, org):
    response = c.post(f"/opd/{org.agency_a.id}/kuota-wfo", data={
        "reason_kind": "zone_high", "percent": "", "valid_from": "2026-12-01", "valid_to": "2026-12-31",
        "reason": ""})
    cap = find(WfoCap, agency_id=org.agency_a.id)
    return response, Expected("wfo_cap", "set_wfo_cap", getattr(cap, "id", -1), ("25%",))


def end_cap(c, org):
    cap = capped(org)
    response = c.post(f"/opd/{org.agency_a.id}/kuota-wfo/{cap.id}/akhiri", data={"last_day": "2026-12-31"})
    return response, Expected("wfo_cap", "end_wfo_cap", cap.id, ("2026-12-31",))


def rosters(c, org):
    capped(org)
    monday = next_monday()
    response = c.post(f"/opd/{org.agency_a.id}/jadwal", data={
        "start_date": monday.isoformat(), "end_date": (monday + timedelta(days=11)).isoformat()})
    roster = find(Roster, agency_id=org.agency_a.id)
    return response, Expected("roster", "generate_roster", getattr(roster, "id", -1), ("draft",))


def regenerate(c, org):
    roster = draft_roster(org)
    response = c.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/buat-ulang")
    return response, Expected("roster", "regenerate_roster", roster.id)


def toggle_cell(c, org):
    roster = draft_roster(org)
    entry = find(RosterEntry, roster_id=roster.id, employee_id=org.head_a.id, day=roster.start_date)
    before, after = entry.mode.value, ("WFH" if entry.mode is WorkMode.WFO else "WFO")
    response = c.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/sel",
                      data={"cell": f"{org.head_a.id}:{roster.start_date.isoformat()}:{after}"})
    return response, Expected("roster_entry", "edit_roster_entry", entry.id, (before, after, "Kepala A"))


def publish(c, org):
    roster = draft_roster(org)
    response = c.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/terbitkan")
    return response, Expected("roster", "publish_roster", roster.id, ("draft", "published"))


def delete_roster(c, org):
    roster = draft_roster(org)
    response = c.post(f"/opd/{org.agency_a.id}/jadwal/{roster.id}/hapus")
    return response, Expected("roster", "delete_roster", roster.id, ("draft",))


def unit_essentials(c, org):
    unit = find(Unit, agency_id=org.agency_a.id, code="01.02")
    response = c.post(f"/opd/{org.agency_a.id}/unit-esensial", data={"shown": [unit.id], "essential": [unit.id]})
    return response, Expected("unit", "set_unit_essential", unit.id, ("false", "true"))


def essential_positions(c, org):
    nurse = PositionFactory(name="Perawat Pelaksana")
    db.session.commit()
    response = c.post("/bkd/jabatan-esensial?q=perawat", data={"shown": [nurse.id], "essential": [nurse.id]})
    return response, Expected("position", "set_position_essential", nurse.id, ("false", "true"))


def distribution(c, org):
    response = c.post("/skp/distribusi?tahun=2026", data={f"predikat_{org.agency_a.id}": "istimewa"})
    return response, Expected("organisation_predikat", "set_predikat", None, ("istimewa", "2026"))


def reopen(c, org):
    activity = ActivityFactory(employee=org.staff_a, activity_date=clock.today() - timedelta(days=1),
                               status=ActivityStatus.APPROVED)
    db.session.commit()
    response = c.post(f"/pemeriksaan/kegiatan/{activity.id}/buka-kembali", data={"reason": "Salah setuju"})
    return response, Expected("activity", "reopen", activity.id, ("approved", "Salah setuju"))


def revoke_token(c, org):
    issued = issue_token(org.staff_a.id_number, PASSWORD, "ponsel")
    admin = {"Authorization": f"Bearer {issue_token('admin.a', PASSWORD, 'admin').secret}"}
    response = c.delete(f"/api/v1/tokens/{issued.token.id}", headers=admin)
    return response, Expected("api_token", "revoke_token", issued.token.id, ("revoked", org.staff_a.id_number))


def tpp_rules(c, org):
    response = c.post("/tpp/aturan/baru", data={
        "valid_from": "2030-01", "reference": "Perbup Uji 2030", "kinerja_share": "60", "discipline_share": "40",
        "deduction_base": "discipline", "ceiling_6_beban_kerja": "4.000.000", "late_0_low": "1", "late_0_rate": "1",
        "early_0_low": "1", "early_0_rate": "1", "reason": "Perbup baru"})
    rule_set = find(TppRuleSet, reference="Perbup Uji 2030")
    return response, Expected("tpp_rule_set", "create", rule_set.id if rule_set else -1,
                              ("Perbup baru", "kinerja_share: - → 6000"))


def tpp_lock(c, org):
    first = months_after(clock.today().replace(day=1), -1)
    save_rule_set(org.bkd_admin, replace(example_rules(), valid_from=date(first.year, 1, 1)))
    response = c.post(f"/tpp/{first:%Y-%m}/opd/{org.agency_a.id}", data={"action": "lock"})
    period = find(TppPeriod, agency_id=org.agency_a.id)
    return response, Expected("tpp_period", "lock_tpp", period.id if period else -1, (f"{first:%Y-%m}",))


def tpp_penalty(c, org):
    response = c.post("/tpp/hukuman", data={"employee_id_number": org.staff_a.id_number, "decree_number": "800/9",
                                            "first_month": "2026-11", "months": "6", "rate": "25"})
    penalty = find(TppPenalty, decree_number="800/9")
    return response, Expected("tpp_penalty", "add_penalty", penalty.id if penalty else -1, ("800/9", "2026-11+6"))


def tpp_delete_penalty(c, org):
    penalty = TppPenalty(employee_id=org.staff_a.id, decree_number="800/10", first_month=date(2026, 11, 1),
                         months=6, rate=2500)
    db.session.add(penalty)
    db.session.commit()
    response = c.post(f"/tpp/hukuman/{penalty.id}/hapus", data={"reason": "SK dibatalkan"})
    return response, Expected("tpp_penalty", "delete_penalty", penalty.id, ("SK dibatalkan",))


def tpp_treasurer(c, org):
    response = c.post(f"/tpp/opd/{org.agency_a.id}/bendahara", data={"treasurer_id": str(org.staff_a2.id)})
    return response, Expected("agency", "set_treasurer", org.agency_a.id, (str(org.staff_a2.id),))


def attendance_session(c, org):
    start = clock.today() + timedelta(days=1)
    response = c.post("/presensi/sesi", data={"kind": "apl", "opens": "07:30", "closes": "08:00", "weekdays": ["1"],
                                              "wfo": "y", "valid_from": start.isoformat(), "reason": "Perbup apel"})
    session = find(AttendanceSession, kind=AttendanceKind.APEL)
    return response, Expected("attendance_session", "create", session.id if session else -1,
                              ("apl 07:30-08:00 hari 1 wajib WFO", "Perbup apel"))


def delete_attendance_session(c, org):
    session = AttendanceSession(kind=AttendanceKind.BREAK_END, opens=time(13, 0), closes=time(13, 30),
                                weekdays="12345", wfo=True, wfh=False, dl=False,
                                valid_from=clock.today() + timedelta(days=7))
    db.session.add(session)
    db.session.commit()
    response = c.post(f"/presensi/sesi/{session.id}/hapus")
    return response, Expected("attendance_session", "delete", session.id, ("kbl 13:00-13:30",))


def tpp_agency_score(c, org):
    response = c.post("/tpp/2026-11/nilai-opd", data={f"score_{org.agency_a.id}": "85",
                                                      f"note_{org.agency_a.id}": "Realisasi SP2D"})
    score = find(TppAgencyScore, agency_id=org.agency_a.id)
    return response, Expected("tpp_agency_score", "set_agency_score", score.id if score else -1,
                              ("85%", "2026-11: Realisasi SP2D"))


def machine_of(org, enabled: bool = True) -> AttendanceDevice:
    office = OfficeFactory(agency=org.agency_a, name="Kantor Mesin")
    db.session.flush()
    device = AttendanceDevice(serial_number="AUDIT00001", agency_id=org.agency_a.id, office_id=office.id,
                              name="Lobi", timezone="Asia/Jakarta", enabled=enabled,
                              registered_at=clock.utcnow())
    db.session.add(device)
    db.session.commit()
    return device


def device_new(c, org):
    office = OfficeFactory(agency=org.agency_a, name="Kantor Baru")
    db.session.commit()
    response = c.post("/presensi/mesin/baru", data={"serial_number": "NEW0000001", "name": "Pintu", "enabled": "y",
                                                    "office_id": str(office.id), "timezone": "Asia/Jakarta"})
    device = find(AttendanceDevice, serial_number="NEW0000001")
    return response, Expected("attendance_device", "create", device.id if device else -1, ("SN NEW0000001",))


def device_edit(c, org):
    device = machine_of(org)
    response = c.post(f"/presensi/mesin/{device.id}/ubah", data={
        "serial_number": "AUDIT00001", "name": "Lobi", "office_id": str(device.office_id),
        "timezone": "Asia/Jakarta"})
    return response, Expected("attendance_device", "disable_device", device.id, ("aktif", "nonaktif"))


def device_command(c, org):
    device = machine_of(org)
    response = c.post(f"/presensi/mesin/{device.id}/perintah", data={"command": "INFO"})
    return response, Expected("attendance_device", "queue_device_command", device.id, ("INFO",))


def device_pins(c, org):
    response = c.post(f"/presensi/mesin/pin/{org.agency_a.id}", data={"lines": f"1001,{org.staff_a.id_number}"})
    return response, Expected("attendance_device_pin", "map_device_pin", org.staff_a.id, ("PIN 1001",))


def signing_setup(c, org):
    response = c.post("/tte/pengaturan", data={"mode": "none", "page": "1", "box_x": "400", "box_y": "60",
                                               "box_width": "160", "box_height": "60"})
    setup = find(SigningSetup)
    return response, Expected("signing_setup", "change_signing", setup.id if setup else -1, ("mode", "none"))


def device_unmap(c, org):
    pin = DevicePin(agency_id=org.agency_a.id, pin="1002", employee_id=org.staff_a2.id)
    db.session.add(pin)
    db.session.commit()
    response = c.post(f"/presensi/mesin/pin/{org.agency_a.id}/{pin.id}/hapus")
    return response, Expected("attendance_device_pin", "unmap_device_pin", org.staff_a2.id, ("PIN 1002",))


def message_gateway(c, org):
    response = c.post("/bkd/pesan/gateway/whatsapp", data={
        "kind": "http", "enabled": "y", "base_url": "https://wa.contoh.go.id/send", "method": "POST",
        "body_format": "json", "body_template": '{"target": "{phone}", "message": "{message}"}',
        "token_header": "Authorization", "token_env": "KINERJA_WA_TOKEN", "template_prefix": "kinerja_",
        "kinds": ["waiting", "unfiled"], "per_minute": "30"})
    gateway = find(MessageGateway)
    return response, Expected("message_gateway", "change_gateway", gateway.id if gateway else -1,
                              ("nonaktif", "aktif", "https://wa.contoh.go.id/send", "KINERJA_WA_TOKEN"))


def message_retry(c, org):
    message = OutboundMessage(key="notice-1-whatsapp", user_id=org.user(org.staff_a).id, channel=Channel.WHATSAPP,
                              address="6281234567890", kind="waiting", body="Kinerja: uji",
                              status=MessageStatus.FAILED, attempts=12, last_error="HTTP 500")
    db.session.add(message)
    db.session.commit()
    response = c.post(f"/bkd/pesan/{message.id}/ulang")
    return response, Expected("message_outbox", "retry_message", message.id, ("failed", "queued", "HTTP 500"))


AUDITED: dict[str, Scenario] = {
    "tpp.agency_scores": Scenario("bkd", tpp_agency_score),
    "devices.new": Scenario("agency_admin", device_new),
    "devices.edit": Scenario("agency_admin", device_edit),
    "devices.command": Scenario("agency_admin", device_command),
    "devices.pins": Scenario("agency_admin", device_pins),
    "devices.unmap": Scenario("bkd", device_unmap),
    "signatures.configure": Scenario("bkd", signing_setup),
    "attendance.sessions": Scenario("bkd", attendance_session),
    "attendance.delete_session": Scenario("bkd", delete_attendance_session),
    "admin.agency_new": Scenario("bkd", agency_new),
    "admin.agency_edit": Scenario("bkd", agency_edit),
    "admin.unit_new": Scenario("agency_admin", unit_new),
    "admin.unit_edit": Scenario("agency_admin", unit_edit),
    "admin.unit_delete": Scenario("agency_admin", unit_delete),
    "admin.position_new": Scenario("bkd", position_new),
    "admin.position_edit": Scenario("bkd", position_edit),
    "admin.office_new": Scenario("agency_admin", office_new),
    "admin.office_edit": Scenario("agency_admin", office_edit),
    "admin.office_delete": Scenario("agency_admin", office_delete),
    "admin.calendar_add": Scenario("bkd", calendar_add),
    "admin.calendar_rename": Scenario("bkd", calendar_rename),
    "admin.calendar_remove": Scenario("bkd", calendar_remove),
    "admin.calendar_cancel": Scenario("bkd", calendar_cancel),
    "admin.grant_role": Scenario("bkd", grant_role),
    "admin.revoke_role": Scenario("bkd", revoke_role),
    "admin.reset_password": Scenario("agency_admin", reset_password),
    "admin.set_enabled": Scenario("agency_admin", set_enabled),
    "admin.retire": Scenario("agency_admin", retire),
    "admin.transfer": Scenario("agency_admin", transfer),
    "admin.bank_account": Scenario("agency_admin", bank_account),
    "admin.settings": Scenario("bkd", settings),
    "admin.regency_identity": Scenario("bkd", regency_identity),
    "admin.staff_import_confirm": Scenario("bkd", staff_import_confirm),
    "absence.leave": Scenario("agency_admin", leave),
    "absence.delete_leave": Scenario("agency_admin", delete_leave),
    "absence.grants": Scenario("agency_admin", grants),
    "absence.acting": Scenario("agency_admin", acting),
    "absence.end_acting": Scenario("agency_admin", end_acting),
    "attendance.decide": Scenario("agency_admin", decide_flag),
    "oversight.month_locks": Scenario("bkd", month_locks),
    "roster.caps_page": Scenario("agency_admin", caps_page),
    "roster.end_cap": Scenario("agency_admin", end_cap),
    "roster.rosters": Scenario("agency_admin", rosters),
    "roster.regenerate": Scenario("agency_admin", regenerate),
    "roster.toggle_cell": Scenario("agency_admin", toggle_cell),
    "roster.publish": Scenario("agency_admin", publish),
    "roster.delete": Scenario("agency_admin", delete_roster),
    "roster.unit_essentials": Scenario("agency_admin", unit_essentials),
    "roster.positions": Scenario("bkd", essential_positions),
    "skp.distribution": Scenario("bkd", distribution),
    "review.reopen": Scenario("agency_admin", reopen),
    "tokens.revoke": Scenario("agency_admin", revoke_token),
    "tpp.rule_set": Scenario("bkd", tpp_rules),
    "tpp.agency": Scenario("bkd", tpp_lock),
    "tpp.penalties": Scenario("bkd", tpp_penalty),
    "tpp.delete_penalty": Scenario("bkd", tpp_delete_penalty),
    "tpp.treasurer": Scenario("agency_admin", tpp_treasurer),
    "messaging.gateway": Scenario("bkd", message_gateway),
    "messaging.retry": Scenario("bkd", message_retry),
}

# State-changing rules that are not admin actions, or admin requests that change no record, with the reason.
_STAFF_WORKFLOW = "a staff member's own records (audited as submit/withdraw by the activity tests)"
_APPRAISER = "an appraiser's review decision (audited by the review/SKP tests), not an admin action"
NOT_ADMIN_ACTIONS: dict[str, str] = {
    # An appraiser or Kepala OPD signing a report, a Kepala OPD the TPP daftar nominatif, an appraiser an SKP
    # document: audited as sign_document (tests/test_signatures.py, tests/test_signatures_documents.py).
    "signatures.sign": "signing by the signer, audited in tests/test_signatures*.py",
    # Attendance machines speaking the iclock protocol: no user acts; what they send is kept in the device log.
    **{endpoint: "attendance machines' protocol, kept in the device log"
       for endpoint in ("iclock.cdata", "iclock.devicecmd")},  # getrequest is a GET (it hands out commands)
    # The staff import's upload is a dry run: it checks the file and stages it, changing no record; the
    # confirmation (admin.staff_import_confirm) is the audited action.
    "admin.staff_import": "dry run of an import; no record changes",
    # The one download of the initial passwords that the admin's own, audited import created.
    "admin.staff_import_passwords": "one-time download of the passwords of an audited import",
    **{endpoint: _STAFF_WORKFLOW for endpoint in (
        "activities.activity_templates", "activities.apply_template", "activities.copy_day", "activities.day",
        "activities.delete", "activities.delete_template", "activities.edit", "activities.evidence_delete",
        "activities.import_activities", "activities.monthly", "activities.monthly_delete",
        "activities.monthly_edit", "activities.monthly_refresh", "activities.monthly_submit",
        "activities.monthly_withdraw", "activities.queue_send", "activities.submit_day", "activities.submit_one",
        "activities.submit_week", "activities.template_from_activity", "activities.withdraw",
        "activities_api.add_link", "activities_api.create", "activities_api.delete", "activities_api.remove_evidence",
        "activities_api.submit", "activities_api.submit_day", "activities_api.update",
        "activities_api.upload_evidence", "activities_api.withdraw",
        "monthly_api.create", "monthly_api.delete", "monthly_api.submit", "monthly_api.update",
        "monthly_api.withdraw",
        "skp.add_iki", "skp.add_rhk", "skp.create", "skp.delete_iki", "skp.delete_rhk", "skp.edit_iki",
        "skp.edit_rhk", "skp.move_rhk", "skp.revise", "skp.save_lampiran", "skp.submit",
        "attendance.index", "attendance_api.check_in", "attendance_api.check_out", "attendance_api.session",
    )},
    **{endpoint: _APPRAISER for endpoint in (
        "review.activity", "review.approve_one", "review.bulk_approve", "review.decide_monthly",
        "review.return_one", "review_api.approve", "review_api.bulk_approve", "review_api.decide_monthly",
        "review_api.return_one", "skp.approve", "skp.return_", "skp.evaluate",
    )},
    "review.preview": "shows what a bulk approval would cover; changes nothing",
    "review_api.candidates": "shows what a bulk approval would cover; changes nothing",
    "auth.login": "session only", "auth.logout": "session only",
    "auth.change_password": "the user's own password (sessions rotate); not an admin action",
    "main.read_all": "the user's own notifications", "main.set_language": "the user's own preference",
    "jobs.cancel": "the user's own export job", "jobs.retry": "the user's own export job",
    "reports.export": "queues an export job for the requester; changes no record",
    "reports_api.request_export": "queues an export job for the requester; changes no record",
    "tpp.agency_export": "queues an export job for the requester; changes no record",
    "tpp.regency_export": "queues an export job for the requester; changes no record",
    "tpp.employee_slip": "queues an export job for the requester; changes no record",
    "attendance.withdraw_correction": "a staff member withdrawing their own correction request (audited: "
                                      "tests/test_attendance_corrections.py)",
    "corrections_api.file_correction": "a staff member's own correction request over the API (audited as on the "
                                       "page: tests/test_api_corrections.py)",
    "corrections_api.withdraw": "a staff member withdrawing their own correction request over the API (audited: "
                                "tests/test_api_corrections.py)",
    "attendance.corrections": "a staff member's own correction request (audited: tests/test_attendance_corrections.py)",
    "attendance.decide_correction": "an appraiser's or agency admin's decision on a correction (audited: "
                                    "tests/test_attendance_corrections.py)",
    "tokens.issue": "the user's own sign-in token",
    "messaging.contacts": "the user's own WhatsApp/Telegram number and opt-in",
    "messaging.send_code": "a code sent to the user's own number to verify it",
    "messaging.verify_code": "the user typing back the code of their own number",
    "api_meta.unknown": "the API's 404 for unknown paths",
}


def test_every_state_changing_rule_is_classified(app):
    rules = {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & STATE_CHANGING}
    assert sorted(rules - set(AUDITED) - set(NOT_ADMIN_ACTIONS)) == []
    assert sorted((set(AUDITED) | set(NOT_ADMIN_ACTIONS)) - rules) == []
    assert set(AUDITED).isdisjoint(NOT_ADMIN_ACTIONS)


def test_every_admin_blueprint_post_is_audited_or_explained(app):
    admin_posts = {rule.endpoint for rule in app.url_map.iter_rules()
                   if rule.endpoint.startswith("admin.") and "POST" in rule.methods}
    assert admin_posts - set(AUDITED) == {"admin.staff_import", "admin.staff_import_passwords"}


def audit_entries() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


@pytest.mark.parametrize("endpoint", sorted(AUDITED))
def test_the_admin_action_is_audited(client, auth, org, endpoint):
    scenario = AUDITED[endpoint]
    actor = org.bkd_admin if scenario.actor == "bkd" else org.agency_admin_a
    assert auth.login(actor.username).status_code == 302
    before = {entry.id for entry in audit_entries()}
    response, expected = scenario.run(client, org)
    assert response.status_code in (200, 204, 302), response.get_data(as_text=True)[:500]
    db.session.expire_all()
    new = [entry for entry in audit_entries() if entry.id not in before]
    matching = [entry for entry in new if (entry.object_type, entry.action) == (expected.object_type,
                                                                                 expected.action)]
    assert matching, f"no {expected.action} entry; new entries: {[(e.object_type, e.action) for e in new]}"
    entry = matching[0]
    assert entry.actor_id == actor.id
    if expected.object_id is not None:
        assert entry.object_id == expected.object_id
    text = " ".join(filter(None, (entry.from_state, entry.to_state, entry.reason)))
    assert [value for value in expected.values if value not in text] == [], text
    assert entry.ip_address == "127.0.0.1"
    if scenario.actor == "agency_admin":  # so the agency's admins find it in their audit log
        assert entry.agency_id == org.agency_a.id


def test_a_refused_action_leaves_no_entry(client, auth, org):
    """The other side: a change that does not happen (here a duplicate unit code) is not audited."""
    auth.login("admin.a")
    response = client.post(f"/admin/opd/{org.agency_a.id}/unit/baru", data={"code": "01.01", "name": "Kembar"})
    assert response.status_code == 200
    assert audit_entries() == []


def test_revoking_ones_own_token_is_audited_too(client, org):
    issued = issue_token(org.staff_a.id_number, PASSWORD, "ponsel")
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert client.delete(f"/api/v1/tokens/{issued.token.id}", headers=headers).status_code == 204
    entry = audit_entries()[-1]
    assert (entry.action, entry.object_id, entry.actor_id, entry.agency_id) == (
        "revoke_token", issued.token.id, org.user(org.staff_a).id, org.agency_a.id)

