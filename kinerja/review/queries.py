"""Read models of the review pages, in a fixed number of queries however many items wait."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, Integer, Select, bindparam, case, cast, func, null, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from kinerja import clock
from kinerja.core import signatory
from kinerja.core.people import PersonRow, person_columns
from kinerja.extensions import db
from kinerja.main.services import RowPagination
from kinerja.models import (
    Activity,
    ActivityComment,
    ActivityStatus,
    Assignment,
    AuditEntry,
    Employee,
    MonthlyActivity,
    Position,
    Unit,
    User,
)
from kinerja.review.flags import Flag, flags_for
from kinerja.review.rights import (
    BOUND,
    Shape,
    restrict_to_reviewer,
    reviewable,
    reviewable_monthly,
    reviewer_scope,
    scope_values,
    shape_of,
)
from kinerja.workcalendar import month_days


@dataclass
class InboxRow:
    employee: PersonRow
    position: str | None  # None: not a subordinate, but their items wait for the user (kinerja.review.rights)
    unit: str | None
    waiting: int
    oldest: datetime | None
    via_acting: bool
    oldest_days: int | None  # how many days the oldest waiting item has waited, in local days


@cache
def waiting_counts_statement(shape: Shape) -> Select:
    """Waiting items per owner under the reviewer rule (columns employee_id, waiting, oldest), built once per shape
    of scope with bound parameters (composing it cost more than running it: a subquery of the rule's joins and
    aliases). The rule depends only on the owner and the day (the assignments in force then), so the items are
    counted per owner and day first, among the people the reviewer might review, and the rule's joins run once
    per owner-day, not once per item."""
    per_day = select(Activity.employee_id, Activity.activity_date, func.count().label("waiting"),
                     func.min(Activity.submitted_at).label("oldest")).where(
        Activity.status == ActivityStatus.SUBMITTED)
    if shape.appraisers or shape.agencies:
        per_day = per_day.where(Activity.employee_id.in_(BOUND["candidates"]))
    per_day = per_day.group_by(Activity.employee_id, Activity.activity_date).subquery()
    decided = restrict_to_reviewer(select(per_day.c.employee_id, per_day.c.waiting, per_day.c.oldest), shape,
                                   per_day.c.employee_id, per_day.c.activity_date,
                                   **{**BOUND, "candidates": None}).subquery()
    return (select(decided.c.employee_id, func.sum(decided.c.waiting).label("waiting"),
                   func.min(decided.c.oldest).label("oldest"))
            .group_by(decided.c.employee_id))


@cache
def inbox_statement(shape: Shape, paged: bool) -> Select:
    """The inbox's rows in the inbox's order: everyone with items waiting for the user (`waiting_counts_statement`)
    and, for a user who is an employee, their current subordinates (direct, and of whom they stand in for today;
    with the position and unit of that assignment), with how many rows there are and how many of them wait,
    counted before LIMIT. Paged, the database sorts and keeps only the page: a head's team of 150 builds 25 rows,
    not 150 sorted in Python. Built once per shape and paging with bound parameters."""
    waiting = waiting_counts_statement(shape).subquery()
    parts = [select(waiting.c.employee_id, waiting.c.waiting, waiting.c.oldest,
                    cast(null(), Integer).label("assignment_id"), cast(null(), Integer).label("appraiser_id"))]
    if shape.appraisers:  # the user is an employee: their own and their stand-ins' subordinates
        parts.append(select(Assignment.employee_id, null(), null(), Assignment.id, Assignment.appraiser_id)
                     .join(Employee, Employee.id == Assignment.employee_id)
                     .where(Assignment.active_on(bindparam("on", type_=Date)),
                            Assignment.appraiser_id.in_(BOUND["appraisers"]),
                            Assignment.employee_id != BOUND["own"], Employee.active.is_(True)))
    everyone = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    person = (select(everyone.c.employee_id, func.max(everyone.c.waiting).label("waiting"),
                     func.min(everyone.c.oldest).label("oldest"),
                     func.max(everyone.c.assignment_id).label("assignment_id"),
                     func.max(everyone.c.appraiser_id).label("appraiser_id"))
              .group_by(everyone.c.employee_id).subquery())
    waiting_items = func.coalesce(person.c.waiting, 0)
    query = (
        select(*person_columns(), Position.name, Unit.name, person.c.appraiser_id, waiting_items, person.c.oldest,
               func.count().over(), func.count(person.c.waiting).over())
        .select_from(person).join(Employee, Employee.id == person.c.employee_id)
        .outerjoin(Assignment, Assignment.id == person.c.assignment_id)
        .outerjoin(Position, Position.id == Assignment.position_id).outerjoin(Unit, Unit.id == Assignment.unit_id)
        .order_by(waiting_items.desc(), case((person.c.oldest.is_(None), 1), else_=0), person.c.oldest,
                  Employee.name, Employee.id_number)
    )
    if paged:
        query = query.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    return query


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    total: int  # people listed, on every page
    waiting_people: int  # of whom have items waiting


def inbox(user: User, today: date, page: int | None = None, per_page: int = 0) -> Inbox:
    """Everyone whose items wait for the user and the user's current subordinates (direct and via Plh/Plt), those
    with the most waiting items first, then the oldest waiting, then by name: one page of them (`page`, from 1),
    or all when `page` is None."""
    scope = reviewer_scope(user, today)
    if scope.empty:
        return Inbox([], 0, 0)
    values = {**scope_values(scope), "on": today}
    if page is not None:
        values.update(limit=per_page, offset=(page - 1) * per_page)
    statement = inbox_statement(shape_of(scope), page is not None)
    found = db.session.execute(statement, values).all()
    counted = found
    if not found and page is not None and page > 1:  # past the end: no row carries the counts
        counted = db.session.execute(statement, {**values, "offset": 0, "limit": 1}).all()
    total, waiting_people = counted[0][-2:] if counted else (0, 0)
    zone = clock.zone()
    rows = [InboxRow(PersonRow(*person), position, unit, int(waiting), oldest,  # int(): a sum is DECIMAL elsewhere
                     appraiser_id is not None and appraiser_id != user.employee_id,
                     (today - oldest.astimezone(zone).date()).days if oldest is not None else None)
            for *person, position, unit, appraiser_id, waiting, oldest, _total, _waiting in found]
    return Inbox(rows, total, waiting_people)


class InboxPagination(Pagination):
    """The inbox's page (`inbox`) for the `pagination` macro: the rows and the counts come in one statement."""

    def _query_items(self) -> list:
        self._inbox = inbox(self._query_args["user"], self._query_args["today"], self.page, self.per_page)
        return self._inbox.rows

    def _query_count(self) -> int:
        return self._inbox.total

    @property
    def waiting_people(self) -> int:
        return self._inbox.waiting_people


@dataclass
class ReviewItem:
    activity: Activity
    agency_id: int
    acting_for: int | None
    flags: set[Flag]


@dataclass
class ReviewDay:
    day: date
    items: list[ReviewItem]  # those of the tab and page shown
    minutes: int  # the whole day's submitted and decided minutes, whatever the tab shows

    @property
    def waiting_ids(self) -> list[int]:
        return [item.activity.id for item in self.items if item.activity.status is ActivityStatus.SUBMITTED]


# The per-employee page's tabs: query value → the statuses shown (drafts are the owner's own business).
MONTH_TABS: dict[str, tuple[ActivityStatus, ...]] = {
    "menunggu": (ActivityStatus.SUBMITTED,),
    "dikembalikan": (ActivityStatus.RETURNED,),
    "disetujui": (ActivityStatus.APPROVED,),
    "semua": (ActivityStatus.SUBMITTED, ActivityStatus.RETURNED, ActivityStatus.APPROVED),
}


def month_reviewable(user: User, employee_id: int, month: date, today: date) -> Select:
    start, end = month_days(month.year, month.month)
    return reviewable(user, today).where(Activity.employee_id == employee_id,
                                         Activity.activity_date.between(start, end))


def employee_month_counts(user: User, employee_id: int, month: date, today: date) -> dict[str, int]:
    """How many of the employee's items of the month the user reviews fall under each tab, in one query."""
    items = month_reviewable(user, employee_id, month, today).subquery()
    by_status = dict(db.session.execute(select(items.c.status, func.count()).group_by(items.c.status)).all())
    return {tab: sum(by_status.get(status, 0) for status in statuses) for tab, statuses in MONTH_TABS.items()}


def review_items(rows: Iterable) -> list[ReviewItem]:
    """Review items of (activity, agency id, acting for) rows, with the flags of those still waiting."""
    items = [ReviewItem(activity, agency_id, acting_for, set()) for activity, agency_id, acting_for in rows]
    flags = flags_for((item.activity, item.agency_id) for item in items
                      if item.activity.status is ActivityStatus.SUBMITTED)
    for item in items:
        item.flags = flags.get(item.activity.id, set())
    return items


def employee_month(user: User, employee_id: int, month: date, today: date) -> list[ReviewItem]:
    """All the employee's activities of the month that the user reviews, oldest first, with evidence and flags
    (the API's month)."""
    return review_items(db.session.execute(
        month_reviewable(user, employee_id, month, today).options(selectinload(Activity.evidence))
        .order_by(Activity.activity_date, Activity.start_time)
    ).all())


def employee_month_page(user: User, employee_id: int, month: date, today: date, tab: str, page: int,
                        per_page: int) -> tuple[list[ReviewDay], Pagination]:
    """One page of the employee's activities of the month that the user reviews, in the tab's statuses, newest
    day first (each day in time order), grouped by day, with evidence and flags (flags only for items still
    waiting)."""
    query = (
        month_reviewable(user, employee_id, month, today).where(Activity.status.in_(MONTH_TABS[tab]))
        .options(selectinload(Activity.evidence))
        .order_by(Activity.activity_date.desc(), Activity.start_time, Activity.id)
    )
    rows = RowPagination(page=page, per_page=per_page, error_out=False, select=query, convert=lambda *row: row)
    days: dict[date, list[ReviewItem]] = defaultdict(list)
    for item in review_items(rows.items):
        days[item.activity.activity_date].append(item)
    minutes = dict(db.session.execute(
        select(Activity.activity_date, func.sum(Activity.duration_minutes))
        .where(Activity.employee_id == employee_id, Activity.activity_date.in_(list(days)),
               Activity.status.in_(MONTH_TABS["semua"]))
        .group_by(Activity.activity_date)
    ).all()) if days else {}
    return [ReviewDay(day, day_items, minutes.get(day, 0)) for day, day_items in days.items()], rows


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
    return review_items(db.session.execute(query).all())


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
