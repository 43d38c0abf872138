"""The demo's SKP: approved plans cascaded down the hierarchy, activities that realise them, last month's
evaluations with a mix of predikat, and one agency whose distribution breaks SE MenPANRB 3/2023."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from kinerja import clock
from kinerja.models import Activity, ActivityStatus, Assignment, Employee, Skp, SkpStatus, User
from kinerja.models.skp import Evaluation, Iki, Rhk, RhkKind
from kinerja.skp import evaluation, queries, services
from kinerja.skp.predikat import predikat

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments


@pytest.fixture()
def seeded(demo_regency):
    return demo_regency


@pytest.fixture()
def db(demo_db):
    """Every test of this module reads one demo regency (tests/conftest.py: demo_regency)."""
    return demo_db


def featured(db) -> Employee:
    return db.session.scalar(select(Employee).where(Employee.email == "demo-staff@cimahikota.go.id"))


def test_every_employee_has_an_approved_plan_cascaded_from_the_appraisers(seeded, db):
    year = clock.today().year
    assigned = dict(db.session.execute(select(Assignment.employee_id, Assignment.appraiser_id)
                                       .where(Assignment.active_on(clock.today()))).all())
    this_year = select(Skp).where(Skp.period_start >= date(year, 1, 1))
    plans = {skp.employee_id: skp for skp in db.session.scalars(this_year)}
    assert set(plans) == set(assigned) - {featured(db).id}
    for employee_id, skp in plans.items():
        assert skp.status is SkpStatus.APPROVED and skp.appraiser_id == assigned[employee_id]
        mains = [rhk for rhk in skp.rhk if rhk.kind is RhkKind.MAIN]
        assert mains and all(rhk.indicators for rhk in skp.rhk)
        if skp.appraiser_id is None:
            assert skp.agency_goal and all(rhk.parent is None for rhk in mains)
        elif skp.appraiser_id in plans:
            assert all(rhk.parent is not None and rhk.parent.skp_id == plans[skp.appraiser_id].id for rhk in mains)


def test_activities_are_linked_to_the_iki_of_their_own_plan_in_its_unit(seeded, db):
    rows = db.session.execute(
        select(Activity.employee_id, Activity.unit, Iki.unit, Skp.employee_id)
        .join(Iki, Iki.id == Activity.indicator_id).join(Rhk, Rhk.id == Iki.rhk_id).join(Skp, Skp.id == Rhk.skp_id)
    ).all()
    assert len(rows) > 1_000
    assert all(owner == employee_id and unit == iki_unit for employee_id, unit, iki_unit, owner in rows)


def test_last_month_is_rated_with_a_mix_of_predikat_and_realised(seeded, db):
    first = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    rated = db.session.scalars(select(Evaluation).where(Evaluation.year == first.year,
                                                        Evaluation.month == first.month)).all()
    assert len(rated) > 50
    assert len({item.predikat for item in rated}) >= 4
    assert all(item.predikat is predikat(item.rating_result, item.rating_behaviour) for item in rated)
    realised = [line.quantity for item in rated[:20]
                for line in queries.realisation(item.employee_id, first.year, first.month).values()]
    assert sum(realised) > 0


def test_one_agency_breaks_the_distribution_rule(seeded, db):
    first = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    rows = {row.agency.code: row for row in evaluation.distribution(first.year, evaluation.all_agencies())}
    assert rows["DISDUKCAPIL"].breaches
    assert not rows["BKPSDMD"].breaches and not rows["SETDA"].breaches


def test_the_demo_appraiser_has_subordinates_left_to_rate(seeded, db):
    staff = featured(db)
    appraiser_id = db.session.scalar(select(Assignment.appraiser_id).where(Assignment.employee_id == staff.id))
    first = (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    subordinates = set(db.session.scalars(select(Assignment.employee_id).where(
        Assignment.appraiser_id == appraiser_id, Assignment.active_on(clock.today()))))
    rated = set(db.session.scalars(select(Evaluation.employee_id).where(
        Evaluation.employee_id.in_(subordinates), Evaluation.year == first.year, Evaluation.month == first.month)))
    assert rated and subordinates - rated - {staff.id}


def test_the_demo_staff_drafts_this_year_from_last_years_plan(seeded, db):
    staff = featured(db)
    old = db.session.scalars(select(Skp).where(Skp.employee_id == staff.id)).all()
    assert [skp.year for skp in old] == [clock.today().year - 1]
    user = db.session.scalar(select(User).where(User.employee_id == staff.id))
    draft = services.create_skp(user, copy_from=old[0])
    assert draft.status is SkpStatus.DRAFT and draft.year == clock.today().year
    assert [rhk.text for rhk in draft.rhk] == [rhk.text for rhk in old[0].rhk]
    assert db.session.scalar(select(func.count(Activity.id)).where(
        Activity.employee_id == staff.id, Activity.status == ActivityStatus.APPROVED)) > 0
