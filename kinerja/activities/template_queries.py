"""Read side of personal activity templates: the day page's buttons and the templates page."""

from __future__ import annotations

from functools import cache

from flask import abort
from sqlalchemy import Integer, Select, bindparam, select

from kinerja.extensions import db
from kinerja.models import Activity, ActivityTemplate, User


def for_employee(employee_id: int) -> list[ActivityTemplate]:
    """The employee's templates, alphabetically."""
    return list(db.session.scalars(templates_statement(), {"employee_id": employee_id}))


@cache
def templates_statement() -> Select:
    """Built once with bound parameters: every day page shows the templates."""
    return (select(ActivityTemplate).where(ActivityTemplate.employee_id == bindparam("employee_id", type_=Integer))
            .order_by(ActivityTemplate.description, ActivityTemplate.id))


def load_own_template(user: User, template_id: int) -> ActivityTemplate:
    """A template of the user's own; anyone else's is a 404."""
    template = db.session.scalar(
        select(ActivityTemplate).where(ActivityTemplate.id == template_id,
                                       ActivityTemplate.employee_id == user.employee_id)
    )
    if template is None or user.employee_id is None:
        abort(404)
    return template


def recent_activities(employee_id: int, limit: int = 8) -> list[Activity]:
    """The employee's latest activities, offered on the templates page to be saved as templates."""
    return list(db.session.scalars(
        select(Activity).where(Activity.employee_id == employee_id)
        .order_by(Activity.activity_date.desc(), Activity.start_time.desc()).limit(limit)
    ))
