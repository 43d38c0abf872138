"""The outbox: every notice a person opted in for (on a verified number) is queued once per channel (its key says
which notice and channel), then sent by `drain` within the limits, tried again with growing waits while the gateway
fails, and given up only after MESSAGE_MAX_ATTEMPTS. Each step commits on its own, so a crash or an outage loses
nothing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from kinerja import clock, notify
from kinerja.extensions import db
from kinerja.messaging import gateways
from kinerja.models import Channel, MessageContact, MessageGateway, MessageStatus, Notification, OutboundMessage
from kinerja.settings import setting

BATCH = 500
STALE_CLAIM = timedelta(minutes=10)  # a message "sending" this long belonged to a run that died: take it again
OLDEST_NOTICE = timedelta(days=1)  # a notice older than this when someone opts in is not sent any more


@dataclass
class DrainReport:
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    waiting: dict[str, int] = field(default_factory=dict)  # channel → messages left for a later run


def message_key(notification_id: int, channel: Channel) -> str:
    return f"notice-{notification_id}-{channel.value}"


def message_body(notification: Notification) -> str:
    """The text of a plain message (local gateways, Telegram): the notice in Indonesian and where to act on it."""
    with force_locale("id"):
        sentence = notify.render(notification)
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    link = f"\n{base}{notification.link}" if base and notification.link else ""
    return f"Kinerja: {sentence}{link}"


def live_gateways() -> dict[Channel, MessageGateway]:
    return {gateway.channel: gateway for gateway in db.session.scalars(select(MessageGateway))
            if gateways.ready(gateway)}


def enqueue(now: datetime | None = None) -> int:
    """Queue the notices of the kinds each live channel carries, for people opted in on it, not yet queued."""
    now = now or clock.utcnow()
    queued = 0
    for channel, gateway in live_gateways().items():
        kinds = gateway.kind_list
        if not kinds:
            continue
        rows = db.session.execute(
            select(Notification, MessageContact.address)
            .join(MessageContact, and_(MessageContact.user_id == Notification.user_id,
                                       MessageContact.channel == channel, MessageContact.opted_in.is_(True),
                                       MessageContact.verified_at.is_not(None)))
            .outerjoin(OutboundMessage, and_(OutboundMessage.notification_id == Notification.id,
                                             OutboundMessage.channel == channel))
            .where(OutboundMessage.id.is_(None), Notification.kind.in_(kinds),
                   Notification.created_at >= now - OLDEST_NOTICE,
                   Notification.created_at >= MessageContact.opted_in_at)
            .order_by(Notification.id).limit(BATCH)
        ).all()
        for notification, address in rows:
            db.session.add(OutboundMessage(
                key=message_key(notification.id, channel), notification_id=notification.id,
                user_id=notification.user_id, channel=channel, address=address, kind=notification.kind,
                params=notification.params or "{}", body=message_body(notification), created_at=now,
                next_attempt_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # another run queued them first: their keys are taken, nothing is queued twice
            db.session.rollback()
            continue
        queued += len(rows)
    return queued


def backoff(attempts: int, hint: float | None) -> timedelta:
    """1, 2, 4… minutes after the n-th failed attempt, capped; never sooner than the gateway asked (Retry-After)."""
    config = current_app.config
    cap = config["MESSAGE_BACKOFF_CAP_SECONDS"]
    seconds = min(cap, config["MESSAGE_BACKOFF_SECONDS"] * 2 ** max(0, attempts - 1))
    if hint is not None:
        seconds = max(seconds, min(hint, 6 * cap))
    return timedelta(seconds=seconds)


def start_of_next_day(now: datetime) -> datetime:
    local = now.astimezone(clock.zone())
    return datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)


def sent_today(channel: Channel, user_ids: set[int], now: datetime) -> Counter:
    local = now.astimezone(clock.zone())
    start = datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)
    rows = db.session.execute(
        select(OutboundMessage.user_id, func.count()).where(
            OutboundMessage.channel == channel, OutboundMessage.user_id.in_(user_ids),
            OutboundMessage.sent_at >= start).group_by(OutboundMessage.user_id)).all()
    return Counter(dict(rows))


def attempts_last_minute(channel: Channel, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.channel == channel, OutboundMessage.last_attempt_at > now - timedelta(minutes=1))) or 0


def due_messages(channel: Channel, now: datetime, limit: int) -> list[OutboundMessage]:
    return list(db.session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.channel == channel,
            or_(and_(OutboundMessage.status == MessageStatus.QUEUED, OutboundMessage.next_attempt_at <= now),
                and_(OutboundMessage.status == MessageStatus.SENDING,
                     OutboundMessage.last_attempt_at < now - STALE_CLAIM)))
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(limit)))


def claim(message: OutboundMessage, now: datetime) -> bool:
    """Take the message for this run (a conditional update: of two runs, one wins) and count the attempt."""
    result = db.session.execute(
        update(OutboundMessage).where(
            OutboundMessage.id == message.id,
            or_(OutboundMessage.status == MessageStatus.QUEUED,
                and_(OutboundMessage.status == MessageStatus.SENDING,
                     OutboundMessage.last_attempt_at < now - STALE_CLAIM)))
        .values(status=MessageStatus.SENDING, attempts=OutboundMessage.attempts + 1, last_attempt_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def record(message_id: int, outcome: gateways.Outcome, report: DrainReport) -> None:
    message = db.session.get(OutboundMessage, message_id, populate_existing=True)
    now = clock.utcnow()
    if outcome.sent:
        message.status, message.sent_at, message.provider_id = MessageStatus.SENT, now, outcome.provider_id
        message.last_error = None
        report.sent += 1
    elif outcome.retry and message.attempts < setting("MESSAGE_MAX_ATTEMPTS"):
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts, outcome.retry_after)
        message.last_error = outcome.error[:255]
        report.retried += 1
    else:
        message.status, message.last_error = MessageStatus.FAILED, outcome.error[:255]
        report.failed += 1
    db.session.commit()


def still_wanted(channel: Channel, user_ids: set[int]) -> set[tuple[int, str]]:
    """(person, address) pairs still opted in and verified: a message to anyone else was opted out of or went to
    an old number."""
    return set(map(tuple, db.session.execute(select(MessageContact.user_id, MessageContact.address).where(
        MessageContact.user_id.in_(user_ids), MessageContact.channel == channel,
        MessageContact.opted_in.is_(True), MessageContact.verified_at.is_not(None))).all()))


def drain_channel(gateway: MessageGateway, report: DrainReport, now: datetime) -> None:
    budget = max(0, gateway.per_minute - attempts_last_minute(gateway.channel, now))
    per_day = setting("MESSAGES_PER_PERSON_DAY")
    timeout = current_app.config["MESSAGE_TIMEOUT_SECONDS"]
    while budget > 0:
        batch = due_messages(gateway.channel, now, min(budget, BATCH))
        if not batch:
            break
        user_ids = {message.user_id for message in batch}
        counts, wanted = sent_today(gateway.channel, user_ids, now), still_wanted(gateway.channel, user_ids)
        for message in batch:
            if budget <= 0:
                break
            if (message.user_id, message.address) not in wanted:
                message.status, message.last_error = MessageStatus.CANCELLED, "opt-out"
                db.session.commit()
                report.cancelled += 1
                continue
            if counts[message.user_id] >= per_day:
                message.next_attempt_at = start_of_next_day(now)
                db.session.commit()
                report.deferred += 1
                continue
            if not claim(message, now):
                continue
            budget -= 1
            outgoing = gateways.Outgoing(message.key, message.address, message.kind,
                                         json.loads(message.params or "{}"), message.body)
            outcome = gateways.deliver(gateway, outgoing, timeout)
            record(message.id, outcome, report)
            if outcome.sent:
                counts[message.user_id] += 1
            now = clock.utcnow()
    report.waiting[gateway.channel.value] = db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.channel == gateway.channel, OutboundMessage.status == MessageStatus.QUEUED)) or 0


def drain() -> DrainReport:
    """Send what is due on every live channel, within its messages per minute and each person's daily limit."""
    report = DrainReport()
    for gateway in live_gateways().values():
        drain_channel(gateway, report, clock.utcnow())
    return report


def send_pending() -> DrainReport:
    """Queue new notices, then drain: what cron runs."""
    queued = enqueue()
    report = drain()
    report.queued = queued
    return report
