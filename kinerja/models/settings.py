"""BKD's settings: values that override the configuration's defaults, each change audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kinerja import clock
from kinerja.models.base import Base, UTCDateTime


class RegencySetting(Base):
    """One setting's value as text (parsed and checked by kinerja.settings); absent means the default."""

    __tablename__ = "regency_setting"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow, onupdate=clock.utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class ReferenceStamp(Base):
    """One row: a random value replaced whenever BKD's settings, holiday entries, output units or month locks
    change, so every process can tell whether what it kept of them is still current (kinerja.reference)."""

    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))
