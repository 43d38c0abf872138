"""The working calendar: BKD's own holiday entries and employees' leave."""

from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.base import Base, TimestampMixin
from kinerja.models.org import str_enum
from kinerja.models.people import Employee


class HolidayKind(enum.StrEnum):
    NATIONAL = "national"
    CUTI_BERSAMA = "cuti_bersama"
    REGIONAL = "regional"

    @property
    def label(self) -> str:
        return translated(HOLIDAY_KIND_LABELS[self])


HOLIDAY_KIND_LABELS = {
    HolidayKind.NATIONAL: _l("Libur nasional"),
    HolidayKind.CUTI_BERSAMA: _l("Cuti bersama"),
    HolidayKind.REGIONAL: _l("Libur daerah"),
}


class HolidayEntry(TimestampMixin, Base):
    """BKD's correction of the national calendar: a regional holiday added, or a listed day cancelled.

    National holidays and cuti bersama come from the `holidays` package; this table holds only what the
    regency changes, so the package's yearly updates still arrive.
    """

    __tablename__ = "holiday_entry"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[HolidayKind] = mapped_column(str_enum(HolidayKind), default=HolidayKind.REGIONAL)
    # False cancels a holiday that the national list has on this day (it becomes a working day).
    is_day_off: Mapped[bool] = mapped_column(Boolean, default=True)


class LeaveKind(enum.StrEnum):
    CUTI = "cuti"
    SAKIT = "sakit"
    DINAS_LUAR = "dinas_luar"
    TUGAS_BELAJAR = "tugas_belajar"

    @property
    def label(self) -> str:
        return translated(LEAVE_KIND_LABELS[self])


LEAVE_KIND_LABELS = {
    LeaveKind.CUTI: _l("Cuti"),
    LeaveKind.SAKIT: _l("Sakit"),
    LeaveKind.DINAS_LUAR: _l("Dinas luar"),
    LeaveKind.TUGAS_BELAJAR: _l("Tugas belajar"),
}


class Leave(TimestampMixin, Base):
    """Leave or absence that takes days out of an employee's effective working days."""

    __tablename__ = "leave"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period"),
        Index("ix_leave_employee_period", "employee_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    kind: Mapped[LeaveKind] = mapped_column(str_enum(LeaveKind))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(80), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    employee: Mapped[Employee] = relationship()


class BackdateGrant(TimestampMixin, Base):
    """An admin's exception letting an employee file activities further back than the backdating limit."""

    __tablename__ = "backdate_grant"
    __table_args__ = (
        CheckConstraint("date_to >= date_from", name="period"),
        Index("ix_backdate_grant_employee", "employee_id", "date_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(255))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    employee: Mapped[Employee] = relationship()


class MonthLock(TimestampMixin, Base):
    """BKD's manual close (or reopen) of a month for one agency, overriding the automatic closing day."""

    __tablename__ = "month_lock"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(String(255), default="")
