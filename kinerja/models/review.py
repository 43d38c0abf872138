"""Review of activities: comment threads, the audit trail and in-app notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja import clock
from kinerja.models.accounts import User
from kinerja.models.base import Base, UTCDateTime


class ActivityComment(Base):
    """One message in an activity's conversation between the staff member and the appraiser."""

    __tablename__ = "activity_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class AuditEntry(Base):
    """Who did what to which object, acting as whom, when, from which state to which, why, from where."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_object", "object_type", "object_id"),
        Index("ix_audit_entry_agency_time", "agency_id", "occurred_at"),
        Index("ix_audit_entry_actor_time", "actor_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The employee the actor stood in for (Plh/Plt), when the act was done as someone else.
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(1000))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship(lazy="joined")


class Notification(Base):
    """An in-app notice for one user; its text is rendered in the reader's language from kind and params."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
