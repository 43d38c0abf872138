"""Agency admins record leave and backdating exceptions for their own agency's staff only."""

from datetime import date, timedelta

import pytest

from kinerja import clock
from kinerja.models import ActingAssignment, AuditEntry, BackdateGrant, Leave
from kinerja.workcalendar import calendar_between, effective_working_days

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments


def leave_form(id_number, start="2026-03-02", end="2026-03-06", kind="cuti"):
    return {"id_number": id_number, "kind": kind, "start_date": start, "end_date": end,
            "document_number": "800/12/Cuti/2026"}


def test_agency_admin_records_leave_that_reduces_working_days(client, auth, org, db):
    auth.login("admin.a")
    response = client.post(f"/opd/{org.agency_a.id}/cuti", data=leave_form(org.staff_a.id_number))
    assert response.status_code == 302
    days = calendar_between(date(2026, 3, 1), date(2026, 3, 31), 5, org.staff_a.id)
    others = calendar_between(date(2026, 3, 1), date(2026, 3, 31), 5, org.staff_a2.id)
    assert effective_working_days(others) - effective_working_days(days) == 5


@pytest.mark.parametrize("who", ["staff_b", "unknown"])
def test_leave_only_for_staff_of_the_agency(client, auth, org, db, who):
    auth.login("admin.a")
    number = org.staff_b.id_number if who == "staff_b" else "199001012015011001"
    page = client.post(f"/opd/{org.agency_a.id}/cuti", data=leave_form(number)).get_data(as_text=True)
    assert "tidak ditemukan di OPD ini" in page
    assert db.session.query(Leave).count() == 0


def test_overlapping_leave_and_reversed_dates_are_refused(client, auth, org, db):
    auth.login("admin.a")
    client.post(f"/opd/{org.agency_a.id}/cuti", data=leave_form(org.staff_a.id_number))
    overlap = client.post(f"/opd/{org.agency_a.id}/cuti",
                          data=leave_form(org.staff_a.id_number, "2026-03-05", "2026-03-09", "sakit"))
    assert "sudah memiliki cuti/izin" in overlap.get_data(as_text=True)
    reversed_dates = client.post(f"/opd/{org.agency_a.id}/cuti",
                                 data=leave_form(org.staff_a2.id_number, "2026-03-09", "2026-03-05"))
    assert "setelah tanggal mulai" in reversed_dates.get_data(as_text=True)
    assert db.session.query(Leave).count() == 1


@pytest.mark.parametrize(("login", "status"), [("admin.a", 200), ("admin.bkd", 200), ("staff", 404),
                                              ("admin_other_agency", 404)])
def test_leave_pages_are_scoped_to_the_agency(client, auth, org, login, status):
    target = org.agency_b.id if login == "admin_other_agency" else org.agency_a.id
    auth.login({"staff": org.staff_a.id_number, "admin_other_agency": "admin.a"}.get(login, login))
    assert client.get(f"/opd/{target}/cuti").status_code == status
    assert client.get(f"/opd/{target}/pengecualian").status_code == status


def test_leave_of_another_agency_cannot_be_deleted(client, auth, org, db):
    record = Leave(employee_id=org.staff_b.id, kind="cuti", start_date=date(2026, 3, 2), end_date=date(2026, 3, 3))
    db.session.add(record)
    db.session.commit()
    auth.login("admin.a")
    assert client.post(f"/opd/{org.agency_a.id}/cuti/{record.id}/hapus").status_code == 404
    assert client.post(f"/opd/{org.agency_b.id}/cuti/{record.id}/hapus").status_code == 404
    assert db.session.query(Leave).count() == 1


def test_backdating_grant_is_recorded_with_its_limits(client, auth, org, db):
    auth.login("admin.a")
    today = clock.today()
    form = {"id_number": org.staff_a.id_number, "start_date": (today - timedelta(days=20)).isoformat(),
            "end_date": (today - timedelta(days=10)).isoformat(),
            "valid_until": (today + timedelta(days=3)).isoformat(), "reason": "Sakit, baru masuk"}
    assert client.post(f"/opd/{org.agency_a.id}/pengecualian", data=form).status_code == 302
    future = {**form, "end_date": (today + timedelta(days=1)).isoformat()}
    assert "sudah lewat" in client.post(f"/opd/{org.agency_a.id}/pengecualian", data=future).get_data(as_text=True)
    assert db.session.query(BackdateGrant).count() == 1


def acting_form(org, **changes):
    form = {"acting_number": org.appraiser_a.id_number, "absent_number": org.other_appraiser_a.id_number,
            "kind": "plh", "start_date": (clock.today() - timedelta(days=1)).isoformat(),
            "end_date": (clock.today() + timedelta(days=5)).isoformat(), "decree_number": "800.1.3/045/2026"}
    return {**form, **changes}


def test_agency_admin_assigns_an_acting_appraiser_who_then_reviews(client, auth, org, db):
    auth.login("admin.a")
    assert client.post(f"/opd/{org.agency_a.id}/plh", data=acting_form(org)).status_code == 302
    record = db.session.query(ActingAssignment).one()
    assert (record.acting_id, record.absent_id, record.decree_number) == (
        org.appraiser_a.id, org.other_appraiser_a.id, "800.1.3/045/2026")
    assert db.session.query(AuditEntry).filter_by(action="assign_acting", agency_id=org.agency_a.id).count() == 1
    auth.logout()
    auth.login(org.appraiser_a.id_number)
    assert "Staf Lain A" in client.get("/pemeriksaan/").get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"absent_number": "appraiser_a"}, "dirinya sendiri"),
    ({"absent_number": "staff_b"}, "tidak ditemukan di OPD ini"),
    ({"decree_number": " "}, "surat perintah"),
])
def test_acting_assignment_refusals(client, auth, org, db, changes, message):
    changes = {key: getattr(org, value).id_number if value in ("appraiser_a", "staff_b") else value
               for key, value in changes.items()}
    auth.login("admin.a")
    page = client.post(f"/opd/{org.agency_a.id}/plh", data=acting_form(org, **changes)).get_data(as_text=True)
    assert message in page
    assert db.session.query(ActingAssignment).count() == 0


def test_ending_an_acting_assignment_stops_its_reviews(client, auth, org, db):
    auth.login("admin.a")
    client.post(f"/opd/{org.agency_a.id}/plh", data=acting_form(org))
    record = db.session.query(ActingAssignment).one()
    assert client.post(f"/opd/{org.agency_a.id}/plh/{record.id}/akhiri").status_code == 302
    db.session.refresh(record)
    assert record.valid_to == clock.today() - timedelta(days=1)
    assert client.post(f"/opd/{org.agency_b.id}/plh/{record.id}/akhiri").status_code == 404


def test_leave_and_grants_are_audited(client, auth, org, db):
    auth.login("admin.a")
    client.post(f"/opd/{org.agency_a.id}/cuti", data=leave_form(org.staff_a.id_number))
    leave = db.session.query(Leave).one()
    client.post(f"/opd/{org.agency_a.id}/cuti/{leave.id}/hapus")
    actions = [entry.action for entry in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["record_leave", "delete_leave"]
