"""The regency and its organisation: agencies (OPD), units, positions and offices."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Double, Enum, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from kinerja.models.people import Employee

TIMEZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def str_enum(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """A portable enum column: VARCHAR holding the member values on every database."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Regency(TimestampMixin, Base):
    """The Pemkab/Pemkot of this installation (one row)."""

    __tablename__ = "regency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    signature_city: Mapped[str] = mapped_column(String(80))
    logo_path: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")


class Agency(TimestampMixin, Base):
    """An OPD: Dinas, Badan, Kecamatan, Sekretariat, RSUD..."""

    __tablename__ = "agency"
    __table_args__ = (CheckConstraint("work_week IN (5, 6)", name="work_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    work_week: Mapped[int] = mapped_column(Integer, default=5)
    # Appraisers are warned (and bulk approval skips) activities without evidence in such agencies.
    requires_evidence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    # The bendahara pengeluaran who signs the agency's TPP nominative list beside the Kepala OPD.
    treasurer_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))

    head: Mapped[Employee | None] = relationship(foreign_keys=[head_id])
    treasurer: Mapped[Employee | None] = relationship(foreign_keys=[treasurer_id])
    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.code")
    offices: Mapped[list[Office]] = relationship(back_populates="agency", order_by="Office.name")

    @property
    def timezone_label(self) -> str:
        return TIMEZONES.get(self.timezone, self.timezone)

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class Unit(TimestampMixin, Base):
    """A unit kerja (bidang, bagian, seksi, subbag) in an agency's tree."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(150))
    # An essential public service (pelayanan publik): its staff work on site whatever the WFO cap.
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    agency: Mapped[Agency] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")

    @property
    def depth(self) -> int:
        """Nesting level from the code: '01' is 0, '01.02' is 1."""
        return self.code.count(".")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class PositionKind(enum.StrEnum):
    JPT = "jpt"
    ADMINISTRATOR = "administrator"
    PENGAWAS = "pengawas"
    FUNGSIONAL = "fungsional"
    PELAKSANA = "pelaksana"

    @property
    def label(self) -> str:
        return translated(POSITION_KIND_LABELS[self])


POSITION_KIND_LABELS = {
    PositionKind.JPT: _l("Jabatan Pimpinan Tinggi"),
    PositionKind.ADMINISTRATOR: _l("Jabatan Administrator"),
    PositionKind.PENGAWAS: _l("Jabatan Pengawas"),
    PositionKind.FUNGSIONAL: _l("Jabatan Fungsional"),
    PositionKind.PELAKSANA: _l("Jabatan Pelaksana"),
}


class Position(TimestampMixin, Base):
    """A jabatan from the regency's catalogue, with its kind and class (kelas jabatan)."""

    __tablename__ = "position"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("class_grade BETWEEN 1 AND 17", name="class_grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[PositionKind] = mapped_column(str_enum(PositionKind))
    class_grade: Mapped[int] = mapped_column(Integer)
    # An essential public-service position (nurse, firefighter...): on site whatever the WFO cap.
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<Position {self.name}>"


class Office(TimestampMixin, Base):
    """A place where an agency's staff work, with the radius an office check-in must fall within."""

    __tablename__ = "office"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint("radius_m > 0", name="radius"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    address: Mapped[str] = mapped_column(String(255), default="")
    # Double precision: MariaDB's FLOAT is single precision and would move an office by tens of metres.
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    radius_m: Mapped[int] = mapped_column(Integer, default=100)

    agency: Mapped[Agency] = relationship(back_populates="offices")
