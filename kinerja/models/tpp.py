"""TPP rules as data with an effective period, disciplinary penalties, and the locked months' snapshots.

Percentages are stored in basis points (1% = 100, 100% = 10.000) and money in whole Rupiah (BigInteger), so
no float ever touches an amount.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.calendar import LeaveKind
from kinerja.models.org import Agency, Position, str_enum
from kinerja.models.people import Employee
from kinerja.models.skp import Predikat


class DeductionBase(enum.StrEnum):
    """What the rates of discipline deductions are a percentage of."""

    DISCIPLINE = "discipline"  # the discipline share
    CEILING = "ceiling"  # the whole base

    @property
    def label(self) -> str:
        return str(_l("Bagian disiplin") if self is DeductionBase.DISCIPLINE else _l("Seluruh pagu"))


class Criterion(enum.StrEnum):
    """The criteria of Kepmendagri 900-4700/2020 a ceiling may be split by."""

    WORKLOAD = "beban_kerja"
    ACHIEVEMENT = "prestasi_kerja"
    CONDITIONS = "kondisi_kerja"
    PLACE = "tempat_bertugas"
    SCARCITY = "kelangkaan_profesi"

    @property
    def label(self) -> str:
        return translated(CRITERION_LABELS[self])


CRITERION_LABELS = {
    Criterion.WORKLOAD: _l("Beban kerja"),
    Criterion.ACHIEVEMENT: _l("Prestasi kerja"),
    Criterion.CONDITIONS: _l("Kondisi kerja"),
    Criterion.PLACE: _l("Tempat bertugas"),
    Criterion.SCARCITY: _l("Kelangkaan profesi"),
}


class BracketKind(enum.StrEnum):
    LATE = "late"  # terlambat (TL)
    EARLY = "early"  # pulang sebelum waktunya (PSW)

    @property
    def label(self) -> str:
        return str(_l("Terlambat masuk (TL)") if self is BracketKind.LATE else _l("Pulang sebelum waktunya (PSW)"))


class ThirdMeasure(enum.StrEnum):
    """How the optional third share is measured."""

    FULL = "full"  # paid in full
    AGENCY_SCORE = "agency_score"  # × the agency's score of the month that BKD enters (e.g. budget absorption)

    @property
    def label(self) -> str:
        return str(_l("Dibayar penuh") if self is ThirdMeasure.FULL
                   else _l("Nilai OPD per bulan (diisi BKD, mis. realisasi anggaran)"))


class TppRuleSet(TimestampMixin, Base):
    """The regency's TPP rules for a period of whole months (a Perbup/Perwal, usually renewed yearly)."""

    __tablename__ = "tpp_rule_set"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
        Index("ix_tpp_rule_set_valid_from", "valid_from", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date)  # the first day of a month
    valid_to: Mapped[date | None] = mapped_column(Date)  # the last day of a month; None = until replaced
    reference: Mapped[str] = mapped_column(String(150))  # the Perbup/Perwal that sets these rules
    kinerja_share: Mapped[int] = mapped_column(Integer, default=6000)
    discipline_share: Mapped[int] = mapped_column(Integer, default=4000)
    third_share: Mapped[int] = mapped_column(Integer, default=0)
    third_name: Mapped[str] = mapped_column(String(80), default="")
    minutes_weight: Mapped[int] = mapped_column(Integer, default=10_000)
    unrated: Mapped[int] = mapped_column(Integer, default=0)
    deduction_base: Mapped[DeductionBase] = mapped_column(str_enum(DeductionBase, length=12),
                                                          default=DeductionBase.DISCIPLINE)
    no_check_in: Mapped[int] = mapped_column(Integer, default=0)
    no_check_out: Mapped[int] = mapped_column(Integer, default=0)
    absent: Mapped[int] = mapped_column(Integer, default=0)
    factor_pns: Mapped[int] = mapped_column(Integer, default=10_000)
    factor_cpns: Mapped[int] = mapped_column(Integer, default=8000)
    factor_pppk: Mapped[int] = mapped_column(Integer, default=10_000)
    factor_non_asn: Mapped[int] = mapped_column(Integer, default=0)
    third_measure: Mapped[ThirdMeasure] = mapped_column(str_enum(ThirdMeasure, length=12), default=ThirdMeasure.FULL,
                                                        server_default=ThirdMeasure.FULL.value)
    third_missing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # paid while no score
    missed_session: Mapped[int] = mapped_column(Integer, default=0)  # per required session not attended

    ceilings: Mapped[list[TppCeiling]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan",
        order_by="(TppCeiling.class_grade.desc(), TppCeiling.position_id, TppCeiling.criterion)")
    brackets: Mapped[list[TppBracket]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="(TppBracket.kind, TppBracket.low)")
    predikat_rates: Mapped[list[TppPredikatRate]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="TppPredikatRate.id")
    leave_rules: Mapped[list[TppLeaveRule]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="TppLeaveRule.id")


class TppCeiling(Base):
    """The monthly ceiling (pagu) of a kelas jabatan or of one position, for one criterion."""

    __tablename__ = "tpp_ceiling"
    __table_args__ = (
        CheckConstraint("(class_grade IS NULL) <> (position_id IS NULL)", name="class_or_position"),
        CheckConstraint("amount > 0", name="positive"),
        UniqueConstraint("rule_set_id", "class_grade", "position_id", "criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("tpp_rule_set.id", ondelete="CASCADE"), index=True)
    class_grade: Mapped[int | None] = mapped_column(Integer)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id", ondelete="RESTRICT"), index=True)
    criterion: Mapped[Criterion] = mapped_column(str_enum(Criterion, length=20), default=Criterion.WORKLOAD)
    amount: Mapped[int] = mapped_column(BigInteger)

    rule_set: Mapped[TppRuleSet] = relationship(back_populates="ceilings")
    position: Mapped[Position | None] = relationship()


class TppBracket(Base):
    """A deduction per day for arriving late or leaving early by a number of minutes (low..high inclusive)."""

    __tablename__ = "tpp_bracket"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("tpp_rule_set.id", ondelete="CASCADE"), index=True)
    kind: Mapped[BracketKind] = mapped_column(str_enum(BracketKind, length=6))
    low: Mapped[int] = mapped_column(Integer)
    high: Mapped[int | None] = mapped_column(Integer)
    rate: Mapped[int] = mapped_column(Integer)

    rule_set: Mapped[TppRuleSet] = relationship(back_populates="brackets")


class TppPredikatRate(Base):
    """What a month's SKP predikat pays of the kinerja share."""

    __tablename__ = "tpp_predikat_rate"
    __table_args__ = (UniqueConstraint("rule_set_id", "predikat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("tpp_rule_set.id", ondelete="CASCADE"))
    predikat: Mapped[Predikat] = mapped_column(str_enum(Predikat))
    rate: Mapped[int] = mapped_column(Integer)

    rule_set: Mapped[TppRuleSet] = relationship(back_populates="predikat_rates")


class TppLeaveRule(Base):
    """Whether a day on this kind of leave or duty counts as present, and what it pays of the ceiling."""

    __tablename__ = "tpp_leave_rule"
    __table_args__ = (UniqueConstraint("rule_set_id", "leave_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("tpp_rule_set.id", ondelete="CASCADE"))
    leave_kind: Mapped[LeaveKind] = mapped_column(str_enum(LeaveKind))
    counts_present: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_document: Mapped[bool] = mapped_column(Boolean, default=False)
    pay_factor: Mapped[int] = mapped_column(Integer, default=10_000)

    rule_set: Mapped[TppRuleSet] = relationship(back_populates="leave_rules")


class TppAgencyScore(TimestampMixin, Base):
    """An agency's score of a month for a measured third share (e.g. realisasi anggaran), entered by BKD."""

    __tablename__ = "tpp_agency_score"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "month"),
        CheckConstraint("score >= 0 AND score <= 10000", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)  # basis points, 0–10.000
    note: Mapped[str] = mapped_column(String(300), default="")  # the source (e.g. the SP2D/LRA report)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()


class TppPenalty(TimestampMixin, Base):
    """A disciplinary penalty (PP 94/2021): TPP cut by a rate for a number of months from a first month."""

    __tablename__ = "tpp_penalty"
    __table_args__ = (
        CheckConstraint("months > 0", name="months"),
        CheckConstraint("rate > 0 AND rate <= 10000", name="rate"),
        Index("ix_tpp_penalty_employee_month", "employee_id", "first_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    decree_number: Mapped[str] = mapped_column(String(80))
    first_month: Mapped[date] = mapped_column(Date)  # the first day of the first month cut
    months: Mapped[int] = mapped_column(Integer)
    rate: Mapped[int] = mapped_column(Integer, default=2500)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    employee: Mapped[Employee] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class TppPeriod(TimestampMixin, Base):
    """An agency's TPP month as BKD locked it: its slips never change until an audited reopen."""

    __tablename__ = "tpp_period"
    __table_args__ = (UniqueConstraint("agency_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("tpp_rule_set.id", ondelete="RESTRICT"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()
    rule_set: Mapped[TppRuleSet] = relationship()
    locked_by: Mapped[User | None] = relationship()


class TppSlip(Base):
    """One employee's TPP of a locked month, with who they were then and every line of the explanation."""

    __tablename__ = "tpp_slip"
    __table_args__ = (
        UniqueConstraint("period_id", "employee_id"),
        Index("ix_tpp_slip_employee", "employee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("tpp_period.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[str] = mapped_column(String(150))
    class_grade: Mapped[int] = mapped_column(Integer)
    ceiling: Mapped[int] = mapped_column(BigInteger)
    base: Mapped[int] = mapped_column(BigInteger)
    kinerja_rate: Mapped[int] = mapped_column(Integer)
    kinerja: Mapped[int] = mapped_column(BigInteger)
    discipline_share: Mapped[int] = mapped_column(BigInteger)
    discipline_cuts: Mapped[int] = mapped_column(BigInteger)
    third: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    penalty: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[str] = mapped_column(Text)  # JSON: the explanation, as codes and figures

    period: Mapped[TppPeriod] = relationship()
