"""WFO caps per agency and the rotating office-duty roster (jadwal piket) that keeps each day under them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja.i18n import translated
from kinerja.models.activities import WorkMode
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import Agency, str_enum
from kinerja.models.people import Employee


class CapReason(enum.StrEnum):
    """Why a WFO cap applies: the SE MenPANRB 67/2020 risk zones, the SE 06/2022 PPKM levels, or the agency's
    own situation."""

    ZONE_NONE = "zone_none"
    ZONE_LOW = "zone_low"
    ZONE_MEDIUM = "zone_medium"
    ZONE_HIGH = "zone_high"
    PPKM_1 = "ppkm_1"
    PPKM_2 = "ppkm_2"
    PPKM_3 = "ppkm_3"
    PPKM_4 = "ppkm_4"
    CASES = "cases"
    OTHER = "other"

    @property
    def label(self) -> str:
        return translated(CAP_REASON_LABELS[self])

    @property
    def preset(self) -> int | None:
        """The percentage the rule sets, or None when the agency chooses it."""
        return CAP_PRESETS.get(self)


CAP_REASON_LABELS = {
    CapReason.ZONE_NONE: _l("SE MenPANRB 67/2020: tidak terdampak / tidak ada kasus"),
    CapReason.ZONE_LOW: _l("SE MenPANRB 67/2020: risiko rendah"),
    CapReason.ZONE_MEDIUM: _l("SE MenPANRB 67/2020: risiko sedang"),
    CapReason.ZONE_HIGH: _l("SE MenPANRB 67/2020: risiko tinggi"),
    CapReason.PPKM_1: _l("PPKM level 1"),
    CapReason.PPKM_2: _l("PPKM level 2"),
    CapReason.PPKM_3: _l("PPKM level 3"),
    CapReason.PPKM_4: _l("PPKM level 4"),
    CapReason.CASES: _l("Kasus terkonfirmasi di OPD"),
    CapReason.OTHER: _l("Lainnya"),
}
CAP_PRESETS = {
    CapReason.ZONE_NONE: 100, CapReason.ZONE_LOW: 75, CapReason.ZONE_MEDIUM: 50, CapReason.ZONE_HIGH: 25,
    CapReason.PPKM_1: 100, CapReason.PPKM_2: 75, CapReason.PPKM_3: 50, CapReason.PPKM_4: 25,
}


class WfoCap(TimestampMixin, Base):
    """At most `percent` of an agency's staff in the office per day, from one date to another (or open)."""

    __tablename__ = "wfo_cap"
    __table_args__ = (
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period"),
        Index("ix_wfo_cap_agency_period", "agency_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    percent: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    reason_kind: Mapped[CapReason] = mapped_column(str_enum(CapReason))
    reason: Mapped[str] = mapped_column(String(500), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()


class RosterStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return str(_l("Draf") if self is RosterStatus.DRAFT else _l("Diterbitkan"))


class Roster(TimestampMixin, Base):
    """An agency's office-duty roster for a date range: generated as a draft, edited, then published."""

    __tablename__ = "roster"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period"),
        Index("ix_roster_agency_period", "agency_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[RosterStatus] = mapped_column(str_enum(RosterStatus, length=10), default=RosterStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()
    entries: Mapped[list[RosterEntry]] = relationship(back_populates="roster", cascade="all, delete-orphan",
                                                      passive_deletes=True)


class RosterEntry(Base):
    """One employee's mode on one working day of a roster; `manual` marks an admin's override, which a new
    generation keeps."""

    __tablename__ = "roster_entry"
    __table_args__ = (
        UniqueConstraint("roster_id", "employee_id", "day"),
        Index("ix_roster_entry_employee_day", "employee_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="RESTRICT"))
    day: Mapped[date] = mapped_column(Date)
    mode: Mapped[WorkMode] = mapped_column(str_enum(WorkMode, length=3))
    essential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    manual: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    roster: Mapped[Roster] = relationship(back_populates="entries")
    employee: Mapped[Employee] = relationship()
