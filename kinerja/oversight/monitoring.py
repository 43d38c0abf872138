"""Who has filed (submitted for review, kinerja.core.filing): per unit and per employee of an agency for a month
(for heads, admins and BKD)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from kinerja.core.filing import filed_days
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus, Agency, Assignment, Leave
from kinerja.workcalendar import holidays_between, is_weekend, month_days

SORT_KEYS = ("name", "filed", "waiting", "oldest", "returned")


@dataclass
class Progress:
    assignment: Assignment
    working_days: int
    days_filed: int
    waiting: int
    oldest_waiting: datetime | None
    returned: int
    approved: int

    @property
    def filed_percent(self) -> float:
        return 100.0 * self.days_filed / self.working_days if self.working_days else 0.0


def agency_progress(agency: Agency, month: date, today: date, sort: str = "name") -> list[Progress]:
    """Every employee assigned to the agency during the month, in six queries whatever the headcount."""
    start, end = month_days(month.year, month.month)
    until = min(end, today)
    assignments = list(db.session.scalars(
        select(Assignment)
        .where(Assignment.agency_id == agency.id, Assignment.valid_from <= end,
               or_(Assignment.valid_to.is_(None), Assignment.valid_to >= start))
        .options(joinedload(Assignment.employee), joinedload(Assignment.unit), joinedload(Assignment.position))
        .order_by(Assignment.valid_from)
    ))
    latest = {assignment.employee_id: assignment for assignment in assignments}  # the last one in the month
    ids = list(latest)
    counts: dict[int, dict[ActivityStatus, int]] = defaultdict(lambda: defaultdict(int))
    oldest: dict[int, datetime] = {}
    filed: dict[int, int] = {}
    if ids:
        in_month = and_(Activity.employee_id.in_(ids), Activity.activity_date.between(start, end))
        for employee_id, status, number, first in db.session.execute(
            select(Activity.employee_id, Activity.status, func.count(), func.min(Activity.submitted_at))
            .where(in_month).group_by(Activity.employee_id, Activity.status)
        ):
            counts[employee_id][status] = number
            if status is ActivityStatus.SUBMITTED and first is not None:
                oldest[employee_id] = first
        filed = {employee_id: len(days) for employee_id, days in filed_days(start, end, ids).items()}
    days_off = holidays_between(start, end)
    working = [start + timedelta(days=n) for n in range((until - start).days + 1)] if until >= start else []
    working = [day for day in working if not is_weekend(day, agency.work_week) and day not in days_off]
    leave_days: dict[int, set[date]] = defaultdict(set)
    for leave in db.session.scalars(select(Leave).where(Leave.employee_id.in_(ids), Leave.start_date <= until,
                                                        Leave.end_date >= start)):
        leave_days[leave.employee_id].update(day for day in working if leave.start_date <= day <= leave.end_date)
    rows = [
        Progress(
            assignment=assignment,
            working_days=len(working) - len(leave_days[employee_id]),
            days_filed=filed.get(employee_id, 0),
            waiting=counts[employee_id][ActivityStatus.SUBMITTED],
            oldest_waiting=oldest.get(employee_id),
            returned=counts[employee_id][ActivityStatus.RETURNED],
            approved=counts[employee_id][ActivityStatus.APPROVED],
        )
        for employee_id, assignment in latest.items()
    ]
    keys = {
        "name": lambda row: (row.assignment.unit.code, row.assignment.employee.name),
        "filed": lambda row: (row.filed_percent, row.assignment.employee.name),
        "waiting": lambda row: (-row.waiting, row.assignment.employee.name),
        "oldest": lambda row: (row.oldest_waiting.timestamp() if row.oldest_waiting else float("inf"),),
        "returned": lambda row: (-row.returned, row.assignment.employee.name),
    }
    return sorted(rows, key=keys.get(sort, keys["name"]))


@dataclass
class UnitTotal:
    name: str
    staff: int
    working_days: int
    days_filed: int
    waiting: int
    returned: int

    @property
    def filed_percent(self) -> float:
        return 100.0 * self.days_filed / self.working_days if self.working_days else 0.0


def unit_totals(rows: list[Progress]) -> list[UnitTotal]:
    units: dict[str, UnitTotal] = {}
    for row in sorted(rows, key=lambda item: item.assignment.unit.code):
        unit = row.assignment.unit
        total = units.setdefault(unit.code, UnitTotal(unit.name, 0, 0, 0, 0, 0))
        total.staff += 1
        total.working_days += row.working_days
        total.days_filed += row.days_filed
        total.waiting += row.waiting
        total.returned += row.returned
    return list(units.values())
