"""Whose staff someone is on a day: the one rule for the assignment in force."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, Select, bindparam, exists, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from kinerja.database import request_memo
from kinerja.extensions import db
from kinerja.models import Assignment


def assignment_on(employee_id: int, day: date, *, details: bool = False) -> Assignment | None:
    """The employee's assignment on the day (the latest started if two overlap); with `details`, its agency,
    unit, position and appraiser are loaded in the same query. A page asks it from several places: the request
    keeps the answer until it writes (`request_memo`)."""
    memo = request_memo()
    key = ("assignment_on", employee_id, day, details)
    if memo is not None:
        if key in memo:
            return memo[key]
        if not details and ("assignment_on", employee_id, day, True) in memo:  # the same row, more loaded
            return memo["assignment_on", employee_id, day, True]
    found = db.session.scalar(assignment_statement(details), {"employee_id": employee_id, "day": day})
    if memo is not None:
        memo[key] = found
    return found


@cache
def assignment_statement(details: bool) -> Select:
    """`assignment_on`'s statement, built once with bound parameters (almost every page asks it)."""
    query = (
        select(Assignment)
        .where(Assignment.employee_id == bindparam("employee_id", type_=Integer),
               Assignment.active_on(bindparam("day", type_=Date)))
        .order_by(Assignment.valid_from.desc())
        .limit(1)
    )
    if details:
        return query.options(
            joinedload(Assignment.agency),
            joinedload(Assignment.unit),
            joinedload(Assignment.position),
            joinedload(Assignment.appraiser),
        )
    # its agency (time zone, work week) is what callers ask next: in the same statement
    return query.options(joinedload(Assignment.agency))


def serving(employee_id, agency_id, day) -> ColumnElement[bool]:
    """SQL condition: an assignment of the employee to the agency is in force on the day (each a column or a
    value). A roster of an agency binds someone only on such days."""
    return exists().where(Assignment.employee_id == employee_id, Assignment.agency_id == agency_id,
                          Assignment.valid_from <= day,
                          or_(Assignment.valid_to.is_(None), Assignment.valid_to >= day))


def assignment_history(employee_id: int) -> list[Assignment]:
    """Every assignment of the employee, newest first, with agency, unit, position and appraiser loaded."""
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.employee_id == employee_id)
            .options(
                joinedload(Assignment.agency),
                joinedload(Assignment.unit),
                joinedload(Assignment.position),
                joinedload(Assignment.appraiser),
            )
            .order_by(Assignment.valid_from.desc())
        )
    )
