"""Which approved SKP governs a month: the one rule used by evaluations, monthly activities and reports; and the
IKI of that plan as the pages show them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import Iki, Rhk, Skp
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


@dataclass(frozen=True)
class PlanIndicator:
    """An IKI as a picker or a list shows it: its text, the RHK it measures and the unit of its target."""

    id: int
    text: str
    rhk: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.text} ({self.unit})"


def _indicators(*conditions) -> list[tuple[int, PlanIndicator]]:
    """(plan id, IKI) pairs, each plan in its own order: main RHK first, then by position."""
    return [(skp_id, PlanIndicator(iki_id, text, rhk, unit)) for skp_id, iki_id, text, rhk, unit in db.session.execute(
        select(Rhk.skp_id, Iki.id, Iki.text, Rhk.text, Iki.unit).join(Rhk, Rhk.id == Iki.rhk_id)
        .where(*conditions).order_by(Rhk.skp_id, Rhk.kind.desc(), Rhk.position, Rhk.id, Iki.id)
    )]


def indicators_in_force(employee_ids: Collection[int], first: date) -> dict[int, list[PlanIndicator]]:
    """Per employee, the IKI of the plan in force in the month (two queries); an empty list without a plan."""
    plans = plans_in_force(employee_ids, first)
    found: dict[int, list[PlanIndicator]] = {skp_id: [] for skp_id in plans.values()}
    if found:
        for skp_id, indicator in _indicators(Rhk.skp_id.in_(list(found))):
            found[skp_id].append(indicator)
    return {employee_id: found[plans[employee_id]] if employee_id in plans else [] for employee_id in employee_ids}


def indicators_by_id(iki_ids: Collection[int | None]) -> dict[int, PlanIndicator]:
    """The IKI with these ids, whichever plan they belong to (one query, none without ids)."""
    wanted = {iki_id for iki_id in iki_ids if iki_id is not None}
    if not wanted:
        return {}
    return {indicator.id: indicator for _skp_id, indicator in _indicators(Iki.id.in_(list(wanted)))}
