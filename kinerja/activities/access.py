"""Loading what the signed-in person may touch: another person's record is a 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import MonthlyActivity, User


def load_own_monthly(user: User, item_id: int) -> MonthlyActivity:
    """A monthly activity of the user's own; anyone else's is a 404."""
    if user.employee_id is None:
        abort(404)
    item = db.session.scalar(
        select(MonthlyActivity).where(MonthlyActivity.id == item_id, MonthlyActivity.employee_id == user.employee_id)
    )
    if item is None:
        abort(404)
    return item
