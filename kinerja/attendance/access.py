"""Who sees attendance: a selfie is the person's own, their appraiser's, their agency admins' and BKD's to see;
flags are reviewed by the appraiser, the agency admins and BKD. Anything else answers 404."""

from __future__ import annotations

from datetime import date

from flask import abort
from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import Assignment, AttendanceFlag, AttendanceRecord, User
from kinerja.permissions import admin_agency_ids, is_appraiser, is_global_admin, subordinates_select


def reviewer_condition(user: User, on: date | None = None) -> ColumnElement[bool]:
    """SQL condition on AttendanceRecord: records of people whose attendance the user reviews (never their own).

    Narrower than permissions.employee_scope on purpose: a selfie is personal data, so the head of an agency
    sees it only as someone's appraiser."""
    on = on or clock.today()
    not_own = AttendanceRecord.employee_id != user.employee_id if user.employee_id else true()
    if is_global_admin(user):
        return not_own
    conditions: list[ColumnElement[bool]] = []
    if user.employee_id is not None:
        conditions.append(AttendanceRecord.employee_id.in_(subordinates_select(user.employee_id, on)))
    agencies = admin_agency_ids(user)
    if agencies:
        conditions.append(AttendanceRecord.employee_id.in_(
            select(Assignment.employee_id).where(Assignment.active_on(on), Assignment.agency_id.in_(agencies))))
    return or_(*conditions) & not_own if conditions else false()


def can_review(user: User) -> bool:
    """Whether the review list belongs in the user's navigation."""
    return is_global_admin(user) or bool(admin_agency_ids(user)) or is_appraiser(user)


def load_record_for_selfie(user: User, record_id: int) -> AttendanceRecord:
    """The record if its selfie is the user's to see, else 404."""
    own = AttendanceRecord.employee_id == user.employee_id if user.employee_id else false()
    record = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.id == record_id, or_(own, reviewer_condition(user))))
    if record is None or not record.selfie_name:
        abort(404)
    return record


def load_flag(user: User, flag_id: int) -> AttendanceFlag:
    """A flag the user may decide, else 404."""
    found = db.session.scalar(
        select(AttendanceFlag).join(AttendanceRecord, AttendanceRecord.id == AttendanceFlag.record_id)
        .where(AttendanceFlag.id == flag_id, reviewer_condition(user))
        .options(joinedload(AttendanceFlag.record)))
    if found is None:
        abort(404)
    return found
