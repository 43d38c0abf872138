"""Changing what messages do: BKD's gateway settings and retries (audited), each person's own opt-in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from kinerja import audit, clock, notify
from kinerja.database import finish
from kinerja.errors import Conflict, NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.messaging import addresses, gateways, verification
from kinerja.models import (
    Agency,
    Assignment,
    Channel,
    GatewayKind,
    MessageContact,
    MessageGateway,
    MessageStatus,
    OutboundMessage,
    User,
)
from kinerja.permissions import admin_agency_ids, is_global_admin

KINDS_BY_CHANNEL = {Channel.WHATSAPP: (GatewayKind.CLOUD_API, GatewayKind.HTTP),
                    Channel.TELEGRAM: (GatewayKind.TELEGRAM,)}
# The notices worth a message: reminders and decisions; the rest stay in the app (and e-mail).
SUGGESTED_KINDS = ("unfiled", "waiting", "month_closing", "approved", "returned", "correction_approved",
                   "correction_rejected")
HEADER = re.compile(r"[A-Za-z0-9-]{1,64}")
PREFIX = re.compile(r"[a-z0-9_]{0,40}")
AUDITED_FIELDS = ("kind", "enabled", "base_url", "sender_id", "method", "body_format", "body_template",
                  "token_header", "token_env", "template_prefix", "kinds", "per_minute")


@dataclass
class GatewayInput:
    kind: str
    enabled: bool = False
    base_url: str = ""
    sender_id: str = ""
    method: str = "POST"
    body_format: str = "json"
    body_template: str = ""
    token_header: str = ""
    token_env: str = ""
    template_prefix: str = "kinerja_"
    kinds: list[str] = field(default_factory=list)
    per_minute: int = 60


def gateway_for(channel: Channel) -> MessageGateway | None:
    return db.session.scalar(select(MessageGateway).where(MessageGateway.channel == channel))


def check_gateway(channel: Channel, data: GatewayInput) -> dict:
    """The values to store, checked; raises ValidationFailed naming the field."""
    try:
        kind = GatewayKind(data.kind)
    except ValueError:
        kind = None
    if kind not in KINDS_BY_CHANNEL[channel]:
        raise ValidationFailed(_("Pilih jenis gateway untuk saluran ini."), field="kind")
    url = data.base_url.strip()
    if url and not re.fullmatch(r"https?://[^\s]{3,250}", url):
        raise ValidationFailed(_("Isi alamat yang diawali http:// atau https://."), field="base_url")
    if kind == GatewayKind.HTTP and not url:
        raise ValidationFailed(_("Isi alamat gateway."), field="base_url")
    sender = data.sender_id.strip()
    if kind == GatewayKind.CLOUD_API and not sender.isdigit():
        raise ValidationFailed(_("Isi Phone number ID dari WhatsApp Manager (angka)."), field="sender_id")
    if data.method not in ("POST", "GET") or data.body_format not in ("json", "form"):
        raise ValidationFailed(_("Pilih metode dan format isi yang tersedia."), field="method")
    template = data.body_template.strip()
    if kind == GatewayKind.HTTP:
        try:
            fields = json.loads(template or "{}")
        except ValueError:
            fields = None
        if (not isinstance(fields, dict) or not fields
                or not all(isinstance(key, str) and isinstance(value, str) for key, value in fields.items())):
            raise ValidationFailed(_('Isi objek JSON berisi teks, misalnya {"target": "{phone}", '
                                     '"message": "{message}"}.'), field="body_template")
        if "{phone}" not in template or "{message}" not in template:
            raise ValidationFailed(_("Isian harus memuat {phone} dan {message}."), field="body_template")
    header = data.token_header.strip()
    if header and not HEADER.fullmatch(header):
        raise ValidationFailed(_("Nama header hanya huruf, angka dan tanda hubung."), field="token_header")
    token_env = data.token_env.strip()
    if token_env and not gateways.TOKEN_ENV.fullmatch(token_env):
        raise ValidationFailed(_("Nama variabel lingkungan harus diawali KINERJA_ (huruf besar, angka, garis "
                                 "bawah)."), field="token_env")
    if not token_env and (kind != GatewayKind.HTTP or header):
        raise ValidationFailed(_("Isi nama variabel lingkungan yang memuat token."), field="token_env")
    if not PREFIX.fullmatch(data.template_prefix.strip()):
        raise ValidationFailed(_("Awalan nama templat hanya huruf kecil, angka dan garis bawah."),
                               field="template_prefix")
    unknown = [kind for kind in data.kinds if kind not in notify.MESSAGES]
    if unknown or not data.kinds:
        raise ValidationFailed(_("Pilih paling sedikit satu jenis pemberitahuan."), field="kinds")
    if not 1 <= data.per_minute <= 1000:
        raise ValidationFailed(_("Isi antara %(low)d dan %(high)d.", low=1, high=1000), field="per_minute")
    return {"kind": kind, "enabled": bool(data.enabled), "base_url": url, "sender_id": sender,
            "method": data.method, "body_format": data.body_format,
            "body_template": template if kind == GatewayKind.HTTP else "", "token_header": header,
            "token_env": token_env, "template_prefix": data.template_prefix.strip(),
            "kinds": ",".join(sorted(set(data.kinds))), "per_minute": data.per_minute}


def shown(value: object) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return str(getattr(value, "value", value)) or "-"


def save_gateway(actor: User, channel: Channel, data: GatewayInput) -> MessageGateway:
    """Store the channel's gateway; the audit entry names each changed field (never a token: none is stored)."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengatur gateway pesan."))
    values = check_gateway(channel, data)
    gateway = gateway_for(channel)
    before = {name: getattr(gateway, name) for name in AUDITED_FIELDS} if gateway else {}
    if gateway is None:
        gateway = MessageGateway(channel=channel)
        db.session.add(gateway)
    for name, value in values.items():
        setattr(gateway, name, value)
    gateway.updated_by_id = actor.id
    db.session.flush()
    changes = [f"{name}: {shown(before.get(name, ''))} → {shown(values[name])}" for name in AUDITED_FIELDS
               if name not in before or before[name] != values[name]]
    if changes:
        audit.record(actor, audit.Change(
            "message_gateway", gateway.id, "change_gateway", "aktif" if before.get("enabled") else "nonaktif",
            "aktif" if gateway.enabled else "nonaktif", reason=f"{channel.value}: " + "; ".join(changes)))
    try:
        finish()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("Gateway baru saja diatur admin lain. Muat ulang halaman dan coba lagi.")) from error
    return gateway


@dataclass
class ContactInput:
    whatsapp_number: str = ""
    whatsapp_opt_in: bool = False
    telegram_chat_id: str = ""
    telegram_opt_in: bool = False


def contacts_of(user: User) -> dict[Channel, MessageContact]:
    return {contact.channel: contact for contact in db.session.scalars(
        select(MessageContact).where(MessageContact.user_id == user.id))}


def save_contacts(user: User, data: ContactInput) -> None:
    """The person's own numbers and choices; switching on (or a new number) starts from now, not from the past.
    A new number is unverified: nothing goes to it until its code is typed back (messaging.verification)."""
    wanted = {Channel.WHATSAPP: (data.whatsapp_number, data.whatsapp_opt_in, "whatsapp_number"),
              Channel.TELEGRAM: (data.telegram_chat_id, data.telegram_opt_in, "telegram_chat_id")}
    current = contacts_of(user)
    now = clock.utcnow()
    for channel, (text, opted_in, field_name) in wanted.items():
        contact = current.get(channel)
        if not (text or "").strip():
            if opted_in:
                raise ValidationFailed(_("Isi nomor atau ID untuk menerima pesan."), field=field_name)
            if contact is not None:
                db.session.delete(contact)
            continue
        address = addresses.whatsapp_number(text) if channel == Channel.WHATSAPP else addresses.telegram_chat_id(text)
        if contact is None:
            contact = MessageContact(user_id=user.id, channel=channel, address=address, opted_in=False,
                                     code_attempts=0, codes_sent=0)
            db.session.add(contact)
        elif contact.address != address:
            verification.reset(contact)  # a new number is verified anew
        if opted_in and (not contact.opted_in or contact.address != address):
            contact.opted_in_at = now
        contact.address, contact.opted_in = address, bool(opted_in)
    try:
        finish()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("Pengaturan pesan baru saja diubah. Muat ulang halaman dan coba lagi.")) from error


def retry_message(actor: User, message: OutboundMessage) -> None:
    """Queue a failed or cancelled message again from its first attempt (the same key: still sent only once)."""
    if not is_global_admin(actor):
        raise NotAllowed(_("Hanya admin BKD yang dapat mengirim ulang pesan."))
    if message.status not in (MessageStatus.FAILED, MessageStatus.CANCELLED):
        raise Conflict(_("Hanya pesan yang gagal atau dibatalkan yang dapat dikirim ulang."))
    before = message.status.value
    message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, clock.utcnow()
    audit.record(actor, audit.Change("message_outbox", message.id, "retry_message", before, message.status.value,
                                     reason=f"{message.channel.value} {message.kind}: {message.last_error or '-'}"))
    finish()


# --- An agency's part of the delivery log -------------------------------------------------------------------------


def may_read_agency_log(user: User, agency_id: int) -> bool:
    """BKD, and the agency's own admins."""
    return is_global_admin(user) or agency_id in admin_agency_ids(user)


def agency_messages(agency: Agency, today: date, status: str = "", channel: str = "") -> Select:
    """The messages to the people assigned to the agency today, newest first, optionally by status and channel."""
    people = select(User.id).join(Assignment, Assignment.employee_id == User.employee_id).where(
        Assignment.agency_id == agency.id, Assignment.active_on(today))
    query = select(OutboundMessage).where(OutboundMessage.user_id.in_(people)).order_by(OutboundMessage.id.desc())
    if status in MessageStatus.__members__.values():
        query = query.where(OutboundMessage.status == status)
    if channel in Channel.__members__.values():
        query = query.where(OutboundMessage.channel == channel)
    return query


def agency_message(agency: Agency, message_id: int, today: date) -> OutboundMessage | None:
    """One message of the agency's log; None (a 404) for anyone else's."""
    return db.session.scalar(agency_messages(agency, today).where(OutboundMessage.id == message_id))
