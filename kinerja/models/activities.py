"""Daily activities (kegiatan harian), their evidence, personal templates and monthly activities."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja import clock
from kinerja.i18n import translated
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import str_enum
from kinerja.models.people import Employee

if TYPE_CHECKING:
    from kinerja.models.skp import Iki


class WorkMode(enum.StrEnum):
    WFO = "WFO"
    WFH = "WFH"
    DL = "DL"

    @property
    def label(self) -> str:
        return translated(WORK_MODE_LABELS[self])


WORK_MODE_LABELS = {
    WorkMode.WFO: _l("WFO (kantor)"),
    WorkMode.WFH: _l("WFH (rumah)"),
    WorkMode.DL: _l("DL (dinas luar)"),
}


class ActivityCategory(enum.StrEnum):
    MAIN = "tugas_utama"
    ADDITIONAL = "tugas_tambahan"
    INSTRUCTION = "instruksi_pimpinan"

    @property
    def label(self) -> str:
        return translated(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    ActivityCategory.MAIN: _l("Tugas utama"),
    ActivityCategory.ADDITIONAL: _l("Tugas tambahan"),
    ActivityCategory.INSTRUCTION: _l("Instruksi pimpinan"),
}


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return translated(STATUS_LABELS[self])

    @property
    def editable(self) -> bool:
        """Staff may change or delete only drafts and items returned for revision."""
        return self in (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


STATUS_LABELS = {
    ActivityStatus.DRAFT: _l("Draf"),
    ActivityStatus.SUBMITTED: _l("Diajukan"),
    ActivityStatus.APPROVED: _l("Disetujui"),
    ActivityStatus.RETURNED: _l("Dikembalikan"),
}


class OutputUnit(Base):
    """A unit of output from the regency-wide list (dokumen, laporan, berkas...)."""

    __tablename__ = "output_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Activity(TimestampMixin, Base):
    """One thing an employee did on a day, from a start to an end time, with its output."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="time_order"),
        CheckConstraint("duration_minutes > 0", name="duration"),
        CheckConstraint("quantity >= 0", name="quantity"),
        UniqueConstraint("employee_id", "client_token"),
        Index("ix_activity_employee_day", "employee_id", "activity_date"),
        # The day and the submission time too: the inbox counts waiting items from the index alone.
        Index("ix_activity_status_employee_day", "status", "employee_id", "activity_date", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    activity_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[str] = mapped_column(String(40))
    work_mode: Mapped[WorkMode] = mapped_column(str_enum(WorkMode, length=3))
    assignment_letter: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[ActivityCategory] = mapped_column(str_enum(ActivityCategory))
    # The SKP indicator (IKI) this activity realises; the SKP feature adds its table and the key.
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("iki.id", ondelete="SET NULL"), index=True)
    status: Mapped[ActivityStatus] = mapped_column(str_enum(ActivityStatus), default=ActivityStatus.DRAFT)
    # Weekend or holiday work: allowed, but marked for the appraiser.
    off_day: Mapped[bool] = mapped_column(Boolean, default=False)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The appraiser the reviewer stood in for (Plh/Plt), shown as "Plh." with both names.
    reviewed_for_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))
    # A random token per form, so a double-tapped or resent save creates the activity only once.
    client_token: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    reviewed_for: Mapped[Employee | None] = relationship(foreign_keys=[reviewed_for_id])
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    __mapper_args__ = {"version_id_col": version}


class EvidenceKind(enum.StrEnum):
    FILE = "file"
    LINK = "link"


class Evidence(Base):
    """Bukti dukung: a stored file (under a random name, outside static/) or a link."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind, length=4))
    url: Mapped[str | None] = mapped_column(String(500))
    original_name: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)

    activity: Mapped[Activity] = relationship(back_populates="evidence")


class ActivityTemplate(TimestampMixin, Base):
    """A personal template for a recurring activity."""

    __tablename__ = "activity_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[str] = mapped_column(String(40))
    work_mode: Mapped[WorkMode] = mapped_column(str_enum(WorkMode, length=3))
    category: Mapped[ActivityCategory] = mapped_column(str_enum(ActivityCategory))


class MonthlyActivity(TimestampMixin, Base):
    """Kegiatan bulanan: a planned action for a month and its realisation, submitted with the month."""

    __tablename__ = "monthly_activity"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        Index("ix_monthly_activity_employee_month", "employee_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    # An IKI of the plan in force in the month (kinerja.core.plans); None without one. The unit follows the IKI's.
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("iki.id", ondelete="SET NULL"), index=True)
    planned_action: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit: Mapped[str] = mapped_column(String(40))
    adjustment: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    adjustment_reason: Mapped[str] = mapped_column(String(500), default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActivityStatus] = mapped_column(str_enum(ActivityStatus), default=ActivityStatus.DRAFT)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_for_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))

    indicator: Mapped[Iki | None] = relationship()
