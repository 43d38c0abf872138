"""Background work at month end (issue 19 §3): one local worker whatever the burst, jobs someone asked for before
rendering ahead, rendering ahead coalesced and run once the edits settle, and a progress page that says what a job
waits for. The burst itself runs the real local runner (a detached `flask jobs work --burst`) on the test
database while four reviewers approve 100 items at once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from kinerja import clock
from kinerja.database import read_only_transactions
from kinerja.jobs import create_job, services
from kinerja.jobs.runner import next_queued, seconds_until_due
from kinerja.models import Activity, ActivityStatus, Assignment, Job, JobStatus, MonthLock, Unit
from kinerja.reports import prerender
from tests.factories import PASSWORD, ActivityFactory, freeze_now, hm, staff_member
from tests.test_activity_concurrency import last_working_day_before_today


def test_a_job_someone_asked_for_runs_before_rendering_ahead_which_waits_for_the_edits_to_settle(
        app, db, org, monkeypatch):
    start = freeze_now(monkeypatch, clock.now("Asia/Jakarta").replace(microsecond=0))
    monkeypatch.setitem(app.config, "PRERENDER_SETTLE_SECONDS", 30)
    prerender.queue_subjects([(org.staff_a.id, 2026, 11)])
    assert next_queued() is None and 29 <= seconds_until_due() <= 30  # still settling
    freeze_now(monkeypatch, start + timedelta(seconds=10))
    prerender.queue_subjects([(org.staff_a2.id, 2026, 11), (org.staff_a.id, 2026, 11)])
    ahead = db.session.scalars(select(Job).where(Job.kind == "prerender")).all()
    assert len(ahead) == 1  # coalesced: one job, both months, its wait started again
    assert ahead[0].params["subjects"] == sorted([[org.staff_a.id, 2026, 11], [org.staff_a2.id, 2026, 11]])
    asked = create_job("prerender", {"subjects": []}, title="Laporan saya", requested_by=org.user(org.staff_a).id)
    assert next_queued() == asked.id and seconds_until_due() == 0
    assert services.waiting_text(asked) == "Menunggu pekerja memulai tugas ini."
    assert services.waiting_text(ahead[0]) == "Menunggu 1 tugas lain yang lebih dahulu selesai."
    db.session.delete(asked)
    db.session.commit()
    freeze_now(monkeypatch, start + timedelta(seconds=41))
    assert next_queued() == ahead[0].id
    assert services.waiting_text(ahead[0]).startswith("Menunggu perubahan data selesai")


def test_the_progress_page_says_what_an_export_waits_for(client, auth, db, org):
    running = create_job("prerender", {"subjects": []}, title="Render", requested_by=None)
    running.status = JobStatus.RUNNING
    db.session.commit()
    mine = create_job("prerender", {"subjects": []}, title="Laporan saya", requested_by=org.user(org.staff_a).id)
    auth.login(org.staff_a.id_number)
    page = client.get(f"/tugas/{mine.id}").get_data(as_text=True)
    assert "Menunggu 1 tugas lain yang lebih dahulu selesai." in page
    assert client.get(f"/tugas/{mine.id}.json").get_json()["waiting"] == \
        "Menunggu 1 tugas lain yang lebih dahulu selesai."


def workers_of(database_url: str) -> list[int]:
    """The local job workers serving this test's database (others may run on this machine)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"work" in command and b"--burst" in command and \
                f"DATABASE_URL={database_url}".encode() in environment:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_a_burst_of_approvals_starts_one_worker_and_leaves_nothing_running(
        app, db, org, database_url, monkeypatch, tmp_path):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("the local runner's burst is the embedded SQLite default's")
    monkeypatch.setitem(app.config, "JOB_RUNNER", "local")
    monkeypatch.setenv("DATABASE_URL", database_url)  # the worker process's configuration
    monkeypatch.setenv("REPORT_FOLDER", app.config["REPORT_FOLDER"])
    monkeypatch.setenv("UPLOAD_FOLDER", app.config["UPLOAD_FOLDER"])
    monkeypatch.setenv("KINERJA_ENV", "testing")
    monkeypatch.setenv("PRERENDER_SETTLE_SECONDS", "1")
    day = last_working_day_before_today()
    db.session.add(MonthLock(agency_id=org.agency_a.id, year=day.year, month=day.month, locked=False))
    unit = db.session.scalar(select(Unit).join(Assignment, Assignment.unit_id == Unit.id)
                             .where(Assignment.employee_id == org.staff_a.id))
    people = [staff_member(unit, org.appraiser_a, name=f"Pegawai Uji {n:02d}") for n in range(20)]
    ids = [ActivityFactory(employee=person, activity_date=day, start_time=hm(f"{8 + n:02d}:00"),
                           end_time=hm(f"{8 + n:02d}:30"), duration_minutes=30, status=ActivityStatus.SUBMITTED,
                           submitted_at=clock.utcnow()).id
           for person in people for n in range(5)]
    db.session.commit()
    appraiser, people_ids = org.appraiser_a.id_number, {person.id for person in people}
    db.session.rollback()  # hold no SQLite lock while the burst runs

    answers: list[int] = []
    alive: list[int] = []
    seen: set[int] = set()
    running: list[int] = []
    done = threading.Event()
    watch_engine = create_engine(database_url)

    def watch() -> None:
        while not done.is_set():
            workers = workers_of(database_url)
            alive.append(len(workers))
            seen.update(workers)
            with watch_engine.connect() as connection:  # a plain read: SQLite's readers never block the writer
                running.append(connection.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.RUNNING)))
            time.sleep(0.05)

    def review(chunk: list[int]) -> None:
        client = app.test_client()
        client.post("/masuk", data={"identifier": appraiser, "password": PASSWORD})
        for activity_id in chunk:
            answers.append(client.post(f"/pemeriksaan/kegiatan/{activity_id}/setujui").status_code)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    reviewers = [threading.Thread(target=review, args=(ids[index::4],)) for index in range(4)]
    for thread in reviewers:
        thread.start()
    for thread in reviewers:
        thread.join(timeout=300)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with read_only_transactions():  # as a page reads: never holding SQLite's write lock while it waits
            unfinished = db.session.scalar(select(func.count(Job.id)).where(
                Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))))
            db.session.rollback()
        if not unfinished and not workers_of(database_url):
            break
        time.sleep(0.5)
    done.set()
    watcher.join(timeout=5)

    assert sorted(set(answers)) == [302] and len(answers) == 100  # no 503, no 500
    db.session.rollback()
    assert db.session.scalar(select(func.count(Activity.id)).where(
        Activity.id.in_(ids), Activity.status == ActivityStatus.APPROVED)) == 100
    jobs = db.session.scalars(select(Job).where(Job.kind == "prerender")).all()
    assert jobs and all(job.status is JobStatus.DONE for job in jobs), [(j.status, j.error) for j in jobs]
    rendered = {tuple(subject) for job in jobs for subject in job.params["subjects"]}
    assert {subject[0] for subject in rendered} == people_ids
    assert len(jobs) < len(people_ids)  # coalesced
    # One worker runs jobs at a time (the lock); a worker that has let go of it may still be on its way out
    # when a request starts the next, so two processes can exist for a moment, never two running jobs.
    assert max(running) <= 1, "two jobs running at once"
    assert max(alive) <= 2 and len(seen) <= 10, (max(alive), len(seen))  # 17 alive and 42 started before
    watch_engine.dispose()
    log = (Path(app.config["REPORT_FOLDER"]) / "jobs-worker.log").read_text(errors="replace")
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
