"""The API's activities, review and attendance: the same services and scope as the web pages, so the same rules
give the same codes; out-of-scope objects are 404; a day filed with evidence, submitted and approved."""

from __future__ import annotations

import io
import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from kinerja.api.tokens import issue as issue_token
from kinerja.extensions import db
from kinerja.models import Activity, ActivityStatus, AttendanceRecord, Evidence
from tests.factories import PASSWORD, ActivityFactory, OfficeFactory, freeze_now

TODAY = date(2026, 11, 18)
TUE = date(2026, 11, 17)
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture()
def today(monkeypatch):
    freeze_now(monkeypatch, TODAY)
    return TODAY


def headers(employee_or_username) -> dict:
    identifier = employee_or_username if isinstance(employee_or_username, str) else employee_or_username.id_number
    return {"Authorization": f"Bearer {issue_token(identifier, PASSWORD, 'uji').secret}"}


def activity(day=TUE, start="08:00", end="09:00", **fields) -> dict:
    return {"activity_date": day.isoformat(), "start_time": start, "end_time": end,
            "description": "Menyusun laporan kegiatan", "quantity": 2, "unit": "dokumen", **fields}


def error_of(response) -> dict:
    return response.get_json()["error"]


def png() -> bytes:
    image = Image.frombytes("RGB", (80, 80), random.Random(3).randbytes(80 * 80 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_file_a_day_with_evidence_submit_and_approve(client, org, today):
    staff = headers(org.staff_a)
    created = client.post("/api/v1/activities", json=activity(), headers=staff)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["status"] == "draft" and item["duration_minutes"] == 60 and item["start_time"] == "08:00"
    upload = client.post(f"/api/v1/activities/{item['id']}/evidence", headers=staff,
                         data={"file": (io.BytesIO(png()), "bukti.png")}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    evidence = upload.get_json()["evidence"][0]
    download = client.get(evidence["download_url"], headers=staff)
    assert download.status_code == 200 and download.mimetype == "image/png"
    submitted = client.post("/api/v1/activities/submit-day", json={"date": TUE.isoformat()}, headers=staff)
    assert submitted.get_json() == {"count": 1}
    appraiser = headers(org.appraiser_a)
    assert client.get(evidence["download_url"], headers=appraiser).status_code == 200
    inbox = client.get("/api/v1/review/inbox", headers=appraiser).get_json()
    assert {"employee_id": org.staff_a.id, "waiting": 1} in [
        {"employee_id": row["employee_id"], "waiting": row["waiting"]} for row in inbox]
    month = client.get(f"/api/v1/review/employees/{org.staff_a.id}/activities?month=2026-11", headers=appraiser)
    assert [row["activity"]["id"] for row in month.get_json()] == [item["id"]]
    approved = client.post(f"/api/v1/review/activities/{item['id']}/approve", headers=appraiser)
    assert approved.get_json()["decided"] == [item["id"]]
    assert db.session.get(Activity, item["id"]).status is ActivityStatus.APPROVED


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"start_time": "08:30", "end_time": "09:30"}, "start_time", "bertabrakan"),
    ({"day": date(2026, 11, 2)}, "activity_date", "hari kerja ke belakang"),
    ({"day": date(2026, 11, 19)}, "activity_date", "masa depan"),
    ({"start_time": "10:00", "end_time": "09:00"}, "end_time", "setelah jam mulai"),
    ({"work_mode": "DL"}, "assignment_letter", "surat tugas"),
])
def test_rule_violations_answer_as_the_web_form(client, org, today, fields, field, fragment):
    staff = headers(org.staff_a)
    assert client.post("/api/v1/activities", json=activity(), headers=staff).status_code == 201
    day = fields.pop("day", TUE)
    response = client.post("/api/v1/activities", json=activity(day, **fields), headers=staff)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed" and fragment in error["fields"][field]


def test_schema_errors_name_the_field(client, org, today):
    response = client.post("/api/v1/activities", json=activity(quantity=0, work_mode="KANTOR"),
                           headers=headers(org.staff_a))
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"quantity", "work_mode"}


def test_a_retried_create_with_the_same_client_token_files_once(client, org, today):
    staff = headers(org.staff_a)
    body = activity(client_token="0f8fad5b-d9cb-469f-a165-70867728950e")
    first = client.post("/api/v1/activities", json=body, headers=staff).get_json()
    again = client.post("/api/v1/activities", json=body, headers=staff).get_json()
    assert first["id"] == again["id"] and db.session.query(Activity).count() == 1


def test_withdraw_after_approval_is_a_conflict(client, org, today):
    done = ActivityFactory(employee=org.staff_a, status=ActivityStatus.APPROVED)
    db.session.commit()
    response = client.post(f"/api/v1/activities/{done.id}/withdraw", headers=headers(org.staff_a))
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"


def test_changing_an_approved_activity_is_not_allowed(client, org, today):
    done = ActivityFactory(employee=org.staff_a, status=ActivityStatus.APPROVED)
    db.session.commit()
    response = client.put(f"/api/v1/activities/{done.id}", json=activity(), headers=headers(org.staff_a))
    assert response.status_code == 403 and error_of(response)["code"] == "not_allowed"


def mine_and_others(org) -> tuple[Activity, Activity]:
    own = ActivityFactory(employee=org.staff_a, status=ActivityStatus.SUBMITTED)
    other = ActivityFactory(employee=org.staff_a2, status=ActivityStatus.SUBMITTED)
    db.session.commit()
    return own, other


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/activities/{id}"),
    ("put", "/api/v1/activities/{id}"),
    ("delete", "/api/v1/activities/{id}"),
    ("post", "/api/v1/activities/{id}/submit"),
    ("post", "/api/v1/activities/{id}/withdraw"),
])
def test_someone_elses_activity_is_404(client, org, today, method, path):
    _own, other = mine_and_others(org)
    kwargs = {"json": activity()} if method == "put" else {}
    response = getattr(client, method)(path.format(id=other.id), headers=headers(org.staff_a), **kwargs)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert db.session.get(Activity, other.id).status is ActivityStatus.SUBMITTED


@pytest.mark.parametrize(("actor", "status"), [
    ("appraiser_a", 200),
    ("other_appraiser_a", 404),  # appraiser of another unit
    ("head_b", 404),             # agency B
    ("staff_a", 404),            # approving one's own activity
])
def test_who_may_approve(client, org, today, actor, status):
    own, _other = mine_and_others(org)
    response = client.post(f"/api/v1/review/activities/{own.id}/approve", headers=headers(getattr(org, actor)))
    assert response.status_code == status
    db.session.expire_all()
    expected = ActivityStatus.APPROVED if status == 200 else ActivityStatus.SUBMITTED
    assert db.session.get(Activity, own.id).status is expected


def test_agency_b_cannot_see_agency_a_evidence_or_people(client, org, today):
    staff = headers(org.staff_a)
    item = client.post("/api/v1/activities", json=activity(), headers=staff).get_json()
    client.post(f"/api/v1/activities/{item['id']}/evidence", headers=staff,
                data={"file": (io.BytesIO(png()), "bukti.png")}, content_type="multipart/form-data")
    evidence_id = db.session.query(Evidence.id).scalar()
    outsider = headers(org.head_b)
    assert client.get(f"/api/v1/evidence/{evidence_id}", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/review/employees/{org.staff_a.id}/activities",
                      headers=outsider).status_code == 404


def test_returning_needs_a_reason_and_bulk_approval_skips_flagged_items(client, org, today):
    own, other = mine_and_others(org)
    appraiser = headers(org.appraiser_a)
    empty = client.post(f"/api/v1/review/activities/{own.id}/return", json={"reason": ""}, headers=appraiser)
    assert empty.status_code == 422 and "reason" in error_of(empty)["fields"]
    returned = client.post(f"/api/v1/review/activities/{own.id}/return", json={"reason": "Lengkapi bukti"},
                           headers=appraiser)
    assert returned.get_json()["decided"] == [own.id]
    bulk = client.post("/api/v1/review/bulk-approve", json={"ids": [own.id, other.id]}, headers=appraiser)
    result = bulk.get_json()
    assert result["already_decided"] == [own.id]
    assert result["decided"] + result["flagged"] == [other.id]


def test_list_by_date_range_is_own_and_paginated(client, org, today):
    for start, end in (("08:00", "09:00"), ("09:00", "10:00"), ("10:00", "11:00")):
        ActivityFactory(employee=org.staff_a, start_time=datetime.strptime(start, "%H:%M").time(),
                        end_time=datetime.strptime(end, "%H:%M").time())
    ActivityFactory(employee=org.staff_a2)
    db.session.commit()
    page = client.get("/api/v1/activities?start=2026-11-01&end=2026-11-30&per_page=2",
                      headers=headers(org.staff_a)).get_json()
    assert page["total"] == 3 and page["pages"] == 2 and [a["start_time"] for a in page["items"]] == ["08:00", "09:00"]
    too_long = client.get("/api/v1/activities?start=2026-01-01&end=2026-11-30", headers=headers(org.staff_a))
    assert too_long.status_code == 422 and "end" in error_of(too_long)["fields"]


def selfie() -> bytes:
    image = Image.frombytes("RGB", (320, 240), random.Random(5).randbytes(320 * 240 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def test_check_in_with_position_and_selfie(client, org, today, monkeypatch):
    OfficeFactory(agency=org.agency_a, latitude=-6.8722, longitude=107.542, radius_m=100)
    db.session.commit()
    when = datetime(2026, 11, 16, 7, 20, tzinfo=WIB)
    freeze_now(monkeypatch, when)
    staff = headers(org.staff_a)
    form = {"mode": "WFO", "latitude": "-6.8722", "longitude": "107.542", "accuracy": "12"}
    missing = client.post("/api/v1/attendance/check-in", headers=staff, data=form, content_type="multipart/form-data")
    assert missing.status_code == 422 and "selfie" in error_of(missing)["fields"]
    response = client.post("/api/v1/attendance/check-in", headers=staff, content_type="multipart/form-data",
                           data={**form, "selfie": (io.BytesIO(selfie()), "swafoto.jpg")})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["within_radius"] is True and response.get_json()["kind"] == "in"
    again = client.post("/api/v1/attendance/check-in", headers=staff, content_type="multipart/form-data",
                        data={**form, "selfie": (io.BytesIO(selfie()), "swafoto.jpg")})
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    far = client.post("/api/v1/attendance/check-out", headers=headers(org.staff_a2),
                      content_type="multipart/form-data", data={**form, "selfie": (io.BytesIO(selfie()), "s.jpg")})
    assert far.status_code == 422 and error_of(far)["fields"] == {"kind": error_of(far)["message"]}
    assert db.session.query(AttendanceRecord).count() == 1


def test_reports_export_is_404_outside_ones_agency_and_a_job_for_its_admin(client, org, today):
    body = {"export": "recap_xlsx", "month": "2026-10", "agency_id": org.agency_a.id}
    assert client.post("/api/v1/reports/exports", json=body, headers=headers(org.head_b)).status_code == 404
    started = client.post("/api/v1/reports/exports", json=body, headers=headers("admin.a"))
    assert started.status_code == 202
    job = started.get_json()
    polled = client.get(f"/api/v1/jobs/{job['id']}", headers=headers("admin.a"))
    assert polled.get_json()["status"] == "queued" and polled.get_json()["download_url"] is None
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=headers(org.head_a)).status_code == 404
