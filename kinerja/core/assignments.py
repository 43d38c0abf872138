"""Whose staff someone is on a day: the one rule for the assignment in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from kinerja.extensions import db
from kinerja.models import Assignment


def assignment_on(employee_id: int, day: date, *, details: bool = False) -> Assignment | None:
    """The employee's assignment on the day (the latest started if two overlap); with `details`, its agency,
    unit, position and appraiser are loaded in the same query."""
    query = (
        select(Assignment)
        .where(Assignment.employee_id == employee_id, Assignment.active_on(day))
        .order_by(Assignment.valid_from.desc())
        .limit(1)
    )
    if details:
        query = query.options(
            joinedload(Assignment.agency),
            joinedload(Assignment.unit),
            joinedload(Assignment.position),
            joinedload(Assignment.appraiser),
        )
    return db.session.scalar(query)


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
