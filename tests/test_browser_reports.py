"""A BKD admin starts an agency's pack of PDFs in Chromium, watches the progress bar and downloads the ZIP;
a staff member downloads their own report on a phone."""

from __future__ import annotations

import threading
import time
import zipfile
from datetime import date
from datetime import time as clock

import pytest
from sqlalchemy import select

from kinerja.extensions import db
from kinerja.jobs import run_job
from kinerja.models import ActivityStatus, Job, JobStatus
from tests import factories
from tests.browser import assert_fits_width, screenshot, text_lines

pytestmark = pytest.mark.browser


def sign_in(page, base: str, identifier: str) -> None:
    page.goto(f"{base}/masuk")
    page.fill("#identifier", identifier)
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


class Worker(threading.Thread):
    """What `flask jobs work` does, in a thread of the test: run queued jobs as they come."""

    def __init__(self, app) -> None:
        super().__init__(daemon=True)
        self.app, self.stopped = app, threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.is_set():
                job_id = db.session.scalar(select(Job.id).where(Job.status == JobStatus.QUEUED,
                                                                Job.kind != "prerender").limit(1))
                db.session.rollback()
                if job_id:
                    run_job(job_id)
                time.sleep(0.2)
            db.session.remove()


def fill_october(org) -> None:
    for employee in (org.head_a, org.appraiser_a, org.staff_a, org.staff_a2, org.other_appraiser_a,
                     org.other_staff_a):
        for number in range(4):
            factories.ActivityFactory(employee=employee, activity_date=date(2026, 10, 5 + number),
                                      start_time=clock(8, 0), end_time=clock(10, 0), status=ActivityStatus.APPROVED,
                                      description=f"Kegiatan {employee.name} {number}")
    db.session.commit()


def test_bkd_admin_packs_an_agency_with_a_progress_bar(app, org, live_server, desktop, tmp_path):
    fill_october(org)
    sign_in(desktop, live_server, "admin.bkd")
    desktop.goto(f"{live_server}/laporan/?bulan=2026-10")
    desktop.click(f'[data-export="pack-{org.agency_a.id}"]')
    desktop.wait_for_url("**/tugas/*")
    assert desktop.locator("#job-progress").is_visible()
    assert "Menunggu giliran" in desktop.inner_text("#job-status")

    worker = Worker(app)
    worker.start()
    try:
        desktop.wait_for_selector("#job-download:not(.d-none)", timeout=120_000)
    finally:
        worker.stopped.set()
        worker.join(timeout=30)
    assert desktop.inner_text("#job-percent") == "100%"
    assert "6 dari 6" in desktop.inner_text("#job-count")
    screenshot(desktop, "reports-pack-done")
    with desktop.expect_download() as download_info:
        desktop.click("#job-download a")
    target = tmp_path / "pack.zip"
    download_info.value.save_as(target)
    names = zipfile.ZipFile(target).namelist()
    assert len(names) == 6 and all(name.endswith(".pdf") for name in names)
    assert any(org.staff_a.id_number in name for name in names)


def test_staff_downloads_own_report_on_a_phone(org, live_server, phone, tmp_path):
    fill_october(org)
    sign_in(phone, live_server, org.staff_a.id_number)
    phone.goto(f"{live_server}/laporan/?bulan=2026-10")
    assert_fits_width(phone)
    assert text_lines(phone.get_by_role("button", name="Tampilkan")) == 1  # never "Tampil-kan" over two lines
    screenshot(phone, "reports-index-phone")
    with phone.expect_download() as download_info:
        phone.click("text=PDF")
    target = tmp_path / "laporan.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename.startswith("Laporan Kinerja 2026-10")
