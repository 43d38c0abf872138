"""BKD and agency admins: registering machines at an office, mapping PINs to employees, queuing commands.
Each step is audited and commits once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from kinerja import audit, clock
from kinerja.database import finish
from kinerja.devices import protocol, punches
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.models import (
    Assignment,
    AttendanceDevice,
    DeviceCommand,
    DeviceLog,
    DevicePin,
    Employee,
    Office,
    PunchStatus,
    User,
)
from kinerja.models.org import TIMEZONES
from kinerja.permissions import admin_agency_ids, is_global_admin

COMMAND = re.compile(r"^[\x20-\x7e]{1,200}$")  # printable ASCII on one line: a machine reads nothing else
MAX_PIN_LINES = 2000


def may_manage(user: User, agency_id: int) -> bool:
    return is_global_admin(user) or agency_id in admin_agency_ids(user)


def require_manager(user: User, agency_id: int) -> None:
    if not may_manage(user, agency_id):
        raise NotAllowed(_("Hanya admin BKD atau admin OPD ini yang dapat mengatur mesin presensi."))


@dataclass
class DeviceInput:
    serial_number: str
    name: str
    office_id: int | None
    timezone: str
    enabled: bool = True


def describe(device: AttendanceDevice) -> str:
    return (f"SN {device.serial_number} '{device.name}' kantor {device.office_id or '-'} {device.timezone} "
            f"{'aktif' if device.enabled else 'nonaktif'}")


def state(enabled: bool | None) -> str | None:
    return None if enabled is None else ("aktif" if enabled else "nonaktif")


def check(data: DeviceInput, agency_id: int, current: AttendanceDevice | None) -> Office:
    serial = data.serial_number.strip()
    if not protocol.SERIAL.match(serial):
        raise ValidationFailed(_("Nomor seri hanya huruf, angka, - dan _ (paling banyak 40)."), field="serial_number")
    if not data.name.strip():
        raise ValidationFailed(_("Isi nama mesin."), field="name")
    office = db.session.get(Office, data.office_id) if data.office_id else None
    if office is None or office.agency_id != agency_id:
        raise ValidationFailed(_("Pilih kantor OPD ini tempat mesin dipasang."), field="office_id")
    if not data.timezone:
        data.timezone = office.agency.timezone  # the agency's zone unless the machine's clock runs in another
    if data.timezone not in TIMEZONES:
        raise ValidationFailed(_("Pilih zona waktu WIB, WITA atau WIT."), field="timezone")
    other = db.session.scalar(select(AttendanceDevice).where(AttendanceDevice.serial_number == serial))
    if other is not None and other is not current:
        raise ValidationFailed(_("Nomor seri %(serial)s sudah terdaftar.", serial=serial), field="serial_number")
    return office


def save_device(actor: User, agency_id: int, data: DeviceInput,
                current: AttendanceDevice | None = None) -> AttendanceDevice:
    """Register a machine at an office of the agency, or change one (serial, name, office, zone, enabled)."""
    require_manager(actor, agency_id)
    check(data, agency_id, current)
    before = describe(current) if current is not None else None
    was_enabled = current.enabled if current is not None else None
    device = current or AttendanceDevice(agency_id=agency_id, registered_by_id=actor.id,
                                         registered_at=clock.utcnow())
    device.serial_number = data.serial_number.strip()
    device.name = data.name.strip()[:100]
    device.office_id = data.office_id
    device.timezone = data.timezone
    device.enabled = data.enabled
    db.session.add(device)
    db.session.flush()
    action = "create" if current is None else "update"
    if was_enabled is not None and was_enabled != device.enabled:
        action = "enable_device" if device.enabled else "disable_device"
    # The states are short (enabled or not); the reason holds the machine before and after.
    reason = f"{before} -> {describe(device)}" if before else describe(device)
    audit.record(actor, audit.Change("attendance_device", device.id, action, state(was_enabled),
                                     state(device.enabled), device.agency_id, reason=reason))
    finish()
    return device


def queue_command(actor: User, device: AttendanceDevice, command: str) -> DeviceCommand:
    require_manager(actor, device.agency_id)
    command = (command or "").strip()
    if not COMMAND.match(command):
        raise ValidationFailed(_("Perintah berupa satu baris teks (huruf latin), paling banyak 200 karakter."),
                               field="command")
    queued = DeviceCommand(device_id=device.id, command=command, created_at=clock.utcnow(),
                           created_by_id=actor.id)
    db.session.add(queued)
    db.session.flush()
    audit.record(actor, audit.Change("attendance_device", device.id, "queue_device_command", None, command[:20],
                                     device.agency_id, reason=command))
    finish()
    return queued


@dataclass
class PinResult:
    mapped: int
    errors: list[str]
    replayed: int


def parse_pin_lines(text: str) -> tuple[list[tuple[int, str, str]], list[str]]:
    """Lines "PIN,NIP" (comma, semicolon or tab); blank lines skipped; the header line "PIN,NIP" allowed."""
    rows, errors = [], []
    lines = (text or "").splitlines()
    if len(lines) > MAX_PIN_LINES:
        raise ValidationFailed(_("Paling banyak %(n)s baris sekali simpan.", n=MAX_PIN_LINES), field="lines")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in re.split(r"[,;\t]", line)]
        if len(parts) != 2:
            errors.append(_("Baris %(n)s: tulis PIN,NIP.", n=number))
            continue
        pin, nip = parts
        if number == 1 and pin.upper() == "PIN":
            continue
        if not protocol.PIN.match(pin):
            errors.append(_("Baris %(n)s: PIN %(pin)s tidak sah (huruf/angka, paling banyak 20).", n=number,
                            pin=pin[:20]))
            continue
        rows.append((number, pin, nip))
    return rows, errors


def map_pins(actor: User, agency_id: int, text: str) -> PinResult:
    """Map PINs to employees of the agency (by NIP); a PIN or an employee mapped before is mapped anew. Nothing
    is saved when a line is wrong. Punches of those PINs received before they were mapped are then recorded."""
    require_manager(actor, agency_id)
    rows, errors = parse_pin_lines(text)
    today = clock.today()
    nips = {nip for _n, _p, nip in rows}
    employees = dict(db.session.execute(select(Employee.id_number, Employee.id).where(
        Employee.id_number.in_(nips or [""]))).all())
    in_agency = set(db.session.scalars(select(Assignment.employee_id).where(
        Assignment.employee_id.in_(list(employees.values()) or [0]), Assignment.active_on(today),
        Assignment.agency_id == agency_id)))
    pins_seen: dict[str, int] = {}
    valid: list[tuple[str, int, str]] = []
    for number, pin, nip in rows:
        employee_id = employees.get(nip)
        if employee_id not in in_agency:
            errors.append(_("Baris %(n)s: NIP %(nip)s bukan pegawai aktif OPD ini.", n=number, nip=nip[:30]))
            continue
        if pin in pins_seen:
            errors.append(_("Baris %(n)s: PIN %(pin)s sudah dipakai di baris %(m)s.", n=number, pin=pin,
                            m=pins_seen[pin]))
            continue
        pins_seen[pin] = number
        valid.append((pin, employee_id, nip))
    if errors:
        return PinResult(0, errors, 0)
    if not valid:
        raise ValidationFailed(_("Isi paling sedikit satu baris PIN,NIP."), field="lines")
    pins = [pin for pin, _e, _n in valid]
    employee_ids = [employee_id for _p, employee_id, _n in valid]
    for part in punches.chunks(pins):
        db.session.execute(delete(DevicePin).where(DevicePin.agency_id == agency_id, DevicePin.pin.in_(part)))
    for part in punches.chunks(employee_ids):
        db.session.execute(delete(DevicePin).where(DevicePin.agency_id == agency_id,
                                                   DevicePin.employee_id.in_(part)))
    db.session.add_all([DevicePin(agency_id=agency_id, pin=pin, employee_id=employee_id)
                        for pin, employee_id, _n in valid])
    db.session.flush()
    audit.record_many(actor, [audit.Change("attendance_device_pin", employee_id, "map_device_pin", None,
                                           f"PIN {pin}"[:20], agency_id, reason=f"PIN {pin} NIP {nip}")
                              for pin, employee_id, nip in valid])
    replayed = replay_unknown(agency_id, dict(zip(pins, employee_ids, strict=True)))
    finish()
    return PinResult(len(valid), [], replayed)


def replay_unknown(agency_id: int, mapping: dict[str, int]) -> int:
    """Punches logged as "PIN not mapped" at the agency's machines, now recorded for the mapped employees."""
    entries = []
    for part in punches.chunks(sorted(mapping)):
        entries.extend(db.session.scalars(select(DeviceLog).join(
            AttendanceDevice, AttendanceDevice.id == DeviceLog.device_id).where(
            DeviceLog.agency_id == agency_id, DeviceLog.status == PunchStatus.UNKNOWN_PIN,
            DeviceLog.pin.in_(part)).order_by(DeviceLog.id)))
    days = set()
    for entry in entries:
        entry.employee_id = mapping[entry.pin]
        refusal = punches.refusal_of(entry.device, entry.employee_id, entry.day)
        entry.status = PunchStatus.REFUSED if refusal else PunchStatus.RECORDED
        entry.reason = refusal or ""
        if not refusal:
            days.add((entry.employee_id, entry.day))
    db.session.flush()
    for employee_id, day in sorted(days):
        punches.settle_day(employee_id, day)
    return len(entries)


def unmap_pin(actor: User, pin: DevicePin) -> None:
    require_manager(actor, pin.agency_id)
    audit.record(actor, audit.Change("attendance_device_pin", pin.employee_id, "unmap_device_pin",
                                     f"PIN {pin.pin}"[:20], None, pin.agency_id))
    db.session.delete(pin)
    finish()
