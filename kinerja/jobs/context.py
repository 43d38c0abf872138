"""The registry of job kinds and the context a job function reports through.

A job function runs as `function(ctx, params)`. Its progress, failures and heartbeat are written by the
context in short transactions on a connection of their own, so they never commit (or roll back) whatever
the function holds in `db.session`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from kinerja import clock
from kinerja.extensions import db
from kinerja.models import Job, JobStatus

JobFunction = Callable[["JobContext", dict], None]
KINDS: dict[str, JobFunction] = {}

WRITE_INTERVAL = 0.5  # seconds between progress writes: at most ~2 per second
CHECK_INTERVAL = 0.5  # seconds between reads of the cancel flag


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under a kind name: @job_kind("agency_pack")."""

    def register(function: JobFunction) -> JobFunction:
        if KINDS.get(name, function) is not function:
            raise ValueError(f"Job kind {name!r} is already registered")
        KINDS[name] = function
        return function

    return register


def jobs_folder() -> Path:
    return Path(current_app.config["REPORT_FOLDER"]) / "jobs"


class JobContext:
    """What a running job function sees: progress, cancellation, per-item failures and its output file."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.total = 0
        self.done = 0
        self.failures: list[dict] = []
        self.result: tuple[Path, str] | None = None
        self._written_at = 0.0
        self._checked_at = 0.0
        self._cancelled = False

    def set_total(self, n: int) -> None:
        """Announce how many items the job will go through."""
        self.total = max(int(n), 0)
        self.write_progress()

    def advance(self, n: int = 1) -> None:
        """Count items as processed; writes progress and heartbeat at most twice a second."""
        self.done += n
        if time.monotonic() - self._written_at >= WRITE_INTERVAL:
            self.write_progress()

    def fail_item(self, item: str, reason: str) -> None:
        """Record that one item failed; the job goes on with the rest."""
        self.failures.append({"item": str(item), "reason": str(reason)})
        if time.monotonic() - self._written_at >= WRITE_INTERVAL:
            self.write_progress()

    def cancelled(self) -> bool:
        """True once cancelling was asked for (or the job was given up as stale): stop between items."""
        if self._cancelled or time.monotonic() - self._checked_at < CHECK_INTERVAL:
            return self._cancelled
        self._checked_at = time.monotonic()
        with db.engine.connect() as connection:
            row = connection.execute(
                select(Job.cancel_requested, Job.status).where(Job.id == self.job_id)
            ).one_or_none()
        self._cancelled = row is None or bool(row.cancel_requested) or row.status is not JobStatus.RUNNING
        return self._cancelled

    def output_path(self, filename: str) -> Path:
        """Where to write a file of this job: REPORT_FOLDER/jobs/<job id>/<filename> (folder created)."""
        if not filename or Path(filename).name != filename:
            raise ValueError(f"Not a plain file name: {filename!r}")
        folder = jobs_folder() / self.job_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / filename

    def finish_file(self, path: Path, download_name: str) -> None:
        """Register the job's result file, offered for download as `download_name` once the job is done."""
        path = Path(path).resolve()
        if not path.is_relative_to((jobs_folder() / self.job_id).resolve()) or not path.is_file():
            raise ValueError(f"The result must be a file written under output_path(): {path}")
        self.result = (path, download_name)

    def progress_values(self, now: datetime) -> dict:
        return {"total": self.total, "done": min(self.done, self.total) if self.total else self.done,
                "failures": list(self.failures), "heartbeat_at": now}

    def write_progress(self) -> None:
        """Write progress and heartbeat in a transaction of its own (only while the job runs)."""
        self._written_at = time.monotonic()
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.status == JobStatus.RUNNING)
                .values(**self.progress_values(clock.utcnow()))
            )
