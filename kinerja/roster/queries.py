"""Read-only queries of the roster pages: who may manage an agency's rosters, loading them in scope, the grid
of a roster with its daily counts, and the published schedule of one employee.

A roster binds an employee only on the days an assignment to its agency is in force (`serving`): after a
transfer, retirement or deactivation its later days are not theirs, and the roster of the agency they serve
that day applies."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import Date, Integer, Select, bindparam, or_, select, true

from kinerja.core.assignments import serving
from kinerja.extensions import db
from kinerja.models import (
    Agency,
    Assignment,
    Employee,
    Leave,
    Position,
    Roster,
    RosterEntry,
    RosterStatus,
    Unit,
    User,
    WorkMode,
)
from kinerja.roster.caps import can_manage, cap_percents
from kinerja.roster.plan import Member, capacity, unit_limit
from kinerja.workcalendar import holidays_between, is_weekend


def roster_days(agency: Agency, start: date, end: date) -> list[date]:
    """The agency's working days between the dates: no weekend (by its work week), no holiday."""
    days_off = holidays_between(start, end)
    count = (end - start).days + 1
    return [day for day in (start + timedelta(days=n) for n in range(max(count, 0)))
            if not is_weekend(day, agency.work_week) and day not in days_off]


@dataclass
class Staff:
    """Who is in an agency's roster: one member per employee assigned there on some day, and the days each is
    away (no active assignment there, or on leave)."""

    members: dict[int, Member]
    away: dict[int, set[date]]
    on_leave: dict[int, set[date]]

    def away_counts(self) -> Counter[tuple[int, date]]:
        """People on leave per (unit, day)."""
        return Counter((self.members[e].unit_id, day) for e, leave in self.on_leave.items() for day in leave)


def staff_between(agency_id: int, days: list[date], *, active_only: bool = True) -> Staff:
    """The members of the agency's roster over the days, in two queries. An employee who moves between units
    within the period is counted in the unit where they spend most of its days. The grid also places those no
    longer active (`active_only=False`) in the unit of the days they served."""
    if not days:
        return Staff({}, {}, {})
    first, last = min(days), max(days)
    rows = db.session.execute(
        select(Assignment.employee_id, Assignment.unit_id, Assignment.valid_from, Assignment.valid_to,
               Unit.essential, Position.essential)
        .join(Unit, Unit.id == Assignment.unit_id).join(Position, Position.id == Assignment.position_id)
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Assignment.agency_id == agency_id, Employee.active.is_(True) if active_only else true(),
               Assignment.valid_from <= last, or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))
        .order_by(Assignment.employee_id, Assignment.valid_from)).all()
    covered: dict[int, set[date]] = defaultdict(set)
    best: dict[int, tuple[int, Member]] = {}
    for employee_id, unit_id, valid_from, valid_to, unit_essential, position_essential in rows:
        active = {day for day in days if valid_from <= day and (valid_to is None or day <= valid_to)}
        covered[employee_id] |= active
        if active and len(active) >= best.get(employee_id, (0, None))[0]:
            best[employee_id] = (len(active), Member(employee_id, unit_id, unit_essential or position_essential))
    members = {employee_id: member for employee_id, (_count, member) in best.items()}
    leave_days: dict[int, set[date]] = defaultdict(set)
    for leave in db.session.scalars(select(Leave).where(
            Leave.employee_id.in_(list(members)), Leave.start_date <= last, Leave.end_date >= first)):
        leave_days[leave.employee_id] |= {day for day in covered[leave.employee_id]
                                          if leave.start_date <= day <= leave.end_date}
    away = {e: (set(days) - covered[e]) | leave_days[e] for e in members}
    return Staff(members, away, {e: leave_days[e] for e in members if leave_days[e]})


def load_roster(user: User, roster_id: int) -> Roster:
    """The roster if the user manages its agency, else 404."""
    roster = db.session.get(Roster, roster_id)
    if roster is None or not can_manage(user, roster.agency_id):
        abort(404)
    return roster


def employee_name(employee_id: int) -> str:
    employee = db.session.get(Employee, employee_id)
    return employee.full_name if employee else ""


def agency_rosters(agency_id: int) -> list[Roster]:
    """The agency's rosters, latest period first."""
    return list(db.session.scalars(select(Roster).where(Roster.agency_id == agency_id)
                                   .order_by(Roster.start_date.desc())))


@dataclass
class DayCount:
    """One day's figures of a unit or of the agency; `capacity` is the office places the cap allows that day:
    rounded down for the agency, up for a unit (units take turns over the period, see plan.py)."""

    day: date
    wfo: int = 0
    wfh: int = 0
    essential: int = 0
    away: int = 0
    headcount: int = 0
    capacity: int = 0
    percent: int | None = None

    @property
    def over(self) -> bool:
        return self.wfo > self.capacity


@dataclass
class GridEmployee:
    id: int
    name: str
    nip: str
    essential: bool
    cells: dict[date, tuple[WorkMode, bool]] = field(default_factory=dict)  # day -> (mode, manual)


@dataclass
class GridUnit:
    id: int
    name: str
    employees: list[GridEmployee] = field(default_factory=list)
    counts: dict[date, DayCount] = field(default_factory=dict)
    marked_essential: bool = False  # the unit's own mark (else its essential staff hold essential positions)


@dataclass(frozen=True)
class EssentialOverflow:
    """A unit whose essential staff alone, always on site, exceed its office capacity on some days."""

    unit_id: int
    unit_name: str
    essential: int
    capacity: int
    percent: int | None
    days: int
    marked_essential: bool


@dataclass
class RosterGrid:
    roster: Roster
    days: list[date]
    units: list[GridUnit]
    counts: dict[date, DayCount]  # the agency's

    @property
    def warnings(self) -> list[str]:
        """Each unit and day (and agency day) with more people in the office than the cap allows."""
        found = [(unit.name, count) for unit in self.units for count in unit.counts.values() if count.over]
        found += [(_("OPD"), count) for count in self.counts.values() if count.over]
        return [_("%(place)s, %(day)s: %(wfo)s WFO melebihi kapasitas %(capacity)s.", place=place,
                  day=f"{count.day:%d-%m-%Y}", wfo=count.wfo, capacity=count.capacity)
                for place, count in sorted(found, key=lambda item: (item[1].day, item[0]))]

    @property
    def essential_overflows(self) -> list[EssentialOverflow]:
        """Units with more essential staff than office places, at their worst day, with how many days."""
        found = []
        for unit in self.units:
            over = [count for count in unit.counts.values() if count.essential > count.capacity]
            if over:
                worst = max(over, key=lambda count: (count.essential - count.capacity, -count.day.toordinal()))
                found.append(EssentialOverflow(unit.id, unit.name, worst.essential, worst.capacity, worst.percent,
                                               len(over), unit.marked_essential))
        return found


def add_entry(count: DayCount, entry: RosterEntry) -> None:
    count.headcount += 1
    count.wfo += entry.mode is WorkMode.WFO
    count.wfh += entry.mode is not WorkMode.WFO
    count.essential += entry.essential


def finish(count: DayCount, percent: int | None, away: int, places) -> None:
    count.percent, count.away = percent, away
    count.capacity = places(count.headcount, percent)


def roster_grid(roster: Roster) -> RosterGrid:
    """The roster by unit and employee with each day's counts, in a constant number of queries. Entries on days
    the employee no longer serves the agency (moved, retired) are not part of it."""
    days = roster_days(roster.agency, roster.start_date, roster.end_date)
    percents = cap_percents(roster.agency_id, days)
    staff = staff_between(roster.agency_id, days, active_only=False)
    rows = db.session.execute(
        select(RosterEntry, Employee.name, Employee.front_title, Employee.back_title, Employee.id_number)
        .join(Employee, Employee.id == RosterEntry.employee_id).join(Roster, Roster.id == RosterEntry.roster_id)
        .where(RosterEntry.roster_id == roster.id, serving(RosterEntry.employee_id, Roster.agency_id, RosterEntry.day))
        .order_by(Employee.name, Employee.id)).all()
    units_by_id = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.agency_id == roster.agency_id).order_by(Unit.code, Unit.id))}
    employees: dict[int, GridEmployee] = {}
    unit_rows: dict[int, list[GridEmployee]] = defaultdict(list)
    unit_counts: dict[int, dict[date, DayCount]] = defaultdict(lambda: {day: DayCount(day) for day in days})
    agency_counts = {day: DayCount(day) for day in days}
    for entry, name, front, back, nip in rows:
        member = staff.members.get(entry.employee_id)
        unit_id = member.unit_id if member else 0
        person = employees.get(entry.employee_id)
        if person is None:
            full = f"{front} {name}".strip() + (f", {back}" if back else "")
            person = employees[entry.employee_id] = GridEmployee(entry.employee_id, full, nip, False)
            unit_rows[unit_id].append(person)
        person.cells[entry.day] = (entry.mode, entry.manual)
        person.essential = person.essential or entry.essential
        if entry.day in agency_counts:
            add_entry(unit_counts[unit_id][entry.day], entry)
            add_entry(agency_counts[entry.day], entry)
    away_by_unit = staff.away_counts()
    for day in days:
        finish(agency_counts[day], percents[day], sum(away_by_unit[unit, day] for unit in unit_rows), capacity)
        for unit_id in unit_rows:
            finish(unit_counts[unit_id][day], percents[day], away_by_unit[unit_id, day], unit_limit)
    order = [unit_id for unit_id in units_by_id if unit_id in unit_rows] + \
        [unit_id for unit_id in unit_rows if unit_id not in units_by_id]
    units = [GridUnit(unit_id, units_by_id[unit_id].name if unit_id in units_by_id else _("Tanpa unit"),
                      unit_rows[unit_id], unit_counts[unit_id],
                      unit_id in units_by_id and units_by_id[unit_id].essential) for unit_id in order]
    return RosterGrid(roster, days, units, agency_counts)


def scheduled_mode(employee_id: int, day: date) -> WorkMode | None:
    """The employee's mode that day in the published roster of the agency they serve that day, if any."""
    return db.session.scalar(scheduled_mode_statement(), {"employee_id": employee_id, "day": day})


@cache
def scheduled_mode_statement() -> Select:
    """Built once with bound parameters: the attendance page and the home page ask it on every view."""
    employee_id, day = bindparam("employee_id", type_=Integer), bindparam("day", type_=Date)
    return (select(RosterEntry.mode).join(Roster, Roster.id == RosterEntry.roster_id)
            .where(RosterEntry.employee_id == employee_id, RosterEntry.day == day,
                   Roster.status == RosterStatus.PUBLISHED, serving(employee_id, Roster.agency_id, day))
            .order_by(Roster.published_at.desc()).limit(1))


def my_schedule(employee_id: int, start: date, days: int = 31) -> list[tuple[date, WorkMode]]:
    """The employee's published modes from `start` for `days` days, in date order, each from the roster of the
    agency they serve that day."""
    rows = db.session.execute(
        select(RosterEntry.day, RosterEntry.mode).join(Roster, Roster.id == RosterEntry.roster_id)
        .where(RosterEntry.employee_id == employee_id, RosterEntry.day.between(start, start + timedelta(days - 1)),
               Roster.status == RosterStatus.PUBLISHED,
               serving(RosterEntry.employee_id, Roster.agency_id, RosterEntry.day))
        .order_by(RosterEntry.day, Roster.published_at.desc())).all()
    found: dict[date, WorkMode] = {}
    for day, mode in rows:
        found.setdefault(day, mode)
    return list(found.items())
