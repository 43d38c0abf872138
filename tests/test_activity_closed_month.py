"""A closed month on the day page and for deletion: the page says the month is closed and since when and offers no
control that changes an activity; deleting a draft there is refused by the service (form and API alike).

Now is FIXED_NOW, Wednesday 18 November 2026: October closed after 5 November (FILING_LOCK_DAY), November is open.
"""

from __future__ import annotations

from datetime import date

import pytest

from kinerja.activities.services import delete_activity
from kinerja.api.tokens import issue as issue_token
from kinerja.errors import ValidationFailed
from kinerja.models import Activity, ActivityStatus
from tests.factories import PASSWORD, ActivityFactory, MonthLockFactory, freeze_now

OCT30 = date(2026, 10, 30)
NOV17 = date(2026, 11, 17)
AUTOMATIC = "Bulan Oktober 2026 sudah ditutup untuk pengisian (batas pengisian 5 November 2026)"


@pytest.fixture()
def staff(db, org, auth, monkeypatch):
    freeze_now(monkeypatch)
    auth.login(org.staff_a.id_number)
    return org


def draft(org, day: date, status=ActivityStatus.DRAFT) -> Activity:
    from kinerja.extensions import db

    made = ActivityFactory(employee=org.staff_a, activity_date=day, description="Draf yang tertinggal", status=status)
    db.session.commit()
    return made


def still_there(db, activity_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Activity, activity_id) is not None


def test_the_day_page_of_a_closed_month_says_so_and_offers_no_changes(client, db, staff):
    activity = draft(staff, OCT30)
    page = client.get(f"/kegiatan/{OCT30}").get_data(as_text=True)
    assert AUTOMATIC in page and "tidak dapat ditambah, diubah, dihapus, atau diajukan" in page
    assert "Draf yang tertinggal" in page
    own = f"/kegiatan/{activity.id}"
    for control in (f"{own}/hapus", f"{own}/ubah", f"{own}/ajukan", f"/kegiatan/hari/{OCT30}/ajukan",
                    f"/kegiatan/hari/{OCT30}/salin"):
        assert control not in page, control
    assert 'id="tambah"' not in page


def test_the_day_page_of_an_open_month_keeps_its_controls(client, db, staff):
    activity = draft(staff, NOV17)
    page = client.get(f"/kegiatan/{NOV17}").get_data(as_text=True)
    assert "ditutup" not in page
    assert f"/kegiatan/{activity.id}/hapus" in page and f"/kegiatan/{activity.id}/ubah" in page
    assert 'id="tambah"' in page


def test_a_month_locked_by_bkd_shows_the_day_and_reason_of_the_lock(client, db, staff):
    MonthLockFactory(agency_id=staff.agency_a.id, year=2026, month=11, locked=True, reason="Audit inspektorat")
    activity = draft(staff, NOV17)
    page = client.get(f"/kegiatan/{NOV17}").get_data(as_text=True)
    assert "Bulan November 2026 ditutup oleh BKD pada 18 November 2026" in page
    assert "Alasan: Audit inspektorat" in page
    assert f"/kegiatan/{activity.id}/hapus" not in page


def test_a_reopened_month_is_open_again(client, db, staff):
    MonthLockFactory(agency_id=staff.agency_a.id, year=2026, month=10, locked=False)
    activity = draft(staff, OCT30)
    page = client.get(f"/kegiatan/{OCT30}").get_data(as_text=True)
    assert "ditutup" not in page and f"/kegiatan/{activity.id}/hapus" in page


def test_deleting_a_draft_of_a_closed_month_is_refused_with_the_reason(client, db, staff):
    activity = draft(staff, OCT30)
    response = client.post(f"/kegiatan/{activity.id}/hapus", follow_redirects=True)
    assert response.status_code == 200
    assert AUTOMATIC in response.get_data(as_text=True) and "Kegiatan dihapus." not in response.get_data(as_text=True)
    assert still_there(db, activity.id)


@pytest.mark.parametrize("status", [ActivityStatus.DRAFT, ActivityStatus.RETURNED])
def test_the_service_refuses_deletion_in_a_closed_month(db, org, monkeypatch, status):
    freeze_now(monkeypatch)
    activity = draft(org, OCT30, status)
    with pytest.raises(ValidationFailed, match="sudah ditutup untuk pengisian"):
        delete_activity(org.user(org.staff_a), activity)
    db.session.rollback()
    assert still_there(db, activity.id)


def test_deleting_in_an_open_month_still_works(client, db, staff):
    activity = draft(staff, NOV17)
    response = client.post(f"/kegiatan/{activity.id}/hapus", follow_redirects=True)
    assert "Kegiatan dihapus." in response.get_data(as_text=True)
    assert not still_there(db, activity.id)


def test_the_api_refuses_deletion_in_a_closed_month(client, db, org, monkeypatch):
    freeze_now(monkeypatch)
    activity = draft(org, OCT30)
    token = issue_token(org.staff_a.id_number, PASSWORD, "uji").secret
    response = client.delete(f"/api/v1/activities/{activity.id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith(AUTOMATIC)
    assert still_there(db, activity.id)


def test_the_edit_page_of_a_closed_month_sends_back_to_the_day_with_the_reason(client, db, staff):
    activity = draft(staff, OCT30)
    response = client.get(f"/kegiatan/{activity.id}/ubah")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kegiatan/{OCT30}")
    assert AUTOMATIC in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_submitted_item_of_a_closed_month_cannot_be_withdrawn(client, db, staff):
    submitted = draft(staff, OCT30, status=ActivityStatus.SUBMITTED)
    page = client.get(f"/kegiatan/{OCT30}").get_data(as_text=True)
    assert f"/kegiatan/{submitted.id}/tarik" not in page and "Tarik pengajuan" not in page
    response = client.post(f"/kegiatan/{submitted.id}/tarik", follow_redirects=True).get_data(as_text=True)
    assert AUTOMATIC in response
    db.session.expire_all()
    assert db.session.get(Activity, submitted.id).status is ActivityStatus.SUBMITTED
    open_item = draft(staff, NOV17, status=ActivityStatus.SUBMITTED)
    assert "Tarik pengajuan" in client.get(f"/kegiatan/{NOV17}").get_data(as_text=True)
    client.post(f"/kegiatan/{open_item.id}/tarik")
    db.session.expire_all()
    assert db.session.get(Activity, open_item.id).status is ActivityStatus.DRAFT
