"""Read models of the review pages, in a fixed number of queries however many items wait."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from kinerja.core import signatory
from kinerja.extensions import db
from kinerja.main.services import subordinates
from kinerja.models import (
    Activity,
    ActivityComment,
    ActivityStatus,
    Assignment,
    AuditEntry,
    Employee,
    MonthlyActivity,
    User,
)
from kinerja.review.flags import Flag, flags_for
from kinerja.review.rights import reviewable, reviewable_monthly
from kinerja.workcalendar import month_days


@dataclass
class InboxRow:
    employee: Employee
    assignment: Assignment | None
    waiting: int
    oldest: datetime | None
    via_acting: bool


def waiting_counts(user: User, today: date) -> dict[int, tuple[int, datetime | None]]:
    pending = reviewable(user, today).where(Activity.status == ActivityStatus.SUBMITTED).subquery()
    rows = db.session.execute(
        select(pending.c.employee_id, func.count(), func.min(pending.c.submitted_at)).group_by(pending.c.employee_id)
    )
    return {employee_id: (count, oldest) for employee_id, count, oldest in rows}


def inbox(user: User, today: date) -> list[InboxRow]:
    """Current subordinates (direct and via Plh/Plt) and anyone else whose items wait for the user."""
    waiting = waiting_counts(user, today)
    rows: dict[int, InboxRow] = {}
    if user.employee_id is not None:
        for row in subordinates(user.employee_id, today):
            count, oldest = waiting.get(row.assignment.employee_id, (0, None))
            rows[row.assignment.employee_id] = InboxRow(row.assignment.employee, row.assignment, count, oldest,
                                                        row.via_acting)
    others = set(waiting) - set(rows)
    if others:
        for employee in db.session.scalars(select(Employee).where(Employee.id.in_(others))):
            count, oldest = waiting[employee.id]
            rows[employee.id] = InboxRow(employee, None, count, oldest, False)
    return sorted(rows.values(), key=lambda row: (
        -row.waiting, row.oldest.timestamp() if row.oldest else float("inf"), row.employee.name
    ))


@dataclass
class ReviewItem:
    activity: Activity
    agency_id: int
    acting_for: int | None
    flags: set[Flag]


@dataclass
class ReviewDay:
    day: date
    items: list[ReviewItem]

    @property
    def minutes(self) -> int:
        return sum(item.activity.duration_minutes for item in self.items)

    @property
    def waiting_ids(self) -> list[int]:
        return [item.activity.id for item in self.items if item.activity.status is ActivityStatus.SUBMITTED]


def employee_month(user: User, employee_id: int, month: date, today: date) -> list[ReviewDay]:
    """The employee's activities of the month that the user reviews, grouped by day, with evidence, thread
    and flags (flags only for items still waiting)."""
    start, end = month_days(month.year, month.month)
    rows = db.session.execute(
        reviewable(user, today)
        .where(Activity.employee_id == employee_id, Activity.activity_date.between(start, end))
        .options(selectinload(Activity.evidence))
        .order_by(Activity.activity_date, Activity.start_time)
    ).all()
    waiting = [(row.Activity, row.agency_id) for row in rows if row.Activity.status is ActivityStatus.SUBMITTED]
    flags = flags_for(waiting)
    days: dict[date, list[ReviewItem]] = defaultdict(list)
    for row in rows:
        days[row.Activity.activity_date].append(
            ReviewItem(row.Activity, row.agency_id, row.acting_for, flags.get(row.Activity.id, set()))
        )
    return [ReviewDay(day, items) for day, items in days.items()]


def stand_in_decisions(activities: Iterable[Activity]) -> dict[int, str]:
    """Per activity decided by a Plh/Plt, who decided it in the official form ("<name>, Plh. <position>")."""
    acts = {activity.id: signatory.Act(activity.reviewer_id, activity.reviewed_for_id,
                                       signatory.day_of(activity.reviewed_at))
            for activity in activities if activity.reviewed_for_id is not None and activity.reviewed_at is not None}
    names = signatory.names(acts.values())
    return {activity_id: names[act] for activity_id, act in acts.items() if act in names}


def comment_counts(activity_ids: list[int]) -> dict[int, int]:
    if not activity_ids:
        return {}
    return dict(db.session.execute(
        select(ActivityComment.activity_id, func.count())
        .where(ActivityComment.activity_id.in_(activity_ids)).group_by(ActivityComment.activity_id)
    ).all())


def candidates(user: User, today: date, *, ids: list[int] | None = None, employee_ids: list[int] | None = None,
               start: date | None = None, end: date | None = None) -> list[ReviewItem]:
    """Waiting items for a bulk approval: chosen ids, or everything of some people (optionally in a period)."""
    query = (reviewable(user, today).where(Activity.status == ActivityStatus.SUBMITTED)
             .options(joinedload(Activity.employee)).order_by(Activity.employee_id, Activity.activity_date,
                                                              Activity.start_time))
    if ids is not None:
        query = query.where(Activity.id.in_(ids))
    if employee_ids is not None:
        query = query.where(Activity.employee_id.in_(employee_ids))
    if start is not None and end is not None:
        query = query.where(Activity.activity_date.between(start, end))
    rows = db.session.execute(query).all()
    flags = flags_for((row.Activity, row.agency_id) for row in rows)
    return [ReviewItem(row.Activity, row.agency_id, row.acting_for, flags[row.Activity.id]) for row in rows]


def thread(activity_id: int) -> list[ActivityComment]:
    return list(db.session.scalars(
        select(ActivityComment).where(ActivityComment.activity_id == activity_id).order_by(ActivityComment.id)
    ))


def history(activity_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "activity", AuditEntry.object_id == activity_id)
        .order_by(AuditEntry.id)
    ))


def monthly_items(user: User, employee_id: int, month: date, today: date) -> list:
    """The employee's monthly activities of the month that the user reviews (rows with agency_id, acting_for),
    with the IKI each realises."""
    return db.session.execute(
        reviewable_monthly(user, today, month).where(MonthlyActivity.employee_id == employee_id)
        .options(selectinload(MonthlyActivity.indicator)).order_by(MonthlyActivity.id)
    ).all()
