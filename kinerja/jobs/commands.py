"""Command-line tools of background jobs: flask --app wsgi jobs work | worker | purge."""

from __future__ import annotations

import importlib
import logging
import os
import time

import click
from flask import current_app
from flask.cli import AppGroup
from rq import Worker
from sqlalchemy.exc import SQLAlchemyError

from kinerja.extensions import db
from kinerja.jobs.launcher import WorkerLock, queue_names, redis_connection
from kinerja.jobs.lost import on_horse_killed
from kinerja.jobs.runner import claim, execute, fail_stale_jobs, next_queued, seconds_until_due
from kinerja.jobs.services import purge_expired, sweep_folders

log = logging.getLogger(__name__)
jobs_cli = AppGroup("jobs", help="Background jobs (exports): run, serve with RQ, clean up.")

IDLE_SECONDS = 2.0
# How often an RQ worker checks on its work horse and pushes its job's registry entry forward: RQ counts the job
# abandoned this many seconds plus 60 after the worker last did (see kinerja/jobs/lost.py).
JOB_MONITORING_INTERVAL = 10


def import_job_modules(modules: tuple[str, ...]) -> None:
    """Import modules that register job kinds beyond the app's own."""
    for name in modules:
        importlib.import_module(name)


def lower_priority() -> None:
    """Give the web workers the CPU first: a month-end export or a report rendered ahead may wait a moment, a
    page may not. Raises this process's niceness to JOB_WORKER_NICE; the rendering processes it starts inherit
    it."""
    wanted = current_app.config["JOB_WORKER_NICE"]
    current = os.nice(0)
    if wanted > current:
        os.nice(wanted - current)


def run_queued() -> int:
    """Claim and run queued jobs, oldest first, until none is left; return how many ran here."""
    count = 0
    while (job_id := next_queued()) is not None:
        if claim(job_id):
            try:
                execute(job_id)
            except SQLAlchemyError:
                # Its end state could not be written: it is reported failed once its heartbeat goes stale.
                log.exception("Job %s: end state not recorded", job_id)
            db.session.remove()
            count += 1
    return count


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Exit once no queued job is left (the local runner uses this).")
@click.option("--import", "modules", multiple=True, envvar="KINERJA_JOB_MODULES",
              help="Also import this module, which registers job kinds (repeatable).")
def work_command(burst: bool, modules: tuple[str, ...]) -> None:
    """Run queued jobs in this process (for JOB_RUNNER=local or none)."""
    import_job_modules(modules)
    lower_priority()
    fail_stale_jobs()
    folder = current_app.config["REPORT_FOLDER"]
    lock = WorkerLock.inherited(folder) or WorkerLock(folder)
    if not lock.held and not lock.acquire() and burst:
        click.echo("Pekerja lain sedang berjalan.")
        return
    count = 0
    while True:
        count += run_queued()
        wait = seconds_until_due()
        if not burst or (wait is not None and wait > 0):
            # Rendering ahead still settling (or a long-running worker idling): look again shortly.
            time.sleep(min(wait, IDLE_SECONDS) if wait else IDLE_SECONDS)
            continue
        # A job queued while we let go of the lock is seen by the check below, or its request finds the
        # lock free and starts a new worker: it is never left waiting.
        lock.release()
        if seconds_until_due() is None or not lock.acquire():
            break
    click.echo(f"{count} tugas dijalankan.")


class PromptExit:
    """An RQ worker whose command channel (stop, kill a job) is read in a thread that wakes every second.

    RQ's thread waits in 60-second reads and is joined when the worker ends; when it has read the reply to the
    unsubscribe before it is told to stop, the worker waits out a whole read (rq 3.0 with redis-py 8.2: a burst
    worker took 60 s to exit, now and then, when the machine was busy)."""

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler)


class EngineSafeWorker(PromptExit, Worker):
    """An RQ worker whose forked work horses open their own database connections."""

    def main_work_horse(self, job, queue):
        # Connections inherited from the parent share its sockets: the child must not use them, close them or
        # let them be garbage-collected (which rolls back). Keep the inherited session aside, start afresh.
        self.inherited_session = db.session.registry()
        db.session.registry.set(db.session.session_factory())
        db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option("--import", "modules", multiple=True, envvar="KINERJA_JOB_MODULES",
              help="Also import this module, which registers job kinds (repeatable).")
def rq_worker_command(burst: bool, modules: tuple[str, ...]) -> None:
    """Run an RQ worker on JOB_QUEUE inside the app (for JOB_RUNNER=rq or auto with REDIS_URL)."""
    import_job_modules(modules)
    lower_priority()
    fail_stale_jobs()
    worker = EngineSafeWorker(
        queue_names(), connection=redis_connection(),
        job_monitoring_interval=JOB_MONITORING_INTERVAL, work_horse_killed_handler=on_horse_killed,
    )
    # The scheduler moves rendering ahead onto its queue once the edits behind it have settled.
    worker.work(burst=burst, with_scheduler=True)


@jobs_cli.command("purge")
def purge_command() -> None:
    """Delete result files past REPORT_RETENTION_DAYS (rows stay, marked expired) and orphaned job folders, and the
    staff import's files left for more than a day (uploads never confirmed, passwords never downloaded)."""
    from kinerja.admin.staff_import_store import remove_old  # the admin package imports the jobs package

    fail_stale_jobs()
    expired = purge_expired()
    db.session.commit()
    orphans = sweep_folders()
    remove_old()
    click.echo(f"{expired} berkas hasil kedaluwarsa dihapus; {orphans} folder tanpa tugas dibersihkan.")
