"""Attendance correction requests: staff ask, their appraiser (or an agency admin) decides, TPP counts approved ones."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import Agency, str_enum
from kinerja.models.people import Employee


class CorrectionKind(enum.StrEnum):
    FORGOT_IN = "forgot_in"
    FORGOT_OUT = "forgot_out"
    DEVICE = "device"
    FIELD_DUTY = "field_duty"

    @property
    def label(self) -> str:
        return translated(CORRECTION_KIND_LABELS[self])


CORRECTION_KIND_LABELS = {
    CorrectionKind.FORGOT_IN: _l("Lupa presensi masuk"),
    CorrectionKind.FORGOT_OUT: _l("Lupa presensi pulang"),
    CorrectionKind.DEVICE: _l("Gangguan perangkat atau jaringan"),
    CorrectionKind.FIELD_DUTY: _l("Dinas luar (tugas lapangan)"),
}


class CorrectionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # taken back by the employee before a decision

    @property
    def label(self) -> str:
        return translated(CORRECTION_STATUS_LABELS[self])


CORRECTION_STATUS_LABELS = {
    CorrectionStatus.PENDING: _l("Menunggu keputusan"),
    CorrectionStatus.APPROVED: _l("Disetujui"),
    CorrectionStatus.REJECTED: _l("Ditolak"),
    CorrectionStatus.WITHDRAWN: _l("Ditarik"),
}


class AttendanceCorrection(TimestampMixin, Base):
    """A request to count a day's attendance as the employee says it was, with a reason and evidence."""

    __tablename__ = "attendance_correction"
    __table_args__ = (
        Index("ix_attendance_correction_employee_day", "employee_id", "day"),
        Index("ix_attendance_correction_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[CorrectionKind] = mapped_column(str_enum(CorrectionKind, length=12))
    check_in: Mapped[time | None] = mapped_column(Time)
    check_out: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(String(1000))
    evidence: Mapped[str] = mapped_column(String(500), default="")  # letter number (surat tugas) or a link
    status: Mapped[CorrectionStatus] = mapped_column(str_enum(CorrectionStatus, length=10),
                                                     default=CorrectionStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    employee: Mapped[Employee] = relationship()
    agency: Mapped[Agency] = relationship()
    decided_by: Mapped[User | None] = relationship()
