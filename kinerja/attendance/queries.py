"""Read-only queries of the attendance pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kinerja.attendance.access import reviewer_condition
from kinerja.extensions import db
from kinerja.models import AttendanceFlag, AttendanceKind, AttendanceRecord, FlagStatus, User
from kinerja.workcalendar import month_days


@dataclass(frozen=True)
class Today:
    check_in: AttendanceRecord | None
    check_out: AttendanceRecord | None

    @property
    def next_kind(self) -> AttendanceKind | None:
        """What the page offers now: check-in, then check-out, then nothing."""
        if self.check_in is None:
            return AttendanceKind.IN
        if self.check_out is None:
            return AttendanceKind.OUT
        return None


def today_of(employee_id: int, day: date) -> Today:
    records = {record.kind: record for record in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.employee_id == employee_id, AttendanceRecord.day == day)
        .options(selectinload(AttendanceRecord.office)))}
    return Today(records.get(AttendanceKind.IN), records.get(AttendanceKind.OUT))


def month_history(employee_id: int, month: date, page: int, per_page: int):
    """The person's records of the month, newest first, paginated."""
    first, last = month_days(month.year, month.month)
    query = (select(AttendanceRecord)
             .where(AttendanceRecord.employee_id == employee_id, AttendanceRecord.day.between(first, last))
             .order_by(AttendanceRecord.day.desc(), AttendanceRecord.at.desc())
             .options(selectinload(AttendanceRecord.office), selectinload(AttendanceRecord.flags)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def open_flags(user: User, page: int, per_page: int):
    """Records with open flags that the user reviews, oldest first, paginated."""
    waiting = select(AttendanceFlag.record_id).where(AttendanceFlag.status == FlagStatus.OPEN)
    query = (select(AttendanceRecord)
             .where(AttendanceRecord.id.in_(waiting), reviewer_condition(user))
             .order_by(AttendanceRecord.at, AttendanceRecord.id)
             .options(selectinload(AttendanceRecord.employee), selectinload(AttendanceRecord.office),
                      selectinload(AttendanceRecord.flags)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
