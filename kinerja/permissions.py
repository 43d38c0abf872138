"""Who may see what: role checks for pages and scoped loading for objects.

Scope rules:
- staff see their own records;
- an appraiser sees their current direct subordinates, and those of an employee they stand in for under an
  acting assignment (Plh/Plt) active on the day;
- an agency admin, and the head of the agency (Kepala OPD), see everyone currently assigned to it;
- BKD admins and superadmins see everything.
Records of a past month (the monthly report) follow the assignments in force in that month instead
(`employee_month_scope`).
An object outside the user's scope is answered with 404, never 403, so its existence does not leak.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Date, Integer, Select, String, and_, bindparam, cast, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from kinerja import clock
from kinerja.database import request_memo
from kinerja.extensions import db
from kinerja.models import ActingAssignment, Activity, Agency, Assignment, Employee, Evidence, Role, User

P = ParamSpec("P")
R = TypeVar("R")

GLOBAL_ROLES = frozenset({Role.BKD_ADMIN, Role.SUPERADMIN})


def has_role(user: User, *roles: Role) -> bool:
    """True when the user holds any of the roles."""
    return any(user_role.role in roles for user_role in user.roles)


def is_global_admin(user: User) -> bool:
    return has_role(user, *GLOBAL_ROLES)


def admin_agency_ids(user: User) -> set[int]:
    """Agencies the user administers as an agency admin."""
    return {r.agency_id for r in user.roles if r.role is Role.AGENCY_ADMIN and r.agency_id is not None}


def standing(employee_id: int, on: date) -> tuple[frozenset[int], bool]:
    """(agencies the employee heads, whether they appraise anyone on the day), in one statement; every page asks
    both, often several times (the navigation, the scope of what it loads), so a request keeps the answer
    (`request_memo`). Signing in loads it with the user (`remember_standing`)."""
    memo = request_memo()
    key = ("standing", employee_id, on)
    if memo is not None and key in memo:
        return memo[key]
    row = db.session.execute(standing_statement(), {"employee_id": employee_id, "on": on}).one()
    return remember_standing(employee_id, on, row.headed, row.appraises)


def remember_standing(employee_id: int, on: date, headed: str | None, appraises: bool | None
                      ) -> tuple[frozenset[int], bool]:
    """Keep for the request what `standing_columns` read (the agency ids joined by commas)."""
    result = (frozenset(int(part) for part in (headed or "").split(",") if part), bool(appraises))
    memo = request_memo()
    if memo is not None:
        memo[("standing", employee_id, on)] = result
    return result


def standing_columns(employee_id, on) -> tuple[ColumnElement, ColumnElement]:
    """The two answers of `standing` as scalar subqueries, for a statement that loads other things too."""
    headed = (select(func.aggregate_strings(cast(Agency.id, String(12)), ","))
              .where(Agency.head_id == employee_id).scalar_subquery())
    return headed.label("headed"), appraises_anyone(employee_id, on).label("appraises")


def appraises_anyone(employee_id, on) -> ColumnElement[bool]:
    """Whether `subordinates_select` finds anyone, as two EXISTS that each follow an index: directly, or through
    an acting assignment. Not one EXISTS over `appraiser = … OR appraiser IN (acting subquery)`: MariaDB ran that
    subquery once for every assignment of the regency, in the statement every signed-in request runs."""
    direct = select(Assignment.id).where(Assignment.appraiser_id == employee_id, Assignment.active_on(on),
                                         Assignment.employee_id != employee_id)
    acting = (select(Assignment.id).join(ActingAssignment, ActingAssignment.absent_id == Assignment.appraiser_id)
              .where(ActingAssignment.acting_id == employee_id, ActingAssignment.active_on(on),
                     Assignment.active_on(on), Assignment.employee_id != employee_id))
    return or_(direct.exists(), acting.exists())


@cache
def standing_statement() -> Select:
    """Built once with bound parameters: composing the statement costs more than running it."""
    return select(*standing_columns(bindparam("employee_id", type_=Integer), bindparam("on", type_=Date)))


def headed_agency_ids(user: User) -> set[int]:
    """Agencies the user heads (Kepala OPD)."""
    if user.employee_id is None:
        return set()
    return set(standing(user.employee_id, clock.today())[0])


def overseen_agency_ids(user: User) -> set[int]:
    """Agencies whose whole staff the user oversees: as their admin or as their head."""
    return admin_agency_ids(user) | headed_agency_ids(user)


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Page decorator: signed in and holding one of the roles, else 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@cache
def absent_ids_statement() -> Select:
    """Employees whom an employee stands in for on a day, built once with bound parameters. Read as a list
    (`absent_ids`), never as `IN (this)` beside other conditions: MariaDB runs such a subquery once per row."""
    return select(ActingAssignment.absent_id).where(
        ActingAssignment.acting_id == bindparam("employee_id", type_=Integer),
        ActingAssignment.active_on(bindparam("on", type_=Date)))


def absent_ids(employee_id: int, on: date) -> frozenset[int]:
    """Employees whom `employee_id` stands in for on the day, kept for the request until it writes
    (`request_memo`: the inbox asks for its scope and for the subordinates it lists)."""
    memo = request_memo()
    key = ("absent_ids", employee_id, on)
    if memo is not None and key in memo:
        return memo[key]
    found = frozenset(db.session.scalars(absent_ids_statement(), {"employee_id": employee_id, "on": on}))
    if memo is not None:
        memo[key] = found
    return found


def appraiser_ids(employee_id: int, on: date) -> list[int]:
    """The employee and those they stand in for on the day: whose subordinates are theirs."""
    return sorted({employee_id} | absent_ids(employee_id, on))


def subordinates_select(employee_id, on, appraisers=None) -> Select:
    """Ids of the employee's subordinates on the day: direct ones and those of an acting assignment.

    `appraisers` is `appraiser_ids` (read when not given; a bound parameter in a statement built once). A list,
    not `appraiser = … OR appraiser IN (acting subquery)`: MariaDB ran that subquery once for every assignment
    of the regency."""
    if appraisers is None:
        appraisers = appraiser_ids(employee_id, on)
    return select(Assignment.employee_id).where(
        Assignment.active_on(on), Assignment.appraiser_id.in_(appraisers), Assignment.employee_id != employee_id
    )


@dataclass(frozen=True)
class ScopeShape:
    """Which parts `employee_scope` has for a user: everyone (BKD), their own people, whole agencies."""
    everyone: bool
    own: bool
    agencies: bool


def scope_of(user: User, on: date | None = None) -> tuple[ScopeShape, dict[str, object]]:
    """The shape of the user's `employee_scope` and its values (`scope_employee`, `scope_appraisers`, `scope_on`,
    `scope_agencies`)."""
    on = on or clock.today()
    if is_global_admin(user):
        return ScopeShape(True, False, False), {"scope_employee": -1, "scope_appraisers": [], "scope_on": on,
                                                "scope_agencies": []}
    agencies = overseen_agency_ids(user)
    shape = ScopeShape(False, user.employee_id is not None, bool(agencies))
    return shape, {"scope_employee": user.employee_id if shape.own else -1,
                   "scope_appraisers": appraiser_ids(user.employee_id, on) if shape.own else [], "scope_on": on,
                   "scope_agencies": sorted(agencies)}


def scope_condition(shape: ScopeShape, *, scope_employee, scope_appraisers, scope_on,
                    scope_agencies) -> ColumnElement[bool]:
    """`employee_scope` itself; the values are values, or the bound parameters of `BOUND_SCOPE`."""
    if shape.everyone:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if shape.own:
        conditions.append(Employee.id == scope_employee)
        conditions.append(Employee.id.in_(subordinates_select(scope_employee, scope_on, scope_appraisers)))
    if shape.agencies:
        in_agency = select(Assignment.employee_id).where(
            Assignment.active_on(scope_on), Assignment.agency_id.in_(scope_agencies)
        )
        conditions.append(Employee.id.in_(in_agency))
    return or_(*conditions) if conditions else false()


# The same arguments as bound parameters, for a statement built once per shape (`scope_of` gives their values).
BOUND_SCOPE = {"scope_employee": bindparam("scope_employee", type_=Integer),
               "scope_appraisers": bindparam("scope_appraisers", expanding=True),
               "scope_on": bindparam("scope_on", type_=Date),
               "scope_agencies": bindparam("scope_agencies", expanding=True)}


def employee_scope(user: User, on: date | None = None) -> ColumnElement[bool]:
    """SQL condition on Employee.id: the employees whose records the user may see on the day."""
    shape, values = scope_of(user, on)
    return scope_condition(shape, **values)


def in_force_between(first: date, last: date) -> ColumnElement[bool]:
    """SQL condition: an assignment in force on at least one day from `first` to `last`."""
    return and_(Assignment.valid_from <= last, or_(Assignment.valid_to.is_(None), Assignment.valid_to >= first))


def month_absent_ids(employee_id: int, first: date, last: date, today: date) -> frozenset[int]:
    """Appraisers the employee stood in for (Plh/Plt) between `first` and `last`, or stands in for today; kept
    for the request until it writes (`request_memo`)."""
    memo = request_memo()
    key = ("month_absent_ids", employee_id, first, last, today)
    if memo is not None and key in memo:
        return memo[key]
    found = frozenset(db.session.scalars(select(ActingAssignment.absent_id).where(
        ActingAssignment.acting_id == employee_id,
        or_(and_(ActingAssignment.valid_from <= last, ActingAssignment.valid_to >= first),
            ActingAssignment.active_on(today)))))
    if memo is not None:
        memo[key] = found
    return found


def month_subordinates_select(employee_id: int, first: date, last: date, today: date) -> Select:
    """Ids of those whose assignment in force in the month (up to today) names the employee as appraiser, or an
    appraiser the employee stands in for (a Plh/Plt running in that month, or today). The appraisers are a list
    read first, not `appraiser = … OR appraiser IN (subquery)`: MariaDB ran that subquery once for every
    assignment of the regency (7 ms of the reports page at 3,000 staff, growing with the regency)."""
    last = min(last, today)
    appraisers = sorted({employee_id} | month_absent_ids(employee_id, first, last, today))
    return select(Assignment.employee_id).where(
        in_force_between(first, last), Assignment.employee_id != employee_id, Assignment.appraiser_id.in_(appraisers))


def employee_month_scope(user: User, first: date, last: date, today: date) -> ColumnElement[bool]:
    """SQL condition on Employee.id: whose records of the month from `first` to `last` the user may see, by the
    assignments in force then (so after a transfer the earlier months stay with the earlier appraiser and agency,
    and the new ones see only the months since): their own, their subordinates of that month, everyone assigned
    that month to an agency they oversee; BKD everything."""
    if is_global_admin(user):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if user.employee_id is not None:
        conditions.append(Employee.id == user.employee_id)
        conditions.append(Employee.id.in_(month_subordinates_select(user.employee_id, first, last, today)))
    agencies = overseen_agency_ids(user)
    if agencies:
        conditions.append(Employee.id.in_(select(Assignment.employee_id).where(
            in_force_between(first, min(last, today)), Assignment.agency_id.in_(agencies))))
    return or_(*conditions) if conditions else false()


def may_see_month(user: User, employee_id: int, first: date, today: date) -> bool:
    """Whether the user may see the employee's records of the month beginning `first` (its report): by
    `employee_month_scope`; never a month that has not begun."""
    if first > today.replace(day=1):
        return False
    if is_global_admin(user) or user.employee_id == employee_id:
        return True
    last = first.replace(day=monthrange(first.year, first.month)[1])
    return db.session.scalar(select(Employee.id).where(
        Employee.id == employee_id, employee_month_scope(user, first, last, today))) is not None


def agency_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on Agency.id: agencies whose overview the user may open (admins, heads, BKD)."""
    if is_global_admin(user):
        return true()
    agencies = overseen_agency_ids(user)
    return Agency.id.in_(agencies) if agencies else false()


def load_employee(user: User, employee_id: int) -> Employee:
    """The employee if in the user's scope, else 404."""
    employee = db.session.scalar(select(Employee).where(Employee.id == employee_id, employee_scope(user)))
    if employee is None:
        abort(404)
    return employee


def load_agency(user: User, agency_id: int) -> Agency:
    """The agency if the user administers it (or is BKD), else 404."""
    agency = db.session.scalar(select(Agency).where(Agency.id == agency_id, agency_scope(user)))
    if agency is None:
        abort(404)
    return agency


def is_appraiser(user: User, on: date | None = None) -> bool:
    """Appraiser is not a stored role: it follows from having subordinates on the day."""
    if user.employee_id is None:
        return False
    return standing(user.employee_id, on or clock.today())[1]


def load_own_activity(user: User, activity_id: int) -> Activity:
    """An activity of the user's own, for changing it; anyone else's is a 404."""
    activity = db.session.scalar(
        select(Activity).where(Activity.id == activity_id, Activity.employee_id == user.employee_id)
    )
    if activity is None or user.employee_id is None:
        abort(404)
    return activity


def load_evidence(user: User, evidence_id: int) -> Evidence:
    """Evidence of an activity whose owner the user may see (self, subordinates, agency, BKD), else 404."""
    evidence = db.session.scalar(
        select(Evidence)
        .join(Activity, Activity.id == Evidence.activity_id)
        .join(Employee, Employee.id == Activity.employee_id)
        .where(Evidence.id == evidence_id, employee_scope(user))
    )
    if evidence is None:
        abort(404)
    return evidence
