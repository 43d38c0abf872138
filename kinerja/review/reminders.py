"""Reminders for cron (`flask --app wsgi remind`): staff with working days left unfiled (nothing submitted for
review: kinerja.core.filing), appraisers (or the Plh/Plt standing in) with items waiting too long, everyone when
a month is about to close; then e-mail for unsent notices when SMTP is set. Each kind is sent at most once a day
per person, so running the command twice the same day adds nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, func, select

from kinerja import clock, notify
from kinerja.core.filing import filed_days
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import (
    ActingAssignment,
    Activity,
    ActivityStatus,
    Agency,
    Assignment,
    Employee,
    Leave,
    Notification,
    User,
)
from kinerja.models.people import active_on
from kinerja.settings import setting
from kinerja.workcalendar import holidays_between, is_weekend


@dataclass
class ReminderReport:
    unfiled: int = 0
    waiting: int = 0
    closing: int = 0
    emailed: int = 0
    mail_failed: int = 0


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.zone())


def already_notified(kind: str, today: date) -> set[int]:
    """Who got this kind of notice since the start of the day (the run's day, or the real one if earlier)."""
    start = min(start_of(today), start_of(clock.today()))
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind,
                                                                       Notification.created_at >= start)))


def unfiled_notices(today: date) -> list[notify.Notice]:
    """Staff whose working days this month up to yesterday have no activity filed (submitted for review: a draft
    does not count, as on the monitoring page)."""
    first, yesterday = today.replace(day=1), today - timedelta(days=1)
    if yesterday < first:
        return []
    staff = db.session.execute(
        select(User.id, Assignment.employee_id, Assignment.agency_id)
        .join(Assignment, Assignment.employee_id == User.employee_id)
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Assignment.active_on(today), Employee.active.is_(True), User.is_enabled.is_(True))
    ).all()
    work_weeks = dict(db.session.execute(select(Agency.id, Agency.work_week)).all())
    days_off = holidays_between(first, yesterday)
    filed = filed_days(first, yesterday)
    on_leave: dict[int, set[date]] = defaultdict(set)
    for leave in db.session.scalars(select(Leave).where(Leave.start_date <= yesterday, Leave.end_date >= first)):
        day = max(leave.start_date, first)
        while day <= min(leave.end_date, yesterday):
            on_leave[leave.employee_id].add(day)
            day += timedelta(days=1)
    skip = already_notified("unfiled", today)
    notices = []
    for user_id, employee_id, agency_id in staff:
        if user_id in skip:
            continue
        work_week = work_weeks.get(agency_id, 5)
        missing = 0
        day = first
        while day <= yesterday:
            if (not is_weekend(day, work_week) and day not in days_off and day not in on_leave[employee_id]
                    and day not in filed[employee_id]):
                missing += 1
            day += timedelta(days=1)
        if missing:
            notices.append(notify.Notice(user_id, "unfiled", {"n": missing}, link="/kegiatan/bulan"))
    return notices


def waiting_notices(today: date) -> list[notify.Notice]:
    """Appraisers with items waiting more than N days; while an appraiser is away, whoever stands in for them
    today (Plh/Plt) is reminded instead, as they are the one who can decide."""
    days = setting("REMIND_WAITING_DAYS")
    before = start_of(today) - timedelta(days=days)
    per_appraiser = dict(db.session.execute(
        select(Assignment.appraiser_id, func.count())
        .select_from(Activity)
        .join(Assignment, and_(Assignment.employee_id == Activity.employee_id,
                               active_on(Assignment.valid_from, Assignment.valid_to, Activity.activity_date)))
        .where(Activity.status == ActivityStatus.SUBMITTED, Activity.submitted_at < before,
               Assignment.appraiser_id.is_not(None))
        .group_by(Assignment.appraiser_id)
    ).all())
    if not per_appraiser:
        return []
    stand_ins = dict(db.session.execute(
        select(ActingAssignment.absent_id, ActingAssignment.acting_id)
        .where(ActingAssignment.absent_id.in_(per_appraiser), ActingAssignment.active_on(today))
    ).all())
    counts: dict[int, int] = defaultdict(int)
    for appraiser_id, count in per_appraiser.items():
        counts[stand_ins.get(appraiser_id, appraiser_id)] += count
    users = dict(db.session.execute(select(User.employee_id, User.id).where(User.employee_id.in_(counts))).all())
    skip = already_notified("waiting", today)
    return [notify.Notice(users[employee_id], "waiting", {"n": count, "days": days}, link="/pemeriksaan/")
            for employee_id, count in counts.items() if employee_id in users and users[employee_id] not in skip]


def closing_notices(today: date) -> list[notify.Notice]:
    """In the three days up to the closing day, everyone with an employee record hears that last month closes."""
    lock_day = setting("FILING_LOCK_DAY")
    if not 0 <= lock_day - today.day <= 2:
        return []
    last_month = today.replace(day=1) - timedelta(days=1)
    params = {"month": format_date(last_month, "MMMM y"), "day": format_date(today.replace(day=lock_day))}
    skip = already_notified("month_closing", today)
    users = db.session.scalars(select(User.id).join(Employee, Employee.id == User.employee_id)
                               .where(User.is_enabled.is_(True), Employee.active.is_(True)))
    return [notify.Notice(user_id, "month_closing", params, link="/kegiatan/bulan")
            for user_id in users if user_id not in skip]


def email_pending(report: ReminderReport) -> None:
    """Send each notice not yet e-mailed to its reader's address, when SMTP is configured."""
    if not notify.mail_configured():
        return
    rows = db.session.execute(
        select(Notification, Employee.email).join(User, User.id == Notification.user_id)
        .join(Employee, Employee.id == User.employee_id)
        .where(Notification.emailed_at.is_(None), Employee.email.is_not(None),
               Notification.created_at >= clock.utcnow() - timedelta(days=2))
    ).all()
    for notification, email in rows:
        try:
            notify.deliver_mail(email, "Kinerja: " + notify.render(notification)[:60], notify.render(notification))
        except OSError as error:
            current_app.logger.warning("Mail to %s failed: %s", email, error)
            report.mail_failed += 1
            continue
        notification.emailed_at = clock.utcnow()
        report.emailed += 1
    db.session.commit()


def remind(today: date) -> ReminderReport:
    report = ReminderReport()
    report.unfiled = notify.send(unfiled_notices(today))
    report.waiting = notify.send(waiting_notices(today))
    report.closing = notify.send(closing_notices(today))
    db.session.commit()
    email_pending(report)
    return report
