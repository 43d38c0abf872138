"""Who sees a job: only the person who asked for it. Anyone else, BKD included, gets 404.

Loading a job also settles a running job whose worker is gone (failed, so the page offers a retry).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from sqlalchemy import Select, select

from kinerja.extensions import db
from kinerja.jobs.lost import abandoned_in_rq, fail_lost, requeue_lost
from kinerja.jobs.runner import fail_stale_jobs, stale_cutoff
from kinerja.models import Job, JobStatus, User


def own_jobs_select(user: User) -> Select:
    """The user's jobs, newest first."""
    return select(Job).where(Job.requested_by == user.id).order_by(Job.created_at.desc(), Job.id)


def load_own_job(user: User, job_id: str) -> Job:
    """The user's own job, with a running job that lost its worker reported as failed; else 404."""
    job = db.session.scalar(select(Job).where(Job.id == job_id, Job.requested_by == user.id))
    if job is None:
        abort(404)
    if settle_lost([job]):
        job = db.session.get(Job, job_id)
    return job


def is_stale(job: Job) -> bool:
    return job.status is JobStatus.RUNNING and (job.heartbeat_at or job.created_at) < stale_cutoff()


def settle_lost(jobs: Iterable[Job]) -> bool:
    """Mark failed the running jobs whose heartbeat went stale or whose RQ worker stopped; True when any did,
    after which the caller reads them again. Queued jobs RQ lost are handed to a runner again.

    The request's transaction ends first: on SQLite it may hold the write lock the update needs, and it keeps
    the snapshot of its first read, which would not show the change.
    """
    jobs = list(jobs)
    requeue_lost(jobs)
    running = [job for job in jobs if job.status is JobStatus.RUNNING]
    stale = any(is_stale(job) for job in running)
    abandoned = abandoned_in_rq(job.id for job in running)
    if not stale and not abandoned:
        return False
    db.session.rollback()
    fail_stale_jobs()
    fail_lost(abandoned, "their RQ worker stopped")
    return True
