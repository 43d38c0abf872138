"""Background jobs: running, progress, failures, cancelling, stale workers, expiry, the pages, the runners and
the process pool, on every database."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from kinerja import clock
from kinerja.database import read_only_transactions
from kinerja.errors import DomainError
from kinerja.extensions import db as _db
from kinerja.jobs import JobContext, create_job, dispatch, job_file_path, job_kind, launcher, map_in_processes, run_job
from kinerja.jobs.runner import STALE_ERROR, UNEXPECTED_ERROR, claim
from kinerja.models import Job, JobStatus, Role, User
from tests.factories import UserFactory

RUNS: list[str] = []  # ids of jobs whose function started, in this process


@job_kind("test_items")
def items_job(ctx: JobContext, params: dict) -> None:
    """Goes through the items; the one named `bad` fails; writes the others to a text file."""
    RUNS.append(ctx.job_id)
    ctx.set_total(len(params["items"]))
    kept = []
    for item in params["items"]:
        if item == params.get("bad"):
            ctx.fail_item(item, "Data tidak lengkap")
        else:
            kept.append(item)
        ctx.advance()
    path = ctx.output_path("hasil.txt")
    path.write_text("\n".join(kept), encoding="utf-8")
    ctx.finish_file(path, "Hasil uji.txt")


@job_kind("test_raise")
def raising_job(ctx: JobContext, params: dict) -> None:
    ctx.set_total(3)
    ctx.advance()
    if params.get("domain"):
        raise DomainError("Data bulan ini belum dikunci.")
    raise RuntimeError("rincian internal yang tidak untuk pengguna")


@job_kind("test_until_cancelled")
def looping_job(ctx: JobContext, params: dict) -> None:
    """Counts items until cancelled (about 20 s at most)."""
    RUNS.append(ctx.job_id)
    ctx.set_total(400)
    for _ in range(400):
        if ctx.cancelled():
            return
        ctx.advance()
        time.sleep(0.05)
    raise AssertionError("never cancelled")


@job_kind("test_slow_item")
def slow_item_job(ctx: JobContext, params: dict) -> None:
    """One long item without progress calls; records the heartbeat the job had just before it ended."""
    time.sleep(params["seconds"])
    with _db.engine.connect() as connection:
        beat = connection.execute(select(Job.heartbeat_at).where(Job.id == ctx.job_id)).scalar()
    ctx.fail_item("heartbeat", beat.isoformat())


def square_or_fail(item: int) -> tuple[int, int, int]:
    """For the pool: the square, the process id and what the database says; item 3 fails."""
    if item == 3:
        raise ValueError("tiga tidak boleh")
    users = _db.session.scalar(select(func.count(User.id)))
    return item * item, os.getpid(), users


@pytest.fixture()
def owner(db) -> User:
    user = UserFactory(username="pemohon")
    db.session.commit()
    return user


@pytest.fixture()
def signed_in(auth, owner) -> User:
    auth.login("pemohon")
    return owner


def new_job(owner: User, kind: str = "test_items", **params) -> str:
    """The id of a new queued job; the session's transaction is ended, as a worker's would be on SQLite."""
    params = params or {"items": ["a", "b", "c", "d"], "bad": "c"}
    job_id = create_job(kind, params, title="Paket uji", requested_by=owner.id).id
    _db.session.commit()
    return job_id


def reload(job_id: str) -> Job:
    """The job as stored now, read without taking SQLite's write lock (workers may be writing)."""
    _db.session.rollback()
    with read_only_transactions():
        return _db.session.get(Job, job_id)


# --- running ----------------------------------------------------------------------------------------------

def test_a_job_runs_to_done_with_its_file_offered_for_download(client, signed_in, db):
    job_id = new_job(signed_in)
    run_job(job_id)
    job = reload(job_id)
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 4, 4, 100)
    assert job.expires_at - job.finished_at == timedelta(days=7)
    response = client.get(f"/tugas/{job_id}/unduh")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "a\nb\nd"
    assert "Hasil uji.txt" in response.headers["Content-Disposition"]


def test_a_failed_item_is_listed_while_the_job_is_done(client, signed_in, db):
    job_id = new_job(signed_in)
    run_job(job_id)
    assert reload(job_id).failures == [{"item": "c", "reason": "Data tidak lengkap"}]
    page = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert "Selesai" in page and "Butir yang gagal" in page and "Data tidak lengkap" in page
    assert f"/tugas/{job_id}/unduh" in page


def test_an_exception_fails_the_job_without_showing_its_details(client, signed_in, db):
    job_id = new_job(signed_in, "test_raise", domain=False)
    run_job(job_id)
    job = reload(job_id)
    assert (job.status, job.error, job.done) == (JobStatus.FAILED, UNEXPECTED_ERROR, 1)
    page = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert "Gagal" in page and "tercatat di log server" in page and "rincian internal" not in page
    assert f"/tugas/{job_id}/ulangi" in page


def test_a_domain_error_is_shown_as_written(signed_in, db):
    job_id = new_job(signed_in, "test_raise", domain=True)
    run_job(job_id)
    assert reload(job_id).error == "Data bulan ini belum dikunci."


def test_only_one_of_concurrent_claims_wins(app, owner, db):
    job_id = new_job(owner)
    results: list[bool] = []
    start = threading.Barrier(4)

    def claimant():
        with app.app_context():
            start.wait()
            results.append(claim(job_id))

    threads = [threading.Thread(target=claimant) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, False, False, True]
    assert reload(job_id).attempts == 1


def test_a_job_runs_once_however_often_it_is_started(owner, db):
    job_id = new_job(owner)
    run_job(job_id)
    run_job(job_id)
    assert RUNS.count(job_id) == 1


# --- cancelling ---------------------------------------------------------------------------------------------

def test_a_job_cancelled_before_it_starts_never_runs(client, signed_in, db):
    job_id = new_job(signed_in)
    response = client.post(f"/tugas/{job_id}/batal")
    assert response.status_code == 302
    run_job(job_id)
    job = reload(job_id)
    assert job.status is JobStatus.CANCELLED and job.started_at is None
    assert job_id not in RUNS


def test_a_running_job_stops_when_cancelled_from_its_page(app, client, signed_in, db):
    job_id = new_job(signed_in, "test_until_cancelled", go=True)

    def work():
        with app.app_context():
            run_job(job_id)

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 20
    while reload(job_id).done < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    _db.session.rollback()
    assert client.post(f"/tugas/{job_id}/batal").status_code == 302
    worker.join(30)
    job = reload(job_id)
    assert job.status is JobStatus.CANCELLED and 3 <= job.done < 400
    assert job_file_path(job) is None and not (Path(app.config["REPORT_FOLDER"]) / "jobs" / job_id).exists()


# --- stale workers, retry -----------------------------------------------------------------------------------

def make_stale(job_id: str) -> None:
    _db.session.execute(update(Job).where(Job.id == job_id).values(
        status=JobStatus.RUNNING, started_at=clock.utcnow() - timedelta(hours=1),
        heartbeat_at=clock.utcnow() - timedelta(hours=1)))
    _db.session.commit()


def test_a_silent_running_job_is_reported_failed_and_can_be_retried(client, signed_in, db):
    job_id = new_job(signed_in)
    make_stale(job_id)
    data = client.get(f"/tugas/{job_id}.json").get_json()
    assert (data["status"], data["error"], data["finished"]) == ("failed", STALE_ERROR, True)
    response = client.post(f"/tugas/{job_id}/ulangi")
    retried = db.session.scalar(select(Job).where(Job.id != job_id))
    assert response.headers["Location"].endswith(f"/tugas/{retried.id}")
    assert (retried.status, retried.kind, retried.params, retried.requested_by) == (
        JobStatus.QUEUED, "test_items", {"items": ["a", "b", "c", "d"], "bad": "c"}, signed_in.id)


def test_a_worker_starting_up_fails_silent_jobs(app, owner, db):
    job_id = new_job(owner)
    make_stale(job_id)
    result = app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code == 0, result.output
    assert reload(job_id).status is JobStatus.FAILED


def test_the_heartbeat_goes_on_during_a_long_item(app, owner, db, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_STALE_MINUTES", 0)  # a beat every second (the shortest interval)
    job_id = new_job(owner, "test_slow_item", seconds=2.5)
    run_job(job_id)
    job = reload(job_id)
    beat = datetime.fromisoformat(job.failures[0]["reason"])
    assert beat - job.started_at >= timedelta(seconds=1.5)


def test_a_job_still_running_cannot_be_retried(client, signed_in, db):
    job_id = new_job(signed_in)
    client.post(f"/tugas/{job_id}/ulangi")
    assert db.session.scalar(select(func.count(Job.id))) == 1


# --- expiry -------------------------------------------------------------------------------------------------

def test_purge_removes_expired_files_and_the_download_then_404s(app, client, signed_in, db):
    job_id = new_job(signed_in)
    run_job(job_id)
    job = reload(job_id)
    path = job_file_path(job)
    assert path is not None and path.is_file()
    db.session.execute(update(Job).where(Job.id == job_id).values(expires_at=clock.utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(f"/tugas/{job_id}/unduh").status_code == 404
    result = app.test_cli_runner().invoke(args=["jobs", "purge"])
    assert "1 berkas" in result.output
    job = reload(job_id)
    assert not path.exists() and job.result_path is None and job.status is JobStatus.DONE


def test_creating_a_job_removes_expired_files_in_passing(signed_in, db):
    job_id = new_job(signed_in)
    run_job(job_id)
    path = job_file_path(reload(job_id))
    db.session.execute(update(Job).where(Job.id == job_id).values(expires_at=clock.utcnow() - timedelta(minutes=1)))
    db.session.commit()
    new_job(signed_in)
    assert not path.exists() and reload(job_id).result_path is None


# --- pages --------------------------------------------------------------------------------------------------

def test_the_json_gives_the_progress(client, signed_in, db):
    job_id = new_job(signed_in)
    assert client.get(f"/tugas/{job_id}.json").get_json() == {
        "status": "queued", "status_label": "Menunggu giliran", "done": 0, "total": 0, "percent": 0,
        "failures": [], "failure_count": 0, "error": None, "download_url": None, "size_label": None,
        "finished": False, "waiting": "Menunggu pekerja memulai tugas ini."}
    run_job(job_id)
    data = client.get(f"/tugas/{job_id}.json").get_json()
    assert (data["status"], data["done"], data["total"], data["percent"], data["finished"]) == ("done", 4, 4, 100, True)
    assert data["download_url"] == f"/tugas/{job_id}/unduh" and data["failures"][0]["item"] == "c"
    assert data["failure_count"] == 1
    assert data["size_label"] == "0,1 KB"  # 5 bytes, shown as the smallest size


def test_the_progress_page_while_queued_offers_cancel_and_reload(client, signed_in, db):
    job_id = new_job(signed_in)
    page = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert "Menunggu giliran" in page and f"/tugas/{job_id}/batal" in page and "0 dari 0" in page
    assert 'http-equiv="refresh"' in page and "js/jobs.js" in page
    assert "<script>" not in page


def test_my_jobs_lists_only_mine_newest_first(client, signed_in, db):
    first = new_job(signed_in)
    db.session.execute(update(Job).where(Job.id == first).values(created_at=clock.utcnow() - timedelta(hours=1)))
    db.session.commit()
    create_job("test_items", {"items": []}, title="Rekap terbaru", requested_by=signed_in.id)
    create_job("test_items", {"items": []}, title="Punya orang lain", requested_by=UserFactory(username="lain").id)
    page = client.get("/tugas/").get_data(as_text=True)
    assert page.index("Rekap terbaru") < page.index("Paket uji") and "Punya orang lain" not in page


@pytest.mark.parametrize(("method", "suffix"), [
    ("get", ""), ("get", ".json"), ("get", "/unduh"), ("post", "/batal"), ("post", "/ulangi")])
@pytest.mark.parametrize("who", ["someone", "bkd"])
def test_another_users_job_is_404(client, auth, owner, db, method, suffix, who):
    job_id = new_job(owner)
    run_job(job_id)
    roles = [Role.BKD_ADMIN] if who == "bkd" else []
    UserFactory(username="orang.lain", roles=roles)
    db.session.commit()
    auth.login("orang.lain")
    assert getattr(client, method)(f"/tugas/{job_id}{suffix}").status_code == 404
    assert reload(job_id).status is JobStatus.DONE


def test_the_pages_need_a_sign_in(client, owner, db):
    job_id = new_job(owner)
    assert client.get(f"/tugas/{job_id}").status_code == 302
    assert client.get("/tugas/").headers["Location"].startswith("/masuk")


def test_cancel_and_retry_forms_carry_the_csrf_token(app, client, signed_in, db, monkeypatch):
    job_id = new_job(signed_in)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 3  # cancel, retry, and the layout's own forms
    assert client.post(f"/tugas/{job_id}/batal").status_code == 400
    assert reload(job_id).status is JobStatus.QUEUED


# --- runners ------------------------------------------------------------------------------------------------

def test_the_none_runner_leaves_the_job_queued(owner, db):
    job_id = new_job(owner)
    dispatch(reload(job_id))
    assert reload(job_id).status is JobStatus.QUEUED


def test_the_rq_runner_enqueues_and_an_rq_worker_runs_the_job(owner, db, rq_queue):
    from rq import SimpleWorker

    from kinerja.jobs.commands import PromptExit

    class Worker(PromptExit, SimpleWorker):
        pass

    job_id = new_job(owner)
    dispatch(reload(job_id))
    assert rq_queue.job_ids == [job_id] and reload(job_id).status is JobStatus.QUEUED
    Worker([rq_queue], connection=rq_queue.connection).work(burst=True)
    assert reload(job_id).status is JobStatus.DONE and RUNS.count(job_id) == 1


def test_an_rq_worker_ends_at_once_when_its_command_thread_has_read_the_unsubscribe_reply(rq_queue):
    """The race that kept a burst worker 60 s at its end: the thread reads the reply to the unsubscribe and goes
    back to a read before the worker tells it to stop. Here it is made to happen every time."""
    from kinerja.jobs.commands import EngineSafeWorker

    worker = EngineSafeWorker([rq_queue], connection=rq_queue.connection)
    worker.subscribe()
    worker.pubsub.unsubscribe()
    deadline = time.monotonic() + 10
    while worker.pubsub.subscribed and time.monotonic() < deadline:  # the thread has read the reply
        time.sleep(0.05)
    assert not worker.pubsub.subscribed
    ending = threading.Thread(target=worker.unsubscribe, daemon=True)
    ending.start()
    ending.join(10)  # RQ's own thread would sleep on for up to 60 s
    assert not ending.is_alive() and not worker.pubsub_thread.is_alive()


@pytest.mark.slow
def test_the_jobs_worker_command_runs_jobs_in_forked_work_horses(app, owner, db, rq_queue):
    job_id = new_job(owner)
    dispatch(reload(job_id))
    _db.session.rollback()  # nothing of this process's may be open when the worker forks
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    job = reload(job_id)
    assert job.status is JobStatus.DONE and job_id not in RUNS  # run by the forked child, not here
    assert job_file_path(job).read_text(encoding="utf-8") == "a\nb\nd"


def test_job_workers_yield_the_cpu_to_web_requests(app, monkeypatch):
    import multiprocessing

    from kinerja.jobs.commands import lower_priority

    start = os.nice(0)
    monkeypatch.setitem(app.config, "JOB_WORKER_NICE", start + 3)
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def worker() -> None:  # in a child: raising niceness cannot be undone in this process
        with app.app_context():
            lower_priority()
            lower_priority()  # a second call (the pool's processes inherit) changes nothing more
        writer.send(os.nice(0))

    process = context.Process(target=worker)
    process.start()
    niceness = reader.recv() if reader.poll(30) else None
    process.join(30)
    assert niceness == start + 3 and os.nice(0) == start


def test_an_unreachable_redis_falls_back_to_a_local_worker(app, owner, db, monkeypatch, caplog):
    started: list[bool] = []
    monkeypatch.setitem(app.config, "JOB_RUNNER", "auto")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(launcher, "start_local_worker", lambda: started.append(True))
    dispatch(reload(new_job(owner)))
    assert started == [True] and "Redis unreachable" in caplog.text


def test_no_second_local_worker_starts_while_one_holds_the_lock(app, db):
    lock = launcher.WorkerLock(app.config["REPORT_FOLDER"])
    assert lock.acquire()
    try:
        assert launcher.start_local_worker() is False
    finally:
        lock.release()


@pytest.mark.slow
def test_the_local_runner_starts_a_burst_worker_process(app, owner, db, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "local")
    monkeypatch.setenv("KINERJA_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("REPORT_FOLDER", app.config["REPORT_FOLDER"])
    monkeypatch.setenv("KINERJA_JOB_MODULES", "tests.test_jobs")
    jobs = [new_job(owner), new_job(owner, items=["x", "y"])]
    for job_id in jobs:
        dispatch(reload(job_id))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and any(reload(job_id).status is not JobStatus.DONE for job_id in jobs):
        time.sleep(0.3)
    assert [reload(job_id).status for job_id in jobs] == [JobStatus.DONE, JobStatus.DONE]
    assert job_file_path(reload(jobs[1])).read_text(encoding="utf-8") == "x\ny"
    assert jobs[0] not in RUNS  # it ran in the worker process, not here
    while time.monotonic() < deadline and launcher.local_worker_running(app.config["REPORT_FOLDER"]):
        time.sleep(0.2)
    assert not launcher.local_worker_running(app.config["REPORT_FOLDER"])  # the burst worker exited


# --- the process pool ---------------------------------------------------------------------------------------

def collect(processes: int, stop_after: int | None = None) -> list[tuple]:
    seen: list[tuple] = []

    def on_result(item, result, error):
        seen.append((item, result, error))
        return None if stop_after is None or len(seen) < stop_after else False

    map_in_processes(square_or_fail, range(1, 7), processes=processes, recycle=2, on_result=on_result)
    return sorted(seen)


def test_map_in_this_process_reports_results_and_errors(owner, db):
    seen = collect(processes=1)
    assert [(item, result and result[0], error) for item, result, error in seen] == [
        (1, 1, None), (2, 4, None), (3, None, "tiga tidak boleh"), (4, 16, None), (5, 25, None), (6, 36, None)]
    assert {result[1] for _, result, _ in seen if result} == {os.getpid()}


def test_map_in_this_process_stops_when_asked(owner, db):
    assert len(collect(processes=1, stop_after=2)) == 2


@pytest.mark.slow
def test_map_in_processes_uses_recycled_processes_with_the_apps_database(owner, db):
    seen = collect(processes=2)
    assert [(item, result and result[0], error) for item, result, error in seen] == [
        (1, 1, None), (2, 4, None), (3, None, "tiga tidak boleh"), (4, 16, None), (5, 25, None), (6, 36, None)]
    pids = {result[1] for _, result, _ in seen if result}
    assert os.getpid() not in pids and len(pids) >= 3  # two items per process, then a fresh one
    assert {result[2] for _, result, _ in seen if result} == {1}  # each process sees the committed user


@pytest.mark.slow
def test_map_in_processes_stops_when_asked(owner, db):
    assert len(collect(processes=2, stop_after=1)) == 1
