"""Attendance corrections: staff ask within the deadline, the appraiser decides, TPP counts what was approved."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kinerja.models import AttendanceCorrection, AuditEntry, CorrectionStatus, Notification
from kinerja.tpp.month import compute_month
from tests import factories
from tests.tpp_samples import NOVEMBER, approve_minutes, example_rules, present

TODAY = datetime(2026, 11, 25, 10, 0, tzinfo=factories.WIB)  # a Wednesday


@pytest.fixture()
def today(monkeypatch):
    return factories.freeze_now(monkeypatch, TODAY)


def ask(client, day="2026-11-23", kind="forgot_in", check_in="07:20", check_out="", reason="Lupa presensi",
        evidence=""):
    return client.post("/presensi/koreksi", data={"day": day, "kind": kind, "check_in": check_in,
                                                  "check_out": check_out, "reason": reason, "evidence": evidence},
                       follow_redirects=True).get_data(as_text=True)


def test_staff_ask_and_the_appraiser_decides_and_tpp_counts_it(client, auth, org, db, today):
    from kinerja.tpp.rules import save_rule_set

    save_rule_set(org.bkd_admin, example_rules())
    approve_minutes(org.staff_a, 300)
    present(org.staff_a, skip=(date(2026, 11, 23),), no_out=(date(2026, 11, 24),))
    before = compute_month(NOVEMBER, TODAY.date(), employee_ids=[org.staff_a.id]).rows[0].result
    assert [line.code for line in before.lines if line.kind.value == "cut"] == ["no_check_out", "absent"]

    auth.login(org.staff_a.id_number)
    page = ask(client, kind="device", check_in="07:20", check_out="16:05", reason="Aplikasi galat")
    assert "Koreksi presensi diajukan" in page and "Menunggu keputusan" in page
    assert "Sudah ada koreksi menunggu keputusan" in ask(client)
    ask(client, day="2026-11-24", kind="forgot_out", check_in="", check_out="15:30", reason="Baterai habis")
    auth.logout()

    auth.login(org.appraiser_a.id_number)
    notices = db.session.query(Notification).filter_by(user_id=org.user(org.appraiser_a).id,
                                                       kind="correction_requested").count()
    assert notices == 2
    assert "Koreksi presensi menunggu keputusan Anda: 2" in client.get("/pemeriksaan/").get_data(as_text=True)
    inbox = client.get("/presensi/koreksi/masuk").get_data(as_text=True)
    assert "Staf A" in inbox and "Gangguan perangkat atau jaringan" in inbox and "Baterai habis" in inbox
    first, second = db.session.query(AttendanceCorrection).order_by(AttendanceCorrection.day).all()
    refused = client.post(f"/presensi/koreksi/{second.id}/putuskan", data={"decision": "reject", "reason": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "Tuliskan alasan penolakan." in refused
    client.post(f"/presensi/koreksi/{first.id}/putuskan", data={"decision": "approve", "reason": ""})
    client.post(f"/presensi/koreksi/{second.id}/putuskan",
                data={"decision": "approve", "reason": "Sesuai keterangan"})
    db.session.expire_all()
    assert {item.status for item in db.session.query(AttendanceCorrection)} == {CorrectionStatus.APPROVED}
    after = compute_month(NOVEMBER, TODAY.date(), employee_ids=[org.staff_a.id]).rows[0].result
    # 23 November counts as a day on time (07.20–16.05); 24 November's check-out at 15.30 is 30 minutes early.
    assert [(line.code, line.params.get("days")) for line in after.lines if line.kind.value != "pay"
            and line.code in ("absent", "no_check_out", "early", "corrected")] == [("corrected", 2), ("early", 1)]
    assert after.discipline_cuts == 10_000  # 0,5% of 2.000.000
    actions = [entry.action for entry in db.session.query(AuditEntry).filter_by(
        object_type="attendance_correction").order_by(AuditEntry.id)]
    assert actions == ["request_correction", "request_correction", "approve_correction", "approve_correction"]
    auth.logout()
    auth.login(org.staff_a.id_number)
    assert "Koreksi presensi disetujui: 2 hari" in client.get("/tpp/saya", follow_redirects=True).get_data(
        as_text=True)
    mine = client.get("/presensi/koreksi").get_data(as_text=True)
    assert "Sesuai keterangan" in mine and mine.count("Disetujui") >= 2


def test_requests_outside_the_rules_are_refused_with_a_reason(client, auth, org, db, today):
    auth.login(org.staff_a.id_number)
    assert "Batas pengajuan koreksi sudah lewat" in ask(client, day="2026-11-16")
    assert "hanya untuk hari yang sudah berlalu" in ask(client, day="2026-11-26")
    assert "bukan hari kerja" in ask(client, day="2026-11-22")
    assert "Isi jam Anda sebenarnya masuk." in ask(client, check_in="")
    assert "Sebutkan nomor surat tugas" in ask(client, kind="field_duty", check_in="")
    assert "Jam pulang harus sesudah jam masuk." in ask(client, kind="device", check_in="10:00", check_out="09:00")
    assert db.session.query(AttendanceCorrection).count() == 0
    assert "Koreksi presensi diajukan" in ask(client, kind="field_duty", check_in="",
                                               evidence="800/45/ST/2026")


def test_only_those_over_the_employee_decide(client, auth, org, db, today):
    auth.login(org.staff_a.id_number)
    ask(client)
    correction = db.session.query(AttendanceCorrection).one()
    auth.logout()
    for who in (org.staff_a.id_number, org.staff_a2.id_number, org.other_appraiser_a.id_number,
                org.head_b.id_number):
        auth.login(who)
        response = client.post(f"/presensi/koreksi/{correction.id}/putuskan", data={"decision": "approve"})
        assert response.status_code == 404, who
        assert "Lupa presensi" not in client.get("/presensi/koreksi/masuk").get_data(as_text=True)
        auth.logout()
    db.session.expire_all()
    assert db.session.get(AttendanceCorrection, correction.id).status is CorrectionStatus.PENDING
    auth.login("admin.a")
    client.post(f"/presensi/koreksi/{correction.id}/putuskan", data={"decision": "reject", "reason": "Tanpa bukti"})
    db.session.expire_all()
    assert db.session.get(AttendanceCorrection, correction.id).status is CorrectionStatus.REJECTED
    again = client.post(f"/presensi/koreksi/{correction.id}/putuskan", data={"decision": "approve"},
                        follow_redirects=True).get_data(as_text=True)
    assert "sudah diputuskan" in again


def test_the_waiting_count_matches_what_each_decider_may_decide(org, db, today):
    """The inbox's count (a statement built once per shape of scope) counts exactly the pending requests that
    `decidable` lets each user decide: BKD everything, an agency admin and a head their agency, an appraiser
    their staff and, as Plh, the absent appraiser's; nobody their own; decided requests never."""
    from kinerja.attendance.corrections import decidable, pending_count
    from kinerja.models import CorrectionKind

    def request(employee, agency, day, status=CorrectionStatus.PENDING):
        db.session.add(AttendanceCorrection(employee_id=employee.id, agency_id=agency.id, day=day,
                                            kind=CorrectionKind.FORGOT_IN, check_in=datetime(2026, 1, 1, 7).time(),
                                            reason="Lupa", status=status))

    request(org.staff_a, org.agency_a, date(2026, 11, 23))
    request(org.staff_a2, org.agency_a, date(2026, 11, 23))
    request(org.staff_a2, org.agency_a, date(2026, 11, 20), CorrectionStatus.APPROVED)
    request(org.other_staff_a, org.agency_a, date(2026, 11, 23))
    request(org.appraiser_a, org.agency_a, date(2026, 11, 23))
    request(org.staff_b, org.agency_b, date(2026, 11, 24))
    factories.ActingAssignmentFactory(acting=org.appraiser_a, absent=org.other_appraiser_a)
    db.session.commit()

    def listed(user) -> int:
        return sum(1 for item in db.session.scalars(decidable(user)) if item.status is CorrectionStatus.PENDING)

    expected = {org.bkd_admin: 5, org.agency_admin_a: 4, org.user(org.head_a): 4, org.user(org.appraiser_a): 3,
                org.user(org.staff_a): 0, org.user(org.head_b): 1}
    for user, count in expected.items():
        assert (pending_count(user), listed(user)) == (count, count), user.username
