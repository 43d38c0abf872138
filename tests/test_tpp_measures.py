"""TPP rules beyond the class table: a position's own ceiling, and a third share measured by an agency score."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinerja.models import AuditEntry, TppAgencyScore, TppCeiling, TppRuleSet, TppSlip
from kinerja.tpp.engine import Day, Month, Rules, compute
from kinerja.tpp.month import compute_month
from kinerja.tpp.rules import save_rule_set
from tests import factories
from tests.tpp_samples import (
    AFTER_NOVEMBER,
    NOVEMBER,
    WORKING_DAYS,
    approve_minutes,
    db_assignment,
    example_rules,
    present,
)

EDIT = {"valid_from": "2026-01", "reference": "Perbup Uji No. 1 Tahun 2026", "kinerja_share": "60",
        "discipline_share": "40", "minutes_weight": "100", "deduction_base": "discipline", "absent": "3",
        "ceiling_6_beban_kerja": "4.000.000", "ceiling_6_kondisi_kerja": "1.000.000", "late_0_low": "1",
        "late_0_rate": "1", "early_0_low": "1", "early_0_rate": "1", "factor_pns": "100"}


@pytest.fixture()
def rules(org, db):
    return save_rule_set(org.bkd_admin, example_rules())


def base_of(employee) -> int:
    return compute_month(NOVEMBER, AFTER_NOVEMBER, employee_ids=[employee.id]).rows[0].result.base


def audit_text(rule_set_id: int) -> str:
    from kinerja.extensions import db

    return " | ".join(entry.reason for entry in db.session.query(AuditEntry).filter_by(
        object_type="tpp_rule_set", object_id=rule_set_id).order_by(AuditEntry.id))


def test_bkd_gives_a_position_its_own_ceiling_and_it_changes_that_employees_tpp(client, auth, org, db, rules,
                                                                                monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    position = db_assignment(org.staff_a).position
    assert base_of(org.staff_a) == 5_000_000 and base_of(org.staff_a2) == 5_000_000
    auth.login("admin.bkd")
    page = client.get(f"/tpp/aturan/{rules.id}").get_data(as_text=True)
    # Chosen by name with its kelas and where it is held, never by typing an id.
    assert f"{position.name} (kelas 6) · Seksi A1, {org.agency_a.short_name}" in page
    assert 'name="position_0_id"' in page and 'name="position_2_amount"' in page

    saved = client.post(f"/tpp/aturan/{rules.id}", data=EDIT | {
        "position_0_id": str(position.id), "position_0_criterion": "beban_kerja", "position_0_amount": "6.000.000",
        "position_1_id": str(position.id), "position_1_criterion": "kondisi_kerja", "position_1_amount": "500.000",
        "reason": "Pagu khusus jabatan"})
    assert saved.status_code == 302
    # The position's ceiling (6.000.000 + 500.000) replaces its class's 5.000.000 for its holder only.
    assert base_of(org.staff_a) == 6_500_000 and base_of(org.staff_a2) == 5_000_000
    assert "Pagu Rp 6.500.000 × 30/30 hari" in client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(
        as_text=True)
    text = audit_text(rules.id)
    assert f"pagu jabatan {position.name} beban_kerja: - → 6000000" in text
    assert f"pagu jabatan {position.name} kondisi_kerja: - → 500000" in text

    page = client.get(f"/tpp/aturan/{rules.id}").get_data(as_text=True)
    assert 'value="6.000.000"' in page and 'value="500.000"' in page and 'name="position_4_amount"' in page
    # Change one criterion and remove the other (an empty amount).
    client.post(f"/tpp/aturan/{rules.id}", data=EDIT | {
        "position_0_id": str(position.id), "position_0_criterion": "beban_kerja", "position_0_amount": "7.000.000",
        "position_1_id": str(position.id), "position_1_criterion": "kondisi_kerja", "position_1_amount": ""})
    assert base_of(org.staff_a) == 7_000_000
    text = audit_text(rules.id)
    assert f"pagu jabatan {position.name} beban_kerja: 6000000 → 7000000" in text
    assert f"pagu jabatan {position.name} kondisi_kerja: 500000 → -" in text
    # Removing the position's last row returns its holder to the class ceiling.
    client.post(f"/tpp/aturan/{rules.id}", data=EDIT | {"position_0_id": str(position.id),
                                                        "position_0_amount": ""})
    assert base_of(org.staff_a) == 5_000_000
    assert db.session.query(TppCeiling).filter(TppCeiling.position_id.is_not(None)).count() == 0


def test_bad_position_ceilings_are_refused_naming_the_row_and_nothing_changes(client, auth, org, db, rules,
                                                                              monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    position = db_assignment(org.staff_a).position
    auth.login("admin.bkd")
    row = {"position_0_id": str(position.id), "position_0_criterion": "beban_kerja", "position_0_amount": "6.000.000"}
    cases = [
        (row | {"position_1_id": str(position.id), "position_1_criterion": "beban_kerja",
                "position_1_amount": "1.000.000"}, "Baris 2: jabatan dan kriteria ini sudah diisi di baris 1."),
        (row | {"position_0_amount": "0"}, f"Pagu jabatan {position.name} (Beban kerja) harus lebih dari nol."),
        (row | {"position_0_id": "999999"}, "Jabatan yang dipilih tidak ada dalam daftar jabatan daerah ini."),
        (row | {"position_0_id": "²"}, "Baris 1: pilih jabatan dan kriteria dari daftar."),
        (row | {"position_0_criterion": "gaji"}, "Baris 1: pilih jabatan dan kriteria dari daftar."),
        (row | {"position_0_id": ""}, "Baris 1: pilih jabatannya."),
        (row | {"position_0_amount": "enam juta"}, "rupiah utuh"),
    ]
    for data, message in cases:
        page = client.post(f"/tpp/aturan/{rules.id}", data=EDIT | data).get_data(as_text=True)
        assert message in page, data
    assert db.session.query(TppCeiling).filter(TppCeiling.position_id.is_not(None)).count() == 0
    # A rule set a locked month used is refused as before, position ceilings included.
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "lock"})
    page = client.post(f"/tpp/aturan/{rules.id}", data=EDIT | row).get_data(as_text=True)
    assert "sudah dipakai bulan yang dikunci" in page
    assert db.session.query(TppCeiling).filter(TppCeiling.position_id.is_not(None)).count() == 0


def test_a_third_share_is_paid_in_full_unless_measured():
    calendar = [NOVEMBER + timedelta(days=n) for n in range(30)]
    days = tuple(Day(day=day, ceiling=5_000_000, working=day in WORKING_DAYS, checked_in=True, checked_out=True)
                 for day in calendar)
    month = Month(days_in_month=30, employment_type="PNS", days=days, effective_minutes_per_day=300,
                  approved_minutes=300 * len(WORKING_DAYS))
    full = compute(Rules(kinerja_share=6000, discipline_share=3000, third_share=1000, third_name="TPP khusus"),
                   month)
    assert (full.third, full.net) == (500_000, 5_000_000)
    measured = Rules(kinerja_share=6000, discipline_share=3000, third_share=1000, third_name="Realisasi",
                     third_measure="agency_score", third_missing=2500)
    # 5.000.000 × 10% × 72,35% = 361.750; while missing: × 25% = 125.000.
    assert compute(measured, Month(**{**month.__dict__, "third_score": 7235})).third == 361_750
    missing = compute(measured, month)
    assert missing.third == 125_000 and [line.code for line in missing.lines if line.code.startswith("third")] == [
        "third_missing"]


def test_bkd_measures_the_third_share_by_each_agencys_score(client, auth, org, db, monkeypatch):
    factories.freeze_now(monkeypatch, AFTER_NOVEMBER)
    present(org.staff_a)
    approve_minutes(org.staff_a, 300)
    auth.login("admin.bkd")
    created = client.post("/tpp/aturan/baru", data=EDIT | {
        "discipline_share": "30", "third_share": "10", "third_name": "Realisasi anggaran OPD",
        "third_measure": "agency_score", "third_missing": "50", "reason": "Perbup TPP 2026"})
    assert created.status_code == 302
    rule_set = db.session.query(TppRuleSet).one()
    assert (rule_set.third_measure.value, rule_set.third_missing) == ("agency_score", 5000)
    assert "third_measure: - → agency_score" in audit_text(rule_set.id)
    form = client.get(f"/tpp/aturan/{rule_set.id}").get_data(as_text=True)
    assert '<option selected value="agency_score">' in form and 'value="50"' in form

    # No score yet: the rules pay 50% of the third share, and every page says so.
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert ("Realisasi anggaran OPD: nilai OPD bulan ini belum diisi BKD; dibayar 50% × bagian 10% dari "
            "Rp 5.000.000") in page
    assert "Rp 4.750.000" in page  # 3.000.000 + 1.500.000 + 250.000
    recap = client.get("/tpp/2026-11").get_data(as_text=True)
    assert (f"Nilai Realisasi anggaran OPD belum diisi untuk 2 OPD: {org.agency_a.short_name}, "
            f"{org.agency_b.short_name}") in recap
    assert "belum diisi BKD" in client.get(f"/tpp/2026-11/opd/{org.agency_a.id}").get_data(as_text=True)

    scores = "/tpp/2026-11/nilai-opd"
    for value, message in (("120", "Persentase harus antara 0 dan 100%"), ("delapan", "Isi persentase dengan angka"),
                           ("85,125", "dua angka di belakang koma")):
        page = client.post(scores, data={f"score_{org.agency_a.id}": value}).get_data(as_text=True)
        assert message in page, value
    assert db.session.query(TppAgencyScore).count() == 0
    client.post(scores, data={f"score_{org.agency_a.id}": "85", f"note_{org.agency_a.id}": "LRA November 2026",
                              f"score_{org.agency_b.id}": ""})
    (score,) = db.session.query(TppAgencyScore).all()
    assert (score.agency_id, score.year, score.month, score.score, score.note) == (
        org.agency_a.id, 2026, 11, 8500, "LRA November 2026")
    page = client.get(f"/tpp/2026-11/pegawai/{org.staff_a.id}").get_data(as_text=True)
    assert "Realisasi anggaran OPD: 85% × bagian 10% dari Rp 5.000.000" in page
    assert "Rp 4.925.000" in page  # 3.000.000 + 1.500.000 + 425.000
    recap = client.get("/tpp/2026-11").get_data(as_text=True)
    assert f"belum diisi untuk 1 OPD: {org.agency_b.short_name}." in recap and "85%" in recap
    entry = db.session.query(AuditEntry).filter_by(object_type="tpp_agency_score").one()
    assert (entry.action, entry.from_state, entry.to_state, entry.reason) == (
        "set_agency_score", None, "85%", "2026-11: LRA November 2026")

    # Locked: the slip keeps the score's line; the score can no longer change until a reopen.
    client.post(f"/tpp/2026-11/opd/{org.agency_a.id}", data={"action": "lock"})
    slip = db.session.query(TppSlip).filter_by(employee_id=org.staff_a.id).one()
    assert (slip.third, slip.net) == (425_000, 4_925_000)
    form = client.get(scores).get_data(as_text=True)
    assert f'name="score_{org.agency_a.id}" id="score_{org.agency_a.id}" value="85" inputmode="decimal"' in form
    assert "disabled" in form
    refused = client.post(scores, data={f"score_{org.agency_a.id}": "50"}).get_data(as_text=True)
    assert "sudah dikunci" in refused
    db.session.expire_all()
    assert db.session.query(TppAgencyScore).one().score == 8500
    auth.logout()
    auth.login("admin.a")
    assert client.get(scores).status_code == 403
    assert client.post(scores, data={f"score_{org.agency_a.id}": "10"}).status_code == 403


def test_odd_input_to_the_new_fields_is_refused_never_a_500(client, auth, org, db, rules):
    from tests.test_tpp import ODD_VALUES

    auth.login("admin.bkd")
    position = db_assignment(org.staff_a).position
    row = {"position_0_id": str(position.id), "position_0_criterion": "beban_kerja", "position_0_amount": "1.000"}
    for name in ("position_0_id", "position_0_criterion", "position_0_amount", "third_measure", "third_missing"):
        for value in ODD_VALUES:
            response = client.post(f"/tpp/aturan/{rules.id}", data=EDIT | row | {name: value})
            assert response.status_code in (200, 302), (name, value, response.status_code)
    for value in [*ODD_VALUES, "x" * 301]:
        for name in (f"score_{org.agency_a.id}", f"note_{org.agency_a.id}", "score_999999"):
            response = client.post("/tpp/2026-11/nilai-opd", data={f"score_{org.agency_a.id}": "80", name: value})
            assert response.status_code in (200, 302), (name, value, response.status_code)
    stored = db.session.query(TppAgencyScore).all()
    assert all(0 <= item.score <= 10_000 and len(item.note) <= 300 for item in stored)
