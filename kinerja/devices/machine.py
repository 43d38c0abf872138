"""What the server does for a machine at each request of the iclock protocol: who it is, its options, its
commands and their results, its clock. Machines authenticate by a registered serial number only (see
docs/devices.md for the network restrictions this calls for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kinerja import clock
from kinerja.devices import protocol
from kinerja.extensions import db
from kinerja.models import AttendanceDevice, DeviceCommand, DeviceLog, PunchStatus

REFUSAL_LOG_SECONDS = 60  # a refused machine polling every few seconds is logged once a minute


def device_of(serial: str) -> AttendanceDevice | None:
    if not protocol.SERIAL.match(serial or ""):
        return None
    return db.session.scalar(select(AttendanceDevice).where(AttendanceDevice.serial_number == serial))


def log_refusal(serial: str, device: AttendanceDevice | None, table: str, raw: str, reason: str,
                address: str | None) -> None:
    """Note a refused request (an unknown or disabled machine), at most once a minute per serial number."""
    now = clock.utcnow()
    serial = (serial or "")[:40]
    recent = db.session.scalar(select(DeviceLog.id).where(
        DeviceLog.serial_number == serial, DeviceLog.status == PunchStatus.REFUSED,
        DeviceLog.received_at >= now - timedelta(seconds=REFUSAL_LOG_SECONDS), DeviceLog.punched_at.is_(None))
        .limit(1))
    if recent is not None:
        return
    db.session.add(DeviceLog(received_at=now, serial_number=serial, device_id=device.id if device else None,
                             agency_id=device.agency_id if device else None, table=table[:12], raw=raw[:255],
                             status=PunchStatus.REFUSED, reason=reason[:255], address=address))
    db.session.commit()


def touch(device: AttendanceDevice, address: str | None, push_version: str | None = None) -> None:
    device.last_contact_at = clock.utcnow()
    device.last_address = (address or "")[:45] or None
    if push_version:
        device.push_version = push_version[:40]


def utc_offset_hours(device: AttendanceDevice) -> float:
    offset = clock.utcnow().astimezone(clock.zone(device.timezone)).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def options(device: AttendanceDevice) -> str:
    return protocol.options_text(device.serial_number, device.attlog_stamp, device.operlog_stamp,
                                 utc_offset_hours(device))


def keep_stamp(device: AttendanceDevice, table: str, stamp: str | None) -> None:
    """The stamp of an upload the server accepted, handed back at the next handshake."""
    value = (stamp or "").strip()
    if not value or len(value) > 20 or not value.isdigit():
        return
    if table == "ATTLOG":
        device.attlog_stamp = value
    elif table == "OPERLOG":
        device.operlog_stamp = value


def receive_operlog(device: AttendanceDevice, body: str, address: str | None) -> int:
    """Operation logs (enrolments, menu actions) are kept in the log as received."""
    now = clock.utcnow()
    lines = protocol.lines_of(body)
    for line in lines:
        db.session.add(DeviceLog(received_at=now, serial_number=device.serial_number, device_id=device.id,
                                 agency_id=device.agency_id, table="OPERLOG", raw=line[:255],
                                 status=PunchStatus.RECORDED, reason="", address=address))
    return len(lines)


def receive_options(device: AttendanceDevice, body: str) -> None:
    """An options or INFO upload: the machine's clock, when it reports it, gives its drift."""
    local = protocol.reported_clock(protocol.parse_key_values(body))
    if local is not None:
        measure_drift(device, local)


def measure_drift(device: AttendanceDevice, local: datetime) -> None:
    now = clock.utcnow()
    reported = local.replace(tzinfo=clock.zone(device.timezone)).astimezone(UTC)
    device.clock_drift_seconds = int((reported - now).total_seconds())
    device.drift_measured_at = now


def pending_commands(device: AttendanceDevice) -> list[DeviceCommand]:
    """Commands not yet handed over, oldest first; marked as sent."""
    commands = list(db.session.scalars(select(DeviceCommand).where(
        DeviceCommand.device_id == device.id, DeviceCommand.sent_at.is_(None)).order_by(DeviceCommand.id)
        .limit(20)))
    now = clock.utcnow()
    for command in commands:
        command.sent_at = now
    return commands


def record_results(device: AttendanceDevice, body: str) -> int:
    """Return codes of this machine's commands; results for other machines' or unknown ids are ignored."""
    results = protocol.parse_command_results(body)
    ids = [int(result["ID"]) for result in results]
    commands = {command.id: command for command in db.session.scalars(select(DeviceCommand).where(
        DeviceCommand.device_id == device.id, DeviceCommand.id.in_(ids or [0])))}
    now = clock.utcnow()
    for result in results:
        command = commands.get(int(result["ID"]))
        if command is None:
            continue
        try:
            command.return_code = int(result.get("Return", "").strip())
        except ValueError:
            command.return_code = None
        command.result_at = now
        detail = " ".join(part for part in (result.get("CMD", ""), result.get("Content", "")) if part)
        command.result = detail[:255] or None
        if command.command.strip().upper() == "INFO" and "Content" in result:
            receive_options(device, result["Content"])
    return len(commands)
