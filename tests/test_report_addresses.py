"""The address printed in verification links: PUBLIC_BASE_URL, which production requires; without it (development)
the address the app serves on, also in documents rendered ahead by a job outside any request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from config import ProductionConfig
from kinerja import create_app
from kinerja.extensions import db as _db
from kinerja.jobs import run_job
from kinerja.models import Activity, ActivityStatus, Job, ReportDocument
from kinerja.reports import store
from tests import factories
from tests.test_reports import file_activities, needs_pdftotext, pdf_text

SERVED = "http://kinerja.cimahi.test:8080"


def approve_october_as_appraiser(client, org, **request) -> Job:
    """Staff A's October approved in one bulk decision through the page; returns the prerender job it queued."""
    file_activities(org.staff_a, 2, status=ActivityStatus.SUBMITTED)
    factories.MonthLockFactory(agency_id=org.agency_a.id, year=2026, month=10, locked=False)  # open for review
    _db.session.commit()
    client.post("/masuk", data={"identifier": org.appraiser_a.id_number, "password": factories.PASSWORD}, **request)
    ids = [activity.id for activity in _db.session.scalars(select(Activity))]
    response = client.post("/pemeriksaan/setujui-massal", data={"ids": ids, "flagged_ok": ids}, **request)
    assert response.status_code in (200, 302)
    job = _db.session.scalar(select(Job).where(Job.kind == "prerender"))
    _db.session.commit()
    return job


def stored_pdf_text() -> tuple[str, ReportDocument]:
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.PDF))
    return pdf_text(store.path_of(document).read_bytes()), document


@needs_pdftotext
def test_a_pdf_rendered_ahead_links_to_the_address_the_app_serves_on(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    job = approve_october_as_appraiser(client, org, base_url=SERVED)
    run_job(job.id)  # as a worker does: no request anywhere
    _db.session.expire_all()
    text, document = stored_pdf_text()
    assert f"{SERVED}/laporan/verifikasi/{document.code}" in text
    assert "localhost" not in text


@needs_pdftotext
def test_public_base_url_wins_over_the_served_address(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://kinerja.cimahikota.go.id/")
    job = approve_october_as_appraiser(client, org, base_url=SERVED)
    run_job(job.id)
    _db.session.expire_all()
    text, document = stored_pdf_text()
    assert f"https://kinerja.cimahikota.go.id/laporan/verifikasi/{document.code}" in text
    assert "cimahi.test" not in text


def test_a_job_follows_the_latest_address_served(client, org, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", None)
    client.get("/masuk", base_url="http://192.168.1.20:5000")
    assert store.verify_url("K7Q2-M9XD") == "http://192.168.1.20:5000/laporan/verifikasi/K7Q2-M9XD"
    client.get("/masuk", base_url=SERVED)
    assert store.verify_url("K7Q2-M9XD") == f"{SERVED}/laporan/verifikasi/K7Q2-M9XD"


@pytest.mark.parametrize("value", [None, "", "kinerja.cimahikota.go.id", "ftp://kinerja.cimahikota.go.id"])
def test_production_refuses_to_start_without_public_base_url(monkeypatch, database_url, value):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_BASE_URL", None)  # the class read the environment at import
    with pytest.raises(RuntimeError, match=re.escape("PUBLIC_BASE_URL must be set")):
        create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="production-test-secret",
                   PUBLIC_BASE_URL=value)


def test_production_starts_with_public_base_url(database_url):
    app = create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="production-test-secret",
                     PUBLIC_BASE_URL="https://kinerja.cimahikota.go.id", RATELIMIT_STORAGE_URI="memory://")
    assert app.config["PUBLIC_BASE_URL"] == "https://kinerja.cimahikota.go.id"
    with app.app_context():
        _db.engine.dispose()
