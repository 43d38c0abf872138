"""What the fault drills (python -m drills) found, held by fast tests: a disk refusing a file half-way leaves no
partial file and no record; a job whose RQ worker or work horse died is reported failed without waiting for
JOB_STALE_MINUTES; a database outage while loading the signed-in user is a friendly 503."""

from __future__ import annotations

import errno
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from rq.job import Job as RQJob
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kinerja import clock
from kinerja.activities import evidence
from kinerja.attendance import services
from kinerja.errors import ValidationFailed
from kinerja.extensions import db as _db
from kinerja.extensions import login_manager
from kinerja.jobs import create_job, dispatch, launcher, lost
from kinerja.jobs.runner import STALE_ERROR, claim
from kinerja.models import AttendanceRecord, Job, JobStatus
from tests.factories import UserFactory, freeze_now
from tests.test_attendance import MONDAY, data, office, selfie_files  # noqa: F401 - office is a fixture


def refuse_half_way(monkeypatch) -> None:
    """Writes put a few bytes on disk and then fail as a full disk does."""

    def write_bytes(path: Path, content: bytes) -> int:
        with open(path, "wb") as handle:
            handle.write(content[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []


# --- a disk refusing uploads ----------------------------------------------------------------------------------

def test_an_evidence_file_the_disk_refuses_leaves_no_partial_file(app, db, monkeypatch):
    before = files_under(evidence.evidence_root())
    refuse_half_way(monkeypatch)
    with pytest.raises(OSError):
        evidence.write(evidence.PreparedFile("laporan.pdf", "pdf", "application/pdf", b"%PDF-1.4 isi laporan"))
    assert files_under(evidence.evidence_root()) == before


@pytest.fixture()
def checking_in(org, office, monkeypatch):  # noqa: F811 - the imported fixture is used here
    freeze_now(monkeypatch, MONDAY)
    return org.user(org.staff_a)


def test_a_selfie_the_disk_refuses_is_a_message_and_records_nothing(db, checking_in, monkeypatch):
    before = selfie_files()
    refuse_half_way(monkeypatch)
    with pytest.raises(ValidationFailed) as refused:
        services.check(checking_in, data())
    assert refused.value.field == "selfie"
    assert "Swafoto gagal disimpan di server" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0
    assert selfie_files() == before


def test_the_attendance_page_shows_the_refused_selfie_under_its_field(client, auth, db, checking_in, monkeypatch):
    import io

    from tests.test_attendance import OFFICE, photo

    auth.login(checking_in.employee.id_number)
    refuse_half_way(monkeypatch)
    response = client.post("/presensi/", content_type="multipart/form-data", data={
        "kind": "in", "mode": "WFO", "latitude": OFFICE[0], "longitude": OFFICE[1], "accuracy": 10,
        "device_id": "device-of-staff-a", "selfie": (io.BytesIO(photo()), "swafoto.jpg")})
    assert response.status_code == 200
    assert "Swafoto gagal disimpan di server" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


# --- jobs whose worker died -------------------------------------------------------------------------------------

@pytest.fixture()
def owner(db):
    user = UserFactory(username="pemohon")
    db.session.commit()
    return user


def running_job(owner) -> str:
    """A job claimed by a worker (running, heartbeat fresh)."""
    job_id = create_job("pdf_pack", {"month": "2026-01"}, title="Paket uji", requested_by=owner.id).id
    _db.session.commit()
    assert claim(job_id)
    return job_id


def status_of(job_id: str) -> tuple[JobStatus, str | None]:
    _db.session.rollback()
    job = _db.session.get(Job, job_id)
    return job.status, job.error


def test_a_work_horse_killed_under_its_worker_fails_the_job_at_once(owner):
    job_id = running_job(owner)
    lost.on_horse_killed(SimpleNamespace(id=job_id), 4242, 9, None)
    assert status_of(job_id) == (JobStatus.FAILED, STALE_ERROR)


def test_rq_failure_callback_fails_a_running_job_but_leaves_a_finished_one(owner):
    job_id, done_id = running_job(owner), running_job(owner)
    _db.session.execute(Job.__table__.update().where(Job.id == done_id).values(status=JobStatus.DONE))
    _db.session.commit()
    for rq_job_id in (job_id, done_id):
        lost.on_rq_failure(SimpleNamespace(id=rq_job_id), None, RuntimeError, RuntimeError(), None)
    assert status_of(job_id) == (JobStatus.FAILED, STALE_ERROR)
    assert status_of(done_id) == (JobStatus.DONE, None)


def test_jobs_are_enqueued_with_the_failure_callback(owner, rq_queue):
    job_id = create_job("pdf_pack", {"month": "2026-01"}, title="Paket uji", requested_by=owner.id).id
    _db.session.commit()
    dispatch(_db.session.get(Job, job_id))
    assert RQJob.fetch(job_id, connection=rq_queue.connection).failure_callback is lost.on_rq_failure


def test_the_job_page_reports_a_job_abandoned_by_its_rq_worker(client, auth, owner, rq_queue):
    job_id = running_job(owner)
    registry = StartedJobRegistry(queue=rq_queue)
    # RQ's entry for the job, last pushed forward by a worker that has since been killed.
    rq_queue.connection.zadd(registry.key, {f"{job_id}:execution": time.time() - 5})
    auth.login("pemohon")
    state = client.get(f"/tugas/{job_id}.json").get_json()
    assert (state["status"], state["finished"]) == ("failed", True)
    assert f"/tugas/{job_id}/ulangi" in client.get(f"/tugas/{job_id}").get_data(as_text=True)


def test_a_job_whose_rq_worker_still_beats_stays_running(client, auth, owner, rq_queue):
    job_id = running_job(owner)
    registry = StartedJobRegistry(queue=rq_queue)
    rq_queue.connection.zadd(registry.key, {f"{job_id}:execution": time.time() + 60})
    auth.login("pemohon")
    assert client.get(f"/tugas/{job_id}.json").get_json()["status"] == "running"


def test_an_unreachable_redis_leaves_running_jobs_to_the_heartbeat_rule(app, client, auth, owner, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RUNNER", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    job_id = running_job(owner)
    auth.login("pemohon")
    response = client.get(f"/tugas/{job_id}.json")
    assert response.status_code == 200 and response.get_json()["status"] == "running"


def queued_job(owner, age: timedelta) -> str:
    """A queued job created `age` ago that no RQ queue holds (Redis restarted without its data)."""
    job_id = create_job("pdf_pack", {"month": "2026-01"}, title="Paket uji", requested_by=owner.id).id
    _db.session.execute(Job.__table__.update().where(Job.id == job_id).values(created_at=clock.utcnow() - age))
    _db.session.commit()
    return job_id


def test_a_queued_job_redis_lost_is_queued_again_when_its_page_is_followed(client, auth, owner, rq_queue):
    lost_id, young_id = queued_job(owner, timedelta(minutes=2)), queued_job(owner, timedelta(seconds=1))
    auth.login("pemohon")
    for job_id in (lost_id, young_id):
        assert client.get(f"/tugas/{job_id}.json").get_json()["status"] == "queued"
    assert rq_queue.job_ids == [lost_id]


def test_a_queued_job_goes_to_the_local_runner_while_redis_is_unreachable(app, client, auth, owner, monkeypatch):
    started: list[bool] = []
    monkeypatch.setitem(app.config, "JOB_RUNNER", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(launcher, "start_local_worker", lambda: started.append(True))
    job_id = queued_job(owner, timedelta(minutes=2))
    auth.login("pemohon")
    assert client.get(f"/tugas/{job_id}.json").status_code == 200
    assert started == [True]


# --- the database going away ----------------------------------------------------------------------------------

def test_an_outage_while_loading_the_signed_in_user_is_the_friendly_503(client, auth, org, monkeypatch):
    auth.login(org.staff_a.id_number)

    def unavailable(session_id: str):
        raise OperationalError("SELECT user_account", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", unavailable)
    response = client.get("/kegiatan/")
    assert response.status_code == 503
    assert "Layanan sementara tidak tersedia" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def broken_once(monkeypatch, method: str) -> list[str]:
    """Make Session.<method> fail once as on a connection the server closed; returns the list of failures."""
    from sqlalchemy.orm import Session

    real, failures = getattr(Session, method), []

    def failing(self, *args, **kwargs):
        if not failures:
            failures.append(method)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Session, method, failing)
    return failures


def test_a_connection_lost_after_the_page_was_made_does_not_turn_it_into_a_500(app, db, monkeypatch):
    # A request's own app context, as in production (the db fixture's context is shared by test requests).
    context = app.app_context()
    context.push()
    try:
        db.session.execute(select(func.count(Job.id)))
        failures = broken_once(monkeypatch, "close")
    finally:
        context.pop()  # the teardown ends the session: its rollback fails, and must not raise
    assert failures == ["close"]


def test_a_rollback_failing_in_the_outage_handler_still_gives_the_friendly_503(client, auth, org, monkeypatch):
    auth.login(org.staff_a.id_number)

    def unavailable(session_id: str):
        raise OperationalError("SELECT user_account", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", unavailable)
    failures = broken_once(monkeypatch, "rollback")
    response = client.get("/")
    assert response.status_code == 503
    assert "Layanan sementara tidak tersedia" in response.get_data(as_text=True)
    assert failures == ["rollback"]
