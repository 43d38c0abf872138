"""Attendance machines (fingerprint / face) that push their punches over the ADMS "iclock" protocol: the machines
registered at an office, the PIN each employee is enrolled under at an agency, what the machines sent (one row per
punch line or refused request) and the commands queued for them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import Agency, Office, str_enum
from kinerja.models.people import Employee


class AttendanceDevice(TimestampMixin, Base):
    """A machine known by its serial number (SN), at an office of an agency; its clock runs in `timezone`."""

    __tablename__ = "attendance_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_number: Mapped[str] = mapped_column(String(40), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    # A machine whose office was deleted keeps its history and refuses punches until it is placed again.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_address: Mapped[str | None] = mapped_column(String(45))
    push_version: Mapped[str | None] = mapped_column(String(40))
    # The stamps of the last upload the machine confirmed: the handshake hands them back so it resumes there.
    attlog_stamp: Mapped[str] = mapped_column(String(20), default="0")
    operlog_stamp: Mapped[str] = mapped_column(String(20), default="0")
    # The machine's clock minus the server's, in seconds, when it last reported its time (positive: ahead).
    clock_drift_seconds: Mapped[int | None] = mapped_column(Integer)
    drift_measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship()
    office: Mapped[Office | None] = relationship()
    registered_by: Mapped[User | None] = relationship()


class DevicePin(TimestampMixin, Base):
    """The PIN (user number on the machines) an employee is enrolled under at an agency: one PIN for all the
    agency's machines, as machines of an agency share their user list."""

    __tablename__ = "attendance_device_pin"
    __table_args__ = (
        UniqueConstraint("agency_id", "pin"),
        UniqueConstraint("agency_id", "employee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    pin: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)

    employee: Mapped[Employee] = relationship()


class PunchStatus(enum.StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    UNKNOWN_PIN = "unknown_pin"
    MALFORMED = "malformed"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return translated(PUNCH_STATUS_LABELS[self])


PUNCH_STATUS_LABELS = {
    PunchStatus.RECORDED: _l("Tercatat"),
    PunchStatus.DUPLICATE: _l("Kiriman ulang (diabaikan)"),
    PunchStatus.UNKNOWN_PIN: _l("PIN belum dipetakan"),
    PunchStatus.MALFORMED: _l("Baris rusak"),
    PunchStatus.REFUSED: _l("Ditolak"),
}


class DeviceLog(Base):
    """What a machine sent: one row per ATTLOG or OPERLOG line, or per refused request (unknown or disabled
    machine, too many requests). Kept for a retention period (`flask purge-device-log`)."""

    __tablename__ = "attendance_device_log"
    __table_args__ = (
        Index("ix_attendance_device_log_device_received", "device_id", "received_at"),
        Index("ix_attendance_device_log_agency_received", "agency_id", "received_at"),
        Index("ix_attendance_device_log_received", "received_at"),
        # A machine resends lines after a failure: the same machine, PIN and time is the same punch.
        Index("ix_attendance_device_log_punch", "device_id", "pin", "punched_at"),
        Index("ix_attendance_device_log_employee_day", "employee_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    serial_number: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_device.id", ondelete="CASCADE"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    table: Mapped[str] = mapped_column(String(12))  # ATTLOG, OPERLOG or the refused request's path
    raw: Mapped[str] = mapped_column(String(255), default="")
    pin: Mapped[str | None] = mapped_column(String(20))
    punched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))
    day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[PunchStatus] = mapped_column(str_enum(PunchStatus, length=12))
    reason: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str | None] = mapped_column(String(45))

    device: Mapped[AttendanceDevice | None] = relationship()
    employee: Mapped[Employee | None] = relationship()


class DeviceCommand(Base):
    """A command queued for a machine, handed over at its next poll as "C:<id>:<command>" and answered through
    /iclock/devicecmd with its return code (0: done)."""

    __tablename__ = "attendance_device_command"
    __table_args__ = (Index("ix_attendance_device_command_device_sent", "device_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("attendance_device.id", ondelete="CASCADE"))
    command: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_code: Mapped[int | None] = mapped_column(Integer)
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(String(255))
