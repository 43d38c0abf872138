"""TPP end to end: BKD's rules through the page, each person's month from real records, locking and penalties."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kinerja import settings
from kinerja.identity import EmploymentType
from kinerja.models import (
    AttendanceRecord,
    AuditEntry,
    LeaveKind,
    TppPenalty,
    TppPeriod,
    TppRuleSet,
    TppSlip,
)
from kinerja.tpp.month import compute_month
from kinerja.tpp.rules import save_rule_set
from tests import factories
from tests.querycount import count_queries
from tests.tpp_samples import (
    AFTER_NOVEMBER,
    NOVEMBER,
    WORKING_DAYS,
    approve_minutes,
    db_assignment,
    example_rules,
    present,
)


@pytest.fixture()
def rules(org, db):
    return save_rule_set(org.bkd_admin, example_rules())


def test_a_month_from_real_records_is_explained_line_by_line(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    approve_minutes(org.staff_a, 240)  # 4 of the 5 effective hours each working day: 80%
    late = {WORKING_DAYS[0]: 10, WORKING_DAYS[1]: 45, WORKING_DAYS[2]: 45}
    present(org.staff_a, late=late, skip=(WORKING_DAYS[5],), no_out=(WORKING_DAYS[6],))
    auth.login(org.staff_a.id_number)
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    # Pagu kelas 6 = 4.000.000 + 1.000.000; kinerja 60% × 80% = 2.400.000; disiplin 40% = 2.000.000;
    # cuts of the discipline share: 0,5% (10 min) + 2 × 1% (45 min) + 2,5% (no check-out) + 3% (absent) = 8%.
    assert "Pagu Rp 5.000.000 × 30/30 hari" in page
    assert "Capaian kinerja: 5.040 dari 6.300 menit efektif disetujui = 80%" in page
    assert "Terlambat 1–30 menit: 1 hari × 0,5% = 0,5% dari bagian disiplin" in page
    assert "Terlambat 31–60 menit: 2 hari × 1% = 2% dari bagian disiplin" in page
    assert "Tidak presensi pulang: 1 hari × 2,5% = 2,5% dari bagian disiplin" in page
    assert "Tidak masuk tanpa keterangan: 1 hari × 3% = 3% dari bagian disiplin" in page
    assert "-Rp 160.000" in page
    assert "Rp 4.240.000" in page  # 2.400.000 + 2.000.000 − 160.000


def test_the_month_so_far_never_counts_days_to_come(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, datetime(2026, 11, 4, 16, 0, tzinfo=factories.WIB))
    present(org.staff_a, days=WORKING_DAYS[:2])
    result = compute_month(NOVEMBER, date(2026, 11, 4), employee_ids=[org.staff_a.id]).rows[0].result
    assert result.discipline_cuts == 0  # 4 November not over yet; the rest of the month still to come
    auth.login(org.staff_a.id_number)
    page = client.get("/tpp/saya", follow_redirects=True).get_data(as_text=True)
    assert "Perkiraan sampai hari ini" in page and "Yang masih dapat Anda lakukan" in page


def test_a_cpns_a_transfer_between_classes_and_leave(org, db, rules):
    from kinerja.extensions import db as database

    org.staff_a.employment_type = EmploymentType.CPNS
    first = db_assignment(org.staff_a2)
    first.valid_to = date(2026, 11, 15)
    senior = factories.PositionFactory(name="Analis Kebijakan", class_grade=9)
    factories.AssignmentFactory(employee=org.staff_a2, unit=first.unit, position=senior,
                                valid_from=date(2026, 11, 16), appraiser=org.appraiser_a)
    factories.LeaveFactory(employee=org.staff_a2, kind=LeaveKind.TUGAS_BELAJAR, start_date=date(2026, 11, 23),
                           end_date=date(2026, 11, 30))
    database.session.commit()
    rows = {row.person.employee_id: row for row in compute_month(
        NOVEMBER, AFTER_NOVEMBER, employee_ids=[org.staff_a.id, org.staff_a2.id]).rows}
    assert rows[org.staff_a.id].result.base == 4_000_000  # 80% of 5.000.000
    moved = rows[org.staff_a2.id]
    # 15 days at 5.000.000, 7 days (16–22) at 7.500.000, 8 days of tugas belajar at half of 7.500.000
    assert [line.amount for line in moved.result.lines if line.code == "base"] == [2_500_000, 1_750_000, 1_000_000]
    assert moved.person.class_grade == 9 and moved.person.position == "Analis Kebijakan"


def test_bad_rules_are_refused_with_a_clear_message_and_nothing_stored(client, auth, org, db, rules):
    auth.login("admin.bkd")
    form = client.get("/tpp/aturan/baru").get_data(as_text=True)
    assert 'value="2027-01"' in form and 'value="5.000.000"' not in form  # class 6 is split: 4.000.000 + 1.000.000
    assert 'value="4.000.000"' in form
    base = {"valid_from": "2027-01", "reference": "Perbup Uji No. 2 Tahun 2027", "kinerja_share": "60",
            "discipline_share": "40", "deduction_base": "discipline", "absent": "3", "ceiling_6_beban_kerja":
            "4.500.000", "late_0_low": "1", "late_0_high": "30", "late_0_rate": "0,5", "late_1_low": "31",
            "late_1_rate": "1", "early_0_low": "1", "early_0_rate": "1", "factor_pns": "100", "factor_cpns": "80"}
    cases = [
        ({"discipline_share": "30"}, "harus berjumlah 100% (sekarang 90%)"),
        ({"late_1_low": "35"}, "ada celah, menit 31–34"),
        ({"late_1_low": "25"}, "bertumpuk dengan rentang sebelumnya"),
        ({"absent": "120"}, "Persentase harus antara 0 dan 100%"),
        ({"ceiling_6_beban_kerja": "0"}, "Pagu harus lebih dari nol"),
        ({"ceiling_6_beban_kerja": "empat juta"}, "rupiah utuh"),
        ({"valid_from": "2026-06"}, "bertumpuk dengan aturan Perbup Uji No. 1 Tahun 2026"),
        ({"late_0_rate": "0,125"}, "dua angka di belakang koma"),
    ]
    for change, message in cases:
        page = client.post("/tpp/aturan/baru", data=base | change).get_data(as_text=True)
        assert message in page, change
    assert db.session.query(TppRuleSet).count() == 1


def test_bkd_edits_rules_from_a_month_and_the_month_uses_the_rules_in_force(client, auth, org, db, rules):
    auth.login("admin.bkd")
    rules.valid_to = date(2026, 12, 31)
    db.session.commit()
    response = client.post("/tpp/aturan/baru", data={
        "valid_from": "2027-01", "reference": "Perbup Uji No. 2 Tahun 2027", "kinerja_share": "70",
        "discipline_share": "30", "deduction_base": "ceiling", "absent": "3", "ceiling_6_beban_kerja": "6.000.000",
        "late_0_low": "1", "late_0_rate": "1", "early_0_low": "1", "early_0_rate": "1", "factor_pns": "100",
        "reason": "Perbup baru"})
    assert response.status_code == 302
    new = db.session.query(TppRuleSet).filter_by(reference="Perbup Uji No. 2 Tahun 2027").one()
    assert (new.kinerja_share, new.discipline_share, new.valid_from) == (7000, 3000, date(2027, 1, 1))
    entry = db.session.query(AuditEntry).filter_by(object_type="tpp_rule_set", object_id=new.id).one()
    assert "Perbup baru" in entry.reason and "kinerja_share: - → 7000" in entry.reason
    assert compute_month(date(2026, 12, 1), AFTER_NOVEMBER, employee_ids=[org.staff_a.id]).rule_set.id == rules.id
    january = compute_month(date(2027, 1, 1), date(2027, 2, 1), employee_ids=[org.staff_a.id])
    assert january.rule_set.id == new.id and january.rows[0].result.base == 6_000_000


def test_only_bkd_edits_rules_and_everyone_sees_only_their_scope(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    auth.login("admin.a")
    assert client.get("/tpp/aturan").status_code == 403
    assert client.get("/tpp/2026-11").status_code == 403
    page = client.get(f"/tpp/2026-11/opd/{org.agency_a.id}").get_data(as_text=True)
    assert org.staff_a.id_number in page and org.staff_b.id_number not in page
    assert client.get(f"/tpp/2026-11/opd/{org.agency_b.id}").status_code == 404
    assert client.get(f"/tpp/2026-11/pegawai/{org.staff_b.id}").status_code == 404
    assert client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").status_code == 200
    auth.logout()
    auth.login(org.staff_a.id_number)
    assert client.get(f"/tpp/2026-11/pegawai/{org.staff_a2.id}").status_code == 404
    assert client.get(f"/tpp/2026-11/opd/{org.agency_a.id}").status_code == 404
    assert client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "lock"}).status_code == 404


def test_a_locked_month_never_changes_until_an_audited_reopen(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    present(org.staff_a)
    approve_minutes(org.staff_a, 300)
    auth.login("admin.bkd")
    december = client.post(f"/tpp/2026-12/opd/{org.agency_a.id}", data={"action": "lock"}, follow_redirects=True)
    assert "belum berakhir" in december.get_data(as_text=True)
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "lock"})
    period = db.session.query(TppPeriod).one()
    slip = db.session.query(TppSlip).filter_by(period_id=period.id, employee_id=org.staff_a.id).one()
    assert slip.net == 5_000_000 and slip.class_grade == 6
    # Later: a check-in is removed and the ceiling changes. The locked month does not move.
    db.session.query(AttendanceRecord).filter_by(employee_id=org.staff_a.id, day=WORKING_DAYS[0]).delete()
    db.session.commit()
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert "Bulan ini sudah dikunci BKD" in page and "Tidak masuk tanpa keterangan" not in page
    assert "Rp 5.000.000" in page
    edit = client.post(f"/tpp/aturan/{rules.id}", data={
        "valid_from": "2026-01", "reference": "Perbup Uji No. 1 Tahun 2026", "kinerja_share": "60",
        "discipline_share": "40", "deduction_base": "discipline", "ceiling_6_beban_kerja": "1.000.000",
        "late_0_low": "1", "late_0_rate": "1", "early_0_low": "1", "early_0_rate": "1"}).get_data(as_text=True)
    assert "sudah dipakai bulan yang dikunci" in edit
    # Reopen needs a reason; with one, the month is computed again from today's data.
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "reopen", "reason": ""})
    assert db.session.query(TppPeriod).count() == 1
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "reopen", "reason": "Koreksi presensi"})
    assert db.session.query(TppPeriod).count() == 0 and db.session.query(TppSlip).count() == 0
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert "Tidak masuk tanpa keterangan: 1 hari × 3%" in page
    actions = [entry.action for entry in db.session.query(AuditEntry).filter_by(object_type="tpp_period")
               .order_by(AuditEntry.id)]
    assert actions == ["lock_tpp", "reopen_tpp"]


def test_a_penalty_cuts_its_months_only(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    present(org.staff_a)
    approve_minutes(org.staff_a, 300)
    auth.login("admin.bkd")
    refused = client.post("/tpp/hukuman", data={"employee_id_number": "199999999999999999", "decree_number": "X",
                                                "first_month": "2026-11", "months": "6", "rate": "25"})
    assert "Tidak ada pegawai dengan NIP" in refused.get_data(as_text=True)
    client.post("/tpp/hukuman", data={"employee_id_number": org.staff_a.id_number,
                                      "decree_number": "800/17/BKPSDM/2026", "first_month": "2026-11",
                                      "months": "6", "rate": "25"})
    assert db.session.query(TppPenalty).count() == 1
    register = client.get("/tpp/hukuman").get_data(as_text=True)
    assert "pemotongan tunjangan kinerja 25% selama 6, 9 atau 12 bulan" in register
    assert "25% selama 6 bulan: November 2026 – April 2027" in register
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert "Hukuman disiplin (SK 800/17/BKPSDM/2026): pemotongan 25% dari Rp 5.000.000" in page
    assert "Rp 3.750.000" in page
    result = compute_month(date(2026, 10, 1), AFTER_NOVEMBER, employee_ids=[org.staff_a.id]).rows[0].result
    assert result.penalty == 0
    may = compute_month(date(2027, 5, 1), date(2027, 6, 1), employee_ids=[org.staff_a.id]).rows[0].result
    assert may.penalty == 0  # November to April


def test_the_agency_list_costs_the_same_queries_for_ten_times_the_staff(org, db, rules):
    from kinerja.extensions import db as database

    unit = db_assignment(org.staff_a).unit

    def measure() -> list[str]:
        settings.forget()  # both runs read the settings once
        with count_queries() as statements:
            compute_month(NOVEMBER, AFTER_NOVEMBER, agency_ids=[org.agency_a.id])
        return statements

    small = measure()
    for _number in range(40):
        factories.staff_member(unit, org.appraiser_a)
    database.session.commit()
    more = measure()
    assert len(more) == len(small), set(more) ^ set(small)


def test_the_api_gives_the_employee_their_own_month_as_the_page_does(client, org, db, rules, monkeypatch):
    from kinerja.api.tokens import issue as issue_token
    from tests.factories import PASSWORD

    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    present(org.staff_a, late={WORKING_DAYS[0]: 45})
    approve_minutes(org.staff_a, 300)
    token = {"Authorization": f"Bearer {issue_token(org.staff_a.id_number, PASSWORD, 'uji').secret}"}
    body = client.get("/api/v1/tpp?month=2026-11", headers=token).get_json()
    assert (body["status"], body["base"], body["kinerja"], body["discipline_cuts"], body["net"]) == (
        "preview", 5_000_000, 3_000_000, 20_000, 4_980_000)
    late = next(line for line in body["lines"] if line["code"] == "late")
    assert late["amount"] == -20_000 and late["text"].startswith("Terlambat 31–60 menit: 1 hari × 1%")
    english = client.get("/api/v1/tpp?month=2026-11", headers=token | {"Accept-Language": "en"}).get_json()
    assert any(line["text"].startswith("Late 31–60 minutes: 1 days × 1%") for line in english["lines"])
    assert client.get("/api/v1/tpp?month=2026-13", headers=token).status_code == 422
    assert client.get("/api/v1/tpp?month=2026-11").status_code == 401
    admin = {"Authorization": f"Bearer {issue_token('admin.bkd', PASSWORD, 'uji').secret}"}
    assert client.get("/api/v1/tpp", headers=admin).status_code == 404  # no employee: no own TPP
    assert "/api/v1/tpp" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_cron_computes_and_locks_every_agency(app, org, db, rules, monkeypatch):
    from kinerja.tpp.commands import tpp_cli

    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    runner = app.test_cli_runner()
    computed = runner.invoke(tpp_cli, ["compute", "--month", "2026-11"])
    assert computed.exit_code == 0, computed.output
    assert "A\t6 pegawai" in computed.output and "pratinjau" in computed.output
    refused = runner.invoke(tpp_cli, ["lock", "--as", "admin.a"])
    assert refused.exit_code != 0 and "bukan akun admin BKD" in refused.output
    locked = runner.invoke(tpp_cli, ["lock", "--as", "admin.bkd"])  # last month: November
    assert locked.exit_code == 0, locked.output
    assert "2 OPD dikunci untuk 2026-11" in locked.output
    db.session.rollback()
    assert db.session.query(TppPeriod).count() == 2
    again = runner.invoke(tpp_cli, ["lock", "--as", "admin.bkd", "--month", "2026-11"])
    assert "0 OPD dikunci" in again.output
    december = runner.invoke(tpp_cli, ["lock", "--as", "admin.bkd", "--month", "2026-12", "--agency", "A"])
    assert december.exit_code == 1 and "belum berakhir" in december.output


def test_the_nominative_list_and_the_payroll_file_as_jobs(client, auth, org, db, rules, monkeypatch, tmp_path):
    import csv
    import io
    import subprocess

    from openpyxl import load_workbook

    from kinerja.jobs import job_file_path, run_job
    from kinerja.models import Job

    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    present(org.staff_a, late={WORKING_DAYS[0]: 45}, skip=(WORKING_DAYS[3],))
    approve_minutes(org.staff_a, 300)
    auth.login("admin.a")
    bad = client.post(f"/tpp/opd/{org.agency_a.id}/bendahara", data={"treasurer_id": str(org.staff_b.id),
                                                                       "back": "/tpp/2026-11/opd/1"},
                      follow_redirects=True)
    assert "Bendahara harus pegawai OPD ini." in bad.get_data(as_text=True)
    client.post(f"/tpp/opd/{org.agency_a.id}/bendahara", data={"treasurer_id": str(org.staff_a2.id)})
    db.session.refresh(org.agency_a)
    assert org.agency_a.treasurer_id == org.staff_a2.id
    assert client.post(f"/tpp/opd/{org.agency_b.id}/bendahara", data={"treasurer_id": ""}).status_code == 404

    def export(name: str) -> bytes:
        response = client.post(f"/tpp/2026-11/opd/{org.agency_a.id}/ekspor", data={"export": name})
        assert response.status_code == 302 and response.headers["Location"].startswith("/tugas/")
        job = db.session.get(Job, response.headers["Location"].rsplit("/", 1)[1])
        run_job(job.id)
        db.session.expire_all()
        return job_file_path(db.session.get(Job, job.id)).read_bytes()

    pdf = tmp_path / "nominatif.pdf"
    pdf.write_bytes(export("nominative_pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "DAFTAR NOMINATIF PENERIMA TAMBAHAN PENGHASILAN PEGAWAI (TPP)" in text
    assert "PRATINJAU, BELUM DIKUNCI" in text
    assert org.staff_a.id_number in text and "4.920.000" in text  # 5.000.000 − (1% + 3%) of 2.000.000
    assert "Bendahara Pengeluaran" in text and org.staff_a2.id_number in text
    assert "Kepala Dinas A" in text and org.head_a.id_number in text

    sheet = load_workbook(io.BytesIO(export("nominative_xlsx"))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    mine = next(row for row in values if row[2] == org.staff_a.id_number)
    assert (mine[7], mine[11], mine[15]) == (5_000_000, 80_000, 4_920_000)
    assert values[-1][1] == "Jumlah"

    lines = list(csv.reader(io.StringIO(export("payroll_csv").decode("utf-8-sig"))))
    assert lines[0][:4] == ["NIP", "Nama", "Kode OPD", "Kotor"]
    row = next(line for line in lines if line[0] == org.staff_a.id_number)
    assert row[2:] == ["A", "5000000", "20000", "0", "60000", "0", "4920000", "", ""]  # no bank account recorded
    assert {line[2] for line in lines[1:]} == {"A"}
    assert client.post(f"/tpp/2026-11/opd/{org.agency_b.id}/ekspor",
                       data={"export": "payroll_csv"}).status_code == 404


def test_cuti_bersama_and_holidays_are_neither_targeted_nor_absent(org, db, rules):
    december = [date(2026, 12, 1) + timedelta(days=n) for n in range(31)]
    weekdays = [day for day in december if day.weekday() < 5]
    worked = [day for day in weekdays if day not in (date(2026, 12, 24), date(2026, 12, 25))]
    present(org.staff_a, days=worked)
    approve_minutes(org.staff_a, 300, days=worked)
    result = compute_month(date(2026, 12, 1), date(2027, 1, 5), employee_ids=[org.staff_a.id]).rows[0].result
    (minutes,) = [line for line in result.lines if line.code == "minutes"]
    # 23 weekdays less Christmas (national holiday) and 24 December (cuti bersama): 21 working days.
    assert len(weekdays) == 23 and minutes.params["target"] == 21 * 300
    assert result.kinerja_rate == 10_000 and result.discipline_cuts == 0
    assert result.net == 5_000_000


def test_bkd_reads_the_regency_recap_with_each_agency_and_its_state(client, auth, org, db, rules, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    auth.login("admin.bkd")
    client.post(f"/tpp/2026-11/opd/{org.agency_b.id}", data={"action": "lock"})
    page = client.get("/tpp/2026-11").get_data(as_text=True)
    assert "Rekap TPP · November 2026" in page and "Perbup Uji No. 1 Tahun 2026" in page
    assert "Dinas A" in page and "Dinas B" in page and "Dikunci" in page and "Pratinjau" in page
    assert "Berkas gaji seluruh OPD (CSV)" in page
    # Eight people, nobody checked in or filed: each gets the discipline share of Rp 2.000.000 less 21 absent
    # days × 3% (Rp 1.260.000), so Rp 740.000 net; the regency's gross is Rp 16.000.000, its net Rp 5.920.000.
    assert "Jumlah se-daerah" in page and "Rp 16.000.000" in page and "Rp 5.920.000" in page
    assert client.get("/tpp", follow_redirects=False).headers["Location"].startswith("/tpp/")


ODD_VALUES = ["²", "٣", "sNaN", "NaN", "Infinity", "-0", "1e9", "9" * 5000, "1.5.5", " ", "0,0001", "١٢"]


def test_odd_input_is_refused_with_a_message_never_a_500(client, auth, org, db, rules):
    auth.login("admin.bkd")
    base = {"valid_from": "2027-01", "reference": "Perbup Uji 2027", "kinerja_share": "60", "discipline_share": "40",
            "deduction_base": "discipline", "ceiling_6_beban_kerja": "4.000.000", "late_0_low": "1",
            "late_0_rate": "1", "early_0_low": "1", "early_0_rate": "1"}
    fields = ["kinerja_share", "absent", "ceiling_6_beban_kerja", "late_0_low", "late_0_high", "late_0_rate",
              "factor_cpns", "predikat_baik", "leave_cuti_pay", "valid_from", "valid_to"]
    for name in fields:
        for value in ODD_VALUES:
            response = client.post("/tpp/aturan/baru", data=base | {name: value})
            assert response.status_code in (200, 302), (name, value, response.status_code)
    assert db.session.query(TppRuleSet).count() <= 2
    for value in ODD_VALUES:
        response = client.post(f"/tpp/opd/{org.agency_a.id}/bendahara", data={"treasurer_id": value},
                               follow_redirects=True)
        assert response.status_code == 200, value
        response = client.post("/tpp/hukuman", data={"employee_id_number": value, "decree_number": value,
                                                      "first_month": value, "months": value, "rate": value})
        assert response.status_code == 200, value
    assert db.session.query(TppPenalty).count() == 0
    db.session.refresh(org.agency_a)
    assert org.agency_a.treasurer_id is None
