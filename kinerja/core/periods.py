"""Months: when one closes for filing or review, and reading "2026-11" from a request."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import MonthLock
from kinerja.settings import setting


def month_closed(agency_id: int, day: date, today: date, lock_day_setting: str = "FILING_LOCK_DAY") -> bool:
    """Closed: by BKD's explicit lock (or open by its reopening), else after day N of the following month,
    N being FILING_LOCK_DAY for filing and REVIEW_LOCK_DAY for review."""
    lock = db.session.scalar(
        select(MonthLock.locked).where(
            MonthLock.agency_id == agency_id, MonthLock.year == day.year, MonthLock.month == day.month
        )
    )
    if lock is not None:
        return lock
    return closing_day_passed(day, today, setting(lock_day_setting))


def closing_day_passed(day: date, today: date, lock_day: int) -> bool:
    """True once `today` is past day `lock_day` of the month after `day`'s month."""
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return today > next_month.replace(day=lock_day)


def parse_month(text: str) -> date | None:
    """'2026-11' → 1 November 2026, else None."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return date(int(year), int(month), 1)
    except ValueError:
        return None
