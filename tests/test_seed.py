"""The CLI's `seed-demo` builds a believable regency once (seeded once for the module: tests/conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kinerja import clock
from kinerja.demo.commands import seed_demo_command
from kinerja.identity import EmploymentType, grades_for, parse_identity
from kinerja.models import ActingAssignment, Agency, Assignment, Employee, Office, Role, User, UserRole
from kinerja.permissions import is_appraiser

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments

DEMO_HEADING = "Akun demo (satu per peran)"


@pytest.fixture()
def seeded(demo_regency):
    return demo_regency


@pytest.fixture()
def db(demo_db):
    """Every test of this module reads one demo regency (tests/conftest.py: demo_regency)."""
    return demo_db


def demo_sign_ins(output: str) -> list[tuple[str, str]]:
    """(login, password) of each line of the printed demo sign-ins: '  <role label>  <login>  <password>'."""
    lines = output[output.index(DEMO_HEADING):].splitlines()[1:]
    rows = [line.split() for line in lines if line.startswith("  ") and line.strip()]
    return [(row[-2], row[-1]) for row in rows]


def table_counts(db) -> dict[str, int]:
    tables = db.metadata.sorted_tables
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in tables}


def current_assignments(db) -> dict[int, Assignment]:
    today = clock.today()
    rows = list(db.session.scalars(select(Assignment).where(Assignment.active_on(today))))
    by_employee = {row.employee_id: row for row in rows}
    assert len(by_employee) == len(rows), "an employee holds two current assignments"
    return by_employee


def test_seed_demo_builds_a_regency_of_the_right_size(seeded, db):
    assert "Data demo dibuat." in seeded.output
    assert 80 <= db.session.scalar(select(func.count(Employee.id))) <= 150
    names = list(db.session.scalars(select(Agency.name)))
    assert len(names) >= 4
    for part in ("Sekretariat Daerah", "Dinas", "Kecamatan"):
        assert any(part in name for name in names), part
    assert any("Rumah Sakit" in name or "Puskesmas" in name for name in names)
    assert all(agency.head is not None for agency in db.session.scalars(select(Agency)))


def test_every_employee_has_a_valid_identity_number_and_grade(seeded, db):
    employees = list(db.session.scalars(select(Employee)))
    assert {employee.employment_type for employee in employees} == set(EmploymentType)
    for employee in employees:
        info = parse_identity(employee.id_number, employee.employment_type)
        assert info.gender is employee.gender, employee.id_number
        assert employee.grade in (grades_for(employee.employment_type) or (None,)), employee.id_number


def test_every_employee_is_assigned_and_appraiser_chains_end(seeded, db):
    assignments = current_assignments(db)
    assert set(assignments) == set(db.session.scalars(select(Employee.id)))
    depth_by_agency: dict[int, int] = {}
    for employee_id, assignment in assignments.items():
        seen, levels, current = set(), 0, employee_id
        while current is not None:
            assert current not in seen, f"appraiser cycle through employee {current}"
            seen.add(current)
            if assignments[current].agency_id == assignment.agency_id:
                levels += 1
            current = assignments[current].appraiser_id
        depth_by_agency[assignment.agency_id] = max(depth_by_agency.get(assignment.agency_id, 0), levels)
    assert len(depth_by_agency) == db.session.scalar(select(func.count(Agency.id)))
    assert all(3 <= depth <= 4 for depth in depth_by_agency.values()), depth_by_agency


def test_offices_lie_in_west_java(seeded, db):
    offices = list(db.session.scalars(select(Office)))
    assert offices
    for office in offices:
        assert -7.9 <= office.latitude <= -5.9, office.name
        assert 106.0 <= office.longitude <= 108.9, office.name
        assert office.radius_m > 0


def test_one_account_per_role(seeded, db):
    counts = dict(db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role)).all())
    employees = db.session.scalar(select(func.count(Employee.id)))
    assert counts == {Role.STAFF: employees, Role.AGENCY_ADMIN: 1, Role.BKD_ADMIN: 1, Role.SUPERADMIN: 1}
    agency_admin = db.session.scalar(select(UserRole).where(UserRole.role == Role.AGENCY_ADMIN))
    assert agency_admin.agency.short_name == "Disdukcapil"


def test_output_lists_the_five_demo_sign_ins(seeded, db):
    sign_ins = demo_sign_ins(seeded.output)
    assert len(sign_ins) == 5
    logins = [login for login, _password in sign_ins]
    assert logins[2:] == ["admin.disdukcapil", "admin.bkd", "superadmin"]
    staff, appraiser = (db.session.scalar(select(User).join(User.employee).where(Employee.id_number == login))
                        for login in logins[:2])
    assert staff is not None and appraiser is not None
    assert is_appraiser(appraiser) and not is_appraiser(staff)
    assert current_assignments(db)[staff.employee_id].appraiser_id == appraiser.employee_id
    assert db.session.scalar(select(func.count(ActingAssignment.id)).where(
        ActingAssignment.acting_id == appraiser.employee_id, ActingAssignment.active_on(clock.today()))) == 1


def test_second_run_changes_nothing_and_prints_the_sign_ins_again(app, seeded, db):
    before = table_counts(db)
    again = app.test_cli_runner().invoke(seed_demo_command)
    assert again.exit_code == 0, again.output
    assert "sudah ada" in again.output
    assert demo_sign_ins(again.output) == demo_sign_ins(seeded.output)
    db.session.rollback()
    assert table_counts(db) == before


def test_each_printed_sign_in_works_and_asks_for_a_new_password(app, seeded, db):
    for login, password in demo_sign_ins(seeded.output):
        # A fresh app context per sign-in: the test's own context would carry Flask-Login's cached user in `g`.
        with app.app_context():
            response = app.test_client().post("/masuk", data={"identifier": login, "password": password})
        assert response.status_code == 302, login
        assert response.headers["Location"].endswith("/kata-sandi"), login


def test_the_demo_regency_pays_tpp_by_its_example_rules(app, seeded, db):
    from kinerja.models import TppPenalty, TppPeriod, TppRuleSet, TppSlip
    from kinerja.tpp.month import compute_month, months_after

    today = clock.today()
    rule_set = db.session.scalar(select(TppRuleSet))
    assert "bukan peraturan yang berlaku" in rule_set.reference
    period = db.session.scalar(select(TppPeriod))
    agency = db.session.get(Agency, period.agency_id)
    last_month = months_after(today.replace(day=1), -1)
    assert (agency.code, period.year, period.month) == ("DISDUKCAPIL", last_month.year, last_month.month)
    slips = list(db.session.scalars(select(TppSlip).where(TppSlip.period_id == period.id)))
    assert len(slips) > 20
    assert any(slip.discipline_cuts > 0 for slip in slips) and any(slip.discipline_cuts == 0 for slip in slips)
    assert sum(1 for slip in slips if slip.penalty > 0) == 1
    assert all(slip.net >= 0 and slip.net <= slip.base for slip in slips)
    assert db.session.scalar(select(func.count()).select_from(TppPenalty)) == 1
    # This month is a live preview for everyone, computed with the same rules.
    preview = compute_month(today.replace(day=1), today, agency_ids=[agency.id])
    assert preview.rule_set.id == rule_set.id and len(preview.rows) >= len(slips) - 1


def test_the_demo_appraiser_finds_corrections_to_decide_and_agencies_have_last_months_scores(app, seeded, db):
    from kinerja.attendance.corrections import earliest_day, pending_count
    from kinerja.core.periods import month_closed
    from kinerja.models import AttendanceCorrection, CorrectionStatus, TppAgencyScore, TppPeriod, TppSlip
    from kinerja.tpp.month import compute_month, months_after

    today = clock.today()
    appraiser = db.session.scalar(select(User).join(User.employee).where(
        Employee.id_number == demo_sign_ins(seeded.output)[1][0]))
    pending = list(db.session.scalars(select(AttendanceCorrection).where(
        AttendanceCorrection.status == CorrectionStatus.PENDING)))
    # A few, each of another kind, each waiting for the demo appraiser and still decidable today.
    assert 2 <= len(pending) <= 4 and len({item.kind for item in pending}) == len(pending)
    assert pending_count(appraiser) == len(pending)
    for item in pending:
        assert earliest_day(today, item.agency.work_week) <= item.day < today, item.day
        assert not month_closed(item.agency_id, item.day, today, "REVIEW_LOCK_DAY"), item.day
        assert current_assignments(db)[item.employee_id].appraiser_id == appraiser.employee_id
    assert all(item.evidence for item in pending if item.kind.value == "field_duty")

    # Every agency's budget absorption of last month is entered; the locked agency's slips pay it.
    last_month = months_after(today.replace(day=1), -1)
    scores = dict(db.session.execute(select(TppAgencyScore.agency_id, TppAgencyScore.score).where(
        TppAgencyScore.year == last_month.year, TppAgencyScore.month == last_month.month)).all())
    assert set(scores) == set(db.session.scalars(select(Agency.id)))
    assert all(0 < score <= 10_000 for score in scores.values())
    period = db.session.scalar(select(TppPeriod))
    slip = db.session.scalar(select(TppSlip).where(TppSlip.period_id == period.id, TppSlip.base > 0).limit(1))
    # the third share (10%) × the agency's score, rounded half up to the Rupiah
    assert slip.third == (2 * slip.base * 1000 * scores[period.agency_id] + 10_000 ** 2) // (2 * 10_000 ** 2)
    assert '"code":"third_score"' in slip.lines
    # This month's scores are not in yet: the preview says so and pays what the rules give for a missing score.
    preview = compute_month(today.replace(day=1), today, agency_ids=[period.agency_id])
    row = next(item for item in preview.rows if item.result.base > 0)
    assert [line.code for line in row.result.lines if line.code.startswith("third")] == ["third_missing"]
    assert row.result.third == 0
