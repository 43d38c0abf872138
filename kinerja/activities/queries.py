"""Read models of the activity pages, each in a fixed number of queries however many activities there are."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from sqlalchemy import Date, Integer, bindparam, func, select
from sqlalchemy.orm import selectinload

from kinerja import reference
from kinerja.core.assignments import assignment_on
from kinerja.database import LIKE_ESCAPE, contains_pattern
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus, Iki, OutputUnit, WorkMode
from kinerja.settings import setting
from kinerja.workcalendar import CalendarDay, calendar_between, effective_working_days, month_days


def day_activities(employee_id: int, day: date) -> list[Activity]:
    """The employee's activities of the day in time order, with their evidence."""
    return list(db.session.scalars(day_activities_statement(), {"employee_id": employee_id, "day": day}))


@cache
def day_activities_statement():
    """Built once with bound parameters (the day page and the home page's today card ask it)."""
    return (select(Activity)
            .where(Activity.employee_id == bindparam("employee_id", type_=Integer),
                   Activity.activity_date == bindparam("day", type_=Date))
            .options(selectinload(Activity.evidence))
            .order_by(Activity.start_time))


def activities_between(employee_id: int, start: date, end: date) -> list[Activity]:
    return list(db.session.scalars(
        select(Activity)
        .where(Activity.employee_id == employee_id, Activity.activity_date.between(start, end))
        .order_by(Activity.activity_date, Activity.start_time)
    ))


def work_week_of(employee_id: int, day: date) -> int:
    assignment = assignment_on(employee_id, day)
    return assignment.agency.work_week if assignment else 5


def day_info(employee_id: int, day: date) -> CalendarDay:
    """Whether the day is a weekend, a holiday or leave for the employee."""
    return calendar_between(day, day, work_week_of(employee_id, day), employee_id)[0]


def output_unit_names() -> list[str]:
    """The regency's output units (kept between requests while unchanged, kinerja.reference)."""
    def read() -> tuple[str, ...]:
        return tuple(db.session.scalars(
            select(OutputUnit.name).where(OutputUnit.active.is_(True)).order_by(OutputUnit.name)))

    return list(reference.kept("output_units", read))


# The state shown for a day, worst first: what needs the employee's attention wins.
STATE_ORDER = (ActivityStatus.RETURNED, ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.APPROVED)


@dataclass
class DaySummary:
    calendar: CalendarDay
    minutes: int = 0
    statuses: set[ActivityStatus] = field(default_factory=set)
    modes: set[WorkMode] = field(default_factory=set)

    @property
    def state(self) -> str:
        """returned, draft, submitted, approved; else leave, off (weekend/holiday) or empty."""
        for status in STATE_ORDER:
            if status in self.statuses:
                return status.value
        if self.calendar.leave:
            return "leave"
        return "off" if self.calendar.off else "empty"


@dataclass
class MonthOverview:
    first: date
    days: list[DaySummary]
    working_days: int
    target_minutes: int
    approved_minutes: int
    pending_minutes: int
    days_filed: int
    days_by_mode: dict[WorkMode, int]
    outputs: list[tuple[str | None, str, Decimal]]  # (indicator text or None, unit, approved quantity)
    counts: Counter

    @property
    def weeks(self) -> list[list[DaySummary | None]]:
        """Monday-first weeks for the calendar grid, padded with None."""
        cells: list[DaySummary | None] = [None] * self.first.weekday() + list(self.days)
        cells += [None] * (-len(cells) % 7)
        return [cells[index:index + 7] for index in range(0, len(cells), 7)]


def month_overview(employee_id: int, first: date) -> MonthOverview:
    """The month's calendar states and summary: days filed, minutes against target, modes, outputs."""
    start, end = month_days(first.year, first.month)
    calendar = calendar_between(start, end, work_week_of(employee_id, end), employee_id)
    days = {item.day: DaySummary(item) for item in calendar}
    rows = db.session.execute(
        select(Activity.activity_date, Activity.status, Activity.work_mode,
               func.sum(Activity.duration_minutes), func.count())
        .where(Activity.employee_id == employee_id, Activity.activity_date.between(start, end))
        .group_by(Activity.activity_date, Activity.status, Activity.work_mode)
    )
    counts: Counter = Counter()
    approved = pending = 0
    for day, status, mode, minutes, number in rows:
        summary = days[day]
        summary.minutes += minutes
        summary.statuses.add(status)
        counts[status] += number
        if status is ActivityStatus.APPROVED:
            approved += minutes
        elif status is ActivityStatus.SUBMITTED:
            pending += minutes
        if status is not ActivityStatus.DRAFT:
            summary.modes.add(mode)
    outputs = db.session.execute(
        select(Iki.text, Activity.unit, func.sum(Activity.quantity))
        .outerjoin(Iki, Iki.id == Activity.indicator_id)
        .where(Activity.employee_id == employee_id, Activity.activity_date.between(start, end),
               Activity.status == ActivityStatus.APPROVED)
        .group_by(Iki.text, Activity.unit)
        .order_by(Iki.text, Activity.unit)
    ).all()
    by_mode: dict[WorkMode, int] = defaultdict(int)
    for summary in days.values():
        for mode in summary.modes:
            by_mode[mode] += 1
    working = effective_working_days(calendar)
    filed = sum(1 for s in days.values() if s.statuses - {ActivityStatus.DRAFT})
    return MonthOverview(
        first=start, days=list(days.values()), working_days=working,
        target_minutes=working * setting("EFFECTIVE_MINUTES_PER_DAY"), approved_minutes=approved,
        pending_minutes=pending, days_filed=filed, days_by_mode=dict(by_mode),
        outputs=[(indicator, unit, quantity) for indicator, unit, quantity in outputs], counts=counts,
    )


def activity_list(employee_id: int, *, start: date | None, end: date | None, status: ActivityStatus | None,
                  mode: WorkMode | None, search: str, page: int, per_page: int):
    """The employee's activities filtered and paginated, newest first."""
    query = select(Activity).where(Activity.employee_id == employee_id)
    if start:
        query = query.where(Activity.activity_date >= start)
    if end:
        query = query.where(Activity.activity_date <= end)
    if status:
        query = query.where(Activity.status == status)
    if mode:
        query = query.where(Activity.work_mode == mode)
    if search:
        query = query.where(Activity.description.ilike(contains_pattern(search), escape=LIKE_ESCAPE))
    query = query.order_by(Activity.activity_date.desc(), Activity.start_time.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
