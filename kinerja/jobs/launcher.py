"""Starting queued jobs according to JOB_RUNNER, without ever making the request wait.

- "rq": the job's id goes on the JOB_QUEUE queue in Redis; `flask jobs worker` runs them.
- "local": a detached `flask jobs work --burst` process is started unless one already runs (it holds
  the lock file REPORT_FOLDER/jobs-worker.lock); it runs queued jobs until none is left, then exits.
- "auto": "rq" when REDIS_URL is set, else "local". "none": the job waits for a worker run by other means.
An unreachable Redis falls back to "local" with a warning, so pages keep working.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue

from kinerja.models import Job

log = logging.getLogger(__name__)

RUNNERS = ("auto", "rq", "local", "none")
RQ_JOB_TIMEOUT = 6 * 3600  # RQ kills a work horse after this; a pack of a regency's PDFs fits well within


def runner_name() -> str:
    """The runner JOB_RUNNER picks, with "auto" resolved."""
    runner = current_app.config["JOB_RUNNER"]
    if runner not in RUNNERS:
        raise RuntimeError(f"JOB_RUNNER must be one of {', '.join(RUNNERS)}, not {runner!r}")
    if runner == "auto":
        return "rq" if current_app.config.get("REDIS_URL") else "local"
    return runner


def dispatch(job: Job) -> None:
    """Start the queued job with the configured runner; never blocks the request for long."""
    runner = runner_name()
    if runner == "rq":
        try:
            enqueue(job.id, background=job.requested_by is None)
            return
        except RedisError as error:
            log.warning("Redis unreachable (%s): job %s goes to a local worker instead", error, job.id)
            runner = "local"
    if runner == "local":
        try:
            start_local_worker()
        except OSError:
            log.exception("Could not start a local job worker; job %s stays queued", job.id)


def redis_connection() -> Redis:
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("REDIS_URL is not set")
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)


def queue_names() -> list[str]:
    """The RQ queues in the order workers take from them: jobs someone asked for, then rendering ahead."""
    name = current_app.config["JOB_QUEUE"]
    return [name, f"{name}-background"]


def enqueue(job_id: str, background: bool = False) -> None:
    """Put the job on its RQ queue (the RQ job has the same id): rendering ahead on the background queue, after
    the edits settle (RQ's scheduler, run by `flask jobs worker`); if RQ sees its work horse die, the job is
    marked failed through the failure callback."""
    from kinerja.jobs.lost import on_rq_failure
    from kinerja.jobs.runner import run_job

    asked, later = queue_names()
    options = {"job_id": job_id, "job_timeout": RQ_JOB_TIMEOUT, "result_ttl": 0, "failure_ttl": 7 * 24 * 3600,
               "description": f"kinerja job {job_id}", "on_failure": Callback(on_rq_failure)}
    if background:
        queue = Queue(later, connection=redis_connection())
        queue.enqueue_in(timedelta(seconds=int(current_app.config["PRERENDER_SETTLE_SECONDS"])), run_job, job_id,
                         **options)
    else:
        Queue(asked, connection=redis_connection()).enqueue(run_job, job_id, **options)


class WorkerLock:
    """An fcntl lock on REPORT_FOLDER/jobs-worker.lock: held by the local worker while it runs.

    The kernel drops it when the process ends, however it ends.
    """

    ENV = "KINERJA_WORKER_LOCK_FD"

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / "jobs-worker.lock"
        self.handle = None

    @property
    def held(self) -> bool:
        return self.handle is not None

    @classmethod
    def inherited(cls, folder: str | Path) -> WorkerLock | None:
        """The lock the launcher took and handed to this worker process (its descriptor in ENV), if any."""
        number = os.environ.pop(cls.ENV, "")
        if not number.isdigit():
            return None
        lock = cls(folder)
        try:
            lock.handle = open(int(number), "a+")  # noqa: SIM115 - held open for as long as the lock is
        except OSError:
            return None
        return lock

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as the lock is
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def local_worker_running(folder: str | Path) -> bool:
    lock = WorkerLock(folder)
    if lock.acquire():
        lock.release()
        return False
    return True


def worker_command() -> list[str]:
    return [sys.executable, "-m", "flask", "--app", os.environ.get("FLASK_APP", "wsgi"), "jobs", "work", "--burst"]


def start_local_worker() -> bool:
    """Start a detached burst worker unless one runs already; True when one was started.

    The lock is taken here, before the process starts, and handed to it (an inherited descriptor): a burst of
    requests can never start two workers in the second a new one takes to boot, so at most one runs at a time.
    """
    from kinerja import PROJECT_DIR

    folder = Path(current_app.config["REPORT_FOLDER"])
    lock = WorkerLock(folder)
    if not lock.acquire():
        return False
    try:
        descriptor = lock.handle.fileno()
        env = dict(os.environ)
        env.setdefault("KINERJA_ENV", current_app.config["ENV_NAME"])
        env[WorkerLock.ENV] = str(descriptor)
        with open(folder / "jobs-worker.log", "ab") as output:
            # The Popen object is dropped while the process runs; subprocess reaps it on a later Popen.
            subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                worker_command(), cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(descriptor,),
            )
    finally:
        # Closing our copy keeps the lock: the worker's inherited descriptor holds it until the worker ends.
        lock.handle.close()
        lock.handle = None
    return True
