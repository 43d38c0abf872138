"""Signing the TPP daftar nominatif of a locked month (Kepala OPD) and the SKP documents (the appraiser), locally
with a PKCS#12 file and through the local BSrE server, as stored, versioned, never-changed PDFs checked by the
public verification page; reopening a TPP month marks its signed versions superseded and keeps them."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from kinerja.extensions import db as _db
from kinerja.models import ActingAssignment, AuditEntry, ReportDocument, SignedDocument, TppPeriod
from kinerja.models.skp import Evaluation, Predikat, Rating, SkpStatus
from kinerja.reports import store
from kinerja.signatures import services
from kinerja.tpp.rules import save_rule_set
from kinerja.tpp.services import lock_month, reopen_month
from tests import factories
from tests.test_report_pdf import flat, pdf_pages
from tests.test_reports import login
from tests.test_signatures import (
    NIK,
    PASSPHRASE,
    Authority,
    FakeBsre,
    bsre_setup,
    local_setup,
    pyhanko_status,
    signed_files,
)
from tests.test_skp import plan
from tests.tpp_samples import AFTER_NOVEMBER, NOVEMBER, approve_minutes, example_rules, present

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


@pytest.fixture(autouse=True)
def report_folder(app, tmp_path, monkeypatch):
    """A store of this test's own, so that files left by others are not counted."""
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "laporan"))


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


@pytest.fixture()
def bsre(authority, monkeypatch):
    service = FakeBsre(authority)
    service.thread.start()
    monkeypatch.setenv("KINERJA_TEST_BSRE_ID", "klien-uji")
    monkeypatch.setenv("KINERJA_TEST_BSRE_SECRET", "rahasia-klien")
    yield service
    service.server.shutdown()


def signed_rows(document_id: int) -> list[SignedDocument]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(SignedDocument).where(SignedDocument.report_document_id == document_id)
                                    .order_by(SignedDocument.version)))


# --- The TPP daftar nominatif ---------------------------------------------------------------------------------


@pytest.fixture()
def locked(org, db, monkeypatch) -> TppPeriod:
    """November 2026 of agency A, locked by BKD (staff A worked and was present)."""
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    save_rule_set(org.bkd_admin, example_rules())
    present(org.staff_a)
    approve_minutes(org.staff_a, 300)
    return lock_month(org.bkd_admin, org.agency_a, NOVEMBER, AFTER_NOVEMBER)


def open_nominative(client, org) -> ReportDocument:
    response = client.get(f"/tte/tpp/2026-11/opd/{org.agency_a.id}")
    assert response.status_code == 302, response.status_code
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.TPP_NOMINATIVE,
                                                               ReportDocument.superseded_at.is_(None)))
    assert response.headers["Location"].endswith(f"/tte/laporan/{document.id}")
    return document


def test_the_head_signs_the_locked_nominative_list_twice_and_the_verification_page_shows_who_and_when(
        app, client, org, tmp_path, authority, locked):
    local_setup(client, org, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    assert document.agency_id == org.agency_a.id and document.employee_id is None and not document.draft
    unsigned = store.path_of(document).read_bytes()
    page = client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
    assert 'name="passphrase"' in page and org.agency_a.name in page and "Daftar nominatif TPP" in page
    assert client.get(f"/tte/laporan/{document.id}/asli.pdf").data == unsigned

    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    rows = signed_rows(document.id)
    assert [row.version for row in rows] == [1, 2] and {row.signer_employee_id for row in rows} == {org.head_a.id}
    content = client.get(f"/tte/laporan/{document.id}/v1.pdf").data
    assert hashlib.sha256(content).hexdigest() == rows[0].sha256 and content.startswith(unsigned)
    status = pyhanko_status(content, authority)
    assert status.intact and status.valid and status.trusted
    # The stored unsigned list is the one reused: opening it again signs the same file.
    assert open_nominative(client, org).id == document.id
    assert store.path_of(document).read_bytes() == unsigned
    audit_rows = list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_document")))
    assert len(audit_rows) == 2 and all(store.TPP_NOMINATIVE in row.reason for row in audit_rows)

    client.post("/keluar")
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert public.count("Tanda tangan sah") == 2 and "Daftar nominatif TPP" in public
    assert org.agency_a.name in public and "Kepala A" in public and "digantikan" not in public


@needs_pdftotext
def test_the_stored_nominative_list_prints_its_verification_code(app, client, org, tmp_path, authority, locked):
    local_setup(client, org, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    text = flat(" ".join(pdf_pages(store.path_of(document).read_bytes())))
    assert f"Kode verifikasi: {document.code}" in text and "DAFTAR NOMINATIF" in text


def test_reopening_the_month_supersedes_the_signed_versions_and_keeps_them(app, client, org, tmp_path, authority,
                                                                          locked):
    local_setup(client, org, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    reopen_month(org.bkd_admin, locked, "Koreksi presensi")
    rows = signed_rows(document.id)
    assert len(rows) == 1 and rows[0].superseded_at is not None
    assert len(signed_files(app)) == 1  # the signed file is kept
    old = _db.session.get(ReportDocument, document.id)
    assert old.superseded_at is not None
    # Not locked: nothing to sign; the old document refuses a new signature.
    response = client.get(f"/tte/tpp/2026-11/opd/{org.agency_a.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tpp/2026-11/opd/{org.agency_a.id}")
    page = client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).get_data(as_text=True)
    assert "sudah berubah" in page and len(signed_rows(document.id)) == 1
    client.post("/keluar")
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert "digantikan sejak" in public and "dibuka kembali" in public and "Tanda tangan sah" in public
    # Locked again: a new stored list, signed as its own version 1; the old one stays superseded.
    lock_month(org.bkd_admin, org.agency_a, NOVEMBER, AFTER_NOVEMBER)
    login(client, org.head_a)
    again = open_nominative(client, org)
    assert again.id != document.id and again.code != document.code
    assert client.post(f"/tte/laporan/{again.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert [row.version for row in signed_rows(again.id)] == [1]
    assert signed_rows(document.id)[0].superseded_at is not None
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert f"Kode versi terbaru: {again.code}" in public


def test_nominative_list_scope_and_who_signs(app, client, org, tmp_path, authority, locked):
    local_setup(client, org, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    client.post("/keluar")
    # Another agency's head, staff of the agency and an appraiser who is not the head: 404 everywhere.
    for who in (org.head_b, org.staff_a, org.appraiser_a):
        login(client, who)
        assert client.get(f"/tte/tpp/2026-11/opd/{org.agency_a.id}").status_code == 404
        for url in (f"/tte/laporan/{document.id}", f"/tte/laporan/{document.id}/v1.pdf",
                    f"/tte/laporan/{document.id}/asli.pdf"):
            assert client.get(url).status_code == 404, (who.name, url)
        assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 404
        client.post("/keluar")
    # The agency's admin and BKD see the list and its signed versions, but do not sign it.
    for who in (org.agency_admin_a, org.bkd_admin):
        login(client, who)
        page = client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
        assert 'name="passphrase"' not in page and "Kepala OPD" in page
        assert client.get(f"/tte/laporan/{document.id}/v1.pdf").status_code == 200
        client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
        client.post("/keluar")
    assert len(signed_rows(document.id)) == 1
    assert _db.session.scalar(select(func.count()).select_from(SignedDocument)) == 1


def test_the_heads_plh_signs_the_nominative_list(app, client, org, tmp_path, authority, locked):
    _db.session.add(ActingAssignment(acting_id=org.appraiser_a.id, absent_id=org.head_a.id,
                                     valid_from=date(2026, 12, 1), valid_to=date(2026, 12, 31),
                                     decree_number="800/9"))
    _db.session.commit()
    local_setup(client, org, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    client.post("/keluar")
    login(client, org.appraiser_a)  # not an admin: sees it as the one who signs
    assert services.may_sign(org.user(org.appraiser_a), document, AFTER_NOVEMBER)
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert signed_rows(document.id)[0].signer_employee_id == org.appraiser_a.id


def test_bsre_signs_the_nominative_list(app, client, org, tmp_path, authority, bsre, locked):
    bsre_setup(client, org, bsre.url, tmp_path, authority)
    login(client, org.head_a)
    document = open_nominative(client, org)
    response = client.post(f"/tte/laporan/{document.id}", data={"nik": NIK, "passphrase": PASSPHRASE})
    assert response.status_code == 302
    sent = bsre.requests[-1]
    assert sent["nik"] == NIK and sent["file"] == f"tpp-nominatif-{org.agency_a.code}-2026-11.pdf"
    assert "Daftar nominatif TPP" in sent["reason"]
    status = pyhanko_status(client.get(f"/tte/laporan/{document.id}/v1.pdf").data, authority)
    assert status.intact and status.valid and status.trusted
    # A wrong passphrase: a clear message, nothing stored.
    page = client.post(f"/tte/laporan/{document.id}", data={"nik": NIK, "passphrase": "keliru"}).get_data(
        as_text=True)
    assert "Passphrase salah" in page and len(signed_rows(document.id)) == 1 and len(signed_files(app)) == 1


# --- SKP documents --------------------------------------------------------------------------------------------


@pytest.fixture()
def skp(db, org):
    """Staff A's approved plan of 2026 (appraiser: Penilai A)."""
    return plan(db, org.staff_a, text="Terverifikasinya berkas pindah", unit="berkas")


def test_the_appraiser_signs_the_skp_plan_and_the_owner_cannot(app, client, org, tmp_path, authority, skp):
    local_setup(client, org, tmp_path, authority)
    login(client, org.appraiser_a)
    response = client.get(f"/tte/skp/{skp.id}")
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.SKP_PLAN))
    assert response.headers["Location"].endswith(f"/tte/laporan/{document.id}")
    assert document.skp_id == skp.id and document.employee_id == org.staff_a.id and not document.draft
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    rows = signed_rows(document.id)
    assert [row.version for row in rows] == [1, 2] and rows[0].signer_employee_id == org.appraiser_a.id
    status = pyhanko_status(client.get(f"/tte/laporan/{document.id}/v2.pdf").data, authority)
    assert status.intact and status.valid and status.trusted
    client.post("/keluar")
    # The owner sees the signed versions but does not sign their own SKP.
    login(client, org.staff_a)
    page = client.get(f"/tte/laporan/{document.id}").get_data(as_text=True)
    assert 'name="passphrase"' not in page and "pejabat penilai" in page
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    assert len(signed_rows(document.id)) == 2
    client.post("/keluar")
    # Another agency: 404.
    login(client, org.head_b)
    assert client.get(f"/tte/skp/{skp.id}").status_code == 404
    assert client.get(f"/tte/laporan/{document.id}").status_code == 404
    assert client.get(f"/tte/laporan/{document.id}/v1.pdf").status_code == 404
    client.post("/keluar")
    public = client.get(f"/laporan/verifikasi/{document.code}").get_data(as_text=True)
    assert public.count("Tanda tangan sah") == 2 and "Sasaran Kinerja Pegawai" in public and "Staf A" in public


def test_a_draft_skp_is_not_signed_and_a_changed_plan_supersedes_the_signed_one(app, client, org, tmp_path,
                                                                                authority, skp):
    local_setup(client, org, tmp_path, authority)
    login(client, org.appraiser_a)
    client.get(f"/tte/skp/{skp.id}")
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.SKP_PLAN))
    client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE})
    skp.konsekuensi = "Tunjangan mengikuti capaian"
    _db.session.commit()
    client.get(f"/tte/skp/{skp.id}")
    current = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.SKP_PLAN,
                                                              ReportDocument.superseded_at.is_(None)))
    assert current.id != document.id and signed_rows(document.id)[0].superseded_at is not None
    skp.status = SkpStatus.SUBMITTED
    _db.session.commit()
    client.get(f"/tte/skp/{skp.id}")
    draft = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.SKP_PLAN,
                                                            ReportDocument.superseded_at.is_(None)))
    assert draft.draft
    page = client.post(f"/tte/laporan/{draft.id}", data={"passphrase": PASSPHRASE}).get_data(as_text=True)
    assert "masih DRAF" in page and signed_rows(draft.id) == []


def test_the_appraiser_signs_a_rated_monthly_evaluation(app, client, org, tmp_path, authority, skp):
    _db.session.add(Evaluation(employee_id=skp.employee_id, skp_id=skp.id, year=2026, month=10,
                               rating_result=Rating.AS_EXPECTED, rating_behaviour=Rating.AS_EXPECTED,
                               predikat=Predikat.GOOD))
    _db.session.commit()
    local_setup(client, org, tmp_path, authority)
    login(client, org.appraiser_a)
    assert client.get(f"/tte/skp/{skp.id}/evaluasi/2025-10").status_code == 404  # outside the plan
    assert client.get(f"/tte/skp/{skp.id}/evaluasi/bukan-periode").status_code == 404
    response = client.get(f"/tte/skp/{skp.id}/evaluasi/2026-10")
    document = _db.session.scalar(select(ReportDocument).where(ReportDocument.kind == store.SKP_EVALUATION))
    assert response.headers["Location"].endswith(f"/tte/laporan/{document.id}")
    assert document.period_key == "2026-10" and not document.draft
    assert client.post(f"/tte/laporan/{document.id}", data={"passphrase": PASSPHRASE}).status_code == 302
    status = pyhanko_status(client.get(f"/tte/laporan/{document.id}/v1.pdf").data, authority)
    assert status.intact and status.valid and status.trusted
    # A month not rated yet is a DRAF: not signed.
    client.get(f"/tte/skp/{skp.id}/evaluasi/2026-09")
    unrated = _db.session.scalar(select(ReportDocument).where(ReportDocument.period_key == "2026-09"))
    assert unrated.draft
    client.post(f"/tte/laporan/{unrated.id}", data={"passphrase": PASSPHRASE})
    assert signed_rows(unrated.id) == []
