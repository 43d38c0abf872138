"""Rosters follow assignments. A roster binds someone only on the days an assignment to its agency is in force:
when a transfer, retirement or deactivation ends that, the later days are taken out of the agency's rosters
(audited, the agency's admins told), and the rosters of the agency they join take them in on the days they
serve there, within its WFO cap.

`follow_assignments` is part of the caller's unit of work (the staffing service): it changes the session and
queues the audit rows and notices, and never commits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import delete, insert, or_, select

from kinerja import audit, notify
from kinerja.core.assignments import serving
from kinerja.extensions import db
from kinerja.models import (
    Agency,
    Assignment,
    Employee,
    Leave,
    Position,
    Role,
    Roster,
    RosterEntry,
    RosterStatus,
    Unit,
    User,
    UserRole,
    WorkMode,
)
from kinerja.roster.caps import cap_percents, lock_agency
from kinerja.roster.plan import capacity
from kinerja.roster.queries import roster_days

SCHEDULE_LINK = "/presensi/jadwal-saya"


def period(first: date, last: date) -> str:
    return f"{first:%d-%m-%Y}" if first == last else f"{first:%d-%m-%Y} – {last:%d-%m-%Y}"


def admins_of(agency_id: int) -> list[int]:
    """The accounts administering the agency (its agency admins)."""
    return list(db.session.scalars(select(UserRole.user_id).join(User, User.id == UserRole.user_id).where(
        UserRole.role == Role.AGENCY_ADMIN, UserRole.agency_id == agency_id, User.is_enabled.is_(True))))


def follow_assignments(actor: User, employee: Employee, start: date) -> None:
    """Bring the employee's roster days from `start` in line with their assignments (flushed before)."""
    db.session.flush()
    release(actor, employee, start)
    admit(actor, employee, start)


def release(actor: User, employee: Employee, start: date) -> None:
    """Remove the employee's roster days from `start` on which they no longer serve the roster's agency."""
    rows = db.session.execute(
        select(RosterEntry.id, RosterEntry.day, Roster.id, Roster.agency_id, Roster.start_date, Roster.end_date)
        .join(Roster, Roster.id == RosterEntry.roster_id)
        .where(RosterEntry.employee_id == employee.id, RosterEntry.day >= start,
               ~serving(RosterEntry.employee_id, Roster.agency_id, RosterEntry.day))
        .order_by(Roster.id, RosterEntry.day)).all()
    if not rows:
        return
    by_roster: dict[tuple[int, int, date, date], list[date]] = defaultdict(list)
    for _entry_id, day, roster_id, agency_id, first, last in rows:
        by_roster[roster_id, agency_id, first, last].append(day)
    db.session.execute(delete(RosterEntry).where(RosterEntry.id.in_([row[0] for row in rows]))
                       .execution_options(synchronize_session=False))
    changes, notices = [], []
    for (roster_id, agency_id, first, last), days in by_roster.items():
        note = f"{employee.full_name}: {period(days[0], days[-1])} ({len(days)})"
        changes.append(audit.Change("roster", roster_id, "release_roster_days", str(len(days)), None, agency_id,
                                    reason=note))
        params = {"name": employee.full_name, "day": f"{days[0]:%d-%m-%Y}", "n": len(days),
                  "roster": period(first, last)}
        notices += [notify.Notice(user_id, "roster_left", params, link=f"/opd/{agency_id}/jadwal/{roster_id}")
                    for user_id in admins_of(agency_id)]
    audit.record_many(actor, changes)
    notify.send(notices)


def served_days(employee_id: int, start: date) -> list[tuple[int, int, bool, date, date | None]]:
    """(agency, unit, essential, from, to) of the employee's assignments running on or after `start`."""
    return [(agency_id, unit_id, unit_essential or position_essential, valid_from, valid_to)
            for agency_id, unit_id, unit_essential, position_essential, valid_from, valid_to in db.session.execute(
        select(Assignment.agency_id, Assignment.unit_id, Unit.essential, Position.essential,
               Assignment.valid_from, Assignment.valid_to)
        .join(Unit, Unit.id == Assignment.unit_id).join(Position, Position.id == Assignment.position_id)
        .where(Assignment.employee_id == employee_id,
               or_(Assignment.valid_to.is_(None), Assignment.valid_to >= start))
        .order_by(Assignment.valid_from))]


def admit(actor: User, employee: Employee, start: date) -> None:
    """Add the employee to the rosters of the agencies they serve from `start`, on their working days there
    without leave, WFO where the day still has a place under the cap and their share of office days allows it
    (essential staff always), else WFH."""
    if not employee.active:
        return
    served = served_days(employee.id, start)
    if not served:
        return
    agency_ids = {agency_id for agency_id, *_rest in served}
    rosters = list(db.session.scalars(select(Roster).where(
        Roster.agency_id.in_(agency_ids), Roster.end_date >= start).order_by(Roster.start_date)))
    if not rosters:
        return
    leave = list(db.session.scalars(select(Leave).where(Leave.employee_id == employee.id, Leave.end_date >= start)))
    for roster in rosters:
        join_roster(actor, employee, roster, start, served, leave)


def join_roster(actor: User, employee: Employee, roster: Roster, start: date,
                served: list[tuple[int, int, bool, date, date | None]], leave: list[Leave]) -> None:
    agency = db.session.get(Agency, roster.agency_id)
    present = {entry.day: entry.mode for entry in db.session.scalars(select(RosterEntry).where(
        RosterEntry.roster_id == roster.id, RosterEntry.employee_id == employee.id))}
    days: list[tuple[date, bool]] = []
    for day in roster_days(agency, max(start, roster.start_date), roster.end_date):
        covering = [row for row in served if row[0] == roster.agency_id and row[3] <= day
                    and (row[4] is None or row[4] >= day)]
        on_leave = any(item.start_date <= day <= item.end_date for item in leave)
        if covering and not on_leave and day not in present:
            days.append((day, covering[-1][2]))
    if not days:
        return
    lock_agency(roster.agency_id)  # the room left under the cap, as a cell edit counts it
    percents = cap_percents(roster.agency_id, [day for day, _essential in days])
    counts: dict[date, list[WorkMode]] = defaultdict(list)
    for day, mode in db.session.execute(
            select(RosterEntry.day, RosterEntry.mode).join(Roster, Roster.id == RosterEntry.roster_id)
            .where(RosterEntry.roster_id == roster.id, RosterEntry.day.in_([day for day, _e in days]),
                   serving(RosterEntry.employee_id, Roster.agency_id, RosterEntry.day))):
        counts[day].append(mode)
    rows, office, share = [], 0, 0
    for day, essential in days:
        percent = percents[day]
        share += 100 if percent is None else percent
        modes = counts[day]
        room = modes.count(WorkMode.WFO) < capacity(len(modes) + 1, percent)
        on_site = essential or (room and office < (share + 50) // 100)
        office += on_site
        rows.append({"roster_id": roster.id, "employee_id": employee.id, "day": day,
                     "mode": WorkMode.WFO if on_site else WorkMode.WFH, "essential": essential, "manual": False})
    db.session.execute(insert(RosterEntry), rows)
    first, last = days[0][0], days[-1][0]
    audit.record(actor, audit.Change("roster", roster.id, "admit_roster_days", None, str(len(rows)),
                                     roster.agency_id,
                                     reason=f"{employee.full_name}: {period(first, last)} ({len(rows)}, "
                                            f"WFO {office})"))
    params = {"name": employee.full_name, "day": f"{first:%d-%m-%Y}", "n": len(rows),
              "roster": period(roster.start_date, roster.end_date)}
    notices = [notify.Notice(user_id, "roster_joined", params, link=f"/opd/{roster.agency_id}/jadwal/{roster.id}")
               for user_id in admins_of(roster.agency_id)]
    if roster.status is RosterStatus.PUBLISHED:
        notices += [notify.Notice(user_id, "roster_published",
                                  {"agency": agency.short_name, "start": f"{roster.start_date:%d-%m-%Y}",
                                   "end": f"{roster.end_date:%d-%m-%Y}"}, link=SCHEDULE_LINK)
                    for user_id in db.session.scalars(select(User.id).where(User.employee_id == employee.id))]
    notify.send(notices)
