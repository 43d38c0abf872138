"""Verifying a person's number (or Telegram chat) before reminders go to it: a six-digit code sent once through
the channel's gateway and typed back on /profil/pesan.

Only a keyed hash of the code is kept (bound to the contact and its address, so a changed number voids it). A
code lasts CODE_MINUTES; MAX_ATTEMPTS wrong tries void it; a new code can be asked RESEND_SECONDS after the last
and at most MAX_CODES_PER_DAY times a day (a code that the gateway failed to send counts too), so nobody can
flood a number or guess a code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from kinerja import clock
from kinerja.database import finish
from kinerja.errors import Conflict, ValidationFailed
from kinerja.extensions import db
from kinerja.messaging import gateways
from kinerja.models import Channel, MessageContact, MessageGateway, User

log = logging.getLogger(__name__)
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_CODES_PER_DAY = 5
CODE_DIGITS = 6


def digest(contact: MessageContact, code: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    message = f"{contact.id}:{contact.channel.value}:{contact.address}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def reset(contact: MessageContact) -> None:
    """A new or changed address: unverified, any code void."""
    contact.verified_at, contact.code_hash, contact.code_expires_at, contact.code_attempts = None, None, None, 0


def contact_of(user: User, channel: Channel) -> MessageContact:
    contact = db.session.query(MessageContact).filter_by(user_id=user.id, channel=channel).one_or_none()
    if contact is None:
        raise ValidationFailed(_("Simpan nomor atau ID lebih dulu, lalu minta kode verifikasi."), field="code")
    return contact


def send_code(user: User, channel: Channel, gateway: MessageGateway | None) -> MessageContact:
    """Send a new code to the person's address on the channel; commits (the send counts even when it failed)."""
    contact = contact_of(user, channel)
    if contact.verified_at is not None:
        raise Conflict(_("Nomor ini sudah terverifikasi."))
    if not gateways.ready(gateway):
        raise Conflict(_("%(channel)s belum diaktifkan BKD: kode verifikasi belum dapat dikirim.",
                         channel=channel.label))
    now = clock.utcnow()
    today = clock.today()
    if contact.code_sent_at is not None and now - contact.code_sent_at < timedelta(seconds=RESEND_SECONDS):
        raise Conflict(_("Kode baru saja dikirim. Tunggu satu menit sebelum meminta kode lagi."))
    sent_today = contact.codes_sent if contact.codes_day == today else 0
    if sent_today >= MAX_CODES_PER_DAY:
        raise Conflict(_("Sudah %(n)s kode dikirim hari ini. Coba lagi besok.", n=MAX_CODES_PER_DAY))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    contact.code_sent_at, contact.codes_day, contact.codes_sent = now, today, sent_today + 1
    params = {"code": code, "minutes": CODE_MINUTES}
    outcome = gateways.deliver(gateway, gateways.Outgoing(
        key=f"verify-{contact.id}-{today:%Y%m%d}-{sent_today + 1}", address=contact.address,
        kind=gateways.VERIFICATION, params=params, body="Kinerja: " + gateways.sentence_of(gateways.VERIFICATION)
        % params), current_app.config["MESSAGE_TIMEOUT_SECONDS"])
    if not outcome.sent:
        log.warning("Verification code to contact %s not sent: %s", contact.id, outcome.error)
        contact.code_hash, contact.code_expires_at = None, None
        finish()
        raise Conflict(_("Kode verifikasi tidak dapat dikirim saat ini. Coba lagi beberapa menit lagi."))
    contact.code_hash = digest(contact, code)
    contact.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
    contact.code_attempts = 0
    finish()
    return contact


def confirm_code(user: User, channel: Channel, typed: str) -> MessageContact:
    """Check the typed code; a wrong one counts (committed) and MAX_ATTEMPTS void the code."""
    contact = contact_of(user, channel)
    if contact.verified_at is not None:
        return contact
    now = clock.utcnow()
    if contact.code_hash is None or contact.code_expires_at is None or contact.code_expires_at < now:
        raise ValidationFailed(_("Tidak ada kode yang berlaku. Minta kode verifikasi baru."), field="code")
    code = "".join((typed or "").split())
    if len(code) == CODE_DIGITS and code.isascii() and code.isdigit() and hmac.compare_digest(
            digest(contact, code), contact.code_hash):
        contact.verified_at = now
        contact.code_hash, contact.code_expires_at, contact.code_attempts = None, None, 0
        finish()
        return contact
    contact.code_attempts += 1
    left = MAX_ATTEMPTS - contact.code_attempts
    if left <= 0:
        contact.code_hash, contact.code_expires_at = None, None
    finish()
    if left <= 0:
        raise ValidationFailed(_("Kode salah %(n)s kali; kode ini tidak berlaku lagi. Minta kode baru.",
                                 n=MAX_ATTEMPTS), field="code")
    raise ValidationFailed(_("Kode salah. Sisa %(n)s percobaan.", n=left), field="code")
