"""The API's attendance corrections: the employee's own, filed by the same service and rules as the web form,
listed and filtered, withdrawn while pending; someone else's is a 404."""

from __future__ import annotations

from datetime import datetime

import pytest

from kinerja.api.tokens import issue as issue_token
from kinerja.models import AttendanceCorrection, AuditEntry, CorrectionStatus
from tests import factories
from tests.factories import PASSWORD

TODAY = datetime(2026, 11, 25, 10, 0, tzinfo=factories.WIB)  # a Wednesday
URL = "/api/v1/attendance/corrections"


@pytest.fixture()
def today(monkeypatch):
    return factories.freeze_now(monkeypatch, TODAY)


def headers(login: str) -> dict:
    return {"Authorization": f"Bearer {issue_token(login, PASSWORD, 'uji').secret}"}


def request_body(**changes) -> dict:
    return {"day": "2026-11-23", "kind": "forgot_in", "check_in": "07:20", "reason": "Lupa presensi"} | changes


def test_an_employee_files_lists_reads_and_withdraws_their_corrections(client, org, db, today):
    mine = headers(org.staff_a.id_number)
    filed = client.post(URL, json=request_body(), headers=mine)
    assert filed.status_code == 201, filed.get_json()
    body = filed.get_json()
    assert (body["day"], body["kind"], body["check_in"], body["check_out"], body["status"]) == (
        "2026-11-23", "forgot_in", "07:20", None, "pending")
    assert body["status_label"] == "Menunggu keputusan" and body["kind_label"] == "Lupa presensi masuk"
    field = client.post(URL, json=request_body(day="2026-11-24", kind="field_duty", check_in=None,
                                               evidence="800/45/ST/2026", reason="Sosialisasi di desa"), headers=mine)
    assert field.status_code == 201 and field.get_json()["evidence"] == "800/45/ST/2026"

    listed = client.get(URL, headers=mine).get_json()
    assert (listed["total"], [item["day"] for item in listed["items"]]) == (2, ["2026-11-24", "2026-11-23"])
    assert client.get(f"{URL}?month=2026-10", headers=mine).get_json()["total"] == 0
    assert client.get(f"{URL}?per_page=1&page=2", headers=mine).get_json()["items"][0]["day"] == "2026-11-23"
    assert client.get(f"{URL}/{body['id']}", headers=mine).get_json()["reason"] == "Lupa presensi"

    withdrawn = client.post(f"{URL}/{body['id']}/withdraw", headers=mine)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    again = client.post(f"{URL}/{body['id']}/withdraw", headers=mine)
    assert again.status_code == 409 and again.get_json()["error"]["message"] == "Koreksi ini sudah ditarik."
    assert client.get(f"{URL}?status=pending", headers=mine).get_json()["total"] == 1
    assert client.get(f"{URL}?status=withdrawn&month=2026-11", headers=mine).get_json()["total"] == 1
    # A withdrawn request leaves its day free for a new one.
    assert client.post(URL, json=request_body(check_in="07:25"), headers=mine).status_code == 201
    actions = [entry.action for entry in db.session.query(AuditEntry).filter_by(
        object_type="attendance_correction").order_by(AuditEntry.id)]
    assert actions == ["request_correction", "request_correction", "withdraw_correction", "request_correction"]

    # Decided requests are no longer withdrawn.
    auth_appraiser = headers(org.appraiser_a.id_number)
    assert client.post(f"{URL}/{field.get_json()['id']}/withdraw", headers=auth_appraiser).status_code == 404
    correction = db.session.get(AttendanceCorrection, field.get_json()["id"])
    correction.status = CorrectionStatus.APPROVED
    db.session.commit()
    decided = client.post(f"{URL}/{correction.id}/withdraw", headers=mine)
    assert decided.status_code == 409 and "sudah diputuskan (disetujui)" in decided.get_json()["error"]["message"]


def test_the_web_rules_answer_422_naming_the_field(client, org, db, today):
    mine = headers(org.staff_a.id_number)
    cases = [
        (request_body(day="2026-11-16"), "day", "Batas pengajuan koreksi sudah lewat: paling awal"),
        (request_body(day="2026-11-26"), "day", "hanya untuk hari yang sudah berlalu"),
        (request_body(day="2026-11-22"), "day", "bukan hari kerja"),
        (request_body(check_in=None), "check_in", "Isi jam Anda sebenarnya masuk."),
        (request_body(kind="field_duty"), "evidence", "Sebutkan nomor surat tugas"),
        (request_body(kind="device", check_in="10:00", check_out="09:00"), "check_out",
         "Jam pulang harus sesudah jam masuk."),
        (request_body(reason=" "), "reason", "Tuliskan alasannya."),
        (request_body(kind="lupa"), "kind", ""),
        (request_body(check_in="25:00"), "check_in", "Jam tidak valid"),
        (request_body(day="23-11-2026"), "day", "Tanggal tidak valid"),
        ({"day": "2026-11-23", "kind": "forgot_in"}, "reason", "Wajib diisi."),
    ]
    for body, field, message in cases:
        response = client.post(URL, json=body, headers=mine)
        assert response.status_code == 422, (body, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and message in error["fields"][field], (body, error)
    assert client.get(f"{URL}?month=2026-13", headers=mine).status_code == 422
    assert client.get(f"{URL}?status=maybe", headers=mine).status_code == 422
    assert db.session.query(AttendanceCorrection).count() == 0
    assert client.post(URL, json=request_body(), headers=mine).status_code == 201
    duplicate = client.post(URL, json=request_body(), headers=mine)
    assert duplicate.status_code == 409 and "Sudah ada koreksi menunggu keputusan" in duplicate.get_json()[
        "error"]["message"]


def test_someone_elses_correction_is_a_404_and_admins_have_none(client, org, db, today):
    filed = client.post(URL, json=request_body(), headers=headers(org.staff_a.id_number)).get_json()
    for who in (org.staff_a2.id_number, org.appraiser_a.id_number, org.staff_b.id_number):
        other = headers(who)
        assert client.get(f"{URL}/{filed['id']}", headers=other).status_code == 404, who
        assert client.post(f"{URL}/{filed['id']}/withdraw", headers=other).status_code == 404, who
        assert client.get(URL, headers=other).get_json()["total"] == 0, who
    admin = headers("admin.bkd")
    assert client.get(URL, headers=admin).status_code == 404
    assert client.post(URL, json=request_body(), headers=admin).status_code == 404
    assert client.get(URL).status_code == 401
    db.session.expire_all()
    assert db.session.get(AttendanceCorrection, filed["id"]).status is CorrectionStatus.PENDING
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {URL, f"{URL}/{{correction_id}}", f"{URL}/{{correction_id}}/withdraw", "/api/v1/tpp"} <= set(paths)
    assert set(paths[URL]) == {"get", "post"}


def test_the_web_page_withdraws_a_pending_request(client, auth, org, db, today):
    auth.login(org.staff_a.id_number)
    client.post("/presensi/koreksi", data={"day": "2026-11-23", "kind": "forgot_in", "check_in": "07:20",
                                           "reason": "Lupa presensi"})
    correction = db.session.query(AttendanceCorrection).one()
    assert "Tarik" in client.get("/presensi/koreksi").get_data(as_text=True)
    page = client.post(f"/presensi/koreksi/{correction.id}/tarik", follow_redirects=True).get_data(as_text=True)
    assert "Koreksi presensi ditarik." in page and "Ditarik" in page
    auth.logout()
    auth.login(org.appraiser_a.id_number)
    assert client.post(f"/presensi/koreksi/{correction.id}/tarik").status_code == 404
    assert "Lupa presensi" not in client.get("/presensi/koreksi/masuk").get_data(as_text=True)
