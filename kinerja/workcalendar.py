"""The working calendar: weekends by the agency's work week, national holidays and cuti bersama from the
`holidays` package (categories public and government), BKD's regional holidays and corrections, and leave.

Effective working days = weekdays − national holidays − cuti bersama − regional holidays − the employee's leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache

import holidays as holiday_data
from sqlalchemy import Date, Integer, Select, bindparam, select

from kinerja import reference
from kinerja.database import request_memo
from kinerja.extensions import db
from kinerja.models import HolidayEntry, HolidayKind, Leave, LeaveKind


@dataclass(frozen=True)
class Holiday:
    name: str
    kind: HolidayKind


@lru_cache(maxsize=16)
def package_holidays(year: int) -> dict[date, Holiday]:
    """Indonesia's national holidays and cuti bersama for a year, named in Indonesian."""
    result: dict[date, Holiday] = {}
    for category, kind in (("public", HolidayKind.NATIONAL), ("government", HolidayKind.CUTI_BERSAMA)):
        for day, name in holiday_data.Indonesia(years=year, categories=(category,), language="id").items():
            result.setdefault(day, Holiday(name, kind))
    return result


def holidays_between(start: date, end: date) -> dict[date, Holiday]:
    """Every day off between the dates (inclusive): the national list corrected by BKD's entries (kept for the
    request until it writes, `request_memo`; the caller gets its own copy)."""
    memo = request_memo()
    key = ("holidays_between", start, end)
    if memo is not None and key in memo:
        return dict(memo[key])
    result = {
        day: holiday
        for year in range(start.year, end.year + 1)
        for day, holiday in package_holidays(year).items()
        if start <= day <= end
    }
    for day, is_day_off, name, kind in reference.kept(("holiday_entries", start, end),
                                                      lambda: holiday_entries(start, end)):
        if is_day_off:
            result[day] = Holiday(name, kind)
        else:
            result.pop(day, None)
    if memo is not None:
        memo[key] = dict(result)
    return result


def holiday_entries(start: date, end: date) -> tuple[tuple[date, bool, str, HolidayKind], ...]:
    """BKD's corrections of the calendar between the dates, as plain values (kept between requests)."""
    return tuple(tuple(row) for row in db.session.execute(
        select(HolidayEntry.day, HolidayEntry.is_day_off, HolidayEntry.name, HolidayEntry.kind)
        .where(HolidayEntry.day.between(start, end))))


def leave_between(employee_id: int, start: date, end: date) -> dict[date, LeaveKind]:
    """The employee's leave days between the dates."""
    rows = db.session.scalars(leave_statement(), {"employee_id": employee_id, "start": start, "end": end})
    days: dict[date, LeaveKind] = {}
    for leave in rows:
        day = max(leave.start_date, start)
        while day <= min(leave.end_date, end):
            days[day] = leave.kind
            day += timedelta(days=1)
    return days


@cache
def leave_statement() -> Select:
    """`leave_between`'s statement, built once with bound parameters (the day, month and home pages ask it)."""
    return select(Leave).where(Leave.employee_id == bindparam("employee_id", type_=Integer),
                               Leave.start_date <= bindparam("end", type_=Date),
                               Leave.end_date >= bindparam("start", type_=Date))


def is_weekend(day: date, work_week: int) -> bool:
    """Saturday and Sunday off in a five-day week, Sunday only in a six-day week."""
    return day.weekday() >= work_week


@dataclass(frozen=True)
class CalendarDay:
    day: date
    weekend: bool
    holiday: Holiday | None
    leave: LeaveKind | None

    @property
    def off(self) -> bool:
        """Not a working day for anyone in the agency (weekend or holiday)."""
        return self.weekend or self.holiday is not None

    @property
    def working(self) -> bool:
        """An effective working day for this employee."""
        return not self.off and self.leave is None


def month_days(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def calendar_between(start: date, end: date, work_week: int, employee_id: int | None = None) -> list[CalendarDay]:
    """Each day between the dates with what makes it a working day or not (two queries)."""
    days_off = holidays_between(start, end)
    leave = leave_between(employee_id, start, end) if employee_id is not None else {}
    result = []
    day = start
    while day <= end:
        result.append(CalendarDay(day, is_weekend(day, work_week), days_off.get(day), leave.get(day)))
        day += timedelta(days=1)
    return result


def effective_working_days(days: list[CalendarDay]) -> int:
    return sum(1 for day in days if day.working)


def earliest_backdate(today: date, working_days: int, work_week: int) -> date:
    """The earliest day still open for filing: `working_days` working days before today (leave counts)."""
    lookback = today - timedelta(days=working_days * 3 + 30)
    days_off = holidays_between(lookback, today)
    counted, day = 0, today
    while counted < working_days and day > lookback:
        day -= timedelta(days=1)
        if not is_weekend(day, work_week) and day not in days_off:
            counted += 1
    return day
