"""Who may see an employee's monthly report follows the assignments in force in that month.

Staff A moves from Dinas A (appraiser Penilai A) to Dinas B (appraiser Kepala B) on 1 December 2026; now is
7 December. November stays with Penilai A, Dinas A's admin and head; December belongs to Kepala B and Dinas B's
admin; BKD sees both, staff A their own. Downloads (PDF, Excel, BKN), the reports page's list of subordinates and
the review page's report link agree.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from kinerja.extensions import db as _db
from kinerja.models import ActingAssignment, ActivityStatus, Assignment, Role
from tests.factories import WIB, ActivityFactory, UserFactory, freeze_now
from tests.test_reports import login, needs_pdftotext, pdf_text

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=WIB)
NOVEMBER, DECEMBER = "2026-11", "2026-12"


@pytest.fixture()
def transferred(org, db, monkeypatch):
    """Staff A transferred to Dinas B on 1 December, with approved work in November and December."""
    freeze_now(monkeypatch, NOW)
    old = _db.session.scalar(select(Assignment).where(Assignment.employee_id == org.staff_a.id))
    old.valid_to = date(2026, 11, 30)
    new_unit = _db.session.scalar(select(Assignment.unit_id).where(Assignment.employee_id == org.staff_b.id))
    _db.session.add(Assignment(employee_id=org.staff_a.id, agency_id=org.agency_b.id, unit_id=new_unit,
                               position_id=old.position_id, appraiser_id=org.head_b.id, valid_from=date(2026, 12, 1)))
    for day, text in ((date(2026, 11, 20), "Pekerjaan November di Dinas A"),
                      (date(2026, 12, 2), "Pekerjaan Desember di Dinas B")):
        ActivityFactory(employee=org.staff_a, activity_date=day, description=text, status=ActivityStatus.APPROVED)
    org.agency_admin_b = UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])
    _db.session.commit()
    return org


def report_url(org, month: str, kind: str) -> str:
    return f"/laporan/pegawai/{org.staff_a.id}/{month}{'/bkn.xlsx' if kind == 'bkn' else '.' + kind}"


@pytest.mark.parametrize(("name", "november", "december"), [
    ("appraiser_a", 200, 404),  # the old appraiser: the months before the transfer only
    ("agency_admin_a", 200, 404),
    ("head_a", 200, 404),
    ("head_b", 404, 200),  # the new appraiser and head: the months since only
    ("agency_admin_b", 404, 200),
    ("staff_b", 404, 404),
    ("bkd_admin", 200, 200),
    ("staff_a", 200, 200),
])
@pytest.mark.parametrize("kind", ["xlsx", "bkn"])
def test_excel_downloads_follow_the_assignment_of_the_month(client, transferred, name, november, december, kind):
    login(client, getattr(transferred, name))
    assert client.get(report_url(transferred, NOVEMBER, kind)).status_code == november
    assert client.get(report_url(transferred, DECEMBER, kind)).status_code == december


@needs_pdftotext
def test_the_old_appraiser_downloads_november_as_pdf_not_december(client, transferred):
    login(client, transferred.appraiser_a)
    response = client.get(report_url(transferred, NOVEMBER, "pdf"))
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Pekerjaan November di Dinas A" in text and "Penilai A" in text
    assert client.get(report_url(transferred, DECEMBER, "pdf")).status_code == 404


@needs_pdftotext
def test_the_new_appraiser_downloads_december_as_pdf_not_november(client, transferred):
    login(client, transferred.head_b)
    assert client.get(report_url(transferred, NOVEMBER, "pdf")).status_code == 404
    response = client.get(report_url(transferred, DECEMBER, "pdf"))
    assert response.status_code == 200
    assert "Pekerjaan Desember di Dinas B" in pdf_text(response.data)


def listed(client, org, month: str) -> bool:
    page = client.get(f"/laporan/?bulan={month}").get_data(as_text=True)
    return f"/laporan/pegawai/{org.staff_a.id}/{month}.pdf" in page


@pytest.mark.parametrize(("name", "november", "december"), [
    ("appraiser_a", True, False),
    ("head_b", False, True),
])
def test_the_reports_page_lists_the_subordinates_of_the_month(client, transferred, name, november, december):
    login(client, getattr(transferred, name))
    assert (listed(client, transferred, NOVEMBER), listed(client, transferred, DECEMBER)) == (november, december)


def test_a_plh_of_the_old_appraiser_sees_november_not_december(client, transferred):
    _db.session.add(ActingAssignment(acting_id=transferred.other_appraiser_a.id, absent_id=transferred.appraiser_a.id,
                                     valid_from=date(2026, 12, 7), valid_to=date(2026, 12, 11),
                                     decree_number="800/99/2026"))
    _db.session.commit()
    login(client, transferred.other_appraiser_a)
    assert client.get(report_url(transferred, NOVEMBER, "xlsx")).status_code == 200
    assert client.get(report_url(transferred, DECEMBER, "xlsx")).status_code == 404


def test_the_review_page_links_only_to_the_reports_of_months_the_appraiser_may_see(client, transferred):
    login(client, transferred.head_b)
    pdf = f"/laporan/pegawai/{transferred.staff_a.id}"
    december = client.get(f"/pemeriksaan/pegawai/{transferred.staff_a.id}/{DECEMBER}").get_data(as_text=True)
    assert f"{pdf}/{DECEMBER}.pdf" in december
    november = client.get(f"/pemeriksaan/pegawai/{transferred.staff_a.id}/{NOVEMBER}")
    assert november.status_code == 200 and f"{pdf}/{NOVEMBER}.pdf" not in november.get_data(as_text=True)
