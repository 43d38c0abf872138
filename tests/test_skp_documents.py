"""The SKP document and the evaluation document (PermenPANRB 6/2022 layouts) as PDF read back with pdftotext and
as XLSX read back with openpyxl, and who may download them."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kinerja.models import ActingAssignment, SkpStatus
from kinerja.models.skp import (
    BehaviourValue,
    Evaluation,
    EvaluationIndicator,
    OrganisationPredikat,
    OrgPredikat,
    Predikat,
    Rating,
)
from kinerja.skp import documents
from tests.test_report_pdf import WATERMARK, assert_read_as_xml, flat, pdf_pages
from tests.test_skp import iki_of, plan
from tests.test_skp_evaluation import approved_output

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


@pytest.fixture
def plans(db, org):
    """The appraiser's approved plan and staff A's approved plan under it, with an expectation and lampiran."""
    boss = plan(db, org.appraiser_a, text="Meningkatnya layanan kependudukan")
    mine = plan(db, org.staff_a, text="Terverifikasinya berkas pindah", unit="berkas", parent=boss.rhk[0])
    mine.behaviours[0].expectation = "Menjawab pengaduan dalam satu hari kerja"
    mine.dukungan_sumber_daya = "Aplikasi SIAK dan pemindai"
    mine.konsekuensi = "Tunjangan kinerja mengikuti capaian"
    db.session.commit()
    return boss, mine


def rate(db, skp, month: int, result: Rating, behaviour: Rating, predikat: Predikat, **indicator) -> None:
    saved = Evaluation(employee_id=skp.employee_id, skp_id=skp.id, year=2026, month=month, rating_result=result,
                       rating_behaviour=behaviour, predikat=predikat)
    saved.indicators = [EvaluationIndicator(iki_id=iki_of(skp).id, **indicator)]
    db.session.add(saved)
    db.session.commit()


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return flat(" ".join(pdf_pages(response.data)))


@needs_pdftotext
def test_skp_pdf_has_the_official_sections(client, auth, db, org, plans):
    _boss, mine = plans
    auth.login(org.staff_a.id_number)
    text = text_of(client.get(f"/skp/{mine.id}/dokumen.pdf"))
    for expected in ("SASARAN KINERJA PEGAWAI", "PEGAWAI YANG DINILAI", "PEJABAT PENILAI KINERJA", "Staf A",
                     "Penilai A", "HASIL KERJA", "A. Utama", "Meningkatnya layanan kependudukan",
                     "Terverifikasinya berkas pindah", "12 berkas", "PERILAKU KERJA", "Berorientasi Pelayanan",
                     "Menjawab pengaduan dalam satu hari kerja", "Kolaboratif", "Pegawai yang Dinilai",
                     "LAMPIRAN SASARAN KINERJA PEGAWAI", "Aplikasi SIAK dan pemindai",
                     "Tunjangan kinerja mengikuti capaian", "1 Januari 2026 s.d. 31 Desember 2026"):
        assert expected in text, expected
    assert "DRAF" not in text


@needs_pdftotext
def test_a_plh_signs_the_skp_under_plh_and_the_absent_appraisers_position(client, auth, db, org, plans):
    _boss, mine = plans
    db.session.add(ActingAssignment(acting_id=org.other_appraiser_a.id, absent_id=org.appraiser_a.id,
                                    valid_from=date(2025, 12, 29), valid_to=date(2026, 1, 9), decree_number="800/1"))
    db.session.commit()
    title = f"Plh. {org.appraiser_a.assignments[0].position.name}"
    auth.login(org.staff_a.id_number)
    text = text_of(client.get(f"/skp/{mine.id}/dokumen.pdf"))
    signature = text[text.rindex("1 Januari 2026"):]
    assert signature.startswith(f"1 Januari 2026 {title} Staf A")
    assert f"Penilai Lain A NIP {org.other_appraiser_a.id_number}" in signature
    assert "Pejabat Penilai Kinerja" not in signature and "Penilai A " not in signature
    sheet = load_workbook(io.BytesIO(client.get(f"/skp/{mine.id}/dokumen.xlsx").data)).active
    place = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "Uji, 1 Januari 2026")
    signer = [sheet.cell(row=place.row + offset, column=place.column).value for offset in (1, 5, 6)]
    assert signer == [title, "Penilai Lain A", f"NIP {org.other_appraiser_a.id_number}"]


@needs_pdftotext
def test_a_draft_plan_prints_the_draft_mark_on_every_page(client, auth, db, org):
    draft = plan(db, org.staff_a, status=SkpStatus.DRAFT)
    auth.login(org.staff_a.id_number)
    pages = pdf_pages(client.get(f"/skp/{draft.id}/dokumen.pdf").data, raw=True)
    assert len(pages) >= 2 and all(WATERMARK.search(page) for page in pages)


def test_skp_xlsx_has_the_same_content(client, auth, db, org, plans):
    _boss, mine = plans
    auth.login(org.staff_a.id_number)
    response = client.get(f"/skp/{mine.id}/dokumen.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    for expected in ("SASARAN KINERJA PEGAWAI", "Terverifikasinya berkas pindah", "Meningkatnya layanan kependudukan",
                     "12 berkas", "Menjawab pengaduan dalam satu hari kerja", "Aplikasi SIAK dan pemindai"):
        assert any(expected in cell for cell in cells), expected
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.freeze_panes is not None


@needs_pdftotext
def test_evaluation_pdf_shows_realisation_feedback_ratings_and_predikat(client, auth, db, org, plans):
    _boss, mine = plans
    approved_output(db, org.staff_a, iki_of(mine), date(2026, 11, 16), 3)
    rate(db, mine, 11, Rating.AS_EXPECTED, Rating.ABOVE, Predikat.GOOD, adjustment=Decimal(2),
         feedback="Pertahankan ketepatan verifikasi")
    db.session.add(OrganisationPredikat(agency_id=org.agency_a.id, year=2026, predikat=OrgPredikat.GOOD))
    db.session.commit()
    auth.login(org.appraiser_a.id_number)
    text = text_of(client.get(f"/skp/{mine.id}/evaluasi/2026-11.pdf"))
    for expected in ("EVALUASI KINERJA PEGAWAI", "PERIODE: BULANAN", "November 2026", "CAPAIAN KINERJA ORGANISASI",
                     "Baik", "5 berkas", "Pertahankan ketepatan verifikasi", "Sesuai ekspektasi",
                     "Di atas ekspektasi", "PREDIKAT KINERJA PEGAWAI"):
        assert expected in text, expected


def test_quarter_evaluation_sums_months_and_lists_each_predikat(db, org, plans, app):
    _boss, mine = plans
    approved_output(db, org.staff_a, iki_of(mine), date(2026, 10, 14), 4)
    approved_output(db, org.staff_a, iki_of(mine), date(2026, 11, 16), 3)
    rate(db, mine, 10, Rating.BELOW, Rating.AS_EXPECTED, Predikat.NEEDS_IMPROVEMENT, adjustment=Decimal(1))
    kind, months = documents.parse_document_period("2026-Q4", mine)
    doc = documents.evaluation_document(mine, kind, months, date(2026, 11, 18))
    assert (doc.period_kind, doc.period_label) == ("TRIWULANAN", "Triwulan 4 2026")
    assert doc.results[0].realised == "8 berkas"  # 4 + 3 approved, + 1 adjusted in October
    assert doc.months == (("Oktober 2026", "Butuh Perbaikan"),)
    assert doc.predikat == "Butuh Perbaikan"
    assert doc.is_draft  # November and December are not rated yet
    assert doc.behaviours[0].value == BehaviourValue.SERVICE.label


def test_evaluation_xlsx(client, auth, db, org, plans):
    _boss, mine = plans
    rate(db, mine, 11, Rating.ABOVE, Rating.ABOVE, Predikat.VERY_GOOD, feedback="Luar biasa")
    auth.login(org.staff_a.id_number)
    response = client.get(f"/skp/{mine.id}/evaluasi/2026.xlsx")
    assert response.status_code == 200
    cells = [str(cell.value) for row in load_workbook(io.BytesIO(response.data)).active.iter_rows()
             for cell in row if cell.value is not None]
    for expected in ("EVALUASI KINERJA PEGAWAI", "PERIODE: TAHUNAN", "Tahun 2026", "Luar biasa", "Sangat Baik",
                     "November 2026"):
        assert any(expected in cell for cell in cells), expected


@pytest.mark.parametrize("periode", ["2025-11", "2027", "2026-Q5", "bulan-ini", "2026-13"])
def test_periods_outside_the_plan_are_404(client, auth, db, org, plans, periode):
    _boss, mine = plans
    auth.login(org.staff_a.id_number)
    assert client.get(f"/skp/{mine.id}/evaluasi/{periode}.pdf").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [
    ("owner", 200), ("appraiser", 200), ("head_a", 200), ("agency_admin_a", 200), ("bkd_admin", 200),
    ("colleague", 404), ("other_appraiser", 404), ("head_b", 404),
])
def test_who_may_download(client, auth, db, org, plans, who, expected):
    _boss, mine = plans
    logins = {"owner": org.staff_a.id_number, "appraiser": org.appraiser_a.id_number,
              "head_a": org.head_a.id_number, "agency_admin_a": "admin.a", "bkd_admin": "admin.bkd",
              "colleague": org.staff_a2.id_number, "other_appraiser": org.other_appraiser_a.id_number,
              "head_b": org.head_b.id_number}
    auth.login(logins[who])
    assert client.get(f"/skp/{mine.id}/dokumen.xlsx").status_code == expected
    assert client.get(f"/skp/{mine.id}/evaluasi/2026-11.xlsx").status_code == expected


def test_formula_like_text_stays_text(client, auth, db, org):
    mine = plan(db, org.staff_a, text="=HYPERLINK(\"http://evil\")")
    auth.login(org.staff_a.id_number)
    sheet = load_workbook(io.BytesIO(client.get(f"/skp/{mine.id}/dokumen.xlsx").data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not any(value.startswith("=") for value in values)
    assert any("HYPERLINK" in value for value in values)


def test_evidence_behind_the_realisation_is_listed_and_counted(client, auth, db, org, plans):
    from kinerja.models import Activity, Evidence, EvidenceKind

    _boss, mine = plans
    approved_output(db, org.staff_a, iki_of(mine), date(2026, 11, 16), 3)
    activity = db.session.query(Activity).filter_by(employee_id=org.staff_a.id).one()
    db.session.add(Evidence(activity_id=activity.id, kind=EvidenceKind.LINK, url="https://drive.example/s/bukti-1"))
    db.session.commit()
    auth.login(org.appraiser_a.id_number)
    page = client.get(f"/skp/evaluasi/{org.staff_a.id}/2026-11").get_data(as_text=True)
    assert "Bukti dukung (1)" in page and "https://drive.example/s/bukti-1" in page
    kind, months = documents.parse_document_period("2026-11", mine)
    doc = documents.evaluation_document(mine, kind, months, date(2026, 11, 18))
    assert doc.results[0].realised == "3 berkas (1 bukti dukung)"


@needs_pdftotext
def test_skp_and_evaluation_templates_read_as_xml_give_the_html5_tree(client, auth, db, org, plans, monkeypatch):
    from kinerja.skp import document_files

    _boss, mine = plans
    rate(db, mine, 11, Rating.AS_EXPECTED, Rating.ABOVE, Predikat.GOOD, adjustment=Decimal(2),
         feedback="Umpan <balik> & catatan")
    seen = []
    original = document_files.render_pdf
    monkeypatch.setattr(document_files, "render_pdf", lambda html: seen.append(html) or original(html))
    auth.login(org.appraiser_a.id_number)
    assert "SASARAN KINERJA PEGAWAI" in text_of(client.get(f"/skp/{mine.id}/dokumen.pdf"))
    assert "Umpan <balik> & catatan" in text_of(client.get(f"/skp/{mine.id}/evaluasi/2026-11.pdf"))
    assert len(seen) == 2
    for html in seen:
        assert_read_as_xml(html)


def test_the_signing_date_is_the_local_day_of_approval(db, org, plans):
    """Approved at 03.00 WIB on 2 March, which is still 1 March in UTC: the document is signed on 2 March."""
    _boss, mine = plans
    mine.approved_at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    db.session.commit()
    assert documents.skp_document(mine).header.signature_date == "2 Maret 2026"
