"""Each role's home page shows its own real data."""

from datetime import timedelta

import pytest

from kinerja import clock
from kinerja.models import Role
from tests.factories import ActingAssignmentFactory, UserFactory

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments


def test_staff_home_shows_profile_and_appraiser(client, auth, org):
    auth.login(org.staff_a.id_number)
    page = client.get("/").get_data(as_text=True)
    assert "Staf A" in page
    assert org.staff_a.id_number in page
    assert "Penilai A" in page  # the appraiser
    assert "Pegawai yang Anda nilai" not in page


def test_appraiser_home_lists_direct_subordinates_only(client, auth, org):
    auth.login(org.appraiser_a.id_number)
    page = client.get("/").get_data(as_text=True)
    assert "Pegawai yang Anda nilai" in page
    assert "Staf A Dua" in page
    assert "Staf Lain A" not in page
    assert "Staf B" not in page


def test_acting_appraiser_sees_the_absent_appraisers_staff(client, auth, org, db):
    ActingAssignmentFactory(acting=org.appraiser_a, absent=org.other_appraiser_a)
    db.session.commit()
    auth.login(org.appraiser_a.id_number)
    page = client.get("/").get_data(as_text=True)
    assert "Staf Lain A" in page
    assert "sebagai Plh/Plt" in page
    assert "Anda menjabat Plh. untuk Penilai Lain A sampai" in page and "(800/001/2026)" in page


def test_home_names_only_the_acting_roles_held_today(client, auth, org, db):
    today = clock.today()
    ActingAssignmentFactory(acting=org.staff_a, absent=org.appraiser_a, decree_number="800/1/2026",
                            valid_from=today - timedelta(days=9), valid_to=today - timedelta(days=1))
    ActingAssignmentFactory(acting=org.staff_a, absent=org.other_appraiser_a, decree_number="800/2/2026",
                            valid_from=today + timedelta(days=1), valid_to=today + timedelta(days=9))
    ActingAssignmentFactory(acting=org.staff_a2, absent=org.head_a, decree_number="800/3/2026")
    db.session.commit()
    auth.login(org.staff_a.id_number)
    page = client.get("/").get_data(as_text=True)
    assert "Anda menjabat" not in page  # ended yesterday, starts tomorrow, someone else's
    ActingAssignmentFactory(acting=org.staff_a, absent=org.head_a, decree_number="800/4/2026", valid_from=today,
                            valid_to=today)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.count("Anda menjabat") == 1 and "Plh. untuk Kepala A" in page and "(800/4/2026)" in page


def test_agency_admin_home_shows_units_with_counts(client, auth, org):
    auth.login("admin.a")
    page = client.get("/").get_data(as_text=True)
    assert "Dinas A" in page and "Seksi A1" in page
    assert "6 pegawai" in page
    assert "Dinas B" not in page


def test_bkd_home_lists_every_agency(client, auth, org):
    auth.login("admin.bkd")
    page = client.get("/").get_data(as_text=True)
    assert "Dinas A" in page and "Dinas B" in page
    assert "8 pegawai" in page


def test_account_without_role_is_told_so(client, auth, db, org):
    UserFactory(username="kosong", roles=[])
    db.session.commit()
    auth.login("kosong")
    assert "belum memiliki peran" in client.get("/").get_data(as_text=True)


def test_roles_are_not_confused(org):
    assert [r.role for r in org.bkd_admin.roles] == [Role.BKD_ADMIN]


def test_agency_list_is_for_bkd_only(client, auth, org):
    auth.login(org.staff_a.id_number)
    response = client.get("/opd")
    assert response.status_code == 403
    assert "Akses ditolak" in response.get_data(as_text=True)


def test_agency_list_searches_and_paginates(client, auth, org, app):
    auth.login("admin.bkd")
    assert "Dinas B" in client.get("/opd").get_data(as_text=True)
    page = client.get("/opd?q=Dinas+A").get_data(as_text=True)
    assert "Dinas A" in page and "Dinas B" not in page
    app.config["PER_PAGE"] = 1
    try:
        second = client.get("/opd?page=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = 25
    assert "Dinas B" in second and "Dinas A" not in second


def test_database_outage_gives_a_friendly_503(client, auth, org, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from kinerja.main import views

    auth.login(org.staff_a.id_number)

    def unavailable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(views, "assignment_on", unavailable)
    response = client.get("/")
    assert response.status_code == 503
    assert "Layanan sedang sibuk" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_staff_home_starts_with_todays_card_and_what_is_missing(client, auth, org, db, monkeypatch):
    from datetime import date, time

    from kinerja.models import ActivityStatus
    from tests.factories import ActivityFactory, freeze_now

    freeze_now(monkeypatch)  # Wednesday 18 November 2026, 16.00 WIB
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 18), start_time=time(8), end_time=time(10),
                    description="Rapat koordinasi pelayanan")
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 18), start_time=time(10), end_time=time(10, 30),
                    status=ActivityStatus.RETURNED)
    ActivityFactory(employee=org.staff_a, activity_date=date(2026, 11, 17))  # yesterday: not today's
    db.session.commit()
    auth.login(org.staff_a.id_number)
    page = client.get("/").get_data(as_text=True)
    card = page[page.index('id="hari-ini"'):page.index('id="hari-ini-kurang"') + 600]
    assert page.index('id="hari-ini"') < page.index("Isi kegiatan hari ini")  # at the top
    assert "Rabu, 18 November" in card
    assert "Kegiatan: 2 (2,5 jam)" in card
    assert "Rapat koordinasi pelayanan" in card
    assert "Belum presensi masuk." in card
    assert "Kegiatan masih draf, belum diajukan: 1." in card
    assert "Kegiatan dikembalikan untuk diperbaiki: 1." in card
    assert "Belum ada kegiatan hari ini." not in card
    assert 'href="/presensi/"' in card and "Presensi masuk" in card
    assert 'id="topbar-presensi"' in page
