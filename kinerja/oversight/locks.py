"""Closing and reopening a month per agency (BKD), overriding the automatic closing days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kinerja import audit
from kinerja.core.periods import closing_day_passed, month_closed
from kinerja.database import finish
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.models import Agency, MonthLock, User
from kinerja.reports import prerender
from kinerja.settings import setting


@dataclass(frozen=True)
class LockRow:
    agency: Agency
    manual: bool | None  # True closed by BKD, False reopened by BKD, None automatic
    filing_closed: bool
    review_closed: bool
    reason: str


def month_status(month: date, today: date) -> list[LockRow]:
    """Every agency's state for the month, in two queries."""
    locks = {lock.agency_id: lock for lock in db.session.scalars(
        select(MonthLock).where(MonthLock.year == month.year, MonthLock.month == month.month))}
    rows = []
    for agency in db.session.scalars(select(Agency).order_by(Agency.code)):
        lock = locks.get(agency.id)
        if lock is not None:
            rows.append(LockRow(agency, lock.locked, lock.locked, lock.locked, lock.reason))
        else:
            rows.append(LockRow(agency, None, auto_closed(month, today, "FILING_LOCK_DAY"),
                                auto_closed(month, today, "REVIEW_LOCK_DAY"), ""))
    return rows


def auto_closed(month: date, today: date, setting_name: str) -> bool:
    return closing_day_passed(month, today, setting(setting_name))


def set_lock(actor: User, agency: Agency, month: date, locked: bool, reason: str, today: date) -> None:
    """Close (locked=True) or reopen (False) a month for an agency, with a reason, in the audit trail."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Alasan wajib diisi."), field="reason")
    before = month_closed(agency.id, month, today)
    lock = db.session.scalar(select(MonthLock).where(
        MonthLock.agency_id == agency.id, MonthLock.year == month.year, MonthLock.month == month.month))
    if lock is None:
        lock = MonthLock(agency_id=agency.id, year=month.year, month=month.month)
        db.session.add(lock)
    lock.locked, lock.reason = locked, reason[:255]
    audit.record(actor, audit.Change("month", month.year * 100 + month.month, "lock" if locked else "unlock",
                                     "closed" if before else "open", "closed" if locked else "open",
                                     agency.id, reason=reason))
    try:
        finish()
    except IntegrityError:  # someone created the row at the same moment: apply ours over it
        db.session.rollback()
        set_lock(actor, agency, month, locked, reason, today)
        return
    if locked:  # the month's reports are final now: render them ahead for the month-end packs
        prerender.queue_agency_month(agency.id, month)
