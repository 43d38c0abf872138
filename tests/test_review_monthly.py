"""Appraisers decide their subordinates' monthly activities the same way as daily ones."""

from decimal import Decimal

import pytest

from kinerja import clock
from kinerja.models import ActivityStatus, AuditEntry, MonthlyActivity, Notification
from tests.factories import PASSWORD

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

# The running month in the demo time zone is always open for review.
MONTH = clock.today("Asia/Jakarta").replace(day=1)


@pytest.fixture()
def item(org, db):
    record = MonthlyActivity(employee_id=org.staff_a.id, year=MONTH.year, month=MONTH.month,
                             planned_action="Menyusun laporan bulanan layanan", quantity=Decimal(3), unit="laporan",
                             status=ActivityStatus.SUBMITTED)
    db.session.add(record)
    db.session.commit()
    return record


def decide(client, item, decision: str, text: str = ""):
    return client.post(f"/pemeriksaan/bulanan/{MONTH:%Y-%m}/{item.id}",
                       data={"decision": decision, "text": text, "next": "/pemeriksaan/"})


def sign_in(client, identifier):
    client.post("/masuk", data={"identifier": identifier, "password": PASSWORD})


def test_appraiser_sees_and_approves_with_feedback(client, org, db, item):
    sign_in(client, org.appraiser_a.id_number)
    page = client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/{MONTH:%Y-%m}").get_data(as_text=True)
    assert "Menyusun laporan bulanan layanan" in page
    assert decide(client, item, "approve", "Capaian baik, pertahankan.").status_code == 302
    db.session.refresh(item)
    assert (item.status, item.feedback) == (ActivityStatus.APPROVED, "Capaian baik, pertahankan.")
    assert db.session.query(AuditEntry).filter_by(object_type="monthly_activity", action="approve").count() == 1
    assert db.session.query(Notification).filter_by(user_id=org.user(org.staff_a).id, kind="approved").count() == 1


def test_the_employee_reads_the_appraisers_feedback(app, client, org, db, item):
    sign_in(client, org.appraiser_a.id_number)
    decide(client, item, "approve", "Capaian baik, <b>pertahankan</b>.")
    owner = app.test_client()
    sign_in(owner, org.staff_a.id_number)
    page = owner.get(f"/kegiatan/bulanan/{MONTH:%Y-%m}").get_data(as_text=True)
    assert "Umpan balik atasan: Capaian baik, &lt;b&gt;pertahankan&lt;/b&gt;." in page


def test_returning_needs_a_reason(client, org, db, item):
    sign_in(client, org.appraiser_a.id_number)
    page = client.get(f"/pemeriksaan/pegawai/{org.staff_a.id}/{MONTH:%Y-%m}")
    assert page.status_code == 200
    response = decide(client, item, "return")
    assert "Alasan pengembalian wajib diisi." in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(item)
    assert item.status is ActivityStatus.SUBMITTED
    decide(client, item, "return", "Lampirkan daftar laporan")
    db.session.refresh(item)
    assert (item.status, item.return_reason) == (ActivityStatus.RETURNED, "Lampirkan daftar laporan")


@pytest.mark.parametrize("who", ["staff_a", "other_appraiser_a", "staff_b"])
def test_only_the_appraiser_decides(client, org, db, item, who):
    sign_in(client, getattr(org, who).id_number)
    assert decide(client, item, "approve").status_code == 404
    db.session.refresh(item)
    assert item.status is ActivityStatus.SUBMITTED


def test_a_second_decision_is_told_the_first_stands(client, org, db, item):
    sign_in(client, org.appraiser_a.id_number)
    decide(client, item, "approve")
    response = decide(client, item, "return", "Terlambat")
    assert "sudah diputuskan lebih dulu" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(item)
    assert item.status is ActivityStatus.APPROVED
