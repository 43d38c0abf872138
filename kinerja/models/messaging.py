"""Messages beside e-mail (WhatsApp, Telegram): the gateway each channel goes through, each person's opt-in and
number, and the outbox every notice passes through on its way out (also the delivery log)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinerja import clock
from kinerja.i18n import translated
from kinerja.models.accounts import User
from kinerja.models.base import Base, TimestampMixin, UTCDateTime
from kinerja.models.org import str_enum


class Channel(enum.StrEnum):
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"

    @property
    def label(self) -> str:
        return translated(CHANNEL_LABELS[self])


CHANNEL_LABELS = {Channel.WHATSAPP: _l("WhatsApp"), Channel.TELEGRAM: _l("Telegram")}


class GatewayKind(enum.StrEnum):
    CLOUD_API = "cloud_api"  # WhatsApp Business Cloud API (Meta): approved templates
    HTTP = "http"  # a local WhatsApp gateway: URL, method, body with {phone} and {message}
    TELEGRAM = "telegram"  # Telegram Bot API sendMessage

    @property
    def label(self) -> str:
        return translated(GATEWAY_KIND_LABELS[self])


GATEWAY_KIND_LABELS = {
    GatewayKind.CLOUD_API: _l("WhatsApp Business Cloud API"),
    GatewayKind.HTTP: _l("Gateway HTTP lokal"),
    GatewayKind.TELEGRAM: _l("Telegram Bot API"),
}


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return translated(MESSAGE_STATUS_LABELS[self])


MESSAGE_STATUS_LABELS = {
    MessageStatus.QUEUED: _l("Antre"),
    MessageStatus.SENDING: _l("Sedang dikirim"),
    MessageStatus.SENT: _l("Terkirim"),
    MessageStatus.FAILED: _l("Gagal"),
    MessageStatus.CANCELLED: _l("Dibatalkan"),
}


class MessageGateway(TimestampMixin, Base):
    """How one channel's messages leave, set by BKD. The token is never stored: `token_env` names the environment
    variable that holds it."""

    __tablename__ = "message_gateway"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 12), unique=True)
    kind: Mapped[GatewayKind] = mapped_column(str_enum(GatewayKind, 12))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    base_url: Mapped[str] = mapped_column(String(255), default="")
    # Cloud API: the phone number id messages are sent from.
    sender_id: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(6), default="POST")
    body_format: Mapped[str] = mapped_column(String(8), default="json")
    # Local gateway: a JSON object whose values may hold {phone}, {message} and {kind}.
    body_template: Mapped[str] = mapped_column(Text, default="")
    token_header: Mapped[str] = mapped_column(String(64), default="Authorization")
    token_env: Mapped[str] = mapped_column(String(64), default="")
    template_prefix: Mapped[str] = mapped_column(String(40), default="kinerja_")
    # The notice kinds sent on this channel, comma-separated.
    kinds: Mapped[str] = mapped_column(String(255), default="")
    per_minute: Mapped[int] = mapped_column(Integer, default=60)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    @property
    def kind_list(self) -> list[str]:
        return [kind for kind in self.kinds.split(",") if kind]


class MessageContact(TimestampMixin, Base):
    """A person's address on a channel (a WhatsApp number as 62…, a Telegram chat id) and whether they want it.

    Nothing is sent to an address until it is verified: a one-time code sent through the gateway and typed back
    (kinerja/messaging/verification.py). Only the code's keyed hash is kept, with its expiry, the wrong attempts
    and how many codes went out today; a new address starts unverified.
    """

    __tablename__ = "message_contact"
    __table_args__ = (UniqueConstraint("user_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 12))
    address: Mapped[str] = mapped_column(String(20))
    opted_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # Since when notices go out (the last time it was switched on): older notices are not sent.
    opted_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    code_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    codes_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # on codes_day
    codes_day: Mapped[date | None] = mapped_column(Date)  # the regency's date of the last code sent


class OutboundMessage(Base):
    """One notice on one channel: queued, attempted with backoff, sent or given up. `key` (notice and channel)
    makes sure it exists, and is sent, once."""

    __tablename__ = "message_outbox"
    __table_args__ = (
        Index("ix_message_outbox_due", "status", "next_attempt_at"),
        Index("ix_message_outbox_user_sent", "user_id", "channel", "sent_at"),
        Index("ix_message_outbox_channel_attempt", "channel", "last_attempt_at"),
        Index("ix_message_outbox_notification", "notification_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 12))
    address: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus, 12), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(255))
    provider_id: Mapped[str | None] = mapped_column(String(120))

    user: Mapped[User] = relationship()
