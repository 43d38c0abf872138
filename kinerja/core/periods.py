"""Months: when one closes for filing or review, and reading "2026-11" from a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kinerja import reference
from kinerja.extensions import db
from kinerja.models import Agency, MonthLock
from kinerja.settings import setting


@dataclass(frozen=True)
class Closure:
    """A closed month: on `day`, the last day of filing (automatic: day N of the next month) or the day BKD
    locked it (`by_bkd`, with its reason)."""

    day: date
    by_bkd: bool = False
    reason: str = ""


def month_closure(agency_id: int, day: date, today: date, lock_day_setting: str = "FILING_LOCK_DAY") -> Closure | None:
    """How `day`'s month is closed for the agency, or None while it is open: BKD's explicit lock (or reopening)
    decides, else the closing day N of the following month, N being FILING_LOCK_DAY for filing and
    REVIEW_LOCK_DAY for review."""
    def read() -> tuple | None:
        row = db.session.execute(
            select(MonthLock.locked, MonthLock.reason, MonthLock.updated_at).where(
                MonthLock.agency_id == agency_id, MonthLock.year == day.year, MonthLock.month == day.month
            )
        ).first()
        return tuple(row) if row is not None else None

    # BKD's locks change a few times a month: kept between requests while unchanged (kinerja.reference)
    lock = reference.kept(("month_lock", agency_id, day.year, day.month), read)
    if lock is not None:
        locked, reason, updated_at = lock
        if not locked:
            return None
        zone = db.session.scalar(select(Agency.timezone).where(Agency.id == agency_id))
        return Closure(updated_at.astimezone(ZoneInfo(zone)).date(), by_bkd=True, reason=reason or "")
    last_day = closing_day(day, setting(lock_day_setting))
    return Closure(last_day) if today > last_day else None


def month_closed(agency_id: int, day: date, today: date, lock_day_setting: str = "FILING_LOCK_DAY") -> bool:
    """Closed: by BKD's explicit lock (or open by its reopening), else after day N of the following month,
    N being FILING_LOCK_DAY for filing and REVIEW_LOCK_DAY for review."""
    return month_closure(agency_id, day, today, lock_day_setting) is not None


def closing_day(day: date, lock_day: int) -> date:
    """Day `lock_day` of the month after `day`'s month: the last day its filing (or review) is open."""
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month.replace(day=lock_day)


def closing_day_passed(day: date, today: date, lock_day: int) -> bool:
    """True once `today` is past day `lock_day` of the month after `day`'s month."""
    return today > closing_day(day, lock_day)


def parse_month(text: str) -> date | None:
    """'2026-11' → 1 November 2026, else None."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return date(int(year), int(month), 1)
    except ValueError:
        return None
