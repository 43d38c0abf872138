"""Who may see and decide an SKP.

The owner sees their own plans. The appraiser recorded on the plan decides it, or a Plh/Plt standing in for
that appraiser on the day of the decision (recorded as acting for them). A top official's plan (no appraiser
in the system) is decided by the admins of the official's agency, as orphaned activities are. Nobody decides
their own plan. Anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import Select, and_, false, or_, select

from kinerja.extensions import db
from kinerja.models import ActingAssignment, Assignment, Skp, User
from kinerja.permissions import admin_agency_ids, appraiser_ids, is_global_admin, overseen_agency_ids


@dataclass(frozen=True)
class Decider:
    """May decide, and for whom (the absent appraiser when acting as Plh/Plt, else None)."""

    acting_for_id: int | None


def decider(user: User, skp: Skp, today: date) -> Decider | None:
    """How the user may decide the SKP today, or None when they may not."""
    if user.employee_id is not None and user.employee_id == skp.employee_id:
        return None
    if skp.appraiser_id is None:
        agency_id = owner_agency_id(skp)
        return Decider(None) if agency_id in admin_agency_ids(user) else None
    if user.employee_id is None:
        return None
    if user.employee_id == skp.appraiser_id:
        return Decider(None)
    standing_in = db.session.scalar(
        select(ActingAssignment.id).where(ActingAssignment.acting_id == user.employee_id,
                                          ActingAssignment.absent_id == skp.appraiser_id,
                                          ActingAssignment.active_on(today)).limit(1)
    )
    return Decider(skp.appraiser_id) if standing_in is not None else None


def owner_agency_id(skp: Skp) -> int | None:
    """The agency of the owner's assignment at the start of the plan's period."""
    return db.session.scalar(
        select(Assignment.agency_id)
        .where(Assignment.employee_id == skp.employee_id, Assignment.active_on(skp.period_start))
        .order_by(Assignment.valid_from.desc()).limit(1)
    )


def decidable(user: User, today: date) -> Select:
    """SKP the user may decide today (add .where for the status)."""
    conditions = []
    if user.employee_id is not None:
        # the user and whom they stand in for as a list read first: MariaDB ran `appraiser = :me OR appraiser IN
        # (acting subquery)` once for every plan
        conditions.append(Skp.appraiser_id.in_(appraiser_ids(user.employee_id, today)))
    agencies = admin_agency_ids(user)
    if agencies:
        owners = select(Assignment.employee_id).where(
            Assignment.agency_id.in_(agencies), Assignment.valid_from <= Skp.period_start,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to >= Skp.period_start),
        )
        conditions.append(and_(Skp.appraiser_id.is_(None), Skp.employee_id.in_(owners)))
    query = select(Skp).where(or_(*conditions) if conditions else false())
    if user.employee_id is not None:
        query = query.where(Skp.employee_id != user.employee_id)
    return query


def load_own_skp(user: User, skp_id: int) -> Skp:
    """One of the user's own plans, else 404."""
    skp = db.session.get(Skp, skp_id)
    if skp is None or user.employee_id is None or skp.employee_id != user.employee_id:
        abort(404)
    return skp


def load_skp_to_decide(user: User, skp_id: int, today: date) -> tuple[Skp, Decider]:
    """A plan the user decides today, with how, else 404."""
    skp = db.session.get(Skp, skp_id)
    found = decider(user, skp, today) if skp is not None else None
    if found is None:
        abort(404)
    return skp, found


def may_view(user: User, skp: Skp, today: date) -> bool:
    """Who may read a plan and its evaluations: the owner, whoever decides it, the admins and head of the
    owner's agency, and BKD."""
    if is_global_admin(user) or (user.employee_id is not None and user.employee_id == skp.employee_id):
        return True
    if decider(user, skp, today) is not None:
        return True
    overseen = overseen_agency_ids(user)
    return bool(overseen) and owner_agency_id(skp) in overseen


def load_skp_to_view(user: User, skp_id: int, today: date) -> Skp:
    """A plan the user may read, else 404."""
    skp = db.session.get(Skp, skp_id)
    if skp is None or not may_view(user, skp, today):
        abort(404)
    return skp
