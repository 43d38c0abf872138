"""Who reviews an activity, as one SQL expression shared by the inbox, single decisions and bulk approval.

The reviewer of an activity is its owner's appraiser in the assignment valid on the activity's date (so a
transfer mid-month leaves earlier items with the earlier appraiser). A Plh/Plt reviews for the absent
appraiser while their acting assignment is active on the day of the decision, and the decision records
whom they stood in for. When the appraiser is no longer active, the items go up to the appraiser's own
appraiser (ORPHAN_REVIEW_ROUTE = "next_appraiser", the default) or to the agency's admins
("agency_admin"); items of someone with no appraiser at all go to the agency's admins. Nobody reviews their
own items.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from flask import abort, current_app, g
from sqlalchemy import Select, and_, bindparam, case, false, literal, or_, select, union
from sqlalchemy.orm import aliased

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import Activity, Assignment, Employee, MonthlyActivity, User
from kinerja.models.people import active_on
from kinerja.permissions import absent_ids, admin_agency_ids, subordinates_select
from kinerja.workcalendar import month_days


@dataclass(frozen=True)
class ReviewerScope:
    own_id: int | None
    absent_ids: frozenset[int]
    admin_agencies: frozenset[int]
    candidates: frozenset[int] = frozenset()  # `candidate_owners`: everyone whose items the scope might decide

    @property
    def appraiser_ids(self) -> set[int]:
        return ({self.own_id} if self.own_id else set()) | set(self.absent_ids)

    @property
    def empty(self) -> bool:
        return not self.appraiser_ids and not self.admin_agencies


def reviewer_scope(user: User, today: date) -> ReviewerScope:
    """Whom the user reviews for today; worked out once per request (or app context)."""
    key = ("kinerja_reviewer_scope", user.id, today)
    cached = g.get("kinerja_reviewer_scope")
    if cached is not None and cached[0] == key:
        return cached[1]
    absent = absent_ids(user.employee_id, today) if user.employee_id else frozenset()
    scope = ReviewerScope(user.employee_id, absent, frozenset(admin_agency_ids(user)))
    if not scope.empty:
        scope = replace(scope, candidates=frozenset(db.session.scalars(
            candidates_statement(shape_of(scope)), scope_values(scope))))
    g.kinerja_reviewer_scope = (key, scope)
    return scope


@dataclass(frozen=True)
class Shape:
    """What the reviewer rule's SQL looks like for a scope: which of its parts apply, and the orphan route."""
    appraisers: bool
    absent: bool
    agencies: bool
    route: str


def shape_of(scope: ReviewerScope) -> Shape:
    return Shape(bool(scope.appraiser_ids), bool(scope.absent_ids), bool(scope.admin_agencies),
                 current_app.config["ORPHAN_REVIEW_ROUTE"])


def scope_values(scope: ReviewerScope) -> dict[str, object]:
    """The scope's ids as `restrict_to_reviewer` takes them, and as the values of its `BOUND` parameters."""
    return {"appraisers": sorted(scope.appraiser_ids), "absent": sorted(scope.absent_ids),
            "agencies": sorted(scope.admin_agencies), "own": scope.own_id or -1,
            "candidates": sorted(scope.candidates)}


# The same arguments as bound parameters of the same names, for a statement built once per shape.
BOUND = {name: bindparam(name, expanding=name != "own")
         for name in ("appraisers", "absent", "agencies", "own", "candidates")}


def with_reviewer_rights(query: Select, user: User, today: date, owner_id, on) -> Select:
    """Restrict `query` to items whose owner (`owner_id` column) the user reviews on the day `on` (a date
    column or value), adding the columns agency_id (of the owner's assignment then) and acting_for."""
    scope = reviewer_scope(user, today)
    return restrict_to_reviewer(query, shape_of(scope), owner_id, on, **scope_values(scope))


def restrict_to_reviewer(query: Select, shape: Shape, owner_id, on, *, appraisers, absent, agencies, own,
                         candidates) -> Select:
    """The rule itself; the scope's ids are values, or bound parameters for a statement built once per shape.
    The owners are first narrowed to the scope's `candidates`, a list of ids read once per request (None: the
    query is narrowed to them already; PostgreSQL misjudges the same list twice and reads every waiting item):
    the database starts from these few people's items instead of every waiting item of the regency. Not
    `owner IN (candidate_owners …)`: MariaDB runs an IN over a union as a dependent subquery, once for every row
    of the outer query (an inbox at 3,000 staff took 62–540 ms, and approving everything waiting read every
    waiting item of the regency)."""
    owner = aliased(Assignment)
    appraiser = aliased(Employee)
    upper = aliased(Assignment)
    if shape.route == "agency_admin":
        effective = case((appraiser.active.is_(True), owner.appraiser_id), else_=None)
    else:
        effective = case((appraiser.active.is_(True), owner.appraiser_id), else_=upper.appraiser_id)
    conditions = []
    if shape.appraisers:
        conditions.append(effective.in_(appraisers))
    if shape.agencies:
        conditions.append(and_(effective.is_(None), owner.agency_id.in_(agencies)))
    acting_for = case((effective.in_(absent), effective), else_=None) if shape.absent else literal(None)
    query = (
        query.add_columns(owner.agency_id.label("agency_id"), acting_for.label("acting_for"))
        .join(owner, and_(owner.employee_id == owner_id, active_on(owner.valid_from, owner.valid_to, on)))
        .outerjoin(appraiser, appraiser.id == owner.appraiser_id)
        .outerjoin(upper, and_(upper.employee_id == appraiser.id, active_on(upper.valid_from, upper.valid_to, on)))
        .where(or_(*conditions) if conditions else false())
        .where(owner_id != own)
    )
    return query if candidates is None else query.where(owner_id.in_(candidates))


def candidate_owners(shape: Shape, appraisers, agencies):
    """Everyone whose items the scope might decide, from indexed columns only: those the user (or whom they stand
    in for) appraises, those appraised by them in turn (orphaned items go up a level), and the staff of the
    agencies they administer; in any assignment, whatever its dates. A superset, so the exact rule above still
    decides, but the database starts from these people instead of every waiting item of the regency."""
    parts = []
    if shape.appraisers:
        parts.append(select(Assignment.employee_id).where(Assignment.appraiser_id.in_(appraisers)))
        if shape.route != "agency_admin":
            lower, middle = aliased(Assignment), aliased(Assignment)
            parts.append(select(lower.employee_id).join(middle, middle.employee_id == lower.appraiser_id)
                         .where(middle.appraiser_id.in_(appraisers)))
    if shape.agencies:
        parts.append(select(Assignment.employee_id).where(Assignment.agency_id.in_(agencies)))
    return union(*parts) if len(parts) > 1 else parts[0]


@cache
def candidates_statement(shape: Shape) -> Select:
    """`candidate_owners` built once per shape with bound parameters (composing the union cost more than
    running it)."""
    return candidate_owners(shape, BOUND["appraisers"], BOUND["agencies"])


def reviewable(user: User, today: date) -> Select:
    """Activities the user may decide, with columns agency_id and acting_for (the appraiser the user stands in
    for, else NULL). Add .where(...) for status, ids or people."""
    return with_reviewer_rights(select(Activity), user, today, Activity.employee_id, Activity.activity_date)


def reviewable_monthly(user: User, today: date, first: date) -> Select:
    """The month's monthly activities the user may decide, judged by the assignment on the month's last day
    (or today, for the running month)."""
    _start, end = month_days(first.year, first.month)
    return with_reviewer_rights(
        select(MonthlyActivity).where(MonthlyActivity.year == first.year, MonthlyActivity.month == first.month),
        user, today, MonthlyActivity.employee_id, min(end, today),
    )


def load_reviewable_employee(user: User, employee_id: int) -> Employee:
    """A person the user reviews now (subordinate, via Plh/Plt, or with items routed to the user), else 404."""
    today = clock.today()
    subordinate = user.employee_id is not None and employee_id in db.session.scalars(
        subordinates_select(user.employee_id, today))
    if subordinate or db.session.execute(
        reviewable(user, today).where(Activity.employee_id == employee_id).limit(1)
    ).first() is not None:
        return db.session.get(Employee, employee_id)
    abort(404)
