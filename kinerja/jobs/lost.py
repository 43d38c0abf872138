"""Jobs whose RQ worker died: found from RQ's own bookkeeping instead of waiting JOB_STALE_MINUTES.

RQ keeps each running job in its StartedJobRegistry with a score the worker pushes forward every
`job_monitoring_interval` seconds; once the score lies in the past the worker (and its work horse) stopped.
A job page being followed asks RQ about its running job, so a worker killed with SIGKILL shows as failed
(retry offered) some 70 s after its last beat. A work horse killed under a surviving worker (the OOM killer)
is reported by that worker at once, and jobs RQ itself gives up as abandoned end failed through their failure
callback. The JOB_STALE_MINUTES heartbeat stays as the last resort, for the local runner and a lost Redis.

A queued job can be lost too: Redis restarted without its data, or went away with the job in its queue. A queued
job older than REQUEUE_AFTER that RQ no longer holds is handed to a runner again when its page is followed (the
local runner while Redis is unreachable); the atomic claim keeps it from running twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import Job as RQJob
from rq.registry import StartedJobRegistry
from sqlalchemy import update

from kinerja import clock
from kinerja.extensions import db
from kinerja.jobs.runner import STALE_ERROR, expiry, remove_job_folder
from kinerja.models import Job, JobStatus

log = logging.getLogger(__name__)
REQUEUE_AFTER = timedelta(seconds=30)  # a younger queued job may still be on its way to the queue


def fail_lost(job_ids: Iterable[str], reason: str) -> int:
    """Mark these jobs failed if they are still running (their worker is gone); returns how many were."""
    ids = sorted(set(job_ids))
    if not ids:
        return 0
    now = clock.utcnow()
    with db.engine.begin() as connection:
        failed = connection.execute(
            update(Job).where(Job.id.in_(ids), Job.status == JobStatus.RUNNING)
            .values(status=JobStatus.FAILED, error=STALE_ERROR, finished_at=now, expires_at=expiry(now))
        ).rowcount
    if failed:
        log.warning("%d running job(s) marked failed: %s (%s)", failed, reason, ", ".join(ids))
        for job_id in ids:
            remove_job_folder(job_id)
    return failed


def abandoned_in_rq(job_ids: Iterable[str]) -> set[str]:
    """Those of the jobs that RQ's started registry shows abandoned (no worker heartbeat in time).

    Empty when the jobs do not run on RQ or Redis cannot be asked: the heartbeat rule then decides.
    """
    from kinerja.jobs.launcher import queue_names, redis_connection, runner_name

    ids = set(job_ids)
    if not ids or runner_name() != "rq":
        return set()
    try:
        connection = redis_connection()
        expired = {job_id for name in queue_names()
                   for job_id in StartedJobRegistry(name, connection=connection).get_expired_job_ids()}
    except RedisError as error:
        log.warning("Could not ask Redis about running jobs: %s", error)
        return set()
    return ids & expired


def fail_abandoned(job_ids: Iterable[str]) -> int:
    """Mark failed those of the running jobs whose RQ worker stopped; returns how many."""
    return fail_lost(abandoned_in_rq(job_ids), "their RQ worker stopped")


def requeue_lost(jobs: Iterable[Job]) -> int:
    """Hand again to a runner the queued jobs that RQ lost (or cannot be asked about); returns how many."""
    from kinerja.jobs.launcher import dispatch, redis_connection, runner_name

    cutoff = clock.utcnow() - REQUEUE_AFTER
    waiting = [job for job in jobs if job.status is JobStatus.QUEUED and job.created_at < cutoff]
    if not waiting or runner_name() != "rq":
        return 0
    try:
        connection = redis_connection()
        lost = [job for job in waiting if not RQJob.exists(job.id, connection=connection)]
    except RedisError:
        lost = waiting  # dispatch falls back to the local runner
    for job in lost:
        log.warning("Queued job %s is not in Redis: handing it to a runner again", job.id)
        dispatch(job)
    return len(lost)


def on_rq_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ failure callback (runs in the worker, inside the app context): the work horse died, the job timed out
    or RQ gave it up as abandoned. A job whose function merely raised has already recorded its end."""
    fail_lost([job.id], f"RQ reported {getattr(exc_type, '__name__', exc_type)}")


def on_horse_killed(job, retpid: int, ret_val: int, rusage) -> None:
    """RQ worker hook: the work horse running this job died (a signal, the OOM killer)."""
    fail_lost([job.id], f"work horse {retpid} ended with status {ret_val}")
