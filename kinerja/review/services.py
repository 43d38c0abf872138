"""Decisions on submitted activities: approve or return, one, a day, a month or a guarded bulk; comments;
reopening by admins. Each decision is recorded in the audit trail and notified to the owner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update

from kinerja import audit, clock, notify
from kinerja.core import signatory
from kinerja.core.periods import month_closed
from kinerja.database import finish, retry_on_deadlock
from kinerja.errors import NotAllowed, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import Activity, ActivityComment, ActivityStatus, MonthlyActivity, User
from kinerja.permissions import admin_agency_ids, is_global_admin
from kinerja.review.flags import flags_for
from kinerja.review.rights import reviewable, reviewable_monthly


@dataclass
class DecisionResult:
    decided: list[int] = field(default_factory=list)
    already_decided: list[int] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)


def lock_rows(ids: list[int]) -> dict[int, ActivityStatus]:
    """Current status of the activities, locking their rows until commit (SQLite: the write lock is held), always
    in id order, so two deciders of overlapping items queue instead of deadlocking."""
    query = select(Activity.id, Activity.status).where(Activity.id.in_(ids)).order_by(Activity.id)
    if db.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    return dict(db.session.execute(query).all())


def locked_ids(items: Iterable[tuple[Activity, int]], today: date) -> set[int]:
    """Ids of the (activity, agency id) pairs whose month is closed for review: no decision may touch them."""
    closed: dict[tuple[int, int, int], bool] = {}
    locked = set()
    for activity, agency_id in items:
        day = activity.activity_date
        key = (agency_id, day.year, day.month)
        if key not in closed:
            closed[key] = month_closed(agency_id, day, today, lock_day_setting="REVIEW_LOCK_DAY")
        if closed[key]:
            locked.add(activity.id)
    return locked


@retry_on_deadlock
def decide(actor: User, activity_ids: Iterable[int], *, approve: bool, reason: str = "", today: date,
           flagged_ok: Iterable[int] | None = None) -> DecisionResult:
    """Approve or return the submitted activities among the ids that the actor may review.

    With `flagged_ok` given (a guarded bulk approval), flagged items are left out unless their id is in it.
    Items decided by someone else meanwhile are reported, not overwritten: exactly one decision stands.
    """
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationFailed(_("Alasan pengembalian wajib diisi."), field="reason")
    ids = sorted(set(activity_ids))
    result = DecisionResult()
    if not ids:
        return result
    rows = db.session.execute(reviewable(actor, today).where(Activity.id.in_(ids))).all()
    if flagged_ok is not None:
        flags = flags_for((row.Activity, row.agency_id) for row in rows)
        allowed = set(flagged_ok)
        result.flagged = [i for i, found in flags.items() if found and i not in allowed]
        rows = [row for row in rows if row.Activity.id not in result.flagged]
    locked = locked_ids(((row.Activity, row.agency_id) for row in rows), today)
    result.locked = [row.Activity.id for row in rows if row.Activity.id in locked]
    open_rows = [row for row in rows if row.Activity.id not in locked]
    statuses = lock_rows([row.Activity.id for row in open_rows])
    pending = [row for row in open_rows if statuses.get(row.Activity.id) is ActivityStatus.SUBMITTED]
    waiting = {row.Activity.id for row in pending}
    result.already_decided = [row.Activity.id for row in open_rows if row.Activity.id not in waiting]
    if not pending:
        db.session.rollback()
        return result

    now, new_status = clock.utcnow(), ActivityStatus.APPROVED if approve else ActivityStatus.RETURNED
    by_acting: dict[int | None, list[int]] = defaultdict(list)
    for row in pending:
        by_acting[row.acting_for].append(row.Activity.id)
    for acting_for, group in by_acting.items():
        db.session.execute(
            update(Activity)
            .where(Activity.id.in_(group), Activity.status == ActivityStatus.SUBMITTED)
            .values(status=new_status, reviewed_at=now, reviewer_id=actor.id, reviewed_for_id=acting_for,
                    return_reason=None if approve else reason, version=Activity.version + 1)
            .execution_options(synchronize_session=False)
        )
    result.decided = [row.Activity.id for row in pending]
    audit.record_many(actor, (
        audit.Change("activity", row.Activity.id, "approve" if approve else "return", "submitted",
                     new_status.value, row.agency_id, row.acting_for, None if approve else reason)
        for row in pending
    ))
    notify_owners(actor, pending, approve, today)
    finish()
    db.session.expire_all()
    return result


@retry_on_deadlock
def decide_monthly(actor: User, first: date, item_id: int, *, approve: bool, text: str, today: date) -> bool:
    """Approve a subordinate's monthly activity (the text is the appraiser's feedback) or return it (the text
    is the reason). Returns False when someone else decided it first."""
    text = (text or "").strip()
    if not approve and not text:
        raise ValidationFailed(_("Alasan pengembalian wajib diisi."), field="reason")
    row = db.session.execute(
        reviewable_monthly(actor, today, first).where(MonthlyActivity.id == item_id)
    ).first()
    if row is None:
        raise NotAllowed(_("Kegiatan bulanan ini bukan untuk Anda periksa."))
    if month_closed(row.agency_id, first, today, lock_day_setting="REVIEW_LOCK_DAY"):
        raise ValidationFailed(_("Bulan ini sudah ditutup untuk pemeriksaan."))
    new_status = ActivityStatus.APPROVED if approve else ActivityStatus.RETURNED
    result = db.session.execute(
        update(MonthlyActivity)
        .where(MonthlyActivity.id == item_id, MonthlyActivity.status == ActivityStatus.SUBMITTED)
        .values(status=new_status, reviewed_at=clock.utcnow(), reviewer_id=actor.id, reviewed_for_id=row.acting_for,
                feedback=text if approve else MonthlyActivity.feedback, return_reason=None if approve else text)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    audit.record(actor, audit.Change("monthly_activity", item_id, "approve" if approve else "return", "submitted",
                                     new_status.value, row.agency_id, row.acting_for, None if approve else text))
    owners = db.session.scalars(select(User.id).where(User.employee_id == row.MonthlyActivity.employee_id))
    notify.send(notify.Notice(user_id, "approved" if approve else "returned",
                              {"n": 1, "name": signatory.name_of(actor, row.acting_for, today)},
                              link=f"/kegiatan/bulanan/{first:%Y-%m}") for user_id in owners)
    finish()
    return True


def notify_owners(actor: User, rows, approve: bool, today: date) -> None:
    """One notice per owner per decision, however many items it covered, naming the reviewer as the owner's
    items were decided: "Plh." before the absent appraiser's position when the actor stood in for them."""
    per_owner: dict[int, int] = defaultdict(int)
    stood_for: dict[int, set[int | None]] = defaultdict(set)
    for row in rows:
        per_owner[row.Activity.employee_id] += 1
        stood_for[row.Activity.employee_id].add(row.acting_for)
    users = dict(db.session.execute(
        select(User.employee_id, User.id).where(User.employee_id.in_(per_owner))
    ).all())
    acts = {owner: signatory.Act(actor.id, next(iter(ids)) if len(ids) == 1 else None, today)
            for owner, ids in stood_for.items()}
    names = signatory.names(acts.values())
    notify.send(
        notify.Notice(users[owner], "approved" if approve else "returned", {"n": count, "name": names[acts[owner]]},
                      link="/kegiatan/bulan")
        for owner, count in per_owner.items() if owner in users
    )


def add_comment(actor: User, activity: Activity, body: str) -> ActivityComment:
    """Add to an activity's conversation; the other side is notified."""
    body = body.strip()
    if not body:
        raise ValidationFailed(_("Komentar tidak boleh kosong."), field="body")
    comment = ActivityComment(activity_id=activity.id, author_id=actor.id, body=body[:2000])
    db.session.add(comment)
    if actor.employee_id == activity.employee_id:
        recipients = []  # the appraiser reads it in the inbox, next to the item
    else:
        recipients = list(db.session.scalars(select(User.id).where(User.employee_id == activity.employee_id)))
    notify.send(notify.Notice(user_id, "comment",
                              {"name": actor.display_name, "day": format_date(activity.activity_date)},
                              link=f"/kegiatan/{activity.activity_date.isoformat()}") for user_id in recipients)
    finish()
    return comment


def can_reopen(actor: User, agency_id: int) -> bool:
    return is_global_admin(actor) or agency_id in admin_agency_ids(actor)


@retry_on_deadlock
def reopen(actor: User, activity: Activity, agency_id: int, reason: str) -> None:
    """An admin takes an approved activity back to 'returned', so its owner can correct it; recorded."""
    if not can_reopen(actor, agency_id):
        raise NotAllowed(_("Hanya admin OPD atau admin BKD yang dapat membuka kembali kegiatan."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Alasan membuka kembali wajib diisi."), field="reason")
    if activity.status is not ActivityStatus.APPROVED:
        raise ValidationFailed(_("Hanya kegiatan yang sudah disetujui yang dapat dibuka kembali."))
    result = db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.status == ActivityStatus.APPROVED)
        .values(status=ActivityStatus.RETURNED, return_reason=reason, version=Activity.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ValidationFailed(_("Kegiatan ini sudah berubah; muat ulang halaman."))
    audit.record(actor, audit.Change("activity", activity.id, "reopen", "approved", "returned", agency_id,
                                     reason=reason))
    owners = db.session.scalars(select(User.id).where(User.employee_id == activity.employee_id))
    notify.send(notify.Notice(user_id, "reopened", {"day": format_date(activity.activity_date), "reason": reason},
                              link=f"/kegiatan/{activity.activity_date.isoformat()}") for user_id in owners)
    finish()
    db.session.refresh(activity)

