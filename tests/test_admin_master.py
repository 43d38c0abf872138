"""Master-data pages: agencies, units (a tree), positions and offices — what they change, what they refuse,
who may open them, and that they query the database a fixed number of times."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from kinerja import clock
from kinerja.admin import master_units
from kinerja.models import Agency, AttendanceRecord, AuditEntry, Office, Position, PositionKind, Role, Unit
from tests.factories import AgencyFactory, OfficeFactory, PositionFactory, UnitFactory, UserFactory, staff_member
from tests.querycount import count_queries
from tests.test_attendance_dashboard import record

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments


def unit(db, agency: Agency, code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.agency_id == agency.id, Unit.code == code))


def audits(db, object_type: str, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == object_type,
                                                            AuditEntry.action == action)))


def agency_form(**changes) -> dict:
    data = {"code": "DISKOMINFO", "name": "Dinas Komunikasi dan Informatika", "short_name": "Diskominfo",
            "timezone": "Asia/Makassar", "work_week": "5", "head_number": ""}
    return {**data, **changes}


def office_form(**changes) -> dict:
    return {"name": "Kantor Pusat", "address": "Jl. Merdeka 1", "latitude": "-6,914744", "longitude": "107,609811",
            "radius_m": "150", **changes}


@pytest.fixture()
def bkd(auth, org):
    auth.login("admin.bkd")
    return org


@pytest.fixture()
def admin_a(auth, org):
    auth.login("admin.a")
    return org


# --- Agencies -------------------------------------------------------------------------------------------------

def test_bkd_adds_an_agency_and_the_change_is_audited(client, bkd, db):
    response = client.post("/admin/opd/baru", data=agency_form(requires_evidence="y"))
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.code == "DISKOMINFO"))
    assert (agency.timezone, agency.work_week, agency.requires_evidence) == ("Asia/Makassar", 5, True)
    entry = audits(db, "agency", "create")[0]
    assert (entry.object_id, entry.agency_id, entry.actor_id) == (agency.id, agency.id, bkd.bkd_admin.id)
    assert "Dinas Komunikasi dan Informatika ditambahkan" in client.get(response.location).get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"code": "a"}, "Kode OPD a sudah dipakai."),
    ({"name": "dinas b"}, "Nama OPD ini sudah dipakai."),
    ({"work_week": "7"}, "Not a valid choice"),
    ({"code": ""}, "Wajib diisi."),
])
def test_agency_refusals_show_on_the_field(client, bkd, db, changes, message):
    response = client.post("/admin/opd/baru", data=agency_form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 2


def test_bkd_sets_the_head_by_nip_and_the_diff_is_audited(client, bkd, db):
    agency = bkd.agency_a
    data = agency_form(code="A", name="Dinas A", short_name="Dinas A", timezone="Asia/Jakarta", work_week="6",
                       head_number=bkd.staff_a.id_number)
    assert client.post(f"/admin/opd/{agency.id}/ubah", data=data).status_code == 302
    db.session.refresh(agency)
    assert (agency.head_id, agency.work_week) == (bkd.staff_a.id, 6)
    reason = audits(db, "agency", "update")[0].reason
    assert "work_week: 5 → 6" in reason and f"head: {bkd.head_a.id_number} → {bkd.staff_a.id_number}" in reason


def test_head_must_work_in_the_agency(client, bkd, db):
    agency = bkd.agency_a
    data = agency_form(code="A", name="Dinas A", short_name="Dinas A", head_number=bkd.staff_b.id_number)
    response = client.post(f"/admin/opd/{agency.id}/ubah", data=data)
    assert "tidak sedang bertugas di OPD ini" in response.get_data(as_text=True)
    db.session.refresh(agency)
    assert agency.head_id == bkd.head_a.id and agency.timezone == "Asia/Jakarta"


def agency_codes(client, query: str) -> list[str]:
    text = client.get(f"/admin/opd?{query}").get_data(as_text=True)
    return [part.split('"')[0] for part in text.split('data-agency="')[1:]]


def test_agency_list_searches_sorts_and_pages(client, bkd, db, app, monkeypatch):
    AgencyFactory(code="C", name="Badan C")
    db.session.commit()
    assert agency_codes(client, "") == ["A", "B", "C"]
    assert agency_codes(client, "urut=-staff") == ["A", "B", "C"]  # 6, 2, 0 staff
    assert agency_codes(client, "urut=staff") == ["C", "B", "A"]
    assert agency_codes(client, "urut=-name") == ["B", "A", "C"]
    assert agency_codes(client, "q=badan") == ["C"]
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    assert agency_codes(client, "urut=-code&page=2") == ["A"]
    assert agency_codes(client, "urut=bogus") == ["A", "B"]


# --- Units ----------------------------------------------------------------------------------------------------

def test_unit_added_under_a_parent_appears_below_it_in_the_tree(client, admin_a, db):
    agency, top = admin_a.agency_a, unit(db, admin_a.agency_a, "01")
    response = client.post(f"/admin/opd/{agency.id}/unit/baru",
                           data={"code": "01.03", "name": "Seksi Baru", "parent_id": str(top.id), "essential": "y"})
    assert response.status_code == 302
    created = unit(db, agency, "01.03")
    assert (created.parent_id, created.essential) == (top.id, True)
    assert audits(db, "unit", "create")[0].agency_id == agency.id
    nodes = master_units.unit_tree(agency.id, clock.today())
    assert [(node.unit.code, node.depth) for node in nodes] == [("01", 0), ("01.01", 1), ("01.02", 1), ("01.03", 1)]
    assert (nodes[0].staff, nodes[0].branch_staff, nodes[0].children) == (1, 6, 3)
    page = client.get(f"/admin/opd/{agency.id}/unit").get_data(as_text=True).split('id="unit-tree"')[1]
    assert page.index("Seksi A2") < page.index("Seksi Baru")
    assert f'id="unit-{created.id}" data-depth="1" data-parent="{top.id}"' in page


def test_tree_orders_by_parent_not_by_code(db, org):
    agency = org.agency_b
    top = unit(db, agency, "01")
    UnitFactory(agency=agency, code="ZZ", name="Anak", parent=top)
    UnitFactory(agency=agency, code="AA", name="Teratas kedua")
    db.session.commit()
    nodes = master_units.unit_tree(agency.id, clock.today())
    assert [(node.unit.code, node.depth) for node in nodes] == [("01", 0), ("ZZ", 1), ("AA", 0)]


@pytest.mark.parametrize(("code", "parent", "message"), [
    ("01", "01.01", "tidak boleh unit ini sendiri atau salah satu unit di bawahnya"),
    ("01", "01", "tidak boleh unit ini sendiri atau salah satu unit di bawahnya"),
    ("01.01", "other-agency", "Unit induk harus unit kerja OPD ini."),
])
def test_unit_cannot_move_under_itself_or_another_agency(client, admin_a, db, code, parent, message):
    agency = admin_a.agency_a
    moved = unit(db, agency, code)
    parent_id = unit(db, admin_a.agency_b, "01").id if parent == "other-agency" else unit(db, agency, parent).id
    before = moved.parent_id
    response = client.post(f"/admin/opd/{agency.id}/unit/{moved.id}/ubah",
                           data={"code": moved.code, "name": moved.name, "parent_id": str(parent_id)})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(moved)
    assert moved.parent_id == before
    assert not audits(db, "unit", "update")


def test_unit_edit_offers_no_parent_from_its_own_branch(client, admin_a, db):
    agency, top = admin_a.agency_a, unit(db, admin_a.agency_a, "01")
    page = client.get(f"/admin/opd/{agency.id}/unit/{top.id}/ubah").get_data(as_text=True)
    assert f'value="{unit(db, agency, "01.01").id}"' not in page
    assert "Tanpa induk" in page


def test_unit_codes_are_unique_per_agency_only(client, admin_a, db):
    agency = admin_a.agency_a
    response = client.post(f"/admin/opd/{agency.id}/unit/baru", data={"code": "01.01", "name": "Kembar"})
    assert "Kode unit 01.01 sudah dipakai di OPD ini." in response.get_data(as_text=True)
    client.post("/keluar")
    client.post("/masuk", data={"identifier": "admin.bkd", "password": "Sandi-Uji-Kinerja-77"})
    response = client.post(f"/admin/opd/{admin_a.agency_b.id}/unit/baru", data={"code": "01.01", "name": "Seksi B1"})
    assert response.status_code == 302
    assert unit(db, admin_a.agency_b, "01.01").name == "Seksi B1"


def test_unit_rename_and_move_is_audited(client, admin_a, db):
    agency, moved = admin_a.agency_a, unit(db, admin_a.agency_a, "01.02")
    response = client.post(f"/admin/opd/{agency.id}/unit/{moved.id}/ubah",
                           data={"code": "02", "name": "Bidang Dua", "parent_id": ""})
    assert response.status_code == 302
    db.session.refresh(moved)
    assert (moved.code, moved.name, moved.parent_id) == ("02", "Bidang Dua", None)
    assert "parent: 01 → —" in audits(db, "unit", "update")[0].reason


@pytest.mark.parametrize(("code", "message"), [
    ("01", "masih membawahi 2 unit"),
    ("01.02", "2 riwayat penugasan pegawai"),
])
def test_unit_in_use_is_not_deleted(client, admin_a, db, code, message):
    agency, target = admin_a.agency_a, unit(db, admin_a.agency_a, code)
    response = client.post(f"/admin/opd/{agency.id}/unit/{target.id}/hapus", follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert unit(db, agency, code) is not None


def test_empty_unit_is_deleted_and_audited(client, admin_a, db):
    agency = admin_a.agency_a
    empty = UnitFactory(agency=agency, code="09", name="Unit Kosong")
    db.session.commit()
    empty_id = empty.id
    response = client.post(f"/admin/opd/{agency.id}/unit/{empty_id}/hapus", follow_redirects=True)
    assert "Unit Kosong dihapus." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, empty_id) is None
    assert audits(db, "unit", "delete")[0].reason == "09 Unit Kosong"


# --- Positions ------------------------------------------------------------------------------------------------

def test_bkd_adds_and_edits_a_position(client, bkd, db):
    response = client.post("/admin/jabatan/baru",
                           data={"name": "Perawat Ahli Pertama", "kind": "fungsional", "class_grade": "8",
                                 "essential": "y"})
    assert response.status_code == 302
    position = db.session.scalar(select(Position).where(Position.name == "Perawat Ahli Pertama"))
    assert (position.kind, position.class_grade, position.essential) == (PositionKind.FUNGSIONAL, 8, True)
    response = client.post(f"/admin/jabatan/{position.id}/ubah",
                           data={"name": "Perawat Ahli Pertama", "kind": "fungsional", "class_grade": "9"})
    assert response.status_code == 302
    db.session.refresh(position)
    assert (position.class_grade, position.essential) == (9, False)
    assert audits(db, "position", "update")[0].reason == "class_grade: 8 → 9; essential: true → false"


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "jabatan ada", "class_grade": "5"}, "Jabatan dengan nama ini sudah ada."),
    ({"name": "Baru", "class_grade": "18"}, "Kelas jabatan antara 1 dan 17."),
    ({"name": "Baru", "class_grade": "0"}, "Kelas jabatan antara 1 dan 17."),
])
def test_position_refusals(client, bkd, db, data, message):
    PositionFactory(name="Jabatan Ada")
    db.session.commit()
    response = client.post("/admin/jabatan/baru", data={"kind": "pelaksana", **data})
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Position).where(Position.name == "Baru")) == 0


def test_agency_admin_reads_positions_but_cannot_change_them(client, admin_a, db):
    position = PositionFactory(name="Analis Kebijakan", class_grade=9)
    db.session.commit()
    page = client.get("/admin/jabatan?q=analis").get_data(as_text=True)
    assert "Analis Kebijakan" in page and "Tambah jabatan" not in page
    assert client.get("/admin/jabatan/baru").status_code == 403
    assert client.post(f"/admin/jabatan/{position.id}/ubah", data={"name": "X"}).status_code == 403


def position_names(client, query: str) -> list[str]:
    text = client.get(f"/admin/jabatan?{query}").get_data(as_text=True)
    body = text.split('id="position-table"')[1]
    return [cell.split("</a>")[0].split(">")[-1] for cell in body.split('/ubah">')[1:]]


def test_position_list_sorts_searches_and_pages(client, bkd, db, app, monkeypatch):
    for name, grade in (("Pengelola Camat", 12), ("Pengelola Arsip", 7), ("Pengelola Barang", 6)):
        PositionFactory(name=name, class_grade=grade, kind=PositionKind.PELAKSANA)
    PositionFactory(name="Analis", class_grade=17)
    db.session.commit()
    assert position_names(client, "q=pengelola&urut=-class_grade") == ["Pengelola Camat", "Pengelola Arsip",
                                                                        "Pengelola Barang"]
    assert position_names(client, "q=pengelola&urut=class_grade")[0] == "Pengelola Barang"
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    assert position_names(client, "q=pengelola&page=2") == ["Pengelola Camat"]


# --- Offices --------------------------------------------------------------------------------------------------

def test_agency_admin_adds_an_office_typed_with_decimal_commas(client, admin_a, db):
    agency = admin_a.agency_a
    response = client.post(f"/admin/opd/{agency.id}/kantor/baru", data=office_form())
    assert response.status_code == 302
    office = db.session.scalar(select(Office).where(Office.agency_id == agency.id))
    assert (office.latitude, office.longitude, office.radius_m) == (-6.914744, 107.609811, 150)
    page = client.get(response.location).get_data(as_text=True)
    assert ("https://www.openstreetmap.org/?mlat=-6.914744&amp;mlon=107.609811#map=18/-6.914744/107.609811"
            in page)
    assert audits(db, "office", "create")[0].agency_id == agency.id


@pytest.mark.parametrize(("changes", "message"), [
    ({"latitude": "-12"}, "Lintang harus antara -11 dan 6"),
    ({"latitude": "48,85"}, "Lintang harus antara -11 dan 6"),
    ({"longitude": "2,35"}, "Bujur harus antara 95 dan 141"),
    ({"longitude": "141,5"}, "Bujur harus antara 95 dan 141"),
    ({"radius_m": "5"}, "Radius antara 10 dan 5.000 meter."),
    ({"radius_m": "5001"}, "Radius antara 10 dan 5.000 meter."),
    ({"name": ""}, "Wajib diisi."),
])
def test_office_outside_indonesia_or_with_odd_radius_is_refused(client, admin_a, db, changes, message):
    response = client.post(f"/admin/opd/{admin_a.agency_a.id}/kantor/baru", data=office_form(**changes))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Office)) == 0


def test_office_edit_moves_it_and_is_audited(client, admin_a, db):
    office = OfficeFactory(agency=admin_a.agency_a, name="Kantor Lama")
    db.session.commit()
    response = client.post(f"/admin/opd/{admin_a.agency_a.id}/kantor/{office.id}/ubah",
                           data=office_form(name="Kantor Lama", address="", latitude="-6.9", longitude="107.6",
                                            radius_m="100"))
    assert response.status_code == 302
    db.session.refresh(office)
    assert (office.latitude, office.longitude) == (-6.9, 107.6)
    assert "latitude: -6.8722 → -6.9" in audits(db, "office", "update")[0].reason


def test_deleting_an_office_keeps_its_check_ins(client, admin_a, db):
    office = OfficeFactory(agency=admin_a.agency_a)
    check_in = record(admin_a.staff_a, admin_a.agency_a, date(2026, 11, 17))
    check_in.office_id, check_in.distance_m, check_in.within_radius = office.id, 20.0, True
    db.session.commit()
    office_id, record_id = office.id, check_in.id
    page = client.get(f"/admin/opd/{admin_a.agency_a.id}/kantor/{office_id}/ubah").get_data(as_text=True)
    assert "1 presensi tercatat di kantor ini" in page
    response = client.post(f"/admin/opd/{admin_a.agency_a.id}/kantor/{office_id}/hapus", follow_redirects=True)
    assert "dihapus" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Office, office_id) is None
    kept = db.session.get(AttendanceRecord, record_id)
    assert (kept.office_id, kept.distance_m, kept.within_radius) == (None, 20.0, True)
    assert audits(db, "office", "delete")[0].reason.endswith("1 presensi")


# --- Who may open what ----------------------------------------------------------------------------------------

def agency_urls(org, db, agency: Agency) -> list[tuple[str, str]]:
    office = OfficeFactory(agency=agency)
    db.session.commit()
    top = unit(db, agency, "01")
    base = f"/admin/opd/{agency.id}"
    return [("GET", f"{base}/unit"), ("GET", f"{base}/unit/baru"), ("GET", f"{base}/unit/{top.id}/ubah"),
            ("POST", f"{base}/unit/{top.id}/hapus"), ("GET", f"{base}/kantor"), ("GET", f"{base}/kantor/baru"),
            ("GET", f"{base}/kantor/{office.id}/ubah"), ("POST", f"{base}/kantor/{office.id}/hapus")]


@pytest.mark.parametrize(("login", "agency", "expected"), [
    ("admin.a", "a", {200, 302}),
    ("admin.a", "b", {404}),
    ("admin.bkd", "b", {200, 302}),
    ("superadmin", "a", {200, 302}),
    ("staff", "a", {403}),
    ("head", "a", {403}),
])
def test_agency_pages_scope_matrix(client, auth, org, db, login, agency, expected):
    target = org.agency_a if agency == "a" else org.agency_b
    urls = agency_urls(org, db, target)
    identifier = {"staff": org.staff_a.id_number, "head": org.head_a.id_number}.get(login, login)
    auth.login(identifier)
    for method, url in urls:
        status = client.open(url, method=method).status_code
        assert status in expected, f"{login} {method} {url}: {status}"


def test_another_agencys_unit_under_my_agency_url_is_404(client, admin_a, db):
    other = unit(db, admin_a.agency_b, "01")
    assert client.get(f"/admin/opd/{admin_a.agency_a.id}/unit/{other.id}/ubah").status_code == 404
    assert client.post(f"/admin/opd/{admin_a.agency_a.id}/unit/{other.id}/hapus").status_code == 404


@pytest.mark.parametrize(("login", "expected"), [("admin.bkd", 200), ("admin.a", 403), ("staff", 403)])
def test_agency_catalogue_is_bkd_only(client, auth, org, login, expected):
    auth.login(org.staff_a.id_number if login == "staff" else login)
    for url in ("/admin/opd", "/admin/opd/baru", f"/admin/opd/{org.agency_a.id}/ubah"):
        assert client.get(url).status_code == expected
    response = client.post(f"/admin/opd/{org.agency_a.id}/ubah", data=agency_form())
    assert response.status_code == (302 if expected == 200 else expected)
    assert (org.agency_a.code == "DISKOMINFO") == (expected == 200)


def test_agency_admin_cannot_post_another_agencys_changes(client, admin_a, db):
    base = f"/admin/opd/{admin_a.agency_b.id}"
    assert client.post(f"{base}/unit/baru", data={"code": "77", "name": "Susupan"}).status_code == 404
    assert client.post(f"{base}/kantor/baru", data=office_form()).status_code == 404
    assert unit(db, admin_a.agency_b, "77") is None and db.session.scalar(select(func.count()).select_from(Office)) == 0


def test_index_lists_the_pages_each_admin_may_use(client, auth, org, app):
    auth.login("admin.bkd")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/opd"' in page and 'href="/admin/jabatan"' in page and 'href="/audit"' in page
    auth.logout()
    auth.login("admin.a")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/opd"' not in page
    assert f'href="/admin/opd/{org.agency_a.id}/unit"' in page and f'href="/opd/{org.agency_a.id}/plh"' in page
    assert f"/admin/opd/{org.agency_b.id}/" not in page
    links = ("admin.employees", "admin.accounts")
    for endpoint in links:
        assert (endpoint in app.view_functions) == (f'href="/admin/{"pegawai" if "employ" in endpoint else "akun"}"'
                                                    in page)
    auth.logout()
    auth.login(org.staff_a.id_number)
    assert client.get("/admin/").status_code == 403


def test_deleting_needs_the_csrf_token(client, admin_a, db, app, monkeypatch):
    empty = UnitFactory(agency=admin_a.agency_a, code="09")
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/opd/{admin_a.agency_a.id}/unit/{empty.id}/hapus").status_code == 400
    assert unit(db, admin_a.agency_a, "09") is not None


def test_services_refuse_an_agency_admin_of_another_agency(db, org):
    from kinerja.admin.master_offices import OfficeInput, create_office
    from kinerja.errors import NotAllowed

    admin_b = UserFactory(username="admin.b", roles=[(Role.AGENCY_ADMIN, org.agency_b)])
    with pytest.raises(NotAllowed):
        create_office(admin_b, org.agency_a, OfficeInput("Kantor", "", -6.9, 107.6, 100))
    with pytest.raises(NotAllowed):
        master_units.delete_unit(admin_b, unit(db, org.agency_a, "01.02"))


# --- Query counts ---------------------------------------------------------------------------------------------

def queries_for(client, db, url: str) -> int:
    db.session.remove()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def grow(db, agency: Agency, size: int) -> None:
    top = unit(db, agency, "01")
    for n in range(size):
        child = UnitFactory(agency=agency, code=f"01.5{n:02d}", parent=top)
        staff_member(child, None)
        OfficeFactory(agency=agency)
        PositionFactory()
        staff_member(UnitFactory(agency=AgencyFactory()), None)
    db.session.commit()


@pytest.mark.parametrize("url", ["/admin/opd", "/admin/opd?urut=-staff", "/admin/opd/{a}/unit",
                                 "/admin/opd/{a}/unit/{top}/ubah", "/admin/jabatan", "/admin/opd/{a}/kantor",
                                 "/admin/"])
def test_master_pages_do_not_query_per_row(client, bkd, db, url):
    agency_id, top_id = bkd.agency_a.id, unit(db, bkd.agency_a, "01").id
    url = url.format(a=agency_id, top=top_id)
    before = queries_for(client, db, url)
    grow(db, db.session.get(Agency, agency_id), 8)
    after = queries_for(client, db, url)
    assert after == before, f"{url} ran {before} queries, then {after} with more rows"
