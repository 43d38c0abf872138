"""What "filed" means, for the reminders and the monitoring page alike: a day is filed when an activity of that
day has been submitted (diajukan) for review, whatever became of it since (waiting, approved or returned).
A draft is not filed: nobody but its author can see it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus

FILED_STATUSES = (ActivityStatus.SUBMITTED, ActivityStatus.APPROVED, ActivityStatus.RETURNED)


def is_filed() -> ColumnElement[bool]:
    """SQL condition on Activity: submitted for review (not a draft)."""
    return Activity.status.in_(FILED_STATUSES)


def filed_days(first: date, last: date, employee_ids: Collection[int] | None = None) -> dict[int, set[date]]:
    """Per employee, the days from `first` to `last` with a filed activity (all employees when none are named)."""
    query = (select(Activity.employee_id, Activity.activity_date)
             .where(Activity.activity_date.between(first, last), is_filed())
             .group_by(Activity.employee_id, Activity.activity_date))
    if employee_ids is not None:
        query = query.where(Activity.employee_id.in_(list(employee_ids)))
    found: dict[int, set[date]] = defaultdict(set)
    for employee_id, day in db.session.execute(query):
        found[employee_id].add(day)
    return found
