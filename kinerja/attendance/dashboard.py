"""Attendance dashboards of an agency (for its admins, its head and BKD): who is where today, and the month per
employee. Each runs a fixed number of queries whatever the headcount.

A day's check-in decides where a person is (office, home or field); without one, leave covering the day counts
as leave, else the person has not checked in. Today's figures also hold the WFO cap in force, the office
capacity it allows (the cap's percentage of the staff not on leave, as the roster counts it), and how check-ins
compare with the published roster. In the month, a working day (weekday, no holiday, no leave,
inside the assignment) before today without a check-in is a day without check-in; today is still open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import (
    Agency,
    Assignment,
    AttendanceKind,
    AttendanceRecord,
    Leave,
    Roster,
    RosterEntry,
    RosterStatus,
    WfoCap,
    WorkMode,
)
from kinerja.roster.caps import cap_on
from kinerja.roster.plan import capacity, unit_limit
from kinerja.workcalendar import holidays_between, is_weekend, month_days

MONTH_SORT_KEYS = ("name", "wfo", "wfh", "dl", "late", "early", "missing")


# --- Today ----------------------------------------------------------------------------------------------------

@dataclass
class TodayCount:
    """Headcount of a unit (or the whole agency) by where people are today."""

    name: str
    staff: int = 0
    office: int = 0
    home: int = 0
    field_duty: int = 0
    leave: int = 0
    missing: int = 0
    missing_names: list[str] = field(default_factory=list)
    capacity: int = 0
    scheduled_wfo: int = 0
    # Against the published roster: scheduled in the office but checked in from home / not checked in, and
    # in the office although scheduled at home.
    wfo_at_home: list[str] = field(default_factory=list)
    wfo_missing: list[str] = field(default_factory=list)
    wfh_in_office: list[str] = field(default_factory=list)

    @property
    def present(self) -> int:
        return self.office + self.home + self.field_duty

    @property
    def over(self) -> bool:
        return self.office > self.capacity

    @property
    def off_schedule(self) -> int:
        return len(self.wfo_at_home) + len(self.wfo_missing) + len(self.wfh_in_office)


@dataclass
class AgencyToday:
    day: date
    off_day: bool
    units: list[TodayCount]
    total: TodayCount
    cap: WfoCap | None = None
    scheduled: bool = False  # whether a published roster covers the day

    @property
    def over_units(self) -> list[TodayCount]:
        return [unit for unit in self.units if unit.over] if self.cap else []


def leave_by_employee(ids: list[int], start: date, end: date) -> dict[int, list[Leave]]:
    found: dict[int, list[Leave]] = defaultdict(list)
    if ids:
        for leave in db.session.scalars(select(Leave).where(
                Leave.employee_id.in_(ids), Leave.start_date <= end, Leave.end_date >= start)):
            found[leave.employee_id].append(leave)
    return found


def scheduled_modes(agency_id: int, ids: list[int], day: date) -> dict[int, WorkMode]:
    """Each employee's mode that day in the agency's published rosters."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(RosterEntry.employee_id, RosterEntry.mode).join(Roster, Roster.id == RosterEntry.roster_id)
        .where(Roster.agency_id == agency_id, Roster.status == RosterStatus.PUBLISHED, RosterEntry.day == day,
               RosterEntry.employee_id.in_(ids))).all())


def compare_schedule(count: TodayCount, name: str, planned: WorkMode | None, mode: WorkMode | None,
                     on_leave: bool) -> None:
    """Note where a person is against where the roster put them."""
    if planned is WorkMode.WFO:
        count.scheduled_wfo += 1
        if mode is WorkMode.WFH:
            count.wfo_at_home.append(name)
        elif mode is None and not on_leave:
            count.wfo_missing.append(name)
    elif planned is WorkMode.WFH and mode is WorkMode.WFO:
        count.wfh_in_office.append(name)


def agency_today(agency: Agency, day: date) -> AgencyToday:
    """Per unit and in total: in the office, at home, in the field, on leave, not checked in; the WFO cap with
    each unit's office capacity, and check-ins against the published roster (six queries)."""
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.agency_id == agency.id, Assignment.active_on(day))
        .options(joinedload(Assignment.employee), joinedload(Assignment.unit))
        .order_by(Assignment.valid_from)))
    latest = {assignment.employee_id: assignment for assignment in assignments}
    ids = list(latest)
    modes: dict[int, WorkMode] = {}
    if ids:
        modes = dict(db.session.execute(select(AttendanceRecord.employee_id, AttendanceRecord.mode).where(
            AttendanceRecord.employee_id.in_(ids), AttendanceRecord.day == day,
            AttendanceRecord.kind == AttendanceKind.IN)).all())
    on_leave = leave_by_employee(ids, day, day)
    planned = scheduled_modes(agency.id, ids, day)
    cap = cap_on(agency.id, day)
    off_day = is_weekend(day, agency.work_week) or day in holidays_between(day, day)
    units: dict[str, TodayCount] = {}
    total = TodayCount("")
    for employee_id, assignment in sorted(latest.items(),
                                          key=lambda item: (item[1].unit.code, item[1].employee.name)):
        unit = units.setdefault(assignment.unit.code, TodayCount(assignment.unit.name))
        mode = modes.get(employee_id)
        leave = bool(on_leave.get(employee_id))
        for count in (unit, total):
            count.staff += 1
            if mode is WorkMode.WFO:
                count.office += 1
            elif mode is WorkMode.WFH:
                count.home += 1
            elif mode is WorkMode.DL:
                count.field_duty += 1
            elif leave:
                count.leave += 1
            else:
                count.missing += 1
                if count is unit:
                    unit.missing_names.append(assignment.employee.full_name)
        compare_schedule(unit, assignment.employee.full_name, planned.get(employee_id), mode, leave)
    percent = cap.percent if cap else None
    for unit in units.values():  # a unit's daily limit rounds up, the agency's cap down (kinerja/roster/plan.py)
        unit.capacity = unit_limit(unit.staff - unit.leave, percent)
    total.capacity = capacity(total.staff - total.leave, percent)
    for unit in units.values():
        total.scheduled_wfo += unit.scheduled_wfo
        total.wfo_at_home += unit.wfo_at_home
        total.wfo_missing += unit.wfo_missing
        total.wfh_in_office += unit.wfh_in_office
    return AgencyToday(day, off_day, list(units.values()), total, cap, bool(planned))


# --- The month ------------------------------------------------------------------------------------------------

@dataclass
class MonthRow:
    assignment: Assignment | None
    working_days: int = 0
    days: dict[WorkMode, int] = field(default_factory=lambda: dict.fromkeys(WorkMode, 0))
    late_minutes: int = 0
    late_days: int = 0
    early_minutes: int = 0
    missing_days: int = 0

    @property
    def days_present(self) -> int:
        return sum(self.days.values())

    def as_dict(self) -> dict:
        return {
            "days": dict(self.days), "days_present": self.days_present, "late_minutes": self.late_minutes,
            "late_days": self.late_days, "early_minutes": self.early_minutes, "working_days": self.working_days,
            "missing_days": self.missing_days,
        }


def month_rows(agency_week: dict[int, int], periods: dict[int, tuple[date, date]], first: date, last: date,
               today: date, assignments: dict[int, Assignment | None]) -> dict[int, MonthRow]:
    """The month's figures of the employees in `periods` (each clipped to its assignment), in three queries."""
    ids = list(periods)
    rows = {employee_id: MonthRow(assignments.get(employee_id)) for employee_id in ids}
    if not ids:
        return rows
    checked_in: dict[int, set[date]] = defaultdict(set)
    for employee_id, day, kind, mode, late, early in db.session.execute(
        select(AttendanceRecord.employee_id, AttendanceRecord.day, AttendanceRecord.kind, AttendanceRecord.mode,
               AttendanceRecord.late_minutes, AttendanceRecord.early_minutes)
        .where(AttendanceRecord.employee_id.in_(ids), AttendanceRecord.day.between(first, last))
    ):
        row = rows[employee_id]
        if kind is AttendanceKind.IN:
            checked_in[employee_id].add(day)
            row.days[mode] += 1
            row.late_minutes += late or 0
            row.late_days += 1 if late else 0
        else:
            row.early_minutes += early or 0
    days_off = holidays_between(first, last)
    leave = leave_by_employee(ids, first, last)
    for employee_id, (start, end) in periods.items():
        row = rows[employee_id]
        day = start
        while day <= end:
            working = not is_weekend(day, agency_week[employee_id]) and day not in days_off and not any(
                item.start_date <= day <= item.end_date for item in leave.get(employee_id, ()))
            if working:
                row.working_days += 1
                if day < today and day not in checked_in[employee_id]:
                    row.missing_days += 1
            day += timedelta(days=1)
    return rows


def agency_month(agency: Agency, month: date, today: date, sort: str = "name") -> list[MonthRow]:
    """Every employee assigned to the agency during the month, in four queries whatever the headcount."""
    first, last = month_days(month.year, month.month)
    assignments = list(db.session.scalars(
        select(Assignment)
        .where(Assignment.agency_id == agency.id, Assignment.valid_from <= last,
               or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
        .options(joinedload(Assignment.employee), joinedload(Assignment.unit), joinedload(Assignment.position))
        .order_by(Assignment.valid_from)))
    latest: dict[int, Assignment | None] = {assignment.employee_id: assignment for assignment in assignments}
    periods: dict[int, tuple[date, date]] = {}
    for assignment in assignments:
        start = max(first, assignment.valid_from)
        end = min(last, assignment.valid_to or last)
        earlier = periods.get(assignment.employee_id)
        periods[assignment.employee_id] = (min(start, earlier[0]), max(end, earlier[1])) if earlier else (start, end)
    rows = list(month_rows(dict.fromkeys(periods, agency.work_week), periods, first, last, today, latest).values())
    keys = {
        "name": lambda row: (row.assignment.unit.code, row.assignment.employee.name),
        "wfo": lambda row: (-row.days[WorkMode.WFO], row.assignment.employee.name),
        "wfh": lambda row: (-row.days[WorkMode.WFH], row.assignment.employee.name),
        "dl": lambda row: (-row.days[WorkMode.DL], row.assignment.employee.name),
        "late": lambda row: (-row.late_minutes, row.assignment.employee.name),
        "early": lambda row: (-row.early_minutes, row.assignment.employee.name),
        "missing": lambda row: (-row.missing_days, row.assignment.employee.name),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


def month_attendance_summary(employee_id: int, first_day: date, today: date | None = None) -> dict:
    """One employee's month: days present by mode, late and early minutes, working days and days without
    check-in (weekends, holidays and leave skipped; today and later not yet counted as missing).

    Keys: days ({WorkMode: n}), days_present, late_minutes, late_days, early_minutes, working_days, missing_days.
    """
    today = today or clock.today()
    first, last = month_days(first_day.year, first_day.month)
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.employee_id == employee_id, Assignment.valid_from <= last,
                                 or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
        .options(joinedload(Assignment.agency)).order_by(Assignment.valid_from)))
    if assignments:
        start = max(first, min(item.valid_from for item in assignments))
        ends = [item.valid_to for item in assignments]
        end = last if None in ends else min(last, max(ends))
        week = assignments[-1].agency.work_week
    else:  # no assignment: count the records, no working days
        start, end, week = first, first - timedelta(days=1), 5
    rows = month_rows({employee_id: week}, {employee_id: (start, end)}, first, last, today,
                      {employee_id: assignments[-1] if assignments else None})
    return rows[employee_id].as_dict()
