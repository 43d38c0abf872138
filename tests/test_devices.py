"""Attendance machines: a simulated ZKTeco machine speaking the ADMS "iclock" protocol over HTTP to the app
served on a free port (tests.browser's live_server), and the pages that register machines and map PINs."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kinerja.models import (
    AttendanceDevice,
    AttendanceKind,
    AttendanceRecord,
    AuditEntry,
    DeviceCommand,
    DeviceLog,
    DevicePin,
    PunchStatus,
    WorkMode,
)
from tests.factories import LeaveFactory, OfficeFactory, freeze_now

WIB = ZoneInfo("Asia/Jakarta")
# Monday 16 November 2026, 17.00 WIB: the working day ran 07.30–16.00.
EVENING = datetime(2026, 11, 16, 17, 0, tzinfo=WIB)
MONDAY = date(2026, 11, 16)
SN = "CQZ7224560123"


class Machine:
    """A fingerprint machine as seen from the network: it speaks only HTTP to the server."""

    def __init__(self, base: str, serial: str = SN) -> None:
        self.base, self.serial = base, serial

    def request(self, path: str, body: str | None = None) -> tuple[int, str, str]:
        data = body.encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the local test server
            self.base + path, data=data, method="POST" if data is not None else "GET",
            headers={"User-Agent": "iClock Proxy/1.09", "Content-Type": "text/plain"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local test server
                return response.status, response.read().decode(), response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get_content_type()

    def handshake(self):
        return self.request(f"/iclock/cdata?SN={self.serial}&options=all&pushver=2.4.1&language=69")

    def upload(self, lines: list[str], stamp: str = "100", table: str = "ATTLOG"):
        key = "OpStamp" if table == "OPERLOG" else "Stamp"
        return self.request(f"/iclock/cdata?SN={self.serial}&table={table}&{key}={stamp}", "\n".join(lines) + "\n")

    def poll(self):
        return self.request(f"/iclock/getrequest?SN={self.serial}")

    def report(self, body: str):
        return self.request(f"/iclock/devicecmd?SN={self.serial}", body)


def punch(pin: str, when: str, status: int = 0, verify: int = 1) -> str:
    return f"{pin}\t{when}\t{status}\t{verify}\t0\t0"


@pytest.fixture()
def office(org, db):
    made = OfficeFactory(agency=org.agency_a, name="Kantor Dinas A", latitude=-6.8722, longitude=107.542)
    db.session.commit()
    return made


@pytest.fixture()
def device(org, office, db, monkeypatch):
    freeze_now(monkeypatch, EVENING)
    made = AttendanceDevice(serial_number=SN, agency_id=org.agency_a.id, office_id=office.id, name="Lobi",
                            timezone="Asia/Jakarta", registered_at=datetime(2026, 11, 1, tzinfo=UTC))
    db.session.add(made)
    db.session.add_all([DevicePin(agency_id=org.agency_a.id, pin="1001", employee_id=org.staff_a.id),
                        DevicePin(agency_id=org.agency_a.id, pin="1002", employee_id=org.staff_a2.id)])
    db.session.commit()
    return made


@pytest.fixture()
def machine(live_server, device) -> Machine:
    return Machine(live_server)


def fresh(db):
    """Forget what this test's session read: the server wrote since."""
    db.session.rollback()
    db.session.expire_all()


def records_of(db, employee) -> dict[AttendanceKind, AttendanceRecord]:
    fresh(db)
    return {record.kind: record for record in db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.employee_id == employee.id))}


def log_statuses(db) -> list[PunchStatus]:
    fresh(db)
    return list(db.session.scalars(select(DeviceLog.status).where(DeviceLog.table == "ATTLOG")
                                   .order_by(DeviceLog.id)))


# --- the protocol over HTTP --------------------------------------------------------------------------------

def test_handshake_answers_the_machines_options(machine, db, device):
    status, body, kind = machine.handshake()
    assert (status, kind) == (200, "text/plain")
    lines = body.splitlines()
    assert lines[0] == f"GET OPTION FROM: {SN}"
    for expected in ("Stamp=0", "ATTLOGStamp=0", "OpStamp=0", "ErrorDelay=60", "Delay=30", "TransInterval=1",
                     "TimeZone=7", "Realtime=1", "Encrypt=0"):
        assert expected in lines
    fresh(db)
    stored = db.session.get(AttendanceDevice, device.id)
    assert stored.last_contact_at == EVENING.astimezone(UTC)
    assert stored.last_address == "127.0.0.1"
    assert stored.push_version == "2.4.1"


def test_punches_become_check_ins_and_check_outs_with_the_phones_late_and_early_minutes(machine, db, org, office):
    status, body, _kind = machine.upload([
        punch("1001", "2026-11-16 07:42:10"),  # 12 minutes late (07.30)
        punch("1002", "2026-11-16 07:20:00"),  # on time
        punch("1002", "2026-11-16 07:25:00"),  # a second press five minutes later: not a check-out
        punch("1001", "2026-11-16 16:05:00", status=1),
        punch("1002", "2026-11-16 15:10:00", status=1),  # 50 minutes before 16.00
    ])
    assert (status, body) == (200, "OK: 5")
    first = records_of(db, org.staff_a)
    assert set(first) == {AttendanceKind.IN, AttendanceKind.OUT}
    check_in = first[AttendanceKind.IN]
    assert check_in.at == datetime(2026, 11, 16, 0, 42, 10, tzinfo=UTC)
    assert (check_in.late_minutes, check_in.early_minutes, check_in.off_day) == (12, 0, False)
    assert (check_in.mode, check_in.office_id, check_in.agency_id) == (WorkMode.WFO, office.id, org.agency_a.id)
    assert check_in.machine_id is not None and check_in.within_radius and check_in.flags == []
    assert (first[AttendanceKind.OUT].late_minutes, first[AttendanceKind.OUT].early_minutes) == (0, 0)
    second = records_of(db, org.staff_a2)
    assert second[AttendanceKind.IN].at == datetime(2026, 11, 16, 0, 20, tzinfo=UTC)
    assert second[AttendanceKind.IN].late_minutes == 0
    assert second[AttendanceKind.OUT].at == datetime(2026, 11, 16, 8, 10, tzinfo=UTC)
    assert second[AttendanceKind.OUT].early_minutes == 50
    reasons = list(db.session.scalars(select(DeviceLog.reason).where(DeviceLog.pin == "1002").order_by(
        DeviceLog.punched_at)))
    assert "berulang" in reasons[1]
    assert log_statuses(db) == [PunchStatus.RECORDED] * 5


def test_a_later_punch_moves_the_check_out_and_a_resent_upload_changes_nothing(machine, db, org, device):
    lines = [punch("1001", "2026-11-16 07:25:00"), punch("1001", "2026-11-16 15:30:00")]
    assert machine.upload(lines, stamp="200")[1] == "OK: 2"
    assert records_of(db, org.staff_a)[AttendanceKind.OUT].early_minutes == 30
    assert machine.upload(lines, stamp="200")[1] == "OK: 2"  # the machine resends after a lost answer
    assert log_statuses(db) == [PunchStatus.RECORDED] * 2 + [PunchStatus.DUPLICATE] * 2
    assert db.session.scalar(select(func.count()).select_from(AttendanceRecord)) == 2
    assert machine.upload([punch("1001", "2026-11-16 16:10:00")], stamp="201")[1] == "OK: 1"
    out = records_of(db, org.staff_a)[AttendanceKind.OUT]
    assert out.at == datetime(2026, 11, 16, 9, 10, tzinfo=UTC) and out.early_minutes == 0
    assert db.session.get(AttendanceDevice, device.id).attlog_stamp == "201"
    assert "ATTLOGStamp=201" in machine.handshake()[1].splitlines()


def test_an_unregistered_or_disabled_machine_is_refused_and_logged(machine, live_server, db, device):
    stranger = Machine(live_server, "UNKNOWN0001")
    status, body, _kind = stranger.upload([punch("1001", "2026-11-16 07:25:00")])
    assert status == 403 and "unknown" in body
    assert stranger.handshake()[0] == 403
    fresh(db)
    refused = list(db.session.scalars(select(DeviceLog).where(DeviceLog.serial_number == "UNKNOWN0001")))
    assert len(refused) == 1  # logged once a minute, not at every poll
    assert refused[0].status is PunchStatus.REFUSED and refused[0].device_id is None
    assert db.session.scalar(select(func.count()).select_from(AttendanceRecord)) == 0
    db.session.get(AttendanceDevice, device.id).enabled = False
    db.session.commit()
    assert machine.poll()[0] == 403
    fresh(db)
    assert db.session.scalar(select(DeviceLog.reason).where(DeviceLog.serial_number == SN)) == "Mesin dinonaktifkan."


def test_malformed_lines_are_reported_and_the_good_ones_kept(machine, db, org):
    status, body, _kind = machine.upload([
        "sampah tanpa tab",
        punch("1001", "2026-13-45 07:25:00"),
        punch("1001", "2026-11-16 07:25:00"),
        punch("99999", "2026-11-16 07:26:00"),  # nobody's PIN at this agency
        "10 01\t2026-11-16 07:27:00",
    ])
    assert (status, body) == (200, "OK: 5")
    assert log_statuses(db) == [PunchStatus.MALFORMED, PunchStatus.MALFORMED, PunchStatus.RECORDED,
                                PunchStatus.UNKNOWN_PIN, PunchStatus.MALFORMED]
    reasons = list(db.session.scalars(select(DeviceLog.reason).order_by(DeviceLog.id)))
    assert "dua kolom" in reasons[0] and "waktu tidak sah" in reasons[1] and "PIN tidak sah" in reasons[4]
    assert set(records_of(db, org.staff_a)) == {AttendanceKind.IN}


def test_the_machines_clock_drift_is_recorded_and_a_punch_from_the_future_refused(machine, db, org, device,
                                                                                    auth):
    assert machine.request(f"/iclock/cdata?SN={SN}&table=options",
                           "~DeviceName=SpeedFace-V5L,DateTime=2026-11-16 17:02:05,FWVersion=1.1")[1] == "OK"
    fresh(db)
    assert db.session.get(AttendanceDevice, device.id).clock_drift_seconds == 125
    assert machine.upload([punch("1001", "2026-11-16 17:20:00")])[1] == "OK: 1"
    assert log_statuses(db) == [PunchStatus.REFUSED]
    assert db.session.get(AttendanceDevice, device.id).clock_drift_seconds == 1200
    auth.login(org.agency_admin_a.username)
    page = auth.client.get(f"/presensi/mesin/{device.id}").get_data(as_text=True)
    assert "1.200 detik" in page and "Setel ulang jam mesin" in page


def test_commands_go_to_the_machine_and_their_results_come_back(machine, db, org, device, auth):
    auth.login(org.agency_admin_a.username)
    response = auth.client.post(f"/presensi/mesin/{device.id}/perintah", data={"command": "INFO"})
    assert response.status_code == 302
    command_id = db.session.scalar(select(DeviceCommand.id))
    fresh(db)  # end the read: after a request of the test client, this session's transactions may write
    status, body, _kind = machine.poll()
    assert (status, body.strip()) == (200, f"C:{command_id}:INFO")
    assert machine.poll()[1] == "OK"  # handed over once
    assert machine.report(f"ID={command_id}&Return=0&CMD=INFO\nID=999&Return=0&CMD=INFO")[1] == "OK"
    fresh(db)
    done = db.session.get(DeviceCommand, command_id)
    assert (done.return_code, done.result) == (0, "INFO")
    assert done.sent_at == done.result_at == EVENING.astimezone(UTC)
    assert db.session.scalar(select(AuditEntry.to_state).where(AuditEntry.action == "queue_device_command")) == "INFO"


def test_a_flood_from_one_machine_is_limited(machine, app, monkeypatch, db):
    monkeypatch.setitem(app.config, "ICLOCK_RATE_LIMIT", "5 per minute")
    answers = [machine.poll()[0] for _ in range(7)]
    assert answers[:5] == [200] * 5
    assert answers[5:] == [429, 429]
    assert Machine(machine.base, "ANOTHER01").poll()[0] == 403  # another machine is not held back


def test_leave_days_are_refused_and_off_days_recorded_as_such(machine, db, org):
    LeaveFactory(employee_id=org.staff_a2.id, start_date=MONDAY, end_date=MONDAY)
    db.session.commit()
    assert machine.upload([punch("1002", "2026-11-16 07:20:00"), punch("1001", "2026-11-15 09:00:00")])[1] == "OK: 2"
    assert log_statuses(db) == [PunchStatus.REFUSED, PunchStatus.RECORDED]
    assert records_of(db, org.staff_a2) == {}
    sunday = records_of(db, org.staff_a)[AttendanceKind.IN]
    assert sunday.day == date(2026, 11, 15) and sunday.off_day and sunday.late_minutes == 0


def test_a_phone_check_in_stands_and_the_machine_adds_the_check_out(machine, db, org, office):
    db.session.add(AttendanceRecord(
        employee_id=org.staff_a.id, agency_id=org.agency_a.id, day=MONDAY, kind=AttendanceKind.IN,
        at=datetime(2026, 11, 16, 0, 35, tzinfo=UTC), mode=WorkMode.WFO, latitude=-6.8722, longitude=107.542,
        accuracy_m=10.0, late_minutes=5))
    db.session.commit()
    assert machine.upload([punch("1001", "2026-11-16 07:30:00"), punch("1001", "2026-11-16 16:00:00")])[1] == "OK: 2"
    records = records_of(db, org.staff_a)
    assert records[AttendanceKind.IN].machine_id is None and records[AttendanceKind.IN].late_minutes == 5
    assert records[AttendanceKind.OUT].machine_id is not None and records[AttendanceKind.OUT].early_minutes == 0


def test_mapping_a_pin_records_the_punches_received_before(machine, db, org, auth):
    assert machine.upload([punch("2001", "2026-11-16 07:40:00")])[1] == "OK: 1"
    assert log_statuses(db) == [PunchStatus.UNKNOWN_PIN]
    auth.login(org.agency_admin_a.username)
    response = auth.client.post(f"/presensi/mesin/pin/{org.agency_a.id}",
                                data={"lines": f"PIN,NIP\n2001,{org.other_staff_a.id_number}\n"})
    assert response.status_code == 302
    assert log_statuses(db) == [PunchStatus.RECORDED]
    assert records_of(db, org.other_staff_a)[AttendanceKind.IN].late_minutes == 10
    assert db.session.scalar(select(AuditEntry.reason).where(AuditEntry.action == "map_device_pin")) == \
        f"PIN 2001 NIP {org.other_staff_a.id_number}"


# --- pages -------------------------------------------------------------------------------------------------

def test_an_agency_admin_registers_a_machine_at_their_office_audited(client, auth, org, office, db):
    org.agency_a.timezone = "Asia/Makassar"
    db.session.commit()
    auth.login(org.agency_admin_a.username)
    response = client.post("/presensi/mesin/baru", data={
        "serial_number": "BJ2K192830", "name": "Pintu timur", "office_id": office.id, "timezone": "",
        "enabled": "y"})
    assert response.status_code == 302
    device = db.session.scalar(select(AttendanceDevice).where(AttendanceDevice.serial_number == "BJ2K192830"))
    assert (device.agency_id, device.office_id, device.registered_by_id, device.timezone) == \
        (org.agency_a.id, office.id, org.agency_admin_a.id, "Asia/Makassar")  # the agency's zone by default
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "attendance_device"))
    assert (entry.action, entry.agency_id) == ("create", org.agency_a.id)
    response = client.post(f"/presensi/mesin/{device.id}/ubah", data={
        "serial_number": "BJ2K192830", "name": "Pintu timur", "office_id": office.id, "timezone": "Asia/Jakarta"})
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "disable_device"
    assert "Pintu timur" in client.get("/presensi/mesin/").get_data(as_text=True)


def test_another_agencys_machine_pins_and_offices_are_out_of_reach(client, auth, org, db):
    office_b = OfficeFactory(agency=org.agency_b, name="Kantor B")
    db.session.flush()
    other = AttendanceDevice(serial_number="OTHERB0001", agency_id=org.agency_b.id, office_id=office_b.id,
                             name="Mesin B", timezone="Asia/Jakarta", registered_at=datetime(2026, 11, 1, tzinfo=UTC))
    db.session.add(other)
    db.session.commit()
    auth.login(org.agency_admin_a.username)
    for path in (f"/presensi/mesin/{other.id}", f"/presensi/mesin/{other.id}/ubah",
                 f"/presensi/mesin/pin/{org.agency_b.id}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/presensi/mesin/{other.id}/perintah", data={"command": "INFO"}).status_code == 404
    assert "Mesin B" not in client.get("/presensi/mesin/").get_data(as_text=True)
    response = client.post("/presensi/mesin/baru", data={
        "serial_number": "SNEAKY0001", "name": "x", "office_id": office_b.id, "timezone": "Asia/Jakarta"})
    assert response.status_code == 200
    assert db.session.scalar(select(AttendanceDevice).where(AttendanceDevice.serial_number == "SNEAKY0001")) is None
    auth.logout()
    auth.login(org.staff_a.id_number)
    assert client.get("/presensi/mesin/").status_code == 403
    auth.logout()
    auth.login(org.bkd_admin.username)
    assert "Mesin B" in client.get("/presensi/mesin/").get_data(as_text=True)
    assert client.get(f"/presensi/mesin/{other.id}").status_code == 200


def test_a_wrong_pin_line_saves_nothing(client, auth, org, db):
    auth.login(org.agency_admin_a.username)
    page = client.post(f"/presensi/mesin/pin/{org.agency_a.id}",
                       data={"lines": f"3001,{org.staff_a.id_number}\n3002,{org.staff_b.id_number}\n3003"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Baris 2" in text and "Baris 3" in text
    assert db.session.scalar(select(func.count()).select_from(DevicePin)) == 0


def test_the_tpp_discipline_counts_machine_punches_as_phone_check_ins(machine, db, org, auth, monkeypatch):
    from kinerja.tpp.rules import save_rule_set
    from tests.tpp_samples import example_rules

    save_rule_set(org.bkd_admin, example_rules())
    assert machine.upload([punch("1001", "2026-11-16 07:42:10"), punch("1001", "2026-11-16 15:20:00")])[1] == "OK: 2"
    freeze_now(monkeypatch, datetime(2026, 11, 17, 9, 0, tzinfo=WIB))  # the 16th is over: it is assessed
    auth.login(org.staff_a.id_number)
    page = auth.client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    # 12 minutes late (1–30: 0,5%) and 40 minutes early (31–60: 1%), as the same check-ins on the phone would be.
    assert "Terlambat 1–30 menit: 1 hari × 0,5% = 0,5% dari bagian disiplin" in page
    assert "31–60 menit: 1 hari × 1% = 1% dari bagian disiplin" in page


def test_a_punch_in_a_sessions_window_is_that_session(machine, db, org):
    from datetime import time

    from kinerja.models import AttendanceSession

    db.session.add(AttendanceSession(kind=AttendanceKind.APEL, opens=time(7, 45), closes=time(8, 15),
                                     weekdays="1", wfo=True, wfh=False, dl=False, valid_from=date(2026, 11, 1)))
    db.session.commit()
    lines = [punch("1001", "2026-11-16 07:20:00"), punch("1001", "2026-11-16 07:55:00"),
             punch("1001", "2026-11-16 16:02:00")]
    assert machine.upload(lines)[1] == "OK: 3"
    records = records_of(db, org.staff_a)
    assert records[AttendanceKind.APEL].at == datetime(2026, 11, 16, 0, 55, tzinfo=UTC)
    assert records[AttendanceKind.APEL].late_minutes == 0
    assert records[AttendanceKind.OUT].at == datetime(2026, 11, 16, 9, 2, tzinfo=UTC)
