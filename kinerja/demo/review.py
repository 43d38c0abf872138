"""The demo's review story on top of the seeded activities: the audit trail of past decisions, a returned item
that the demo staff member answered and resubmitted, flagged items waiting in the demo appraiser's inbox,
monthly activities of last month waiting for a decision, and a few unread notifications."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityComment,
    ActivityStatus,
    Assignment,
    AuditEntry,
    MonthlyActivity,
    Notification,
    User,
    WorkMode,
)
from kinerja.workcalendar import holidays_between, is_weekend


def user_ids_by_employee() -> dict[int, int]:
    return dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.is_not(None))).all())


def settle_old_submissions(today: date, users: dict[int, int]) -> None:
    """Appraisers clear their inbox weekly: submissions older than a week (and all of months already closed
    for review) were approved by the owner's appraiser a day after they came in."""
    cutoff = today - timedelta(days=7)
    appraiser_of = dict(db.session.execute(
        select(Assignment.employee_id, Assignment.appraiser_id).where(Assignment.active_on(today))).all())
    rows = db.session.execute(
        select(Activity.id, Activity.employee_id, Activity.submitted_at)
        .where(Activity.status == ActivityStatus.SUBMITTED, Activity.activity_date < cutoff)
    ).all()
    by_reviewer: dict[tuple[int | None, datetime], list[int]] = {}
    for activity_id, employee_id, submitted_at in rows:
        reviewer = users.get(appraiser_of.get(employee_id))
        decided = (submitted_at or clock.utcnow()) + timedelta(days=1)
        by_reviewer.setdefault((reviewer, decided.replace(minute=0, second=0, microsecond=0)), []).append(activity_id)
    for (reviewer, decided), ids in by_reviewer.items():
        db.session.execute(update(Activity).where(Activity.id.in_(ids)).values(
            status=ActivityStatus.APPROVED, reviewed_at=min(decided, clock.utcnow()), reviewer_id=reviewer))


def audit_past_decisions(users: dict[int, int], agencies: dict[int, int]) -> None:
    """One audit entry per seeded submission and decision, so the trail and the item histories are not empty."""
    rows = []
    for activity_id, employee_id, status, submitted_at, reviewed_at, reviewer_id in db.session.execute(
        select(Activity.id, Activity.employee_id, Activity.status, Activity.submitted_at, Activity.reviewed_at,
               Activity.reviewer_id).where(Activity.status != ActivityStatus.DRAFT)
    ):
        agency_id = agencies.get(employee_id)
        if submitted_at is not None:
            rows.append({"occurred_at": submitted_at, "actor_id": users.get(employee_id), "agency_id": agency_id,
                         "object_type": "activity", "object_id": activity_id, "action": "submit",
                         "from_state": "draft", "to_state": "submitted", "ip_address": "10.10.1.20"})
        if status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED) and reviewed_at is not None:
            rows.append({"occurred_at": reviewed_at, "actor_id": reviewer_id, "agency_id": agency_id,
                         "object_type": "activity", "object_id": activity_id,
                         "action": "approve" if status is ActivityStatus.APPROVED else "return",
                         "from_state": "submitted", "to_state": status.value, "ip_address": "10.10.1.7"})
    if rows:
        db.session.execute(insert(AuditEntry), rows)


def resubmitted_thread(owner_ids: list[int], appraiser_user: int, users: dict[int, int],
                       agencies: dict[int, int]) -> None:
    """A returned item of one of the appraiser's people: the reason, the answer, and the resubmission."""
    returned = db.session.scalar(
        select(Activity).where(Activity.employee_id.in_(owner_ids), Activity.status == ActivityStatus.RETURNED)
        .order_by(Activity.activity_date.desc()).limit(1)
    )
    if returned is None:
        return
    owner_user, agency_id = users[returned.employee_id], agencies.get(returned.employee_id)
    returned_at = returned.reviewed_at or clock.utcnow() - timedelta(days=2)
    answered_at = min(returned_at + timedelta(hours=3), clock.utcnow())
    db.session.add_all([
        ActivityComment(activity_id=returned.id, author_id=appraiser_user, created_at=returned_at,
                        body=returned.return_reason or "Mohon lengkapi jumlah output dan bukti dukungnya."),
        ActivityComment(activity_id=returned.id, author_id=owner_user, created_at=answered_at,
                        body="Sudah saya perbaiki: jam dan jumlah output disesuaikan dengan register layanan."),
    ])
    db.session.execute(insert(AuditEntry), [{
        "occurred_at": answered_at, "actor_id": owner_user, "agency_id": agency_id, "object_type": "activity",
        "object_id": returned.id, "action": "submit", "from_state": "returned", "to_state": "submitted",
        "ip_address": "10.10.1.20",
    }])
    db.session.execute(update(Activity).where(Activity.id == returned.id).values(
        status=ActivityStatus.SUBMITTED, submitted_at=answered_at, return_reason=None,
        version=Activity.version + 1))


def latest_working_day(today: date, saturday: bool = False) -> date:
    day = today - timedelta(days=1)
    off = holidays_between(today - timedelta(days=20), today)
    while (day.weekday() != 5 if saturday else (is_weekend(day, 5) or day in off)):
        day -= timedelta(days=1)
    return day


def flagged_items(subordinate_ids: list[int], today: date) -> None:
    """Waiting items the guarded bulk approval will leave out: Saturday work and an over-long day."""
    if len(subordinate_ids) < 2:
        return
    saturday = latest_working_day(today, saturday=True)
    now = clock.utcnow()
    common = {"quantity": Decimal(1), "work_mode": WorkMode.WFO, "category": ActivityCategory.MAIN,
              "status": ActivityStatus.SUBMITTED, "submitted_at": now - timedelta(days=1), "version": 1,
              "created_at": now, "updated_at": now}
    rows = []
    if not db.session.scalar(select(Activity.id).where(Activity.employee_id == subordinate_ids[0],
                                                       Activity.activity_date == saturday).limit(1)):
        rows.append({**common, "employee_id": subordinate_ids[0], "activity_date": saturday,
                     "start_time": time(8, 0), "end_time": time(11, 0), "duration_minutes": 180, "off_day": True,
                     "unit": "orang",
                     "description": "Pelayanan perekaman KTP-el jemput bola hari Sabtu di Kelurahan Setiamanah"})
    day = latest_working_day(today)
    if not db.session.scalar(select(Activity.id).where(Activity.employee_id == subordinate_ids[1],
                                                       Activity.activity_date == day).limit(1)):
        rows.append({**common, "employee_id": subordinate_ids[1], "activity_date": day, "start_time": time(6, 30),
                     "end_time": time(17, 0), "duration_minutes": 630, "off_day": False, "unit": "berkas",
                     "description": "Pendataan ulang berkas pindah datang yang tertunda (lembur)"})
    if rows:
        db.session.execute(insert(Activity), rows)


def monthly_waiting(staff_id: int, today: date) -> None:
    """Last month's monthly activities of the demo staff member, submitted to the appraiser."""
    last_month = today.replace(day=1) - timedelta(days=1)
    approved = db.session.execute(
        select(Activity.unit, Activity.quantity).where(
            Activity.employee_id == staff_id, Activity.status == ActivityStatus.APPROVED,
            Activity.activity_date.between(last_month.replace(day=1), last_month))
    ).all()
    totals: dict[str, Decimal] = {}
    for unit, quantity in approved:
        totals[unit] = totals.get(unit, Decimal(0)) + quantity
    submitted = datetime.combine(today.replace(day=1), time(2, 0)).astimezone()
    for planned, unit in (("Pelayanan perekaman dan pencetakan KTP-el", "orang"),
                          ("Verifikasi berkas administrasi kependudukan", "berkas")):
        db.session.add(MonthlyActivity(
            employee_id=staff_id, year=last_month.year, month=last_month.month, planned_action=planned,
            quantity=totals.get(unit, Decimal(0)), unit=unit, status=ActivityStatus.SUBMITTED,
            submitted_at=submitted, note="Sesuai register layanan bulan lalu.",
        ))


def unread_notices(appraiser_user: int, staff_user: int, staff_name: str, appraiser_name: str) -> None:
    now = clock.utcnow()
    db.session.execute(insert(Notification), [
        {"user_id": appraiser_user, "kind": "submitted", "params": json.dumps({"name": staff_name, "n": 1}),
         "link": "/pemeriksaan/", "created_at": now},
        {"user_id": staff_user, "kind": "returned", "params": json.dumps({"name": appraiser_name, "n": 1}),
         "link": "/kegiatan/bulan", "created_at": now - timedelta(days=2), "read_at": now},
    ])


def seed_review_story(today: date, staff, appraiser) -> None:
    """Add the review scenario (no commit)."""
    db.session.flush()
    users = user_ids_by_employee()
    agencies = dict(db.session.execute(
        select(Assignment.employee_id, Assignment.agency_id).where(Assignment.active_on(today))).all())
    settle_old_submissions(today, users)
    audit_past_decisions(users, agencies)
    subordinates = list(db.session.scalars(
        select(Assignment.employee_id).where(Assignment.appraiser_id == appraiser.id, Assignment.active_on(today),
                                             Assignment.employee_id != staff.id).order_by(Assignment.employee_id)))
    # The demo staff member keeps her own returned item to fix; a colleague's shows the answered thread.
    resubmitted_thread(subordinates or [staff.id], users[appraiser.id], users, agencies)
    flagged_items(subordinates, today)
    monthly_waiting(staff.id, today)
    unread_notices(users[appraiser.id], users[staff.id], staff.full_name, appraiser.full_name)
