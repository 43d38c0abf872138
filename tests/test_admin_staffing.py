"""Staff administration: the employees list, transfers and promotions, retirement, accounts and roles, and who
may do what (another agency's employee or account is a 404 for an agency admin)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.admin import accounts, staffing
from kinerja.admin.staffing import SeparationReason, TransferInput
from kinerja.errors import DomainError, NotAllowed
from kinerja.extensions import db as database
from kinerja.models import Assignment, AuditEntry, Employee, Role, UserRole
from kinerja.permissions import employee_scope
from kinerja.reports.data import employee_months
from tests.factories import MonthLockFactory, PositionFactory, UnitFactory, staff_member
from tests.querycount import count_queries

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

TODAY = date(2026, 11, 23)  # a day when October is closed (past its filing lock day) and November open


def assignments(employee: Employee) -> list[Assignment]:
    return list(database.session.scalars(select(Assignment).where(Assignment.employee_id == employee.id)
                                            .order_by(Assignment.valid_from)))


def move(org, actor=None, employee=None, day=date(2026, 11, 16), unit=None, appraiser=None, **changes):
    """Transfer (staff_a by BKD by default) to section A2 under the other appraiser, unless told otherwise."""
    employee = employee or org.staff_a
    unit = unit or org.other_staff_a.assignments[0].unit
    data = TransferInput(effective_date=day, agency_id=changes.pop("agency_id", unit.agency_id), unit_id=unit.id,
                         position_id=changes.pop("position_id", employee.assignments[0].position_id),
                         appraiser_number=(appraiser or org.other_appraiser_a).id_number if appraiser is not False
                         else "", decree_number="821/45/BKPSDM/2026")
    return staffing.transfer(actor or org.bkd_admin, employee, data, changes.pop("today", TODAY))


# --- Transfers -----------------------------------------------------------------------------------------------


def test_transfer_closes_the_old_assignment_and_opens_a_new_one(org, db):
    result = move(org, org.agency_admin_a)
    old, new = assignments(org.staff_a)
    assert (old.valid_to, new.valid_from, new.valid_to) == (date(2026, 11, 15), date(2026, 11, 16), None)
    assert new.appraiser_id == org.other_appraiser_a.id and new.unit.name == "Seksi A2"
    assert result.subordinates == [] and not result.reactivated
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "transfer"))
    assert entry.object_id == org.staff_a.id and entry.actor_id == org.agency_admin_a.id
    assert "Seksi A1" in entry.reason and "Seksi A2" in entry.reason and "821/45/BKPSDM/2026" in entry.reason


@pytest.mark.parametrize(("case", "field", "message"), [
    ("same_day_as_current_start", "effective_date", "setelah awal penugasan terakhir"),
    ("locked_month", "effective_date", "sudah ditutup"),
    ("closed_by_bkd", "effective_date", "sudah ditutup"),
    ("appraiser_elsewhere", "appraiser_number", "tidak aktif di OPD tujuan"),
    ("appraiser_unknown", "appraiser_number", "tidak aktif di OPD tujuan"),
    ("appraiser_inactive", "appraiser_number", "tidak aktif di OPD tujuan"),
    ("appraiser_self", "appraiser_number", "dirinya sendiri"),
    ("appraiser_cycle", "appraiser_number", "berputar"),
    ("unit_of_other_agency", "unit_id", "unit kerja dari OPD tujuan"),
    ("agency_admin_to_other_agency", None, "hanya dapat dilakukan oleh BKD"),
])
def test_transfer_rules(org, db, case, field, message):
    kwargs = {}
    if case == "same_day_as_current_start":
        move(org)
        kwargs["day"] = date(2026, 11, 16)
    elif case == "locked_month":
        kwargs["day"] = date(2026, 10, 30)
    elif case == "closed_by_bkd":
        MonthLockFactory(agency_id=org.agency_a.id, year=2026, month=11)
    elif case == "appraiser_elsewhere":
        kwargs["appraiser"] = org.head_b
    elif case == "appraiser_unknown":
        kwargs["appraiser"] = Employee(id_number="199001012015011999")
    elif case == "appraiser_inactive":
        org.other_appraiser_a.active = False
    elif case == "appraiser_self":
        kwargs["appraiser"] = org.staff_a
    elif case == "appraiser_cycle":  # head A → appraiser A → staff A → head A
        kwargs.update(employee=org.head_a, unit=org.head_a.assignments[0].unit, appraiser=org.staff_a)
    elif case == "unit_of_other_agency":
        kwargs["agency_id"] = org.agency_a.id
        kwargs["unit"] = org.staff_b.assignments[0].unit
    elif case == "agency_admin_to_other_agency":
        kwargs.update(actor=org.agency_admin_a, unit=org.staff_b.assignments[0].unit, appraiser=org.head_b)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        move(org, **kwargs)
    assert message in refused.value.message and refused.value.field == field
    db.session.rollback()
    history = assignments(kwargs.get("employee", org.staff_a))
    assert history[-1].valid_to is None
    assert len(history) == (2 if case == "same_day_as_current_start" else 1)


def test_bkd_moves_staff_to_another_agency_and_warns_about_subordinates(org, db):
    result = move(org, employee=org.appraiser_a, unit=org.staff_b.assignments[0].unit, appraiser=org.head_b)
    assert {person.name for person in result.subordinates} == {"Staf A", "Staf A Dua"}
    assert assignments(org.appraiser_a)[-1].agency_id == org.agency_b.id
    # Admin A no longer administers her after the date, but still did before it.
    assert staffing.load_administered_employee(org.agency_admin_a, org.appraiser_a.id, date(2026, 11, 16)) is None
    assert staffing.load_administered_employee(org.agency_admin_a, org.appraiser_a.id, date(2026, 11, 15))


def test_a_transfer_in_the_future_is_scheduled(org, db):
    later = TODAY + timedelta(days=20)
    move(org, day=later)
    assert staffing.load_administered_employee(org.agency_admin_a, org.staff_a.id, TODAY)
    old, new = assignments(org.staff_a)
    assert old.valid_to == later - timedelta(days=1) and new.valid_from == later


def test_a_mid_month_transfer_puts_the_right_appraiser_on_each_months_report(org, db):
    move(org, day=date(2026, 11, 16))
    october = employee_months([org.staff_a.id], date(2026, 10, 1), TODAY)[org.staff_a.id]
    november = employee_months([org.staff_a.id], date(2026, 11, 1), date(2026, 12, 3))[org.staff_a.id]
    assert october.appraiser.name == "Penilai A"
    assert november.appraiser.name == "Penilai Lain A"
    assert november.earlier_appraisers == ("Penilai A",)
    assert november.employee.unit == "Seksi A2" and october.employee.unit == "Seksi A1"
    # Permissions for the past month follow the assignment then: the old appraiser keeps October.
    old_appraiser = org.user(org.appraiser_a)
    visible = db.session.scalar(select(Employee.id).where(Employee.id == org.staff_a.id,
                                                          employee_scope(old_appraiser, date(2026, 10, 31))))
    assert visible == org.staff_a.id
    assert db.session.scalar(select(Employee.id).where(
        Employee.id == org.staff_a.id, employee_scope(old_appraiser, date(2026, 11, 30)))) is None


# --- Retirement and reactivation -----------------------------------------------------------------------------


def test_retirement_closes_the_assignment_and_disables_the_account(org, db):
    user = org.user(org.staff_a)
    token = user.session_token
    staffing.retire(org.agency_admin_a, org.staff_a, date(2026, 11, 20), SeparationReason.RETIRED, "SK-1", TODAY)
    assert assignments(org.staff_a)[0].valid_to == date(2026, 11, 19)
    assert not org.staff_a.active and not user.is_enabled and user.session_token != token
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retire"))
    assert (entry.to_state, entry.agency_id) == ("pensiun", org.agency_a.id) and "SK-1" in entry.reason
    # History and the reports of the months worked stay.
    assert employee_months([org.staff_a.id], date(2026, 11, 1), TODAY)[org.staff_a.id].appraiser.name == "Penilai A"
    assert staffing.load_administered_employee(org.agency_admin_a, org.staff_a.id, TODAY)
    assert accounts.load_account(org.agency_admin_a, user.id, TODAY) is user


def test_a_retired_head_no_longer_heads_the_agency(org, db):
    staffing.retire(org.bkd_admin, org.head_b, date(2026, 11, 20), SeparationReason.RETIRED, "", TODAY)
    db.session.refresh(org.agency_b)
    assert org.agency_b.head_id is None
    assert org.agency_a.head_id == org.head_a.id


@pytest.mark.parametrize(("day", "message"), [
    (TODAY + timedelta(days=1), "masa depan"),
    (date(2024, 1, 1), "setelah awal penugasan"),
    (date(2026, 10, 15), "sudah ditutup"),
])
def test_retirement_rules(org, db, day, message):
    with pytest.raises(DomainError, match=message):
        staffing.retire(org.bkd_admin, org.staff_a, day, SeparationReason.RESIGNED, "", TODAY)
    db.session.rollback()
    assert org.staff_a.active


def test_a_retired_employee_cannot_sign_in_and_is_reactivated_by_a_transfer(client, auth, org, db):
    staffing.retire(org.bkd_admin, org.staff_a, date(2026, 11, 2), SeparationReason.OTHER, "", TODAY)
    assert auth.login(org.staff_a.id_number).status_code == 200  # the form again: refused
    with pytest.raises(DomainError, match="setelah akhir penugasan terakhir"):
        move(org, day=date(2026, 11, 1))
    db.session.rollback()
    result = move(org, day=date(2026, 11, 20))
    assert result.reactivated and org.staff_a.active and org.user(org.staff_a).is_enabled
    assert [(a.valid_from, a.valid_to) for a in assignments(org.staff_a)] == [
        (date(2024, 1, 1), date(2026, 11, 1)), (date(2026, 11, 20), None)]
    assert auth.login(org.staff_a.id_number).status_code == 302


# --- Pages ---------------------------------------------------------------------------------------------------


def test_agency_admin_lists_only_own_staff_and_searches(client, auth, org, db):
    auth.login("admin.a")
    page = client.get("/admin/pegawai").get_data(as_text=True)
    assert "Staf A Dua" in page and "Staf B" not in page and "Kepala B" not in page
    found = client.get("/admin/pegawai", query_string={"q": org.staff_a2.id_number}).get_data(as_text=True)
    assert "Staf A Dua" in found and "Penilai A" not in found


def test_bkd_filters_by_agency_status_and_sorts(client, auth, org, db):
    staffing.retire(org.bkd_admin, org.staff_b, date(2026, 11, 2), SeparationReason.DECEASED, "", TODAY)
    auth.login("admin.bkd")
    everyone = client.get("/admin/pegawai", query_string={"status": "semua", "urut": "nip"}).get_data(as_text=True)
    assert "Staf B" in everyone and "Staf A" in everyone
    active_b = client.get("/admin/pegawai", query_string={"opd": org.agency_b.id}).get_data(as_text=True)
    assert "Kepala B" in active_b and "Staf B" not in active_b and "Kepala A" not in active_b
    inactive = client.get("/admin/pegawai", query_string={"status": "nonaktif"}).get_data(as_text=True)
    assert "Staf B" in inactive and "Kepala B" not in inactive


@pytest.mark.parametrize("url", ["/admin/pegawai?urut=unit", "/admin/akun"])
def test_list_queries_do_not_grow_with_rows(client, auth, org, db, url):
    auth.login("admin.bkd")

    def queries() -> int:
        db.session.remove()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    before = queries()
    unit = UnitFactory(agency=org.agency_b)
    for _ in range(15):
        staff_member(unit, org.head_b)
    db.session.commit()
    assert queries() == before


def test_agency_admin_transfers_within_the_agency_through_the_page(client, auth, org, db):
    auth.login("admin.a")
    assert "Mutasi / promosi" in client.get(f"/admin/pegawai/{org.appraiser_a.id}").get_data(as_text=True)
    unit = org.other_staff_a.assignments[0].unit
    position = PositionFactory(name="Kepala Seksi A2")
    db.session.commit()
    response = client.post(f"/admin/pegawai/{org.appraiser_a.id}/mutasi", data={
        "agency_id": org.agency_a.id, "effective_date": clock.today().isoformat(), "unit_id": unit.id,
        "position_id": position.id, "appraiser_number": org.head_a.id_number,
        "decree_number": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Penugasan baru berlaku mulai" in page and "Kepala Seksi A2" in page
    assert "masih menjadi pejabat penilai bagi" in page and "Staf A Dua" in page


def test_transfer_page_shows_the_error_next_to_the_field(client, auth, org, db):
    auth.login("admin.a")
    unit = org.staff_a.assignments[0].unit
    page = client.post(f"/admin/pegawai/{org.staff_a.id}/mutasi", data={
        "agency_id": org.agency_a.id, "effective_date": clock.today().isoformat(), "unit_id": unit.id,
        "position_id": org.staff_a.assignments[0].position_id, "appraiser_number": org.staff_a.id_number},
    ).get_data(as_text=True)
    assert "dirinya sendiri" in page
    assert len(assignments(org.staff_a)) == 1


def test_agency_admin_cannot_move_staff_into_another_agency_by_posting_it(client, auth, org, db):
    auth.login("admin.a")
    page = client.post(f"/admin/pegawai/{org.staff_a.id}/mutasi", data={
        "agency_id": org.agency_b.id, "effective_date": clock.today().isoformat(),
        "unit_id": org.staff_b.assignments[0].unit_id, "position_id": org.staff_a.assignments[0].position_id,
    }).get_data(as_text=True)
    assert "hanya dapat dilakukan oleh BKD" in page
    assert len(assignments(org.staff_a)) == 1


def test_retire_through_the_page(client, auth, org, db):
    auth.login("admin.a")
    page = client.post(f"/admin/pegawai/{org.appraiser_a.id}/berhenti", data={
        "retire_date": clock.today().isoformat(), "reason": "pensiun", "retire_decree_number": ""},
        follow_redirects=True).get_data(as_text=True)
    assert "Pegawai dinonaktifkan mulai" in page and "Pegawai ini tidak aktif" in page
    assert "masih menjadi pejabat penilai bagi" in page
    assert not db.session.get(Employee, org.appraiser_a.id).active


# --- Accounts and roles --------------------------------------------------------------------------------------


def test_reset_password_shows_a_new_one_once_and_forces_a_change(client, auth, org, db):
    user = org.user(org.staff_a)
    token = user.session_token
    auth.login("admin.a")
    response = client.post(f"/admin/akun/{user.id}/reset-sandi")
    assert response.headers["Cache-Control"] == "no-store"
    password = response.get_data(as_text=True).split("data-password>")[1].split("<")[0]
    db.session.refresh(user)
    assert user.must_change_password and user.session_token != token
    assert "data-password" not in client.get(f"/admin/akun/{user.id}").get_data(as_text=True)
    auth.logout()
    assert auth.login(org.staff_a.id_number, password).headers["Location"].endswith("/kata-sandi")


def test_disable_and_enable_an_account(client, auth, org, db):
    user = org.user(org.staff_a)
    auth.login("admin.a")
    client.post(f"/admin/akun/{user.id}/nonaktifkan")
    db.session.refresh(user)
    assert not user.is_enabled
    client.post(f"/admin/akun/{user.id}/aktifkan")
    db.session.refresh(user)
    assert user.is_enabled
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.agency_id).order_by(AuditEntry.id)).all()
    assert entries == [("disable_account", org.agency_a.id), ("enable_account", org.agency_a.id)]


def test_nobody_disables_themself_or_drops_their_last_admin_role(client, auth, org, db):
    auth.login("admin.bkd")
    page = client.post(f"/admin/akun/{org.bkd_admin.id}/nonaktifkan", follow_redirects=True).get_data(as_text=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in page
    role = org.bkd_admin.roles[0]
    page = client.post(f"/admin/akun/{org.bkd_admin.id}/peran/{role.id}/cabut",
                       follow_redirects=True).get_data(as_text=True)
    assert "peran admin terakhir" in page
    db.session.refresh(org.bkd_admin)
    assert org.bkd_admin.is_enabled and [r.role for r in org.bkd_admin.roles] == [Role.BKD_ADMIN]


def test_bkd_grants_and_revokes_an_agency_admin_role(client, auth, org, db):
    user = org.user(org.staff_b)
    auth.login("admin.bkd")
    client.post(f"/admin/akun/{user.id}/peran", data={"role": "agency_admin", "agency_id": org.agency_b.id})
    granted = db.session.scalar(select(UserRole).where(UserRole.user_id == user.id,
                                                       UserRole.role == Role.AGENCY_ADMIN))
    assert granted.agency_id == org.agency_b.id
    again = client.post(f"/admin/akun/{user.id}/peran", data={"role": "agency_admin", "agency_id": org.agency_b.id})
    assert "sudah memiliki peran tersebut" in again.get_data(as_text=True)
    client.post(f"/admin/akun/{user.id}/peran/{granted.id}/cabut")
    assert db.session.scalar(select(UserRole.id).where(UserRole.id == granted.id)) is None
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == ["grant_role", "revoke_role"]


@pytest.mark.parametrize(("actor", "role", "agency", "allowed"), [
    ("agency_admin_a", Role.AGENCY_ADMIN, "a", True),
    ("agency_admin_a", Role.AGENCY_ADMIN, "b", False),
    ("agency_admin_a", Role.BKD_ADMIN, None, False),
    ("agency_admin_a", Role.SUPERADMIN, None, False),
    ("bkd_admin", Role.BKD_ADMIN, None, True),
    ("bkd_admin", Role.SUPERADMIN, None, False),
    ("superadmin", Role.SUPERADMIN, None, True),
])
def test_who_may_grant_which_role(org, db, actor, role, agency, allowed):
    agency_id = {"a": org.agency_a.id, "b": org.agency_b.id}.get(agency)
    target = org.user(org.staff_a)
    if allowed:
        accounts.grant_role(getattr(org, actor), target, role, agency_id)
        assert role in {r.role for r in target.roles}
    else:
        with pytest.raises(DomainError):
            accounts.grant_role(getattr(org, actor), target, role, agency_id)


def test_agency_admin_cannot_manage_an_account_holding_a_regency_role(org, db):
    colleague = org.user(org.staff_a2)
    accounts.grant_role(org.bkd_admin, colleague, Role.BKD_ADMIN, None)
    assert accounts.load_account(org.agency_admin_a, colleague.id, TODAY) is None
    assert accounts.load_account(org.bkd_admin, org.superadmin.id, TODAY) is None
    assert accounts.load_account(org.superadmin, org.superadmin.id, TODAY) is not None


def test_accounts_list_is_scoped_and_searchable(client, auth, org, db):
    auth.login("admin.a")
    page = client.get("/admin/akun").get_data(as_text=True)
    assert "Staf A Dua" in page and "Staf B" not in page and "admin.bkd</a>" not in page
    assert "Penilai A" not in client.get("/admin/akun", query_string={"q": "dua"}).get_data(as_text=True)
    auth.logout()
    auth.login("admin.bkd")
    admins = client.get("/admin/akun", query_string={"peran": "agency_admin"}).get_data(as_text=True)
    assert "admin.a</a>" in admins and "Staf A Dua" not in admins and "superadmin</a>" not in admins


# --- Scope matrix --------------------------------------------------------------------------------------------


def urls(org, employee: Employee) -> list[tuple[str, str]]:
    user = org.user(employee)
    return [
        ("GET", f"/admin/pegawai/{employee.id}"),
        ("POST", f"/admin/pegawai/{employee.id}/mutasi"),
        ("POST", f"/admin/pegawai/{employee.id}/berhenti"),
        ("GET", f"/admin/akun/{user.id}"),
        ("POST", f"/admin/akun/{user.id}/reset-sandi"),
        ("POST", f"/admin/akun/{user.id}/nonaktifkan"),
        ("POST", f"/admin/akun/{user.id}/peran"),
    ]


@pytest.mark.parametrize(("login", "target", "status"), [
    ("admin.a", "staff_b", 404),
    ("admin.a", "staff_a", None),
    ("admin.bkd", "staff_b", None),
    ("staff", "staff_a2", 403),
])
def test_scope_matrix(client, auth, org, db, login, target, status):
    auth.login(org.staff_a.id_number if login == "staff" else login)
    before = (org.staff_b.active, org.user(org.staff_b).password_hash)
    for method, url in urls(org, getattr(org, target)):
        response = client.open(url, method=method, data={})
        if status is None:
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == status, url
    for url in ("/admin/pegawai", "/admin/akun"):
        assert client.get(url).status_code == (403 if login == "staff" else 200)
    db.session.expire_all()
    if status == 404:
        assert (org.staff_b.active, org.user(org.staff_b).password_hash) == before


def test_agency_admin_cannot_act_on_another_agency_through_the_service(org, db):
    with pytest.raises(NotAllowed):
        move(org, actor=org.agency_admin_a, employee=org.staff_b, unit=org.staff_a.assignments[0].unit,
             appraiser=org.appraiser_a)


def test_retire_page_shows_a_refusal_next_to_the_date(client, auth, org, db):
    auth.login("admin.a")
    page = client.post(f"/admin/pegawai/{org.staff_a.id}/berhenti", data={
        "retire_date": (clock.today() + timedelta(days=3)).isoformat(), "reason": "berhenti"}).get_data(as_text=True)
    assert 'id="retire_date"' in page and "tidak boleh di masa depan" in page
    assert db.session.get(Employee, org.staff_a.id).active


def test_bkd_picks_the_target_agency_and_moves_staff_across_agencies(client, auth, org, db):
    auth.login("admin.bkd")
    page = client.get(f"/admin/pegawai/{org.staff_a.id}", query_string={"opd": org.agency_b.id}).get_data(as_text=True)
    assert "Sekretariat B" in page and "Seksi A2" not in page
    unit_b = org.staff_b.assignments[0].unit
    response = client.post(f"/admin/pegawai/{org.staff_a.id}/mutasi", data={
        "agency_id": org.agency_b.id, "effective_date": clock.today().isoformat(), "unit_id": unit_b.id,
        "position_id": org.staff_a.assignments[0].position_id, "appraiser_number": org.head_b.id_number})
    assert response.status_code == 302
    assert assignments(org.staff_a)[-1].agency_id == org.agency_b.id


def test_account_actions_need_the_csrf_token(app, client, auth, org, db, monkeypatch):
    user = org.user(org.staff_a)
    password_hash = user.password_hash
    auth.login("admin.a")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/admin/akun/{user.id}/reset-sandi").status_code == 400
    assert client.post(f"/admin/akun/{user.id}/nonaktifkan").status_code == 400
    db.session.refresh(user)
    assert user.password_hash == password_hash and user.is_enabled
