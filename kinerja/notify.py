"""In-app notifications, rendered in the reader's language, and their delivery by e-mail when SMTP is set."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, insert, select
from sqlalchemy.sql.elements import ColumnElement

from kinerja import clock
from kinerja.database import finish, request_memo
from kinerja.extensions import db
from kinerja.models import Notification


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    params: dict
    link: str | None = None


def send(notices: Iterable[Notice]) -> int:
    """Queue notifications in one statement; the caller's commit stores them."""
    now = clock.utcnow()
    rows = [{"user_id": n.user_id, "kind": n.kind, "params": json.dumps(n.params, ensure_ascii=False),
             "link": n.link, "created_at": now} for n in notices]
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(rows)


MESSAGES = {
    "submitted": _l("%(name)s mengajukan %(n)s kegiatan untuk diperiksa."),
    "returned": _l("%(n)s kegiatan Anda dikembalikan untuk diperbaiki oleh %(name)s."),
    "approved": _l("%(n)s kegiatan Anda disetujui oleh %(name)s."),
    "comment": _l("%(name)s menulis komentar pada kegiatan %(day)s."),
    "reopened": _l("Kegiatan %(day)s dibuka kembali oleh admin: %(reason)s"),
    "unfiled": _l("Ada %(n)s hari kerja bulan ini yang kegiatannya belum Anda ajukan untuk diperiksa."),
    "waiting": _l("%(n)s kegiatan bawahan menunggu pemeriksaan Anda lebih dari %(days)s hari."),
    "month_closing": _l("Pengisian kegiatan bulan %(month)s ditutup setelah %(day)s."),
    "roster_published": _l("Jadwal piket %(agency)s %(start)s – %(end)s telah diterbitkan: lihat hari WFO dan WFH "
                           "Anda."),
    "roster_changed": _l("Jadwal kerja Anda pada %(day)s diubah menjadi %(mode)s."),
    "roster_left": _l("%(name)s tidak lagi bertugas di OPD ini mulai %(day)s: %(n)s hari dikeluarkan dari jadwal "
                      "piket %(roster)s."),
    "roster_joined": _l("%(name)s bertugas di OPD ini mulai %(day)s: %(n)s hari ditambahkan ke jadwal piket "
                        "%(roster)s."),
    "correction_requested": _l("%(name)s mengajukan koreksi presensi %(day)s."),
    "correction_approved": _l("Koreksi presensi Anda untuk %(day)s disetujui."),
    "correction_rejected": _l("Koreksi presensi Anda untuk %(day)s ditolak: %(reason)s"),
}


def render(notification: Notification) -> str:
    """The notice's sentence in the current language."""
    template = MESSAGES.get(notification.kind)
    if template is None:
        return notification.kind
    try:
        return str(template) % json.loads(notification.params or "{}")
    except (KeyError, TypeError, ValueError):
        return str(template)


def unread_count(user_id: int) -> int:
    """The user's unread notifications (the layout's bell), kept for the request (`request_memo`); signing in
    loads it with the user (`unread_column`, `remember_unread`)."""
    memo = request_memo()
    if memo is not None and ("unread", user_id) in memo:
        return memo[("unread", user_id)]
    return remember_unread(user_id, db.session.scalar(unread_statement(), {"user_id": user_id}))


def remember_unread(user_id: int, count: int | None) -> int:
    memo = request_memo()
    if memo is not None:
        memo[("unread", user_id)] = count or 0
    return count or 0


def unread_column(user_id) -> ColumnElement:
    """The count as a scalar subquery, for a statement that loads other things too."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery()
            .label("unread"))


@cache
def unread_statement():
    """Built once with a bound parameter: composing the statement costs more than running it."""
    return select(unread_column(bindparam("user_id", type_=Integer)))


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def deliver_mail(recipient: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail through the configured SMTP server."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def mark_read(user_id: int, notification_ids: Iterable[int] | None = None) -> None:
    query = Notification.__table__.update().where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    db.session.execute(query.values(read_at=clock.utcnow()))
    finish()
