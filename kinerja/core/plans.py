"""Which approved SKP governs a month: the one rule used by evaluations, monthly activities and reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import Skp
from kinerja.workcalendar import month_days


def plans_in_force(employee_ids: Collection[int], first: date) -> dict[int, int]:
    """Per employee, the id of the approved plan in force in the month: the one covering its first day, else its
    last day; the newest version of it. Employees without one are left out."""
    last = month_days(first.year, first.month)[1]
    chosen: dict[int, tuple[int, int, int]] = {}  # employee -> (preference, version, skp id)
    if not employee_ids:
        return {}
    for skp_id, employee_id, start, end, version in db.session.execute(
        select(Skp.id, Skp.employee_id, Skp.period_start, Skp.period_end, Skp.version)
        .where(Skp.employee_id.in_(list(employee_ids)), Skp.period_start <= last, Skp.period_end >= first,
               Skp.in_force())
    ):
        preference = 2 if start <= first <= end else 1 if start <= last <= end else 0
        key = (preference, version, skp_id)
        if preference and key > chosen.get(employee_id, (0, 0, 0)):
            chosen[employee_id] = key
    return {employee_id: key[2] for employee_id, key in chosen.items()}


def plan_in_force(employee_id: int, first: date) -> Skp | None:
    """The one employee's plan in force in the month."""
    skp_id = plans_in_force([employee_id], first).get(employee_id)
    return db.session.get(Skp, skp_id) if skp_id is not None else None
