"""Who may open whose records: the scope rules of kinerja/permissions.py, through the pages and directly.

Rules (permissions.py): staff see themselves; an appraiser sees their *direct* current subordinates (not
their subordinates' subordinates) and those of someone they stand in for today; an agency admin sees
everyone currently assigned to the agency; BKD admins and superadmins see everyone. Outside scope is 404.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kinerja import clock
from kinerja.models import Agency, Employee, User
from kinerja.permissions import agency_scope, employee_scope, is_appraiser
from tests.factories import ActingAssignmentFactory, AssignmentFactory, UserFactory

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

TARGETS = ("staff_a", "staff_a2", "other_staff_a", "appraiser_a", "staff_b", "head_b")

# viewer: the targets of TARGETS the viewer may open (200); every other target answers 404.
VISIBLE = {
    "staff_a": {"staff_a"},
    "appraiser_a": {"staff_a", "staff_a2", "appraiser_a"},
    "other_appraiser_a": {"other_staff_a"},
    "head_a": {"staff_a", "staff_a2", "other_staff_a", "appraiser_a"},  # the Kepala OPD oversees the agency
    "agency_admin_a": {"staff_a", "staff_a2", "other_staff_a", "appraiser_a"},
    "bkd_admin": set(TARGETS),
    "superadmin": set(TARGETS),
    "staff_b": {"staff_b"},  # not their own appraiser, head_b
}
EMPLOYEE_MATRIX = [
    (viewer, target, 200 if target in visible else 404) for viewer, visible in VISIBLE.items() for target in TARGETS
]

# viewer: the agencies whose page (/opd/<id>) the viewer may open; the other answers 404.
AGENCY_VISIBLE = {
    "staff_a": set(),
    "appraiser_a": set(),
    "other_appraiser_a": set(),
    "head_a": {"agency_a"},  # the Kepala OPD monitors their own agency
    "agency_admin_a": {"agency_a"},
    "bkd_admin": {"agency_a", "agency_b"},
    "superadmin": {"agency_a", "agency_b"},
    "staff_b": set(),
}
AGENCY_MATRIX = [
    (viewer, agency, 200 if agency in visible else 404)
    for viewer, visible in AGENCY_VISIBLE.items()
    for agency in ("agency_a", "agency_b")
]


def sign_in(auth, org, viewer: str) -> None:
    who = getattr(org, viewer)
    response = auth.login(who.id_number if isinstance(who, Employee) else who.username)
    assert response.status_code == 302, f"{viewer} could not sign in"


def user_of(org, name: str) -> User:
    who = getattr(org, name)
    return who if isinstance(who, User) else org.user(who)


def visible_ids(db, user: User, on: date | None = None) -> set[int]:
    return set(db.session.scalars(select(Employee.id).where(employee_scope(user, on))))


@pytest.mark.parametrize(("viewer", "target", "status"), EMPLOYEE_MATRIX)
def test_employee_page_scope(client, auth, org, viewer, target, status):
    sign_in(auth, org, viewer)
    target_employee = getattr(org, target)
    response = client.get(f"/pegawai/{target_employee.id}")
    assert response.status_code == status
    if status == 200:
        assert target_employee.id_number in response.get_data(as_text=True)


@pytest.mark.parametrize(("viewer", "agency", "status"), AGENCY_MATRIX)
def test_agency_page_scope(client, auth, org, viewer, agency, status):
    sign_in(auth, org, viewer)
    response = client.get(f"/opd/{getattr(org, agency).id}")
    assert response.status_code == status
    if status == 200:
        assert getattr(org, agency).name in response.get_data(as_text=True)


def test_unknown_employee_is_404_even_for_bkd(client, auth, org, db):
    sign_in(auth, org, "bkd_admin")
    missing = db.session.scalar(select(Employee.id).order_by(Employee.id.desc())) + 1000
    assert client.get(f"/pegawai/{missing}").status_code == 404


@pytest.mark.parametrize("path", ["/pegawai/1", "/opd/1"])
def test_anonymous_visitor_is_sent_to_sign_in(client, org, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def acting(org, db, start: int, end: int):
    """appraiser_a stands in for other_appraiser_a from today+start to today+end."""
    today = clock.today()
    ActingAssignmentFactory(
        acting=org.appraiser_a,
        absent=org.other_appraiser_a,
        valid_from=today + timedelta(days=start),
        valid_to=today + timedelta(days=end),
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (-3, 3, 200),  # active today
        (0, 0, 200),  # a one-day Plh, today
        (-10, -2, 404),  # over
        (2, 10, 404),  # not yet begun
    ],
)
def test_acting_assignment_grants_scope_only_while_active(client, auth, org, db, start, end, status):
    acting(org, db, start, end)
    sign_in(auth, org, "appraiser_a")
    assert client.get(f"/pegawai/{org.other_staff_a.id}").status_code == status


def test_acting_covers_the_absent_appraisers_staff_not_the_absent_themselves(client, auth, org, db):
    acting(org, db, -1, 1)
    sign_in(auth, org, "appraiser_a")
    assert client.get(f"/pegawai/{org.other_staff_a.id}").status_code == 200
    assert client.get(f"/pegawai/{org.other_appraiser_a.id}").status_code == 404
    assert client.get(f"/pegawai/{org.staff_a.id}").status_code == 200  # own staff still in scope


def move_staff_a_to_other_appraiser(org, db, *, on: date) -> None:
    """End staff_a's assignment under appraiser_a the day before `on`; from `on` other_appraiser_a appraises."""
    old = org.staff_a.assignments[0]
    old.valid_to = on - timedelta(days=1)
    AssignmentFactory(
        employee=org.staff_a, unit=old.unit, agency=old.agency, appraiser=org.other_appraiser_a, valid_from=on
    )
    db.session.commit()


def test_ended_assignment_no_longer_grants_scope(client, auth, org, db):
    move_staff_a_to_other_appraiser(org, db, on=clock.today() - timedelta(days=2))
    sign_in(auth, org, "appraiser_a")
    assert client.get(f"/pegawai/{org.staff_a.id}").status_code == 404
    auth.logout()
    sign_in(auth, org, "other_appraiser_a")
    assert client.get(f"/pegawai/{org.staff_a.id}").status_code == 200


def test_future_assignment_does_not_grant_scope_yet(client, auth, org, db):
    move_staff_a_to_other_appraiser(org, db, on=clock.today() + timedelta(days=2))
    sign_in(auth, org, "other_appraiser_a")
    assert client.get(f"/pegawai/{org.staff_a.id}").status_code == 404
    auth.logout()
    sign_in(auth, org, "appraiser_a")
    assert client.get(f"/pegawai/{org.staff_a.id}").status_code == 200


def test_agency_admin_scope_follows_the_assignment_period(org, db):
    """staff_b moves to agency A in a week: admin A sees them from that day, not before."""
    today = clock.today()
    old = org.staff_b.assignments[0]
    old.valid_to = today + timedelta(days=6)
    AssignmentFactory(
        employee=org.staff_b, unit=org.agency_a.units[0], agency=org.agency_a, valid_from=today + timedelta(days=7)
    )
    db.session.commit()
    admin = org.agency_admin_a
    assert org.staff_b.id not in visible_ids(db, admin, today)
    assert org.staff_b.id in visible_ids(db, admin, today + timedelta(days=7))


EVERYONE = ("head_a", "appraiser_a", "staff_a", "staff_a2", "other_appraiser_a", "other_staff_a", "head_b", "staff_b")

# employee_scope, directly: the full set each user sees today.
SCOPE = {
    "staff_a": {"staff_a"},
    "appraiser_a": {"appraiser_a", "staff_a", "staff_a2"},
    "other_appraiser_a": {"other_appraiser_a", "other_staff_a"},
    "head_a": {"head_a", "appraiser_a", "staff_a", "staff_a2", "other_appraiser_a", "other_staff_a"},
    "head_b": {"head_b", "staff_b"},
    "agency_admin_a": {"head_a", "appraiser_a", "staff_a", "staff_a2", "other_appraiser_a", "other_staff_a"},
    "bkd_admin": set(EVERYONE),
    "superadmin": set(EVERYONE),
}


@pytest.mark.parametrize(("viewer", "expected"), SCOPE.items())
def test_employee_scope(org, db, viewer, expected):
    assert visible_ids(db, user_of(org, viewer)) == {getattr(org, name).id for name in expected}


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("appraiser_a", {"appraiser_a"}), ("agency_admin_a", set()), ("bkd_admin", set(EVERYONE))],
)
def test_employee_scope_before_the_assignments_began(org, db, viewer, expected):
    """Factories assign from 2024-01-01: the day before, appraisers and agency admins see no staff."""
    seen = visible_ids(db, user_of(org, viewer), date(2023, 12, 31))
    assert seen == {getattr(org, name).id for name in expected}


def test_employee_scope_of_an_account_without_employee_or_role(org, db):
    nobody = UserFactory(username="kosong", roles=[])
    db.session.commit()
    assert visible_ids(db, nobody) == set()


def test_employee_scope_includes_acting_staff_only_on_active_days(org, db):
    acting(org, db, 1, 3)
    user = org.user(org.appraiser_a)
    today = clock.today()
    assert org.other_staff_a.id not in visible_ids(db, user, today)
    assert org.other_staff_a.id in visible_ids(db, user, today + timedelta(days=1))
    assert org.other_staff_a.id in visible_ids(db, user, today + timedelta(days=3))
    assert org.other_staff_a.id not in visible_ids(db, user, today + timedelta(days=4))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff_a", False),
        ("other_staff_a", False),
        ("appraiser_a", True),
        ("other_appraiser_a", True),
        ("head_a", True),
        ("head_b", True),
        ("staff_b", False),
        ("bkd_admin", False),  # no employee record
        ("agency_admin_a", False),
    ],
)
def test_is_appraiser(org, db, who, expected):
    assert is_appraiser(user_of(org, who)) is expected


def test_is_appraiser_follows_the_day(org, db):
    assert is_appraiser(org.user(org.appraiser_a), date(2023, 12, 31)) is False


def test_standing_in_makes_a_staff_member_an_appraiser(org, db):
    ActingAssignmentFactory(acting=org.staff_a2, absent=org.appraiser_a)
    db.session.commit()
    assert is_appraiser(org.user(org.staff_a2)) is True
    assert org.staff_a.id in visible_ids(db, org.user(org.staff_a2))


def test_standing_in_counts_only_while_it_runs_and_never_for_oneself(org, db):
    today = clock.today()
    ActingAssignmentFactory(acting=org.staff_a2, absent=org.appraiser_a, valid_from=today - timedelta(days=9),
                            valid_to=today - timedelta(days=1))
    # other_appraiser_a appraises other_staff_a alone: standing in for them appraises nobody else
    ActingAssignmentFactory(acting=org.other_staff_a, absent=org.other_appraiser_a)
    db.session.commit()
    assert is_appraiser(org.user(org.staff_a2)) is False
    assert is_appraiser(org.user(org.staff_a2), today - timedelta(days=1)) is True
    assert is_appraiser(org.user(org.other_staff_a)) is False


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("agency_admin_a", {"agency_a"}), ("bkd_admin", {"agency_a", "agency_b"}), ("head_a", {"agency_a"}),
     ("appraiser_a", set())],
)
def test_agency_scope(org, db, viewer, expected):
    seen = set(db.session.scalars(select(Agency.id).where(agency_scope(user_of(org, viewer)))))
    assert seen == {getattr(org, name).id for name in expected}


def test_the_navigation_knows_who_stands_in_and_nobody_else(client, auth, org, db):
    """Signing in loads what the user heads and appraises in the same statement as the account: a Plh elsewhere in
    the regency must not make every staff member an appraiser."""
    ActingAssignmentFactory(acting=org.staff_a2, absent=org.appraiser_a)
    db.session.commit()
    sign_in(auth, org, "staff_a2")
    assert "/pemeriksaan/" in client.get("/").get_data(as_text=True)
    auth.logout()
    sign_in(auth, org, "staff_b")
    assert "/pemeriksaan/" not in client.get("/").get_data(as_text=True)


def test_what_a_user_heads_is_read_again_after_the_request_writes(app, org, db):
    from kinerja.permissions import headed_agency_ids

    user = org.user(org.staff_a)
    with app.test_request_context("/"):
        assert headed_agency_ids(user) == set()
        db.session.get(Agency, org.agency_b.id).head_id = org.staff_a.id
        db.session.flush()
        assert headed_agency_ids(user) == {org.agency_b.id}
        db.session.rollback()


def test_a_bulk_statement_forgets_what_the_request_kept(app, org, db):
    from sqlalchemy import update

    from kinerja.core.assignments import assignment_on
    from kinerja.permissions import headed_agency_ids

    user = org.user(org.staff_a)
    with app.test_request_context("/"):
        assert assignment_on(org.staff_a.id, clock.today()) is assignment_on(org.staff_a.id, clock.today())
        assert headed_agency_ids(user) == set()
        db.session.execute(update(Agency).where(Agency.id == org.agency_b.id).values(head_id=org.staff_a.id))
        assert headed_agency_ids(user) == {org.agency_b.id}
        db.session.rollback()
