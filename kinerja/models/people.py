"""Employees, their assignment history and acting appraisers (Plh/Plt)."""

from __future__ import annotations

import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from kinerja.identity import EmploymentType, Gender, rank_label
from kinerja.models.base import Base, TimestampMixin
from kinerja.models.org import Agency, Position, Unit, str_enum


class Employee(TimestampMixin, Base):
    """A civil servant (PNS, CPNS, PPPK) or non-ASN staff member."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(20), unique=True)
    employment_type: Mapped[EmploymentType] = mapped_column(str_enum(EmploymentType))
    name: Mapped[str] = mapped_column(String(120), index=True)
    front_title: Mapped[str] = mapped_column(String(40), default="")
    back_title: Mapped[str] = mapped_column(String(60), default="")
    grade: Mapped[str | None] = mapped_column(String(8))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, length=1))
    email: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    # Where the TPP is paid (the payroll file): the bank's name and the account number as digits only.
    bank_name: Mapped[str | None] = mapped_column(String(60))
    bank_account: Mapped[str | None] = mapped_column(String(34))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="employee",
        foreign_keys="Assignment.employee_id",
        order_by="Assignment.valid_from.desc()",
    )

    @property
    def full_name(self) -> str:
        """Name with academic titles: 'Dr. Siti Rahmawati, S.Kep., M.Kes.'."""
        return titled_name(self.front_title, self.name, self.back_title)

    @property
    def rank_label(self) -> str:
        return rank_label(self.grade)

    def __repr__(self) -> str:
        return f"<Employee {self.id_number}>"


def titled_name(front_title: str, name: str, back_title: str) -> str:
    """'Dr. Siti Rahmawati, S.Kep., M.Kes.': a name with its academic titles."""
    name = f"{front_title} {name}".strip()
    return f"{name}, {back_title}" if back_title else name


def active_on(valid_from, valid_to, on: date) -> ColumnElement[bool]:
    """SQL condition: a from/to period (to may be open) that includes the day `on`."""
    return and_(valid_from <= on, or_(valid_to.is_(None), valid_to >= on))


class Assignment(TimestampMixin, Base):
    """Where an employee works and who appraises them, from one date to another (or open-ended).

    Employees are deactivated, never deleted, so their history stays: every key to them is RESTRICT.
    (MariaDB also refuses CHECK constraints on columns of cascading foreign keys.)
    """

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
        CheckConstraint("appraiser_id IS NULL OR appraiser_id <> employee_id", name="not_self"),
        Index("ix_assignment_employee_period", "employee_id", "valid_from"),
        Index("ix_assignment_appraiser_period", "appraiser_id", "valid_from"),
        Index("ix_assignment_agency_period", "agency_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="RESTRICT"), index=True)
    appraiser_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    employee: Mapped[Employee] = relationship(back_populates="assignments", foreign_keys=[employee_id])
    appraiser: Mapped[Employee | None] = relationship(foreign_keys=[appraiser_id])
    agency: Mapped[Agency] = relationship()
    unit: Mapped[Unit] = relationship()
    position: Mapped[Position] = relationship()

    @classmethod
    def active_on(cls, on: date) -> ColumnElement[bool]:
        return active_on(cls.valid_from, cls.valid_to, on)


class ActingKind(enum.StrEnum):
    PLH = "plh"
    PLT = "plt"

    @property
    def label(self) -> str:
        return str(_l("Plh.") if self is ActingKind.PLH else _l("Plt."))


class ActingAssignment(TimestampMixin, Base):
    """A Plh/Plt: `acting` stands in for `absent` between two dates, under a decree."""

    __tablename__ = "acting_assignment"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="period"),
        CheckConstraint("acting_id <> absent_id", name="not_self"),
        Index("ix_acting_assignment_acting_period", "acting_id", "valid_from"),
        Index("ix_acting_assignment_absent_period", "absent_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ActingKind] = mapped_column(str_enum(ActingKind, length=3), default=ActingKind.PLH)
    acting_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    absent_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    decree_number: Mapped[str] = mapped_column(String(80))

    acting: Mapped[Employee] = relationship(foreign_keys=[acting_id])
    absent: Mapped[Employee] = relationship(foreign_keys=[absent_id])

    @classmethod
    def active_on(cls, on: date) -> ColumnElement[bool]:
        return active_on(cls.valid_from, cls.valid_to, on)
