"""Creating, cancelling, retrying and cleaning up jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from kinerja import clock
from kinerja.errors import Conflict
from kinerja.extensions import db
from kinerja.jobs.context import KINDS, jobs_folder
from kinerja.jobs.runner import expiry, remove_job_folder
from kinerja.models import Job, JobStatus, User

PURGE_BATCH = 20  # expired results removed in passing by create_job


def create_job(kind: str, params: dict, *, title: str, requested_by: int | None) -> Job:
    """Queue a job of a registered kind (commits); removes a few expired results on the way."""
    if kind not in KINDS:
        raise ValueError(f"Unknown job kind {kind!r}")
    job = Job(id=uuid.uuid4().hex, kind=kind, params=dict(params), title=title[:255], requested_by=requested_by,
              status=JobStatus.QUEUED, failures=[])
    db.session.add(job)
    purge_expired(limit=PURGE_BATCH)
    db.session.commit()
    return job


def cancel_job(user: User, job: Job) -> None:
    """A queued job is cancelled at once and will never run; a running one stops at its next check."""
    if job.status.finished:
        raise Conflict(_("Tugas ini sudah berakhir."))
    now = clock.utcnow()
    cancelled = db.session.execute(
        update(Job).where(Job.id == job.id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, cancel_requested=True, finished_at=now, expires_at=expiry(now))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:
        db.session.execute(
            update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING).values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def retry_job(user: User, job: Job) -> Job:
    """A new queued job with the same kind and parameters as a failed or cancelled one."""
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise Conflict(_("Hanya tugas yang gagal atau dibatalkan yang dapat diulangi."))
    return create_job(job.kind, dict(job.params or {}), title=job.title, requested_by=user.id)


def waiting_text(job: Job) -> str | None:
    """What a queued job waits for, in the reader's language: the jobs that run before it, or the worker."""
    if job.status is not JobStatus.QUEUED:
        return None
    earlier = or_(Job.created_at < job.created_at, and_(Job.created_at == job.created_at, Job.id < job.id))
    queued_before = and_(Job.requested_by.is_not(None), earlier) if job.requested_by is not None else \
        or_(Job.requested_by.is_not(None), earlier)
    ahead = db.session.scalar(select(func.count(Job.id)).where(Job.id != job.id, or_(
        Job.status == JobStatus.RUNNING, and_(Job.status == JobStatus.QUEUED, queued_before)))) or 0
    if ahead:
        return _("Menunggu %(n)s tugas lain yang lebih dahulu selesai.", n=ahead)
    if job.requested_by is None:
        return _("Menunggu perubahan data selesai, lalu dikerjakan setelah tugas yang diminta pengguna.")
    return _("Menunggu pekerja memulai tugas ini.")


def job_file_path(job: Job) -> Path | None:
    """The result file of a finished job, or None when there is none, it expired or it is gone from disk."""
    if job.status is not JobStatus.DONE or not job.result_path:
        return None
    if job.expires_at is not None and job.expires_at <= clock.utcnow():
        return None
    root = Path(current_app.config["REPORT_FOLDER"]).resolve()
    path = (root / job.result_path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def purge_expired(now: datetime | None = None, limit: int | None = None) -> int:
    """Delete the result files of expired jobs; their rows stay, with result_path cleared. Does not commit."""
    now = now or clock.utcnow()
    query = select(Job).where(Job.result_path.is_not(None), Job.expires_at <= now).order_by(Job.expires_at)
    jobs = list(db.session.scalars(query.limit(limit)))
    for job in jobs:
        remove_job_folder(job.id)
        job.result_path = None
    return len(jobs)


def sweep_folders() -> int:
    """Delete job folders nothing points to any more: of failed, cancelled or vanished jobs. Returns how many."""
    folder = jobs_folder()
    names = [path.name for path in folder.iterdir() if path.is_dir()] if folder.is_dir() else []
    removed = 0
    for start in range(0, len(names), 500):
        batch = names[start:start + 500]
        kept = set(db.session.scalars(select(Job.id).where(
            Job.id.in_(batch),
            Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]) | Job.result_path.is_not(None),
        )))
        for name in set(batch) - kept:
            remove_job_folder(name)
            removed += 1
    return removed
