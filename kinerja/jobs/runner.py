"""Running a job: the atomic claim, the run under a heartbeat, and the end state.

Every write here goes through a connection of its own in a short transaction, so a job's status never
depends on what the job function left in `db.session`.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from kinerja import clock
from kinerja.database import read_only_transactions
from kinerja.errors import DomainError
from kinerja.extensions import db
from kinerja.jobs.context import KINDS, JobContext, jobs_folder
from kinerja.models import Job, JobStatus
from kinerja.settings import setting

log = logging.getLogger(__name__)

# Stored in Indonesian, the default language; the pages translate them when shown (see display.error_text).
STALE_ERROR = "Pekerja berhenti sebelum tugas selesai."
UNEXPECTED_ERROR = "Terjadi kesalahan saat memproses tugas. Rinciannya tercatat di log server."
UNKNOWN_KIND_ERROR = "Jenis tugas ini tidak dikenal oleh pekerja."


def expiry(now: datetime) -> datetime:
    return now + timedelta(days=setting("REPORT_RETENTION_DAYS"))


def remove_job_folder(job_id: str) -> None:
    """Delete REPORT_FOLDER/jobs/<job id> with whatever the job wrote there."""
    if job_id.isalnum():
        shutil.rmtree(jobs_folder() / job_id, ignore_errors=True)


def stale_cutoff(now: datetime | None = None) -> datetime:
    """A running job whose last heartbeat is older than this has lost its worker."""
    return (now or clock.utcnow()) - timedelta(minutes=int(current_app.config["JOB_STALE_MINUTES"]))


def fail_stale_jobs() -> int:
    """Count running jobs silent for JOB_STALE_MINUTES as failed (their worker stopped); return how many."""
    now = clock.utcnow()
    cutoff = stale_cutoff(now)
    try:
        return _fail_stale(now, cutoff)
    except OperationalError as error:  # housekeeping: the next worker or page does it when the database is busy
        log.warning("Stale jobs not checked now: %s", error)
        return 0


def _fail_stale(now: datetime, cutoff: datetime) -> int:
    with db.engine.begin() as connection:
        result = connection.execute(
            update(Job)
            .where(Job.status == JobStatus.RUNNING, func.coalesce(Job.heartbeat_at, Job.created_at) < cutoff)
            .values(status=JobStatus.FAILED, error=STALE_ERROR, finished_at=now, expires_at=expiry(now))
        )
    if result.rowcount:
        log.warning("%d running job(s) without a heartbeat since %s marked failed", result.rowcount, cutoff)
    return result.rowcount


def background(job_requested_by) -> bool:
    """A job nobody asked for (rendering ahead): it runs after every job someone waits for."""
    return job_requested_by is None


def due_condition(now: datetime):
    """Jobs that may start now: any job someone asked for; rendering ahead once its edits have settled."""
    settled = now - timedelta(seconds=int(current_app.config["PRERENDER_SETTLE_SECONDS"]))
    return or_(Job.requested_by.is_not(None), Job.created_at <= settled)


def run_order() -> tuple:
    """Jobs someone asked for first, then rendering ahead; each oldest first."""
    return (Job.requested_by.is_(None), Job.created_at, Job.id)


def next_queued() -> str | None:
    """The job to run next, if one may start now (see `run_order` and `due_condition`)."""
    with read_only_transactions(), db.engine.connect() as connection:
        return connection.execute(
            select(Job.id).where(Job.status == JobStatus.QUEUED, due_condition(clock.utcnow()))
            .order_by(*run_order()).limit(1)
        ).scalar()


def seconds_until_due() -> float | None:
    """How long until a queued job may start (0: one may now); None when nothing is queued."""
    with read_only_transactions(), db.engine.connect() as connection:
        oldest = connection.execute(
            select(func.min(Job.created_at)).where(Job.status == JobStatus.QUEUED)).scalar()
        asked = connection.execute(select(Job.id).where(
            Job.status == JobStatus.QUEUED, Job.requested_by.is_not(None)).limit(1)).scalar()
    if asked is not None:
        return 0.0
    if oldest is None:
        return None
    due = oldest + timedelta(seconds=int(current_app.config["PRERENDER_SETTLE_SECONDS"]))
    return max(0.0, (due - clock.utcnow()).total_seconds())


def claim(job_id: str) -> bool:
    """Move the job from queued to running; one UPDATE decides, so of two claimants only one wins."""
    now = clock.utcnow()
    with db.engine.begin() as connection:
        result = connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED, Job.cancel_requested.is_(False))
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
        )
    return result.rowcount == 1


def run_job(job_id: str) -> None:
    """Claim the job and run it to its end state; do nothing if it is not (or no longer) queued.

    Needs an app context. The job function runs with SQLite reads deferred (`read_only_transactions`), so it
    never holds the write lock while it works; what it leaves in `db.session` is committed when it returns
    and rolled back when it raises. The session's transaction is ended first, as the function will use it.
    """
    db.session.commit()
    if claim(job_id):
        execute(job_id)


def execute(job_id: str) -> None:
    """Run a claimed job and record how it ended."""
    with db.engine.connect() as connection:
        row = connection.execute(select(Job.kind, Job.params).where(Job.id == job_id)).one()
    context = JobContext(job_id)
    function = KINDS.get(row.kind)
    if function is None:
        log.error("Job %s has the unknown kind %r", job_id, row.kind)
        finish(context, JobStatus.FAILED, UNKNOWN_KIND_ERROR)
        return
    heartbeat = Heartbeat(current_app._get_current_object(), job_id)
    heartbeat.start()
    try:
        with read_only_transactions():
            function(context, dict(row.params or {}))
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        if isinstance(error, DomainError):
            log.warning("Job %s (%s) refused: %s", job_id, row.kind, error.message)
            message = error.message
        else:
            log.exception("Job %s (%s) failed", job_id, row.kind)
            message = UNEXPECTED_ERROR
        finish(context, JobStatus.FAILED, message)
    else:
        finish(context, JobStatus.DONE)
    finally:
        heartbeat.stop()


def finish(context: JobContext, status: JobStatus, error: str | None = None) -> JobStatus:
    """Write the end state; a job whose cancelling was asked for ends cancelled. Returns the state written."""
    now = clock.utcnow()
    values = context.progress_values(now) | {"finished_at": now, "expires_at": expiry(now), "error": error}
    with db.engine.begin() as connection:
        if connection.execute(select(Job.cancel_requested).where(Job.id == context.job_id)).scalar():
            status, values["error"] = JobStatus.CANCELLED, None
        if status is JobStatus.DONE and context.result is not None:
            path, name = context.result
            values |= {"result_path": path.relative_to(jobs_folder().parent.resolve()).as_posix(),
                       "result_name": name, "result_size": path.stat().st_size}
        written = connection.execute(
            update(Job).where(Job.id == context.job_id, Job.status == JobStatus.RUNNING).values(status=status, **values)
        ).rowcount
    if not written:
        log.warning("Job %s was no longer running when it ended (given up as stale?)", context.job_id)
    if not written or status is not JobStatus.DONE:
        remove_job_folder(context.job_id)
    return status


class Heartbeat(threading.Thread):
    """Keeps the job's heartbeat fresh while its function works, even on an item that takes minutes."""

    def __init__(self, app: Flask, job_id: str) -> None:
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.app, self.job_id = app, job_id
        self.interval = min(max(int(app.config["JOB_STALE_MINUTES"]) * 60 / 4, 1), 60)
        self.stopping = threading.Event()

    def start(self) -> None:
        # An in-memory SQLite database is private to its thread: another thread would not find the table.
        if db.engine.url.database not in (None, "", ":memory:"):
            super().start()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopping.wait(self.interval):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(Job).where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                                           .values(heartbeat_at=clock.utcnow()))
                except SQLAlchemyError as error:
                    log.warning("Heartbeat of job %s not written: %s", self.job_id, error)

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)
