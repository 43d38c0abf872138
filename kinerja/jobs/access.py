"""Who sees a job: only the person who asked for it. Anyone else, BKD included, gets 404."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, select

from kinerja.extensions import db
from kinerja.jobs.runner import fail_stale_jobs, stale_cutoff
from kinerja.models import Job, JobStatus, User


def own_jobs_select(user: User) -> Select:
    """The user's jobs, newest first."""
    return select(Job).where(Job.requested_by == user.id).order_by(Job.created_at.desc(), Job.id)


def load_own_job(user: User, job_id: str) -> Job:
    """The user's own job, with a silent running job reported as failed; else 404."""
    job = db.session.scalar(select(Job).where(Job.id == job_id, Job.requested_by == user.id))
    if job is None:
        abort(404)
    if is_stale(job):
        refresh_stale()
        job = db.session.get(Job, job_id)
    return job


def is_stale(job: Job) -> bool:
    return job.status is JobStatus.RUNNING and (job.heartbeat_at or job.created_at) < stale_cutoff()


def refresh_stale() -> None:
    """Mark stale jobs failed and read on in a new transaction.

    The request's transaction ends first: on SQLite it may hold the write lock the update needs, and it keeps
    the snapshot of its first read, which would not show the change.
    """
    db.session.rollback()
    fail_stale_jobs()
