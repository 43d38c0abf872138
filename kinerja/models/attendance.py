"""Attendance (presensi): check-in and check-out with position and selfie, and the anomalies flagged on them."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.activities import WorkMode
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import Agency, Office, str_enum
from kinerja.models.people import Employee


class AttendanceKind(enum.StrEnum):
    """Check-in and check-out, and the sessions between them a regency may require (AttendanceSession)."""

    IN = "in"
    APEL = "apl"  # apel pagi
    BREAK_START = "ist"  # before the break
    BREAK_END = "kbl"  # after the break
    CEREMONY = "upc"  # upacara: a ceremony on its day (17 Agustus, Hari Kesadaran Nasional on the 17th, …)
    OUT = "out"

    @property
    def label(self) -> str:
        return translated(ATTENDANCE_KIND_LABELS[self])

    @property
    def is_session(self) -> bool:
        """A session between check-in and check-out: within its window, never late nor early."""
        return self in SESSION_KINDS


ATTENDANCE_KIND_LABELS = {
    AttendanceKind.IN: _l("Jam masuk"),
    AttendanceKind.APEL: _l("Apel pagi"),
    AttendanceKind.BREAK_START: _l("Sebelum istirahat"),
    AttendanceKind.BREAK_END: _l("Setelah istirahat"),
    AttendanceKind.CEREMONY: _l("Upacara"),
    AttendanceKind.OUT: _l("Jam pulang"),
}
SESSION_KINDS = (AttendanceKind.APEL, AttendanceKind.CEREMONY, AttendanceKind.BREAK_START, AttendanceKind.BREAK_END)


class AttendanceRecord(TimestampMixin, Base):
    """One check-in or check-out. The server's clock is the time of record; the position is the phone's claim."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        # One check-in and one check-out per person per day, even when two requests race.
        UniqueConstraint("employee_id", "day", "kind"),
        Index("ix_attendance_record_day_device", "day", "device_id"),
        Index("ix_attendance_record_agency_day", "agency_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[AttendanceKind] = mapped_column(str_enum(AttendanceKind, length=3))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[WorkMode] = mapped_column(str_enum(WorkMode, length=3))
    # DOUBLE: MariaDB's FLOAT is single precision and comes back rounded to 6 digits (tens of metres).
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    accuracy_m: Mapped[float] = mapped_column(Float)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id", ondelete="SET NULL"), index=True)
    distance_m: Mapped[float | None] = mapped_column(Float)
    within_radius: Mapped[bool] = mapped_column(Boolean, default=False)
    assignment_letter: Mapped[str | None] = mapped_column(String(80))
    selfie_name: Mapped[str | None] = mapped_column(String(64))
    selfie_hash: Mapped[str | None] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(String(64), default="")
    user_agent_hash: Mapped[str] = mapped_column(String(64), default="")
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    early_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # A weekend or holiday: allowed, and shown as such.
    off_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # Punched on an attendance machine (kinerja.devices): at the machine's office, without position or selfie.
    machine_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_device.id", ondelete="SET NULL"),
                                                   index=True)

    employee: Mapped[Employee] = relationship()
    agency: Mapped[Agency] = relationship()
    office: Mapped[Office | None] = relationship()
    flags: Mapped[list[AttendanceFlag]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="AttendanceFlag.id"
    )

    @property
    def osm_url(self) -> str:
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


class AttendanceSession(TimestampMixin, Base):
    """A check-in session between check-in and check-out that the regency requires (apel pagi, before and after
    the break): its window in the agency's local time, the weekdays it is held, which work modes must attend it,
    and the period it is in force. Missing a required session is a discipline deduction of the TPP rules."""

    __tablename__ = "attendance_session"
    __table_args__ = (
        CheckConstraint("closes > opens", name="window"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
        Index("ix_attendance_session_kind_valid_from", "kind", "valid_from", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AttendanceKind] = mapped_column(str_enum(AttendanceKind, length=3))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    weekdays: Mapped[str] = mapped_column(String(7), default="12345")  # ISO weekdays, 1 = Monday
    wfo: Mapped[bool] = mapped_column(Boolean, default=True)  # required of staff working at the office
    wfh: Mapped[bool] = mapped_column(Boolean, default=False)
    dl: Mapped[bool] = mapped_column(Boolean, default=False)  # dinas luar
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    def held_on(self, day: date) -> bool:
        """In force and held on that weekday (working days only: the caller knows the agency's calendar)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to) and \
            str(day.isoweekday()) in self.weekdays

    def required_of(self, mode: WorkMode) -> bool:
        return {WorkMode.WFO: self.wfo, WorkMode.WFH: self.wfh, WorkMode.DL: self.dl}[mode]


class FlagKind(enum.StrEnum):
    SAME_COORDINATES = "same_coordinates"
    EXACT_ACCURACY = "exact_accuracy"
    IMPOSSIBLE_SPEED = "impossible_speed"
    REPEATED_SELFIE = "repeated_selfie"
    SHARED_DEVICE = "shared_device"
    OUTSIDE_REGENCY = "outside_regency"

    @property
    def label(self) -> str:
        return translated(FLAG_KIND_LABELS[self])


FLAG_KIND_LABELS = {
    FlagKind.SAME_COORDINATES: _l("Koordinat sama persis berulang"),
    FlagKind.EXACT_ACCURACY: _l("Akurasi lokasi tidak wajar"),
    FlagKind.IMPOSSIBLE_SPEED: _l("Perpindahan terlalu cepat"),
    FlagKind.REPEATED_SELFIE: _l("Swafoto mirip swafoto sebelumnya"),
    FlagKind.SHARED_DEVICE: _l("Satu perangkat dipakai beberapa pegawai"),
    FlagKind.OUTSIDE_REGENCY: _l("Posisi di luar wilayah daerah"),
}


def flag_message(kind: FlagKind, params: dict) -> str:
    """The reason in the reader's language, from the figures stored with the flag."""
    from kinerja.i18n import format_date

    if kind is FlagKind.SAME_COORDINATES:
        days = ", ".join(format_date(date.fromisoformat(day), "d MMM") for day in params["days"])
        return _("Koordinat yang sama (±%(m)s m) tercatat pada %(n)s hari: %(days)s.", m=params["m"],
                 n=params["n"], days=days)
    if kind is FlagKind.EXACT_ACCURACY:
        return _("Akurasi dilaporkan %(accuracy)s m; ponsel asli hampir tidak pernah melaporkan kurang dari 1 m "
                 "(tanda aplikasi lokasi palsu).", **params)
    if kind is FlagKind.IMPOSSIBLE_SPEED:
        return _("%(km)s km dari presensi sebelumnya dalam %(minutes)s menit (%(speed)s km/jam).", **params)
    if kind is FlagKind.REPEATED_SELFIE:
        return _("Swafoto hampir sama dengan swafoto tanggal %(day)s (selisih %(distance)s dari 64 bit).",
                 day=format_date(date.fromisoformat(params["day"])), distance=params["distance"])
    if kind is FlagKind.SHARED_DEVICE:
        return _("Perangkat yang sama dipakai hari ini juga oleh: %(names)s.", **params)
    return _("Posisi %(lat)s, %(lon)s berada di luar batas wilayah daerah.", **params)


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    CLEARED = "cleared"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return translated(FLAG_STATUS_LABELS[self])


FLAG_STATUS_LABELS = {
    FlagStatus.OPEN: _l("Belum ditinjau"),
    FlagStatus.CLEARED: _l("Wajar"),
    FlagStatus.CONFIRMED: _l("Dikonfirmasi pelanggaran"),
}


class AttendanceFlag(TimestampMixin, Base):
    """An anomaly for a person to review: never a verdict by itself."""

    __tablename__ = "attendance_flag"
    __table_args__ = (Index("ix_attendance_flag_status_record", "status", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("attendance_record.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FlagKind] = mapped_column(str_enum(FlagKind, length=30))
    # The figures behind the reason, as JSON, so the reason reads in the reviewer's language.
    detail: Mapped[str] = mapped_column(String(500), default="{}")
    status: Mapped[FlagStatus] = mapped_column(str_enum(FlagStatus, length=10), default=FlagStatus.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(500))

    record: Mapped[AttendanceRecord] = relationship(back_populates="flags")
    decided_by: Mapped[User | None] = relationship()

    @property
    def message(self) -> str:
        return flag_message(self.kind, json.loads(self.detail or "{}"))
