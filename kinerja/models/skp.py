"""SKP (Sasaran Kinerja Pegawai) under PermenPANRB 6/2022: the annual plan with its RHK, IKI, perilaku kerja and
lampiran, versions kept when a plan is revised; monthly evaluations; the organisation's predikat."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    exists,
    select,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import str_enum
from kinerja.models.people import Employee


class SkpStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return translated(SKP_STATUS_LABELS[self])

    @property
    def editable(self) -> bool:
        """The owner changes only drafts and plans returned for revision; an approved plan is locked."""
        return self in (SkpStatus.DRAFT, SkpStatus.RETURNED)


SKP_STATUS_LABELS = {
    SkpStatus.DRAFT: _l("Draf"),
    SkpStatus.SUBMITTED: _l("Diajukan"),
    SkpStatus.APPROVED: _l("Disetujui"),
    SkpStatus.RETURNED: _l("Dikembalikan"),
}


class RhkKind(enum.StrEnum):
    MAIN = "utama"
    ADDITIONAL = "tambahan"

    @property
    def label(self) -> str:
        return str(_l("RHK utama") if self is RhkKind.MAIN else _l("RHK tambahan"))


class IkiAspect(enum.StrEnum):
    QUANTITY = "kuantitas"
    QUALITY = "kualitas"
    TIME = "waktu"
    COST = "biaya"

    @property
    def label(self) -> str:
        return translated(ASPECT_LABELS[self])


ASPECT_LABELS = {
    IkiAspect.QUANTITY: _l("Kuantitas"),
    IkiAspect.QUALITY: _l("Kualitas"),
    IkiAspect.TIME: _l("Waktu"),
    IkiAspect.COST: _l("Biaya"),
}


class BehaviourValue(enum.StrEnum):
    """The seven BerAKHLAK core values, in their official order."""

    SERVICE = "berorientasi_pelayanan"
    ACCOUNTABLE = "akuntabel"
    COMPETENT = "kompeten"
    HARMONIOUS = "harmonis"
    LOYAL = "loyal"
    ADAPTIVE = "adaptif"
    COLLABORATIVE = "kolaboratif"

    @property
    def label(self) -> str:
        return translated(BEHAVIOUR_LABELS[self])


BEHAVIOUR_LABELS = {
    BehaviourValue.SERVICE: _l("Berorientasi Pelayanan"),
    BehaviourValue.ACCOUNTABLE: _l("Akuntabel"),
    BehaviourValue.COMPETENT: _l("Kompeten"),
    BehaviourValue.HARMONIOUS: _l("Harmonis"),
    BehaviourValue.LOYAL: _l("Loyal"),
    BehaviourValue.ADAPTIVE: _l("Adaptif"),
    BehaviourValue.COLLABORATIVE: _l("Kolaboratif"),
}


class Rating(enum.StrEnum):
    """A rating of hasil kerja or of perilaku kerja against the expectation."""

    ABOVE = "di_atas"
    AS_EXPECTED = "sesuai"
    BELOW = "di_bawah"

    @property
    def label(self) -> str:
        return translated(RATING_LABELS[self])


RATING_LABELS = {
    Rating.ABOVE: _l("Di atas ekspektasi"),
    Rating.AS_EXPECTED: _l("Sesuai ekspektasi"),
    Rating.BELOW: _l("Di bawah ekspektasi"),
}


class Predikat(enum.StrEnum):
    """An employee's predikat kinerja."""

    VERY_GOOD = "sangat_baik"
    GOOD = "baik"
    NEEDS_IMPROVEMENT = "butuh_perbaikan"
    POOR = "kurang"
    VERY_POOR = "sangat_kurang"

    @property
    def label(self) -> str:
        return translated(PREDIKAT_LABELS[self])


PREDIKAT_LABELS = {
    Predikat.VERY_GOOD: _l("Sangat Baik"),
    Predikat.GOOD: _l("Baik"),
    Predikat.NEEDS_IMPROVEMENT: _l("Butuh Perbaikan"),
    Predikat.POOR: _l("Kurang"),
    Predikat.VERY_POOR: _l("Sangat Kurang"),
}


class OrgPredikat(enum.StrEnum):
    """An organisation's predikat kinerja, which caps the distribution of its staff's predikat."""

    OUTSTANDING = "istimewa"
    GOOD = "baik"
    NEEDS_IMPROVEMENT = "butuh_perbaikan"
    POOR = "kurang"
    VERY_POOR = "sangat_kurang"

    @property
    def label(self) -> str:
        return str(_l("Istimewa")) if self is OrgPredikat.OUTSTANDING else Predikat(self.value).label


class Skp(TimestampMixin, Base):
    """One version of an employee's plan for a period, agreed with the appraiser of the period's start.

    Revising an approved plan adds a new version pointing to it; the earlier one stays as it was.
    """

    __tablename__ = "skp"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period"),
        Index("ix_skp_employee_period", "employee_id", "period_start"),
        Index("ix_skp_appraiser_status", "appraiser_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    appraiser_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[SkpStatus] = mapped_column(str_enum(SkpStatus), default=SkpStatus.DRAFT)
    return_reason: Mapped[str | None] = mapped_column(String(1000))
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("skp.id", ondelete="RESTRICT"), index=True
    )
    # Top officials, whose appraiser is outside the system, cascade from the agency's goal instead.
    agency_goal: Mapped[str | None] = mapped_column(Text)
    dukungan_sumber_daya: Mapped[str] = mapped_column(Text, default="")
    skema_pertanggungjawaban: Mapped[str] = mapped_column(Text, default="")
    konsekuensi: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The appraiser a Plh/Plt approved for, shown as "Plh." with both names.
    approved_for_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    appraiser: Mapped[Employee | None] = relationship(foreign_keys=[appraiser_id])
    approved_for: Mapped[Employee | None] = relationship(foreign_keys=[approved_for_id])
    previous_version: Mapped[Skp | None] = relationship(remote_side=[id])
    rhk: Mapped[list[Rhk]] = relationship(
        back_populates="skp", cascade="all, delete-orphan", order_by="[Rhk.kind.desc(), Rhk.position, Rhk.id]"
    )
    behaviours: Mapped[list[BehaviourExpectation]] = relationship(
        back_populates="skp", cascade="all, delete-orphan", order_by="BehaviourExpectation.id"
    )

    @property
    def year(self) -> int:
        return self.period_start.year

    @classmethod
    def in_force(cls) -> ColumnElement[bool]:
        """SQL condition: approved and not replaced by an approved later version."""
        newer = aliased(cls)
        return (cls.status == SkpStatus.APPROVED) & ~exists(
            select(newer.id).where(newer.previous_version_id == cls.id, newer.status == SkpStatus.APPROVED)
        )


class Rhk(Base):
    """A rencana hasil kerja, cascading from ("mengintervensi") an RHK of the appraiser's approved SKP."""

    __tablename__ = "rhk"

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RhkKind] = mapped_column(str_enum(RhkKind, length=10))
    text: Mapped[str] = mapped_column(Text)
    parent_rhk_id: Mapped[int | None] = mapped_column(ForeignKey("rhk.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    skp: Mapped[Skp] = relationship(back_populates="rhk")
    parent: Mapped[Rhk | None] = relationship(remote_side=[id])
    indicators: Mapped[list[Iki]] = relationship(
        back_populates="rhk", cascade="all, delete-orphan", order_by="Iki.id"
    )


class Iki(Base):
    """An indikator kinerja individu of an RHK: a target in a unit, on one aspect. Activities point to it."""

    __tablename__ = "iki"

    id: Mapped[int] = mapped_column(primary_key=True)
    rhk_id: Mapped[int] = mapped_column(ForeignKey("rhk.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    target_value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(40))
    aspect: Mapped[IkiAspect] = mapped_column(str_enum(IkiAspect, length=10), default=IkiAspect.QUANTITY)

    rhk: Mapped[Rhk] = relationship(back_populates="indicators")


class BehaviourExpectation(Base):
    """One of the seven BerAKHLAK values of an SKP, with the appraiser's ekspektasi khusus (optional)."""

    __tablename__ = "behaviour_expectation"
    __table_args__ = (UniqueConstraint("skp_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    value: Mapped[BehaviourValue] = mapped_column(str_enum(BehaviourValue, length=30))
    expectation: Mapped[str] = mapped_column(Text, default="")

    skp: Mapped[Skp] = relationship(back_populates="behaviours")


class Evaluation(TimestampMixin, Base):
    """A monthly evaluation of an SKP: the two ratings and the predikat they give."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("skp_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        Index("ix_evaluation_employee_month", "employee_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    skp_id: Mapped[int] = mapped_column(ForeignKey("skp.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    rating_result: Mapped[Rating | None] = mapped_column(str_enum(Rating, length=10))
    rating_behaviour: Mapped[Rating | None] = mapped_column(str_enum(Rating, length=10))
    predikat: Mapped[Predikat | None] = mapped_column(str_enum(Predikat))
    evaluated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    evaluated_for_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))

    indicators: Mapped[list[EvaluationIndicator]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="EvaluationIndicator.id"
    )


class EvaluationIndicator(Base):
    """Per IKI of an evaluation: an adjustment of the realisation, a note and the appraiser's umpan balik."""

    __tablename__ = "evaluation_indicator"
    __table_args__ = (UniqueConstraint("evaluation_id", "iki_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    iki_id: Mapped[int] = mapped_column(ForeignKey("iki.id", ondelete="RESTRICT"), index=True)
    adjustment: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    note: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="indicators")


class OrganisationPredikat(TimestampMixin, Base):
    """An agency's predikat kinerja for a year, the basis of the SE MenPANRB 3/2023 distribution check."""

    __tablename__ = "organisation_predikat"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[OrgPredikat] = mapped_column(str_enum(OrgPredikat))
