"""TPP outputs end to end: the bank account on the payroll file, the regency recap workbook, each employee's slip
(PDF, alone or an agency's bundle) as background jobs, and `flask tpp export` for cron."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from kinerja.jobs import job_file_path, run_job
from kinerja.models import AuditEntry, Employee, Job
from kinerja.tpp.explain import describe
from kinerja.tpp.month import compute_month
from kinerja.tpp.rules import save_rule_set
from tests import factories
from tests.tpp_samples import AFTER_NOVEMBER, NOVEMBER, WORKING_DAYS, approve_minutes, example_rules, present

ACCOUNT = "0012-3456 7890"  # stored as "001234567890": the leading zeros are part of the number
# staff_a in November: all 6.300 minutes approved (kinerja 3.000.000), 45 minutes late once (1% of the discipline
# share of 2.000.000: 20.000) and one day absent (3%: 60.000): gross 5.000.000, net 4.920.000. Everybody else
# filed nothing and never checked in: kinerja 0, discipline share 2.000.000 less 21 absent days × 3% (1.260.000),
# so gross 2.000.000 and net 740.000.
STAFF_A_NET = 4_920_000
IDLE_NET = 740_000


@pytest.fixture()
def november(org, db, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    rules = save_rule_set(org.bkd_admin, example_rules())
    present(org.staff_a, late={WORKING_DAYS[0]: 45}, skip=(WORKING_DAYS[3],))
    approve_minutes(org.staff_a, 300)
    return rules


def run(client, db, url: str, data: dict) -> bytes:
    """Start an export job through the page, run it, return its file."""
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/tugas/"), response.status_code
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    run_job(job_id)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status.value == "done", job.error
    return job_file_path(job).read_bytes()


def pdf_text(tmp_path, content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be read back")
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def words(text: str) -> str:
    return " ".join(text.split())


def set_bank(client, employee_id: int, bank: str, account: str):
    return client.post(f"/admin/pegawai/{employee_id}/rekening", data={"bank_name": bank, "bank_account": account},
                       follow_redirects=True)


# --- the bank account ---------------------------------------------------------------------------------------------


def test_an_agency_admin_records_a_bank_account_checked_normalised_and_audited(client, auth, org, db):
    auth.login("admin.a")
    page = client.get(f"/admin/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert "Rekening bank (pembayaran TPP)" in page
    refused = [("Bank Jateng", "12ab-3456", "hanya berisi angka"), ("Bank Jateng", "12 345", "6–34 angka"),
               ("Bank Jateng", "1" * 35, "6–34 angka"), ("Bank Jateng", "١٢٣٤٥٦٧", "hanya berisi angka"),
               ("", "1234567", "Isi nama bank"), ("Bank Jateng", "", "Isi nomor rekening"),
               ("B" * 61, "1234567", "paling panjang 60")]
    for bank, account, message in refused:
        response = set_bank(client, org.staff_a.id, bank, account)
        assert response.status_code == 200 and message in response.get_data(as_text=True), (bank, account)
    db.session.refresh(org.staff_a)
    assert org.staff_a.bank_account is None and org.staff_a.bank_name is None
    assert "Rekening bank disimpan" in set_bank(client, org.staff_a.id, " Bank  Jateng ", ACCOUNT).get_data(
        as_text=True)
    db.session.refresh(org.staff_a)
    assert (org.staff_a.bank_name, org.staff_a.bank_account) == ("Bank Jateng", "001234567890")
    entry = db.session.query(AuditEntry).filter_by(object_type="employee", action="set_bank_account").one()
    assert (entry.object_id, entry.reason) == (org.staff_a.id, "- → Bank Jateng 001234567890")
    assert entry.agency_id == org.agency_a.id
    set_bank(client, org.staff_a.id, "", "")  # both empty: cleared, audited too
    db.session.refresh(org.staff_a)
    assert org.staff_a.bank_account is None
    assert db.session.query(AuditEntry).filter_by(action="set_bank_account").count() == 2
    assert set_bank(client, org.staff_b.id, "Bank Jateng", ACCOUNT).status_code == 404  # another agency's
    auth.logout()
    auth.login(org.staff_a.id_number)
    assert set_bank(client, org.staff_a.id, "Bank Jateng", ACCOUNT).status_code == 403  # not an admin


def test_the_payroll_file_carries_the_bank_account_as_text(client, auth, org, db, november):
    from kinerja.admin.staffing import set_bank_account

    set_bank_account(org.bkd_admin, db.session.get(Employee, org.staff_a.id), "Bank Jateng", ACCOUNT)
    set_bank_account(org.bkd_admin, db.session.get(Employee, org.staff_a2.id), "=HYPERLINK(\"x\")", "98765432")
    auth.login("admin.a")
    url = f"/tpp/2026-11/opd/{org.agency_a.id}/ekspor"
    sheet = load_workbook(io.BytesIO(run(client, db, url, {"export": "payroll_xlsx"}))).active
    header = [cell.value for cell in sheet[1]]
    assert header[-2:] == ["Nama bank", "Nomor rekening"]
    lines = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    mine = lines[org.staff_a.id_number]
    assert mine[8].value == STAFF_A_NET
    assert (mine[9].value, mine[10].value) == ("Bank Jateng", "001234567890")
    assert mine[10].data_type == "s" and mine[10].number_format == "@"  # text: no 1.23E+09, the zeros stay
    assert lines[org.staff_a2.id_number][9].value == "'=HYPERLINK(\"x\")"  # never a formula
    assert lines[org.staff_a2.id_number][9].data_type == "s"
    assert lines[org.other_staff_a.id_number][10].value in (None, "")  # not recorded: empty

    rows = list(csv.reader(io.StringIO(run(client, db, url, {"export": "payroll_csv"}).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Nama bank", "Nomor rekening"]
    by_nip = {row[0]: row for row in rows[1:]}
    assert by_nip[org.staff_a.id_number][2:] == ["A", "5000000", "20000", "0", "60000", "0", "4920000",
                                                 "Bank Jateng", "001234567890"]
    assert by_nip[org.other_staff_a.id_number][-2:] == ["", ""]


# --- the regency recap --------------------------------------------------------------------------------------------


def test_the_regency_recap_workbook_adds_up_and_shows_each_lock(client, auth, org, db, november):
    auth.login("admin.bkd")
    client.post(f"/tpp/2026-11/opd/{org.agency_b.id}", data={"action": "lock"})
    page = client.get("/tpp/2026-11").get_data(as_text=True)
    assert "Rekap TPP per OPD (Excel)" in page
    book = load_workbook(io.BytesIO(run(client, db, "/tpp/2026-11/ekspor", {"export": "recap_xlsx"})))
    assert book.sheetnames == ["Rekap", "A", "B"]
    recap = [[cell.value for cell in row] for row in book["Rekap"].iter_rows()]
    assert recap[0] == ["Kode OPD", "Nama OPD", "Pegawai", "Dasar (Rp)", "Kinerja (Rp)", "Bagian disiplin (Rp)",
                        "Potongan disiplin (Rp)", "Bagian ketiga (Rp)", "Kotor (Rp)", "Hukuman (Rp)", "Bersih (Rp)",
                        "Status", "Dikunci pada"]
    agency_a, agency_b, total = recap[1:]
    # A: staff_a and five idle people; B: two idle people, locked on 10 December 2026 at 16.00 WIB.
    assert agency_a == ["A", "Dinas A", 6, 30_000_000, 3_000_000, 12_000_000, 80_000 + 5 * 1_260_000, 0,
                        15_000_000, 0, STAFF_A_NET + 5 * IDLE_NET, "Pratinjau", None]
    assert agency_b == ["B", "Dinas B", 2, 10_000_000, 0, 4_000_000, 2 * 1_260_000, 0, 4_000_000, 0, 2 * IDLE_NET,
                        "Dikunci", datetime(2026, 12, 10, 16, 0)]
    assert total[:2] == [None, "Jumlah"]
    assert total[2:11] == [agency_a[column] + agency_b[column] for column in range(2, 11)]
    assert total[10] == 10_100_000
    sheet_a = [[cell.value for cell in row] for row in book["A"].iter_rows(min_row=2)]
    assert len(sheet_a) == 7 and sheet_a[-1][1] == "Jumlah"
    mine = next(row for row in sheet_a if row[2] == org.staff_a.id_number)
    assert (mine[7], mine[15]) == (5_000_000, STAFF_A_NET)
    assert sheet_a[-1][15] == sum(row[15] for row in sheet_a[:-1]) == agency_a[10]
    auth.logout()
    auth.login("admin.a")
    assert client.post("/tpp/2026-11/ekspor", data={"export": "recap_xlsx"}).status_code == 403


def test_the_recap_costs_the_same_queries_for_more_staff_and_agencies(app, org, db, november):
    from kinerja import settings
    from kinerja.tpp.documents import recap_xlsx
    from tests.querycount import count_queries
    from tests.tpp_samples import db_assignment

    def measure() -> list[str]:
        settings.forget()
        with count_queries() as statements:
            recap_xlsx(NOVEMBER, AFTER_NOVEMBER)
        return statements

    small = measure()
    unit = db_assignment(org.staff_a).unit
    for _number in range(20):
        factories.staff_member(unit, org.appraiser_a)
    other = factories.AgencyFactory(code="C", name="Dinas C")
    top = factories.UnitFactory(agency=other, code="01", name="Sekretariat C")
    for _number in range(5):
        factories.staff_member(top, None)
    db.session.commit()
    more = measure()
    assert len(more) == len(small), set(more) ^ set(small)


# --- slips --------------------------------------------------------------------------------------------------------


def test_the_staff_member_takes_their_own_slip_with_every_line_explained(client, auth, org, db, november, tmp_path):
    from kinerja.admin.staffing import set_bank_account

    set_bank_account(org.bkd_admin, db.session.get(Employee, org.staff_a.id), "Bank Jateng", ACCOUNT)
    auth.login(org.staff_a.id_number)
    page = client.get("/tpp/saya", follow_redirects=True)  # December, the month so far
    assert "Unduh slip TPP (PDF)" in page.get_data(as_text=True)
    text = words(pdf_text(tmp_path, run(client, db, f"/tpp/2026-11/pegawai/{org.staff_a.id}/slip", {})))
    assert "SLIP TAMBAHAN PENGHASILAN PEGAWAI (TPP)" in text and "Bulan: November 2026" in text
    assert "SEMENTARA (PRATINJAU)" in text and "DIKUNCI" not in text
    assert org.staff_a.id_number in text and "Bank Jateng 001234567890" in text
    assert "Perbup Uji No. 1 Tahun 2026" in text
    result = compute_month(NOVEMBER, AFTER_NOVEMBER, employee_ids=[org.staff_a.id]).rows[0].result
    for line in result.lines:
        assert words(describe(line)) in text, describe(line)
    assert "Terlambat 31–60 menit: 1 hari × 1% = 1% dari bagian disiplin" in text
    assert "Tidak masuk tanpa keterangan: 1 hari × 3% = 3% dari bagian disiplin" in text
    assert "-Rp 20.000" in text and "-Rp 60.000" in text and "TPP bersih Rp 4.920.000" in text
    # Someone else's slip, even a colleague's, is not there for the staff member.
    assert client.post(f"/tpp/2026-11/pegawai/{org.staff_a2.id}/slip").status_code == 404
    assert client.post(f"/tpp/2026-11/pegawai/{org.staff_b.id}/slip").status_code == 404
    assert client.post(f"/tpp/2026-11/opd/{org.agency_a.id}/ekspor", data={"export": "slips_pdf"}).status_code == 404


def test_an_agency_admin_takes_a_slip_or_the_agency_bundle_never_another_agencys(client, auth, org, db, november,
                                                                                 tmp_path):
    auth.login("admin.bkd")
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "lock"})
    auth.logout()
    auth.login("admin.a")
    assert client.post(f"/tpp/2026-11/pegawai/{org.staff_b.id}/slip").status_code == 404
    assert client.post(f"/tpp/2026-11/opd/{org.agency_b.id}/ekspor", data={"export": "slips_pdf"}).status_code == 404
    one = words(pdf_text(tmp_path, run(client, db, f"/tpp/2026-11/pegawai/{org.staff_a.id}/slip", {})))
    assert "DIKUNCI BKD pada 10 Desember 2026 16.00 WIB" in one and "SEMENTARA" not in one
    assert "TPP bersih Rp 4.920.000" in one
    assert "Slip TPP seluruh pegawai (PDF)" in client.get(f"/tpp/2026-11/opd/{org.agency_a.id}").get_data(
        as_text=True)
    bundle = pdf_text(tmp_path, run(client, db, f"/tpp/2026-11/opd/{org.agency_a.id}/ekspor",
                                    {"export": "slips_pdf"}))
    pages = [words(page) for page in bundle.split("\f") if page.strip()]
    assert len(pages) == 6  # one slip per page, the six people of Dinas A
    assert all("SLIP TAMBAHAN PENGHASILAN PEGAWAI (TPP)" in page and "DIKUNCI BKD" in page for page in pages)
    mine = [page for page in pages if org.staff_a.id_number in page]
    assert len(mine) == 1 and "TPP bersih Rp 4.920.000" in mine[0]
    assert sum("TPP bersih Rp 740.000" in page for page in pages) == 5


def test_a_slip_without_a_month_to_show_is_refused_with_a_message(client, auth, org, db, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)  # no rules at all
    auth.login(org.staff_a.id_number)
    response = client.post(f"/tpp/2026-11/pegawai/{org.staff_a.id}/slip", follow_redirects=True)
    assert response.status_code == 200 and "Permintaan slip tidak valid" in response.get_data(as_text=True)
    assert db.session.query(Job).count() == 0


# --- flask tpp export ---------------------------------------------------------------------------------------------


def test_cron_writes_the_files_the_jobs_write(app, org, db, november, tmp_path):
    from kinerja.tpp.commands import tpp_cli

    runner = app.test_cli_runner()
    out = tmp_path / "tpp"
    result = runner.invoke(tpp_cli, ["export", "--kind", "recap", "--kind", "payroll-csv", "--kind",
                                     "nominative-xlsx", "--out", str(out)])  # last month: November
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir())
    assert names == ["tpp-gaji-semua-OPD-2026-11.csv", "tpp-nominatif-A-2026-11.xlsx",
                     "tpp-nominatif-B-2026-11.xlsx", "tpp-rekap-2026-11.xlsx"]
    assert f"{out / 'tpp-rekap-2026-11.xlsx'}\t" in result.output and "4 berkas TPP 2026-11" in result.output
    recap = [[cell.value for cell in row] for row in load_workbook(out / "tpp-rekap-2026-11.xlsx")["Rekap"].iter_rows()]
    assert recap[-1][1] == "Jumlah" and recap[-1][10] == STAFF_A_NET + 7 * IDLE_NET
    payroll = list(csv.reader(io.StringIO((out / "tpp-gaji-semua-OPD-2026-11.csv").read_text("utf-8-sig"))))
    assert {row[2] for row in payroll[1:]} == {"A", "B"} and len(payroll) == 9

    one = runner.invoke(tpp_cli, ["export", "--month", "2026-11", "--agency", "b", "--kind", "slips", "--kind",
                                  "payroll-xlsx", "--out", str(out)])
    assert one.exit_code == 0, one.output
    assert (out / "tpp-slip-B-2026-11.pdf").read_bytes().startswith(b"%PDF")
    sheet = load_workbook(out / "tpp-gaji-B-2026-11.xlsx").active
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"B"}
    assert not [path for path in out.iterdir() if path.name.endswith(".part")]


@pytest.mark.parametrize(("arguments", "message"), [
    (["--kind", "payslip"], "Invalid value for '--kind'"),
    (["--kind", "recap", "--month", "2026-13"], "TTTT-BB"),
    (["--kind", "recap", "--agency", "A"], "tanpa --agency"),
    (["--kind", "slips", "--agency", "A", "--agency", "ZZ"], "Tidak ada OPD berkode ZZ"),
    (["--kind", "recap", "--month", "2025-11"], "Belum ada aturan TPP untuk 2025-11"),
    (["--kind", "recap", "--out", "FILE"], "bukan direktori"),
    (["--out", "DIR"], "Missing option '--kind'"),
])
def test_cron_refuses_bad_input_with_a_message_and_writes_nothing(app, org, db, november, tmp_path, arguments,
                                                                  message):
    from kinerja.tpp.commands import tpp_cli

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    out = tmp_path / "out"
    arguments = [str(a_file) if value == "FILE" else str(out) if value == "DIR" else value for value in arguments]
    if "--out" not in arguments:
        arguments += ["--out", str(out)]
    result = app.test_cli_runner().invoke(tpp_cli, ["export", *arguments])
    assert result.exit_code != 0 and message in result.output, result.output
    assert not out.exists() or not list(out.iterdir())
