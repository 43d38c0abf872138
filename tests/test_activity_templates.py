"""Personal templates for recurring activities: keep, apply to a day (through the activity rules), delete, and
make from an activity. The clock is frozen at Wednesday 18 November 2026, 16.00 WIB."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from kinerja.activities import templates_service
from kinerja.errors import ValidationFailed
from kinerja.extensions import db as database
from kinerja.models import Activity, ActivityCategory, ActivityStatus, ActivityTemplate, WorkMode
from tests.factories import ActivityFactory, activity_count, freeze_now

DAY = date(2026, 11, 17)


def template_form(**fields) -> dict:
    return {"description": "Rapat koordinasi mingguan", "duration_minutes": "90", "quantity": "1",
            "unit": "notulen", "work_mode": "WFO", "category": "tugas_tambahan", **fields}


def make_template(employee, **fields) -> ActivityTemplate:
    values = {"description": "Rapat koordinasi mingguan", "duration_minutes": 90, "quantity": Decimal(1),
              "unit": "notulen", "work_mode": WorkMode.WFO, "category": ActivityCategory.ADDITIONAL, **fields}
    template = ActivityTemplate(employee_id=employee.id, **values)
    database.session.add(template)
    database.session.commit()
    return template


@pytest.fixture()
def signed_in(client, auth, org, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    return org.staff_a


def apply(client, template: ActivityTemplate, day: date = DAY):
    return client.post(f"/kegiatan/hari/{day.isoformat()}/templat/{template.id}")


def day_activities(db, employee, day: date = DAY) -> list[Activity]:
    return db.session.query(Activity).filter_by(employee_id=employee.id, activity_date=day) \
        .order_by(Activity.start_time).all()


# --- keeping and deleting ------------------------------------------------------------------------------------

def test_create_template_and_list_it(client, signed_in, db):
    response = client.post("/kegiatan/templat", data=template_form())
    assert response.headers["Location"] == "/kegiatan/templat"
    template = db.session.query(ActivityTemplate).one()
    assert (template.employee_id, template.duration_minutes, template.category) == (
        signed_in.id, 90, ActivityCategory.ADDITIONAL)
    page = client.get("/kegiatan/templat").get_data(as_text=True)
    assert "Templat disimpan." in page and "Rapat koordinasi mingguan" in page


@pytest.mark.parametrize(("fields", "message"), [
    ({"description": ""}, "Uraian kegiatan wajib diisi."),
    ({"duration_minutes": "0"}, "Durasi harus lebih dari 0 menit."),
    ({"duration_minutes": "800"}, "Durasi harus antara 1 dan 720 menit."),
    ({"quantity": "0"}, "Kuantitas harus lebih dari 0."),
    ({"unit": ""}, "Satuan output wajib diisi."),
])
def test_invalid_template_is_refused(client, signed_in, db, fields, message):
    response = client.post("/kegiatan/templat", data=template_form(**fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(ActivityTemplate).count() == 0


def test_duplicate_template_is_refused(client, signed_in, db):
    client.post("/kegiatan/templat", data=template_form())
    page = client.post("/kegiatan/templat", data=template_form()).get_data(as_text=True)
    assert "Templat yang sama sudah ada." in page
    assert db.session.query(ActivityTemplate).count() == 1


def test_template_count_is_limited(org, db, monkeypatch):
    monkeypatch.setattr(templates_service, "MAX_TEMPLATES", 1)
    user = org.user(org.staff_a)
    data = templates_service.TemplateInput("Apel pagi", 30, Decimal(1), "kegiatan", WorkMode.WFO,
                                           ActivityCategory.MAIN)
    templates_service.create_template(user, data)
    with pytest.raises(ValidationFailed, match="Paling banyak 1 templat"):
        templates_service.create_template(user, templates_service.TemplateInput(
            "Apel sore", 30, Decimal(1), "kegiatan", WorkMode.WFO, ActivityCategory.MAIN))


def test_delete_own_template(client, signed_in, db):
    template = make_template(signed_in)
    response = client.post(f"/kegiatan/templat/{template.id}/hapus")
    assert response.headers["Location"] == "/kegiatan/templat"
    assert db.session.query(ActivityTemplate).count() == 0


def test_other_users_template_is_404(client, signed_in, org, db):
    theirs = make_template(org.staff_a2)
    assert client.post(f"/kegiatan/templat/{theirs.id}/hapus").status_code == 404
    assert apply(client, theirs).status_code == 404
    assert db.session.query(ActivityTemplate).count() == 1
    assert activity_count() == 0
    assert "Rapat koordinasi mingguan" not in client.get("/kegiatan/templat").get_data(as_text=True)


def test_accounts_without_an_employee_get_404(client, auth, org):
    auth.login("admin.a")
    assert client.get("/kegiatan/templat").status_code == 404


# --- applying to a day ----------------------------------------------------------------------------------------

def test_apply_on_an_empty_day_starts_at_0730(client, signed_in, db):
    template = make_template(signed_in)
    response = apply(client, template)
    assert response.headers["Location"] == f"/kegiatan/{DAY.isoformat()}"
    [activity] = day_activities(db, signed_in)
    assert (activity.start_time, activity.end_time, activity.duration_minutes) == (time(7, 30), time(9, 0), 90)
    assert (activity.status, activity.description, activity.unit, activity.category) == (
        ActivityStatus.DRAFT, "Rapat koordinasi mingguan", "notulen", ActivityCategory.ADDITIONAL)
    assert "Kegiatan dari templat disimpan sebagai draf." in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_apply_starts_where_the_days_last_activity_ends(client, signed_in, db):
    ActivityFactory(employee=signed_in, activity_date=DAY, start_time=time(13, 0), end_time=time(14, 15))
    ActivityFactory(employee=signed_in, activity_date=DAY, start_time=time(8, 0), end_time=time(9, 0))
    db.session.commit()
    apply(client, make_template(signed_in, duration_minutes=45))
    assert [(a.start_time, a.end_time) for a in day_activities(db, signed_in)][-1] == (time(14, 15), time(15, 0))


@pytest.mark.parametrize(("day", "last_end", "message"), [
    (date(2026, 11, 19), None, "masa depan"),  # tomorrow
    (date(2026, 11, 18), time(15, 30), "masa depan"),  # today, would end at 17.00
    (date(2026, 11, 10), None, "hari kerja ke belakang"),
    (DAY, time(23, 0), "tidak muat"),
])
def test_apply_respects_the_rules(client, signed_in, db, day, last_end, message):
    if last_end:
        ActivityFactory(employee=signed_in, activity_date=day, start_time=time(8, 0), end_time=last_end)
        db.session.commit()
    before = activity_count()
    response = apply(client, make_template(signed_in), day)
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert activity_count() == before


def test_dl_template_takes_the_letter_of_the_days_last_dl_activity(client, signed_in, db):
    template = make_template(signed_in, work_mode=WorkMode.DL)
    page = client.get(apply(client, template).headers["Location"]).get_data(as_text=True)
    assert "Dinas luar memerlukan nomor surat tugas." in page
    ActivityFactory(employee=signed_in, activity_date=DAY, start_time=time(7, 30), end_time=time(9, 0),
                    work_mode=WorkMode.DL, assignment_letter="800/7/2026")
    db.session.commit()
    apply(client, template)
    assert day_activities(db, signed_in)[-1].assignment_letter == "800/7/2026"


def test_day_page_offers_templates_manage_and_import(client, signed_in, db):
    template = make_template(signed_in)
    page = client.get(f"/kegiatan/{DAY.isoformat()}").get_data(as_text=True)
    assert f'action="/kegiatan/hari/{DAY.isoformat()}/templat/{template.id}"' in page
    assert "Kelola templat" in page and 'href="/kegiatan/templat"' in page
    assert "Impor dari Excel" in page and 'href="/kegiatan/impor"' in page


def test_apply_without_csrf_token_is_refused(client, signed_in, db, app, monkeypatch):
    template = make_template(signed_in)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert apply(client, template).status_code == 400
    assert activity_count() == 0


# --- from an activity ---------------------------------------------------------------------------------------

def test_make_template_from_own_activity(client, signed_in, db):
    activity = ActivityFactory(employee=signed_in, activity_date=DAY, start_time=time(8, 0), end_time=time(9, 30),
                               description="Verifikasi berkas usulan", unit="berkas", quantity=Decimal(3),
                               work_mode=WorkMode.WFH, category=ActivityCategory.INSTRUCTION)
    db.session.commit()
    response = client.post(f"/kegiatan/{activity.id}/jadikan-templat")
    assert response.headers["Location"] == "/kegiatan/templat"
    template = db.session.query(ActivityTemplate).one()
    assert (template.description, template.duration_minutes, template.quantity, template.unit,
            template.work_mode, template.category) == ("Verifikasi berkas usulan", 90, Decimal("3.00"), "berkas",
                                                       WorkMode.WFH, ActivityCategory.INSTRUCTION)
    page = client.get("/kegiatan/templat").get_data(as_text=True)
    assert "Kegiatan disimpan sebagai templat." in page
    assert f'action="/kegiatan/{activity.id}/jadikan-templat"' in page  # offered among the latest activities


def test_make_template_from_another_users_activity_is_404(client, signed_in, org, db):
    theirs = ActivityFactory(employee=org.staff_a2)
    db.session.commit()
    assert client.post(f"/kegiatan/{theirs.id}/jadikan-templat").status_code == 404
    assert db.session.query(ActivityTemplate).count() == 0
