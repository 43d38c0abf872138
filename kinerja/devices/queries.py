"""What the machine pages show: machines in the user's scope, a machine's recent log and commands, PINs."""

from __future__ import annotations

from datetime import timedelta

from flask import abort
from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import Agency, AttendanceDevice, DeviceCommand, DeviceLog, DevicePin, Office, PunchStatus, User
from kinerja.permissions import admin_agency_ids, is_global_admin

UNKNOWN_DAYS = 7


def agency_condition(user: User, column):
    if is_global_admin(user):
        return true()
    return column.in_(sorted(admin_agency_ids(user)) or [0])


def devices_query(user: User) -> Select:
    return (select(AttendanceDevice).where(agency_condition(user, AttendanceDevice.agency_id))
            .options(joinedload(AttendanceDevice.agency), joinedload(AttendanceDevice.office))
            .order_by(AttendanceDevice.agency_id, AttendanceDevice.name, AttendanceDevice.id))


def load_device(user: User, device_id: int) -> AttendanceDevice:
    """The machine if the user manages its agency, else 404."""
    device = db.session.scalar(select(AttendanceDevice).where(
        AttendanceDevice.id == device_id, agency_condition(user, AttendanceDevice.agency_id)))
    if device is None:
        abort(404)
    return device


def managed_agencies(user: User) -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(agency_condition(user, Agency.id)).order_by(Agency.name)))


def load_agency(user: User, agency_id: int) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.id == agency_id, agency_condition(user, Agency.id)))
    if agency is None:
        abort(404)
    return agency


def office_choices(user: User) -> list[tuple[int, str]]:
    rows = db.session.execute(select(Office.id, Office.name, Agency.short_name).join(
        Agency, Agency.id == Office.agency_id).where(agency_condition(user, Office.agency_id))
        .order_by(Agency.short_name, Office.name))
    return [(row.id, f"{row.short_name} · {row.name}") for row in rows]


def device_log(device: AttendanceDevice, status: PunchStatus | None, page: int):
    query = select(DeviceLog).where(DeviceLog.device_id == device.id).options(joinedload(DeviceLog.employee))
    if status is not None:
        query = query.where(DeviceLog.status == status)
    return db.paginate(query.order_by(DeviceLog.received_at.desc(), DeviceLog.id.desc()), page=page,
                       per_page=50, error_out=False)


def recent_commands(device: AttendanceDevice) -> list[DeviceCommand]:
    return list(db.session.scalars(select(DeviceCommand).where(DeviceCommand.device_id == device.id)
                                   .order_by(DeviceCommand.id.desc()).limit(20)))


def status_counts(device: AttendanceDevice) -> dict[PunchStatus, int]:
    since = clock.utcnow() - timedelta(days=UNKNOWN_DAYS)
    return dict(db.session.execute(select(DeviceLog.status, func.count()).where(
        DeviceLog.device_id == device.id, DeviceLog.received_at >= since).group_by(DeviceLog.status)).all())


def unknown_machines() -> list:
    """Serial numbers refused as unregistered in the last days (BKD registers them)."""
    since = clock.utcnow() - timedelta(days=UNKNOWN_DAYS)
    return list(db.session.execute(
        select(DeviceLog.serial_number, func.max(DeviceLog.received_at).label("last"),
               func.max(DeviceLog.address).label("address"))
        .where(DeviceLog.device_id.is_(None), DeviceLog.received_at >= since,
               DeviceLog.serial_number.not_in(select(AttendanceDevice.serial_number)))
        .group_by(DeviceLog.serial_number).order_by(func.max(DeviceLog.received_at).desc()).limit(20)))


def agency_pins(agency: Agency, page: int):
    return db.paginate(select(DevicePin).where(DevicePin.agency_id == agency.id)
                       .options(joinedload(DevicePin.employee)).order_by(DevicePin.pin), page=page, per_page=50,
                       error_out=False)


def load_pin(agency: Agency, pin_id: int) -> DevicePin:
    pin = db.session.get(DevicePin, pin_id)
    if pin is None or pin.agency_id != agency.id:
        abort(404)
    return pin
