"""Punches from attendance machines becoming check-ins and check-outs, under the rules of phone check-ins.

A punch is the employee's whose PIN the machine's agency maps (DevicePin), at the machine's office, in the
machine's time zone; the machine's clock is the time of record (its drift is shown so that it is corrected). Of a
day's punches, the first is the check-in and the last the check-out ("first in, last out"): a later punch moves a
machine's check-out, a punch within DEVICE_REPEAT_MINUTES of the check-in is a repeated press and changes nothing,
and a punch inside the window of a check-in session held that day (apel pagi, before and after the break) is that
session. A check-in or check-out made on the phone stands: machine punches never move it. Late and early minutes
come from kinerja.attendance.hours on working days of the agency of the day's assignment, as on the phone; off
days are recorded as such; a day of leave, a day without an assignment and a month whose TPP is locked refuse the
punch. Machine records carry no position claim or selfie, so the anti-spoofing flags do not apply to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from kinerja import clock
from kinerja.attendance import hours, sessions
from kinerja.attendance.services import leave_on
from kinerja.core.assignments import assignment_on
from kinerja.core.locks import lock_employee
from kinerja.devices import protocol
from kinerja.extensions import db
from kinerja.models import (
    Assignment,
    AttendanceDevice,
    AttendanceKind,
    AttendanceRecord,
    DeviceLog,
    DevicePin,
    PunchStatus,
    TppPeriod,
    WorkMode,
)
from kinerja.settings import setting
from kinerja.workcalendar import holidays_between, is_weekend

CHUNK = 500  # keys per IN (...) query, well under every database's parameter limit


@dataclass(frozen=True)
class Placed:
    """A day's punch: when (UTC), on which machine and office, and the machine's local time."""

    log: DeviceLog
    at: datetime
    local: datetime
    device: AttendanceDevice


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def pins_of(agency_id: int, pins: set[str]) -> dict[str, int]:
    mapped: dict[str, int] = {}
    for part in chunks(sorted(pins)):
        mapped.update(db.session.execute(select(DevicePin.pin, DevicePin.employee_id).where(
            DevicePin.agency_id == agency_id, DevicePin.pin.in_(part))).all())
    return mapped


def already_received(device_id: int, keys: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
    """The (PIN, time) pairs of this machine already logged: a resent line is the same punch."""
    seen: set[tuple[str, datetime]] = set()
    for part in chunks(keys):
        seen.update((pin, at) for pin, at in db.session.execute(
            select(DeviceLog.pin, DeviceLog.punched_at).where(
                DeviceLog.device_id == device_id, DeviceLog.punched_at.is_not(None),
                tuple_(DeviceLog.pin, DeviceLog.punched_at).in_(part))))
    return seen


def log_line(device: AttendanceDevice, now: datetime, raw: str, address: str | None, **fields) -> DeviceLog:
    entry = DeviceLog(received_at=now, serial_number=device.serial_number, device_id=device.id,
                      agency_id=device.agency_id, table="ATTLOG", raw=raw[:255], address=address, **fields)
    db.session.add(entry)
    return entry


def receive_attlog(device: AttendanceDevice, body: str, address: str | None) -> int:
    """Every line of an upload logged with what became of it; good lines recorded whatever the bad ones.
    Returns the number of lines received (the machine's "OK: n"). The caller commits."""
    now = clock.utcnow()
    zone = clock.zone(device.timezone)
    future = timedelta(seconds=current_app.config["ICLOCK_FUTURE_SECONDS"])
    parsed: list[tuple[str, protocol.Punch | None, str]] = []
    for raw in protocol.lines_of(body):
        try:
            parsed.append((raw, protocol.parse_attlog(raw), ""))
        except protocol.Malformed as error:
            parsed.append((raw, None, str(error)))
    good = [(raw, punch, punch.local.replace(tzinfo=zone).astimezone(UTC)) for raw, punch, _e in parsed if punch]
    seen = already_received(device.id, sorted({(punch.pin, at) for _r, punch, at in good}))
    employees = pins_of(device.agency_id, {punch.pin for _r, punch, _a in good})
    touched: set[tuple[int, date]] = set()
    for raw, punch, error in parsed:
        if punch is None:
            log_line(device, now, raw, address, status=PunchStatus.MALFORMED, reason=error[:255])
            continue
        at = punch.local.replace(tzinfo=zone).astimezone(UTC)
        key = (punch.pin, at)
        if key in seen:
            log_line(device, now, raw, address, pin=punch.pin, status=PunchStatus.DUPLICATE,
                     reason=_("Sudah diterima sebelumnya dari mesin ini."))
            continue
        seen.add(key)
        fields = {"pin": punch.pin, "punched_at": at, "day": punch.local.date()}
        if at > now + future:
            note_drift(device, int((at - now).total_seconds()), now)
            log_line(device, now, raw, address, status=PunchStatus.REFUSED, **fields,
                     reason=_("Waktu pindaian di masa depan: jam mesin lebih cepat dari jam server."))
            continue
        employee_id = employees.get(punch.pin)
        if employee_id is None:
            log_line(device, now, raw, address, status=PunchStatus.UNKNOWN_PIN, **fields,
                     reason=_("PIN %(pin)s belum dipetakan ke pegawai OPD ini.", pin=punch.pin))
            continue
        refusal = refusal_of(device, employee_id, punch.local.date())
        log_line(device, now, raw, address, employee_id=employee_id, **fields,
                         status=PunchStatus.REFUSED if refusal else PunchStatus.RECORDED, reason=refusal or "")
        if not refusal:
            touched.add((employee_id, punch.local.date()))
    db.session.flush()
    for employee_id, day in sorted(touched):
        settle_day(employee_id, day)
    return len(parsed)


def refusal_of(device: AttendanceDevice, employee_id: int, day: date) -> str | None:
    """Why a punch of the day cannot count, as on the phone (None when it can)."""
    if device.office_id is None:
        return _("Mesin ini tidak lagi terpasang di kantor mana pun; tempatkan kembali di halaman mesin.")
    assignment = assignment_on(employee_id, day)
    if assignment is None:
        return _("Pegawai tidak memiliki penugasan aktif pada tanggal itu.")
    leave = leave_on(employee_id, day)
    if leave is not None:
        return _("Pegawai tercatat %(kind)s pada tanggal itu.", kind=leave.kind.label.lower())
    locked = db.session.scalar(select(TppPeriod.id).where(
        TppPeriod.agency_id == assignment.agency_id, TppPeriod.year == day.year, TppPeriod.month == day.month))
    if locked is not None:
        return _("TPP bulan itu sudah dikunci; ajukan koreksi presensi bila perlu.")
    return None


def placed_punches(employee_id: int, day: date) -> list[Placed]:
    rows = db.session.execute(
        select(DeviceLog, AttendanceDevice).join(AttendanceDevice, AttendanceDevice.id == DeviceLog.device_id)
        .where(DeviceLog.employee_id == employee_id, DeviceLog.day == day,
               DeviceLog.status == PunchStatus.RECORDED, DeviceLog.punched_at.is_not(None))
        .order_by(DeviceLog.punched_at, DeviceLog.id)).all()
    return [Placed(log, log.punched_at, log.punched_at.astimezone(clock.zone(device.timezone)), device)
            for log, device in rows]


def settle_day(employee_id: int, day: date) -> None:
    """The day's check-in, sessions and check-out from all its accepted punches (first in, last out)."""
    lock_employee(employee_id)
    punches = placed_punches(employee_id, day)
    if not punches:
        return
    assignment: Assignment = assignment_on(employee_id, day)
    work_week = assignment.agency.work_week
    working = not is_weekend(day, work_week) and day not in holidays_between(day, day)
    records = {record.kind: record for record in db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.employee_id == employee_id, AttendanceRecord.day == day))}
    phone_in = records.get(AttendanceKind.IN) if records.get(AttendanceKind.IN) and \
        records[AttendanceKind.IN].machine_id is None else None
    first = phone_in.at if phone_in else punches[0].at
    chosen: dict[AttendanceKind, Placed] = {}
    if phone_in is None:
        chosen[AttendanceKind.IN] = punches[0]
    mode = phone_in.mode if phone_in else WorkMode.WFO
    held = sessions.held_on(sessions.sessions_between(day, day), day) if working else []
    repeat = timedelta(minutes=setting("DEVICE_REPEAT_MINUTES"))
    for punch in punches:
        if punch is chosen.get(AttendanceKind.IN) or punch.at <= first:
            continue
        session = next((item for item in held if item.required_of(mode) and item.kind not in chosen
                        and item.opens <= punch.local.time().replace(tzinfo=None) <= item.closes), None)
        if session is not None:
            chosen[session.kind] = punch
        elif punch.at - first >= repeat:
            chosen[AttendanceKind.OUT] = punch  # the last such punch wins
    notes = {id(punch): kind for kind, punch in chosen.items()}
    for kind, punch in chosen.items():
        apply(records.get(kind), kind, punch, employee_id, assignment, working)
    for punch in punches:
        punch.log.reason = note_of(notes.get(id(punch)), punch, records, first, repeat)[:255]
    db.session.flush()


def note_of(kind: AttendanceKind | None, punch: Placed, records: dict, first: datetime,
            repeat: timedelta) -> str:
    if kind is not None:
        record = records.get(kind)
        if record is not None and record.machine_id is None:
            return _("%(kind)s sudah tercatat dari ponsel; pindaian ini tidak mengubahnya.", kind=kind.label)
        return _("Dicatat sebagai %(kind)s.", kind=kind.label.lower())
    if punch.at < first:
        return _("Sebelum jam masuk yang tercatat dari ponsel; tidak mengubah presensi.")
    if punch.at - first < repeat:
        return _("Pindaian berulang dalam %(n)s menit setelah jam masuk; tidak mengubah presensi.",
                 n=int(repeat.total_seconds() // 60))
    return _("Bukan pindaian terakhir hari itu; jam pulang tercatat dari pindaian yang lebih akhir.")


def apply(record: AttendanceRecord | None, kind: AttendanceKind, punch: Placed, employee_id: int,
          assignment: Assignment, working: bool) -> None:
    """Create the machine's record of that kind, or move it to this punch; a phone record stands."""
    if record is not None and record.machine_id is None:
        return
    office = punch.device.office
    if record is None:
        record = AttendanceRecord(
            employee_id=employee_id, day=punch.local.date(), kind=kind, mode=WorkMode.WFO, accuracy_m=0.0,
            device_id="", user_agent_hash="")
        db.session.add(record)
    record.agency_id = assignment.agency_id
    record.at = punch.at
    record.machine_id = punch.device.id
    record.office_id = office.id
    record.latitude, record.longitude = office.latitude, office.longitude
    record.distance_m, record.within_radius = 0.0, True
    record.off_day = not working
    record.late_minutes, record.early_minutes = hours.lateness(
        kind, record.mode, punch.local, hours.working_hours(record.day, assignment.agency.work_week)) \
        if working else (0, 0)


def note_drift(device: AttendanceDevice, seconds: int, now: datetime) -> None:
    device.clock_drift_seconds = seconds
    device.drift_measured_at = now
