"""Read-only queries of the attendance pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, bindparam, select
from sqlalchemy.orm import selectinload

from kinerja import clock
from kinerja.attendance import sessions
from kinerja.attendance.access import reviewer_condition
from kinerja.core.assignments import assignment_on
from kinerja.database import paginate_counted, request_memo
from kinerja.extensions import db
from kinerja.models import (
    Agency,
    AttendanceFlag,
    AttendanceKind,
    AttendanceRecord,
    AttendanceSession,
    FlagStatus,
    Office,
    User,
    WorkMode,
)
from kinerja.workcalendar import holidays_between, is_weekend, month_days


@dataclass(frozen=True)
class SessionState:
    """A session held today, and where the person stands with it now."""

    session: AttendanceSession
    record: AttendanceRecord | None
    required: bool | None  # None until the check-in gives the day's work mode
    open_now: bool
    over: bool

    @property
    def kind(self) -> AttendanceKind:
        return self.session.kind

    @property
    def window(self) -> str:
        return sessions.window_label(self.session)


@dataclass(frozen=True)
class Today:
    check_in: AttendanceRecord | None
    check_out: AttendanceRecord | None
    sessions: tuple[SessionState, ...] = ()

    @property
    def next_kind(self) -> AttendanceKind | None:
        """What the page offers now: check-in, then a required session while its window is open, then
        check-out, then nothing."""
        if self.check_in is None:
            return AttendanceKind.IN
        if self.check_out is not None:
            return None
        session = next((state for state in self.sessions
                        if state.required and state.open_now and state.record is None), None)
        return session.kind if session is not None else AttendanceKind.OUT

    @property
    def upcoming(self) -> SessionState | None:
        """The next required session still to open (a hint beside the check-out)."""
        if self.check_in is None or self.check_out is not None:
            return None
        return next((state for state in self.sessions
                     if state.required and state.record is None and not state.open_now and not state.over), None)

    @property
    def missed(self) -> list[SessionState]:
        return [state for state in self.sessions if state.required and state.record is None and
                (state.over or self.check_out is not None)]


def today_of(employee_id: int, day: date, now: time | None = None, working: bool = True) -> Today:
    """The day's records and, on a working day, its sessions as they stand at `now` (the agency's local time)."""
    records = {record.kind: record for record in db.session.scalars(
        day_records_statement(), {"employee_id": employee_id, "day": day})}
    check_in = records.get(AttendanceKind.IN)
    states = []
    if working:
        moment = now or time(0)
        for session in sessions.held_on(sessions.kept_sessions_on(day), day):
            states.append(SessionState(
                session, records.get(session.kind),
                required=session.required_of(check_in.mode) if check_in is not None else None,
                open_now=session.opens <= moment <= session.closes, over=moment > session.closes))
    return Today(check_in, records.get(AttendanceKind.OUT), tuple(states))


@cache
def day_records_statement():
    """Built once with bound parameters: the home page and the attendance page ask it on every view."""
    return (select(AttendanceRecord)
            .where(AttendanceRecord.employee_id == bindparam("employee_id", type_=Integer),
                   AttendanceRecord.day == bindparam("day", type_=Date))
            .options(selectinload(AttendanceRecord.office)))


def today_status(employee_id: int) -> tuple[date, Today]:
    """Today in the agency's time zone and where the person stands: what the attendance page and API show."""
    assignment = assignment_on(employee_id, clock.today())
    if assignment is None:
        return clock.today(), today_of(employee_id, clock.today(), working=False)
    local = clock.now(assignment.agency.timezone)
    day = local.date()
    working = not is_weekend(day, assignment.agency.work_week) and day not in holidays_between(day, day)
    return day, today_of(employee_id, day, local.time().replace(tzinfo=None), working)


@dataclass(frozen=True)
class OfficeName:
    name: str
    radius_m: int


@dataclass(frozen=True)
class HistoryRow:
    """A record as the attendance page's history shows it (the fields `record_details` and `attendance_time`
    read): plain rows, not 25 records and their offices loaded into the session on every view."""
    id: int
    agency_id: int
    day: date
    kind: AttendanceKind
    at: datetime
    mode: WorkMode
    distance_m: float | None
    assignment_letter: str | None
    late_minutes: int
    early_minutes: int
    off_day: bool
    office: OfficeName | None


def history_row(*columns) -> HistoryRow:
    *fields, office_name, radius_m = columns
    return HistoryRow(*fields, OfficeName(office_name, radius_m) if office_name is not None else None)


def month_history(employee_id: int, month: date, page: int, per_page: int):
    """The person's records of the month, newest first, paginated (items are `HistoryRow`s)."""
    first, last = month_days(month.year, month.month)
    query = month_history_statement().params(employee_id=employee_id, first=first, last=last)
    return paginate_counted(query, page, per_page, convert=history_row)


@cache
def month_history_statement():
    """Built once with bound parameters (the attendance page shows the month on every view). The page shows no
    flags: the reviewers' page does."""
    record = AttendanceRecord
    return (select(record.id, record.agency_id, record.day, record.kind, record.at, record.mode, record.distance_m,
                   record.assignment_letter, record.late_minutes, record.early_minutes, record.off_day,
                   Office.name, Office.radius_m)
            .outerjoin(Office, Office.id == record.office_id)
            .where(record.employee_id == bindparam("employee_id", type_=Integer),
                   record.day.between(bindparam("first", type_=Date), bindparam("last", type_=Date)))
            .order_by(record.day.desc(), record.at.desc()))


def open_flags(user: User, page: int, per_page: int):
    """Records with open flags that the user reviews, oldest first, paginated."""
    waiting = select(AttendanceFlag.record_id).where(AttendanceFlag.status == FlagStatus.OPEN)
    query = (select(AttendanceRecord)
             .where(AttendanceRecord.id.in_(waiting), reviewer_condition(user))
             .order_by(AttendanceRecord.at, AttendanceRecord.id)
             .options(selectinload(AttendanceRecord.employee), selectinload(AttendanceRecord.office),
                      selectinload(AttendanceRecord.flags)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def agency_zone(agency_id: int) -> ZoneInfo:
    """The agency's time zone, kept for the request: a page of attendance records shows each one's time in the
    zone of the agency it was made at, and reaching it through every record's relationship cost more than the
    rest of the row."""
    memo = request_memo()
    key = ("agency_zone", agency_id)
    if memo is not None and key in memo:
        return memo[key]
    found = clock.zone(db.session.get(Agency, agency_id).timezone)  # usually in the session already
    if memo is not None:
        memo[key] = found
    return found
