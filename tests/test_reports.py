"""Monthly reports end to end: data from the database, permissions, the store, rendering ahead, export jobs,
verification and the command line. (The renderers alone: test_report_pdf.py and test_report_xlsx.py.)"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kinerja import clock
from kinerja.extensions import db as _db
from kinerja.jobs import run_job
from kinerja.models import (
    ActingAssignment,
    ActivityStatus,
    Assignment,
    Evaluation,
    EvidenceKind,
    Job,
    JobStatus,
    Predikat,
    Rating,
    ReportDocument,
    WorkMode,
)
from kinerja.reports import data, documents, prerender, store, tasks
from tests import factories

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 11, 23)
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def file_activities(employee, count: int = 3, status: ActivityStatus = ActivityStatus.APPROVED, **fields):
    made = []
    for number in range(count):
        day = date(2026, 10, 5 + number)
        made.append(factories.ActivityFactory(
            employee=employee, activity_date=day, start_time=time(8, 0), end_time=time(9, 30),
            description=f"Menyusun laporan {employee.name} nomor {number + 1}", status=status, **fields))
    _db.session.commit()
    return made


def login(client, who):
    """Sign in as a User (admins) or as an Employee's account (by NIP)."""
    identifier = who.username if hasattr(who, "username") else who.id_number
    response = client.post("/masuk", data={"identifier": identifier, "password": factories.PASSWORD})
    assert response.status_code == 302
    return response


# --- Data -----------------------------------------------------------------------------------------------------


def test_employee_month_identity_activities_summary_and_draft(org):
    file_activities(org.staff_a, 3)
    file_activities(org.staff_a2, 2, status=ActivityStatus.SUBMITTED)
    months = data.employee_months([org.staff_a.id, org.staff_a2.id, org.staff_b.id], OCTOBER, TODAY)

    mine = months[org.staff_a.id]
    assert mine.employee.name == "Staf A" and mine.employee.id_number == org.staff_a.id_number
    assert mine.employee.id_label == "NIP" and mine.employee.unit == "Seksi A1"
    assert mine.appraiser.name == "Penilai A" and mine.appraiser.acting == ""
    assert [line.description for line in mine.activities] == [f"Menyusun laporan Staf A nomor {n}" for n in (1, 2, 3)]
    assert mine.approved_minutes == 270 and mine.days_filed == 3 and mine.mode_days["WFO"] == 3
    assert mine.working_days == 22 and mine.target_minutes == 22 * 300  # October 2026: 22 working days
    assert mine.signature_date == date(2026, 10, 31) and mine.signature_date_label == "31 Oktober 2026"
    assert mine.period_label == "Oktober 2026" and not mine.is_draft

    assert months[org.staff_a2.id].is_draft  # submitted, not yet approved
    assert months[org.staff_b.id].is_draft and months[org.staff_b.id].activities == ()  # nothing filed


def test_acting_appraiser_signs_as_plh(org):
    _db.session.add(ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id,
                                     valid_from=date(2026, 10, 20), valid_to=date(2026, 11, 5),
                                     decree_number="800/12/2026"))
    _db.session.commit()
    month = data.employee_month(org.staff_a.id, OCTOBER, TODAY)
    assert month.appraiser.name == "Penilai Lain A"
    assert month.appraiser.acting == "Plh." and month.appraiser.position.startswith("Plh. ")
    # In September the appraiser was there to sign.
    assert data.employee_month(org.staff_a.id, date(2026, 9, 1), TODAY).appraiser.name == "Penilai A"


def test_mid_month_transfer_new_agency_and_appraiser_earlier_one_noted(org):
    old = _db.session.scalar(select(Assignment).where(Assignment.employee_id == org.staff_a.id))
    old.valid_to = date(2026, 10, 14)
    unit_b = _db.session.scalar(select(Assignment.unit_id).where(Assignment.employee_id == org.staff_b.id))
    _db.session.add(Assignment(employee_id=org.staff_a.id, agency_id=org.agency_b.id, unit_id=unit_b,
                               position_id=old.position_id, appraiser_id=org.head_b.id, valid_from=date(2026, 10, 15)))
    _db.session.commit()
    month = data.employee_month(org.staff_a.id, OCTOBER, TODAY)
    assert month.agency_id == org.agency_b.id and month.employee.unit == "Sekretariat B"
    assert month.appraiser.name == "Kepala B"
    assert month.earlier_appraisers == ("Penilai A",) and "Penilai A" in month.notes[0]
    recaps = {recap.agency_id: recap for recap in data.agency_recaps(None, OCTOBER, TODAY)}
    assert org.staff_a.id in {row.employee_id for row in recaps[org.agency_b.id].rows}
    assert org.staff_a.id not in {row.employee_id for row in recaps[org.agency_a.id].rows}


def test_realisation_per_iki_and_evaluation(org):
    indicator = factories.iki_for(org.staff_a, text="Jumlah surat", unit="surat")
    file_activities(org.staff_a, 2, indicator_id=indicator.id, unit="Surat", quantity=Decimal("3"))
    file_activities(org.staff_a, 1, indicator_id=indicator.id, unit="berkas", quantity=Decimal("2"))
    _db.session.add(Evaluation(employee_id=org.staff_a.id, skp_id=indicator.rhk.skp_id, year=2026, month=10,
                               rating_result=Rating.AS_EXPECTED, rating_behaviour=Rating.ABOVE,
                               predikat=Predikat.GOOD))
    _db.session.commit()
    month = data.employee_month(org.staff_a.id, OCTOBER, TODAY)
    (line,) = month.indicators
    # Three activities on 5-7 October: the first two in "Surat" (3 each), then one on the 5th in "berkas" (2).
    assert line.indicator == "Jumlah surat" and line.unit == "surat"
    assert line.realised + sum(quantity for quantity, _unit in line.other_units) == Decimal("8.00")
    assert all(unit.lower() != "surat" for _quantity, unit in line.other_units)
    assert month.evaluation.predikat == "Baik" and month.evaluation.rating_behaviour == "Di atas ekspektasi"
    recap = next(r for r in data.agency_recaps([org.agency_a.id], OCTOBER, TODAY))
    assert next(row for row in recap.rows if row.employee_id == org.staff_a.id).predikat == "Baik"


def test_agency_recap_rows_and_head(org):
    file_activities(org.staff_a, 3)
    file_activities(org.staff_a2, 2, status=ActivityStatus.RETURNED)
    (recap,) = data.agency_recaps([org.agency_a.id], OCTOBER, TODAY)
    rows = {row.employee_id: row for row in recap.rows}
    assert set(rows) == {org.head_a.id, org.appraiser_a.id, org.staff_a.id, org.staff_a2.id,
                         org.other_appraiser_a.id, org.other_staff_a.id}
    assert rows[org.staff_a.id].approved == 3 and rows[org.staff_a.id].approved_minutes == 270
    assert rows[org.staff_a2.id].returned == 2 and rows[org.staff_a2.id].approved == 0
    assert recap.head.name == "Kepala A" and recap.total("approved") == 3


def test_bkn_rows_in_order_with_evidence_and_planned_action(org):
    made = file_activities(org.staff_a, 3)
    file_activities(org.staff_a2, 1, status=ActivityStatus.SUBMITTED)  # not approved: left out
    factories.EvidenceLinkFactory(activity=made[0], url="https://drive.example.go.id/bukti-1")
    _db.session.add(factories.Evidence(activity_id=made[1].id, kind=EvidenceKind.FILE, original_name="a.pdf",
                                       stored_name="x" * 32, content_type="application/pdf", size_bytes=10))
    _db.session.commit()
    rows = list(data.bkn_rows(OCTOBER, None, "https://kinerja.example/bukti/{id}", chunk=2))
    assert [row.description for row in rows] == [f"Menyusun laporan Staf A nomor {n}" for n in (1, 2, 3)]
    assert rows[0].evidence == "https://drive.example.go.id/bukti-1"
    assert rows[1].evidence.startswith("https://kinerja.example/bukti/")
    assert rows[0].planned_action == rows[0].description  # no IKI linked: the activity itself


# --- Downloads, permissions and the store ---------------------------------------------------------------------


@needs_pdftotext
def test_staff_download_own_pdf_and_xlsx(client, org):
    file_activities(org.staff_a, 3)
    login(client, org.staff_a)
    response = client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for expected in ("Staf A", org.staff_a.id_number, "Oktober 2026", "Penilai A", "Menyusun laporan Staf A nomor 3"):
        assert expected in text
    assert "DRAF" not in text
    document = _db.session.scalar(select(ReportDocument))
    assert document.code in text and not document.draft

    response = client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    cells = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value}
    assert "Menyusun laporan Staf A nomor 1" in cells and any(org.staff_a.id_number in value for value in cells)


@needs_pdftotext
def test_plh_signs_the_report_files_under_plh_and_the_absent_appraisers_position(client, org, monkeypatch):
    """The official form in the documents: "Plh. <position of the absent appraiser>" on the title line, the
    acting official's name and NIP below; the same title in the identity block."""
    factories.freeze_now(monkeypatch, TODAY)
    file_activities(org.staff_a, 2)
    org.other_appraiser_a.back_title = "S.Kom."
    _db.session.scalar(select(Assignment).where(Assignment.employee_id == org.appraiser_a.id)).position.name = \
        "Kepala Seksi A1"
    _db.session.add(ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id,
                                     valid_from=date(2026, 10, 20), valid_to=date(2026, 11, 5),
                                     decree_number="800/12/2026"))
    _db.session.commit()
    login(client, org.staff_a)
    text = " ".join(pdf_text(client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf").data).split())
    signature = text[text.rindex("31 Oktober 2026"):]
    assert (f"Pegawai yang Dinilai Plh. Kepala Seksi A1 Staf A Penilai Lain A, S.Kom. NIP {org.staff_a.id_number} "
            f"NIP {org.other_appraiser_a.id_number}") in signature  # two columns: employee left, signer right
    assert "Pejabat Penilai Kinerja" not in signature and "Penilai A " not in text
    assert "Jabatan Plh. Kepala Seksi A1" in text

    sheet = load_workbook(io.BytesIO(client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.xlsx").data)).active
    place = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "Uji, 31 Oktober 2026")
    signer = [sheet.cell(row=place.row + offset, column=place.column).value for offset in (1, 5, 6)]
    assert signer == ["Plh. Kepala Seksi A1", "Penilai Lain A, S.Kom.", f"NIP {org.other_appraiser_a.id_number}"]


@needs_pdftotext
def test_draft_watermark_while_items_wait(client, org):
    file_activities(org.staff_a, 2, status=ActivityStatus.SUBMITTED)
    login(client, org.staff_a)
    text = pdf_text(client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf").data)
    assert "DRAF" in text


@pytest.mark.parametrize("who, subject, status", [
    ("staff_a", "staff_a", 200),
    ("staff_a", "staff_a2", 404),
    ("staff_a", "staff_b", 404),
    ("appraiser_a", "staff_a", 200),
    ("appraiser_a", "other_staff_a", 404),
    ("head_a", "staff_a", 200),
    ("head_a", "staff_b", 404),
    ("agency_admin_a", "staff_a", 200),
    ("agency_admin_a", "staff_b", 404),
    ("bkd_admin", "staff_b", 200),
])
def test_employee_report_permissions(client, org, who, subject, status):
    file_activities(getattr(org, subject), 1)
    login(client, getattr(org, who))
    employee_id = getattr(org, subject).id
    assert client.get(f"/laporan/pegawai/{employee_id}/2026-10.xlsx").status_code == status
    assert client.get(f"/laporan/pegawai/{employee_id}/2026-10/bkn.xlsx").status_code == status


@pytest.mark.calendar
def test_future_month_and_anonymous_refused(client, org):
    assert client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf").status_code == 302  # to sign-in
    login(client, org.staff_a)
    next_month = (clock.today().replace(day=28) + timedelta(days=4)).replace(day=1)
    assert client.get(f"/laporan/pegawai/{org.staff_a.id}/{next_month:%Y-%m}.pdf").status_code == 404


def test_store_reuses_and_a_change_supersedes(client, org):
    made = file_activities(org.staff_a, 2)
    login(client, org.staff_a)
    first = client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.xlsx").data
    again = client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.xlsx").data
    assert first == again
    assert _db.session.scalar(select(func.count()).select_from(ReportDocument)) == 1
    old = _db.session.scalar(select(ReportDocument))
    old_path = store.path_of(old)
    assert old_path.is_file()

    made[0].description = "Uraian yang diperbaiki"
    _db.session.commit()
    changed = client.get(f"/laporan/pegawai/{org.staff_a.id}/2026-10.xlsx").data
    assert changed != first
    documents_ = list(_db.session.scalars(select(ReportDocument).order_by(ReportDocument.id)))
    assert len(documents_) == 2 and documents_[0].superseded_at is not None and documents_[1].superseded_at is None
    assert not old_path.exists()

    page = client.get(f"/laporan/verifikasi/{documents_[0].code}")
    assert page.status_code == 200 and documents_[1].code in page.get_data(as_text=True)


def test_verification_page_is_public(client, org):
    file_activities(org.staff_a, 1)
    month = data.employee_month(org.staff_a.id, OCTOBER, TODAY)
    document = store.save(month, store.XLSX, documents.RENDERERS[store.XLSX])
    page = client.get(f"/laporan/verifikasi/{document.code}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Staf A" in body and document.data_hash in body and "Oktober 2026" in body
    assert client.get("/laporan/verifikasi/ZZZZ-ZZZZ").status_code == 404
    assert client.get(f"/laporan/verifikasi?kode={document.code.lower()}").status_code == 200


# --- Rendering ahead ------------------------------------------------------------------------------------------


def prerender_jobs() -> list[Job]:
    return list(_db.session.scalars(select(Job).where(Job.kind == "prerender").order_by(Job.created_at)))


def test_approval_of_the_whole_month_queues_rendering_and_the_job_stores_it(client, org):
    file_activities(org.staff_a, 2, status=ActivityStatus.SUBMITTED)
    factories.MonthLockFactory(agency_id=org.agency_a.id, year=2026, month=10, locked=False)  # reopened for review
    _db.session.commit()
    login(client, org.appraiser_a)
    ids = [activity.id for activity in _db.session.scalars(select(factories.Activity))]
    response = client.post("/pemeriksaan/setujui-massal", data={"ids": ids, "flagged_ok": ids})
    assert response.status_code in (200, 302)
    queued = prerender_jobs()
    assert [job.params["subjects"] for job in queued] == [[[org.staff_a.id, 2026, 10]]]
    _db.session.commit()
    run_job(queued[0].id)
    _db.session.expire_all()
    assert _db.session.get(Job, queued[0].id).status is JobStatus.DONE
    stored = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.PDF))
    assert stored is not None and not stored.draft and store.path_of(stored).is_file()


def test_change_to_stored_month_queues_a_new_rendering(org, app):
    made = file_activities(org.staff_a, 1)
    month = data.employee_month(org.staff_a.id, OCTOBER, TODAY)
    store.save(month, store.XLSX, documents.RENDERERS[store.XLSX])
    made[0].work_mode = WorkMode.WFH
    _db.session.commit()
    prerender.process_pending()
    assert [job.params["subjects"] for job in prerender_jobs()] == [[[org.staff_a.id, 2026, 10]]]


def test_nothing_queued_for_an_unfinished_month_without_stored_report(org):
    file_activities(org.staff_a, 1, status=ActivityStatus.SUBMITTED)
    prerender.process_pending()
    assert prerender_jobs() == []


def test_locking_a_month_queues_the_agency(client, org):
    login(client, org.bkd_admin)
    response = client.post("/bkd/kunci-bulan?bulan=2026-10", data={
        "agency_id": org.agency_a.id, "action": "close", "reason": "Batas akhir pengisian"})
    assert response.status_code == 302
    assert any(job.params.get("agency_id") == org.agency_a.id for job in prerender_jobs())


# --- Export jobs ----------------------------------------------------------------------------------------------


def start_export(client, export: str, agency_id=None):
    form = {"export": export, "month": "2026-10"}
    if agency_id is not None:
        form["agency_id"] = agency_id
    return client.post("/laporan/ekspor", data=form)


@pytest.mark.parametrize("who, export, agency, status", [
    ("agency_admin_a", "pack", "agency_a", 302),
    ("agency_admin_a", "pack", "agency_b", 404),
    ("head_a", "recap_pdf", "agency_a", 302),
    ("head_a", "recap_xlsx", "agency_b", 404),
    ("staff_a", "recap_xlsx", "agency_a", 404),
    ("appraiser_a", "bkn", "agency_a", 404),
    ("agency_admin_a", "regency_xlsx", None, 404),
    ("bkd_admin", "regency_pack", None, 302),
    ("bkd_admin", "bkn", "agency_b", 302),
])
def test_export_permissions(client, org, who, export, agency, status):
    login(client, getattr(org, who))
    response = start_export(client, export, getattr(org, agency).id if agency else None)
    assert response.status_code == status
    jobs = list(_db.session.scalars(select(Job).where(Job.kind != "prerender")))
    assert len(jobs) == (1 if status == 302 else 0)
    if jobs:
        assert response.headers["Location"].endswith(f"/tugas/{jobs[0].id}")


def run_export(client, export: str, agency_id=None) -> Job:
    start_export(client, export, agency_id)
    job = _db.session.scalar(select(Job).where(Job.kind != "prerender"))
    _db.session.commit()  # as a worker would, with no transaction of the web side open
    run_job(job.id)
    _db.session.expire_all()
    return _db.session.get(Job, job.id)


def test_agency_pack_with_one_failure_finishes_for_the_rest(client, org, monkeypatch):
    for employee in (org.staff_a, org.staff_a2, org.appraiser_a):
        file_activities(employee, 1)
    real = documents.RENDERERS[store.PDF]

    def render(month, code, url):
        if month.employee_id == org.staff_a2.id:
            raise RuntimeError("huruf tidak dapat dimuat")
        return real(month, code, url)

    monkeypatch.setitem(documents.RENDERERS, store.PDF, render)
    login(client, org.agency_admin_a)
    job = run_export(client, "pack", org.agency_a.id)
    assert job.status is JobStatus.DONE and job.total == 6 and job.done == 6
    assert [failure["item"] for failure in job.failures] == [f"Staf A Dua ({org.staff_a2.id_number})"]
    assert "huruf tidak dapat dimuat" in job.failures[0]["reason"]
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/tugas/{job.id}/unduh").data))
    names = archive.namelist()
    assert len(names) == 5 and any(org.staff_a.id_number in name for name in names)
    assert not any(org.staff_a2.id_number in name for name in names)
    assert all(archive.read(name).startswith(b"%PDF") for name in names)

    # The second pack reuses every stored file: only the one that failed is tried again.
    stored = _db.session.scalar(select(func.count()).select_from(ReportDocument))
    tried = []

    def refuse(month, code, url):
        tried.append(month.employee_id)
        raise RuntimeError("dirender lagi")

    monkeypatch.setitem(documents.RENDERERS, store.PDF, refuse)
    _db.session.execute(Job.__table__.delete())
    _db.session.commit()
    again = run_export(client, "pack", org.agency_a.id)
    assert again.status is JobStatus.DONE and tried == [org.staff_a2.id]
    assert _db.session.scalar(select(func.count()).select_from(ReportDocument)) == stored


@needs_pdftotext
def test_recap_pdf_and_regency_workbook_and_bkn(client, org):
    file_activities(org.staff_a, 3)
    file_activities(org.staff_b, 2)
    login(client, org.bkd_admin)
    recap = run_export(client, "recap_pdf", org.agency_a.id)
    text = pdf_text(client.get(f"/tugas/{recap.id}/unduh").data)
    assert "Staf A" in text and "Kepala A" in text and org.staff_a.id_number in text
    _db.session.execute(Job.__table__.delete())
    _db.session.commit()

    regency = run_export(client, "regency_xlsx")
    workbook = load_workbook(io.BytesIO(client.get(f"/tugas/{regency.id}/unduh").data))
    assert len(workbook.sheetnames) == 3  # summary + two agencies
    _db.session.execute(Job.__table__.delete())
    _db.session.commit()

    bkn = run_export(client, "regency_bkn")
    sheet = load_workbook(io.BytesIO(client.get(f"/tugas/{bkn.id}/unduh").data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("NIP", "Nama", "Rencana Aksi", "Tanggal") and len(rows) == 6
    assert bkn.total == 5 and bkn.done == 5


def test_index_page_offers_what_the_user_may(client, org):
    login(client, org.agency_admin_a)
    page = client.get("/laporan/?bulan=2026-10").get_data(as_text=True)
    assert f'data-export="pack-{org.agency_a.id}"' in page and f'data-export="pack-{org.agency_b.id}"' not in page
    assert 'value="regency_xlsx"' not in page
    client.post("/keluar")
    login(client, org.bkd_admin)
    page = client.get("/laporan/?bulan=2026-10").get_data(as_text=True)
    assert 'value="regency_xlsx"' in page and f'data-export="pack-{org.agency_b.id}"' in page
    client.post("/keluar")
    login(client, org.appraiser_a)
    page = client.get("/laporan/?bulan=2026-10").get_data(as_text=True)
    assert f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf" in page
    assert f"/laporan/pegawai/{org.other_staff_a.id}/2026-10.pdf" not in page


# --- Command line ---------------------------------------------------------------------------------------------


def test_cli_exports(app, org, tmp_path):
    file_activities(org.staff_a, 2)
    runner = app.test_cli_runner()
    out = tmp_path / "rekap.xlsx"
    result = runner.invoke(args=["report", "agency", "A", "--month", "2026-10", "--kind", "recap-xlsx",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    assert any(cell.value == "Staf A" for row in sheet.iter_rows() for cell in row)

    out = tmp_path / "laporan.xlsx"
    result = runner.invoke(args=["report", "employee", org.staff_a.id_number, "--month", "2026-10",
                                 "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0 and "rendered" in result.output and out.stat().st_size > 0
    result = runner.invoke(args=["report", "employee", org.staff_a.id_number, "--month", "2026-10",
                                 "--format", "xlsx", "--out", str(out)])
    assert "reused" in result.output
    assert runner.invoke(args=["report", "agency", "NOPE", "--month", "2026-10", "--kind", "pack",
                               "--out", str(out)]).exit_code != 0


def test_task_month_parsing():
    assert tasks.parse_month("2026-10") == OCTOBER
    with pytest.raises(Exception, match="Bulan"):
        tasks.parse_month("2026-13")


def test_month_calendar_and_review_page_link_to_the_report(client, org):
    login(client, org.staff_a)
    page = client.get("/kegiatan/bulan/2026-10").get_data(as_text=True)
    assert f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf" in page
    client.post("/keluar")
    login(client, org.appraiser_a)
    page = client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/2026-10").get_data(as_text=True)
    assert f"/laporan/pegawai/{org.staff_a.id}/2026-10.pdf" in page


def test_the_data_hash_reads_the_report_data_as_asdict_does(app):
    """The store keys documents by this hash: the fast copy must give what dataclasses.asdict gives."""
    import dataclasses

    from kinerja.reports.model import plain
    from tests.report_samples import employee_month

    with app.app_context():
        month = employee_month(12)
        assert plain(month) == json_ready(dataclasses.asdict(month))


def json_ready(value):
    """asdict keeps tuples; plain() gives lists (json.dumps writes both as arrays)."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return value
