"""Rendering ahead: watch the data behind the employee reports and queue their rendering as it settles.

Every committed change to an employee's activities, monthly activities, evaluation, attendance or leave marks
that employee's month. After the request (or at the end of a job or command), each marked month that is fully
approved, or that already has a stored report, gets a `prerender` job: it loads the month, and renders and
stores the PDF only when the hash of the data differs from the stored one (so a stale file is replaced and its
verification code reports the newer version). Locking a month queues the whole agency's month the same way.
Changes made through bulk UPDATE statements are seen too: their WHERE clause is read back first.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from kinerja.database import read_only_transactions, write_transactions
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityStatus,
    AttendanceRecord,
    Employee,
    Evaluation,
    EvaluationIndicator,
    Leave,
    MonthlyActivity,
    ReportDocument,
)
from kinerja.reports import store
from kinerja.workcalendar import month_days

log = logging.getLogger(__name__)
Subject = tuple[int, int, int]  # employee id, year, month
PENDING, COMMITTED = "reports_pending", "reports_committed"


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def subjects_of(session: Session, item) -> set[Subject]:
    if isinstance(item, Activity):
        days = {item.activity_date}
        history = db.inspect(item).attrs.activity_date.history
        days.update(day for day in history.deleted or () if day is not None)
        return {(item.employee_id, day.year, day.month) for day in days if day is not None}
    if isinstance(item, MonthlyActivity | Evaluation):
        return {(item.employee_id, item.year, item.month)}
    if isinstance(item, EvaluationIndicator):
        evaluation = session.get(Evaluation, item.evaluation_id) if item.evaluation_id else None
        return {(evaluation.employee_id, evaluation.year, evaluation.month)} if evaluation is not None else set()
    if isinstance(item, AttendanceRecord):
        return {(item.employee_id, item.day.year, item.day.month)}
    if isinstance(item, Leave) and item.start_date and item.end_date:
        return {(item.employee_id, year, month) for year, month in months_between(item.start_date, item.end_date)}
    return set()


WATCHED = (Activity, MonthlyActivity, Evaluation, EvaluationIndicator, AttendanceRecord, Leave)


def mark(session: Session, subjects: set[Subject]) -> None:
    if subjects:
        session.info.setdefault(PENDING, set()).update(subjects)


def after_flush(session: Session, flush_context) -> None:
    found: set[Subject] = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, WATCHED):
            found |= subjects_of(session, item)
    mark(session, {subject for subject in found if None not in subject})


def do_orm_execute(state) -> None:
    """Before a bulk UPDATE or DELETE of activities or monthly activities, note whose months it touches."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    where = state.statement.whereclause
    if where is None or entity not in (Activity, MonthlyActivity):
        return
    if entity is Activity:
        rows = state.session.execute(
            select(Activity.employee_id, Activity.activity_date).where(where).distinct())
        subjects = {(employee_id, day.year, day.month) for employee_id, day in rows}
    else:
        rows = state.session.execute(
            select(MonthlyActivity.employee_id, MonthlyActivity.year, MonthlyActivity.month).where(where).distinct())
        subjects = {tuple(row) for row in rows}
    mark(state.session, subjects)


def after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        session.info.setdefault(COMMITTED, set()).update(pending)


def after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: its changes are gone
        session.info.pop(PENDING, None)


def eligible(subjects: set[Subject]) -> list[Subject]:
    """The months that are fully approved now, or that have a stored report to check against the data: one
    statement per month (usually one month of one person, after each save)."""
    chosen: set[Subject] = set()
    by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
    for employee_id, year, month in subjects:
        by_month[(year, month)].append(employee_id)
    for (year, month), ids in by_month.items():
        first, last = month_days(year, month)
        person = Employee.id
        in_month = (Activity.employee_id == person, Activity.activity_date.between(first, last))
        rows = db.session.execute(select(
            person,
            select(Activity.id).where(*in_month, Activity.status == ActivityStatus.APPROVED).exists(),
            select(Activity.id).where(*in_month, Activity.status != ActivityStatus.APPROVED).exists()
            | select(MonthlyActivity.id).where(
                MonthlyActivity.employee_id == person, MonthlyActivity.year == year, MonthlyActivity.month == month,
                MonthlyActivity.status != ActivityStatus.APPROVED).exists(),
            select(ReportDocument.id).where(
                ReportDocument.employee_id == person, ReportDocument.year == year, ReportDocument.month == month,
                ReportDocument.kind.in_(store.EMPLOYEE_KINDS), ReportDocument.superseded_at.is_(None)).exists(),
        ).where(person.in_(ids)))
        chosen.update((employee_id, year, month) for employee_id, approved, unfinished, stored in rows
                      if stored or (approved and not unfinished))
    return sorted(chosen)


def process_pending() -> None:
    """Queue the rendering of the months marked by committed changes (called after each request and context)."""
    session = db.session()
    subjects = session.info.pop(COMMITTED, None)
    if not subjects:
        return
    try:
        with read_only_transactions():  # SQLite: a read needs no write lock
            chosen = eligible(subjects)
            db.session.rollback()  # end the read transaction before the job is created
        if chosen:
            with write_transactions():
                queue_subjects(chosen)
    except Exception:  # never break the page for rendering ahead: the next download renders anyway
        log.exception("Could not queue the rendering of %d report(s) ahead", len(subjects))
        db.session.rollback()


def queue_subjects(subjects: list[Subject]) -> None:
    """One waiting job renders every marked month: the months join a prerender job not yet started (its wait
    starts again, so it runs once the edits settle), else a new one is queued."""
    from kinerja import clock
    from kinerja.jobs import create_job, dispatch
    from kinerja.jobs.launcher import runner_name
    from kinerja.models import Job, JobStatus

    query = (select(Job).where(Job.kind == "prerender", Job.status == JobStatus.QUEUED, Job.requested_by.is_(None))
             .order_by(Job.created_at).limit(1))
    if db.session.get_bind().dialect.name != "sqlite":  # SQLite: the IMMEDIATE transaction holds the write lock
        query = query.with_for_update()
    waiting = db.session.scalar(query)
    if waiting is not None and "subjects" in (waiting.params or {}):
        merged = sorted({tuple(subject) for subject in waiting.params["subjects"]} | set(subjects))
        waiting.params = {"subjects": [list(subject) for subject in merged]}
        waiting.title, waiting.created_at = f"Render {len(merged)} laporan", clock.utcnow()
        db.session.commit()
        if runner_name() != "rq":  # on RQ it is on its queue already
            dispatch(waiting)
        return
    db.session.rollback()
    job = create_job("prerender", {"subjects": [list(subject) for subject in subjects]},
                     title=f"Render {len(subjects)} laporan", requested_by=None)
    dispatch(job)


def queue_agency_month(agency_id: int, first: date) -> None:
    """When a month locks: render every report of the agency's month ahead (those stored are kept)."""
    from kinerja.jobs import create_job, dispatch

    job = create_job("prerender", {"agency_id": agency_id, "month": f"{first:%Y-%m}"},
                     title=f"Render laporan OPD {agency_id} {first:%Y-%m}", requested_by=None)
    dispatch(job)


def init_app(app: Flask) -> None:
    if not getattr(Session, "_kinerja_reports_watched", False):
        event.listen(Session, "after_flush", after_flush)
        event.listen(Session, "do_orm_execute", do_orm_execute)
        event.listen(Session, "after_commit", after_commit)
        event.listen(Session, "after_soft_rollback", after_soft_rollback)
        Session._kinerja_reports_watched = True

    @app.after_request
    def queue_after_request(response):
        process_pending()
        return response

    @app.teardown_appcontext
    def queue_at_teardown(error):
        if error is None:
            process_pending()
