"""The demo's activities: two months of believable, rule-abiding daily activities, added once."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from kinerja import clock
from kinerja.demo.commands import seed_demo_command
from kinerja.demo.data import DEFAULT_OUTPUT_UNITS
from kinerja.models import Activity, ActivityStatus, Employee, Evidence, EvidenceKind, OutputUnit, WorkMode
from kinerja.workcalendar import holidays_between, is_weekend

pytestmark = pytest.mark.calendar  # reads today's date: tests/dates.py runs it at other moments


@pytest.fixture()
def seeded(demo_regency):
    return demo_regency


@pytest.fixture()
def db(demo_db):
    """Every test of this module reads one demo regency (tests/conftest.py: demo_regency)."""
    return demo_db


def test_every_status_and_every_mode_is_present(seeded, db):
    statuses = set(db.session.scalars(select(Activity.status).distinct()))
    modes = set(db.session.scalars(select(Activity.work_mode).distinct()))
    assert statuses == set(ActivityStatus)
    assert modes == set(WorkMode)
    assert db.session.scalar(select(func.count(Activity.id))) > 5_000


def test_activities_obey_the_filing_rules(seeded, db):
    today = clock.today()
    rows = db.session.execute(select(
        Activity.employee_id, Activity.activity_date, Activity.start_time, Activity.end_time,
        Activity.duration_minutes, Activity.work_mode, Activity.assignment_letter, Activity.status,
        Activity.return_reason, Activity.submitted_at, Activity.off_day, Activity.unit,
    )).all()
    by_day = defaultdict(list)
    for row in rows:
        assert row.activity_date < today, row
        assert row.end_time > row.start_time, row
        minutes = (row.end_time.hour * 60 + row.end_time.minute) - (row.start_time.hour * 60 + row.start_time.minute)
        assert row.duration_minutes == minutes, row
        assert (row.work_mode is WorkMode.DL) == bool(row.assignment_letter), row
        assert (row.status is ActivityStatus.RETURNED) == bool(row.return_reason), row
        assert (row.status is ActivityStatus.DRAFT) == (row.submitted_at is None), row
        by_day[row.employee_id, row.activity_date].append(row)

    for (employee_id, day), items in by_day.items():
        items.sort(key=lambda item: item.start_time)
        for before, after in pairwise(items):
            assert before.end_time <= after.start_time, f"employee {employee_id} overlaps on {day}"
        assert sum(item.duration_minutes for item in items) <= 12 * 60

    first = min(day for _employee, day in by_day)
    days_off = holidays_between(first, today)
    for (_employee, day), items in by_day.items():
        off = is_weekend(day, 5) or day in days_off
        assert all(item.off_day is off for item in items), day
    units = set(db.session.scalars(select(OutputUnit.name)))
    assert set(DEFAULT_OUTPUT_UNITS) <= units
    assert {row.unit for row in rows} <= units


def test_covers_last_month_and_this_month_with_some_empty_days(seeded, db):
    today = clock.today()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    span = select(func.min(Activity.activity_date), func.max(Activity.activity_date))
    oldest, newest = db.session.execute(span).one()
    assert first <= oldest <= first + timedelta(days=7)
    assert today - timedelta(days=5) <= newest < today
    employees = db.session.scalar(select(func.count(Employee.id)))
    assert db.session.scalar(select(func.count(func.distinct(Activity.employee_id)))) == employees
    filed = db.session.scalar(select(func.count()).select_from(
        select(Activity.employee_id, Activity.activity_date).where(Activity.off_day.is_(False))
        .group_by(Activity.employee_id, Activity.activity_date).subquery()))
    days_off = holidays_between(first, today)
    working = sum(1 for n in range((today - first).days)
                  if not is_weekend(first + timedelta(days=n), 5) and first + timedelta(days=n) not in days_off)
    assert 0.85 * employees * working <= filed < employees * working, "expected most, not all, days filed"
    assert db.session.scalar(select(func.count(Activity.id)).where(Activity.off_day.is_(True))) > 0
    assert db.session.scalar(select(func.count(Evidence.id)).where(Evidence.kind == EvidenceKind.LINK)) > 0


def test_the_demo_staff_account_has_a_realistic_month(seeded, db):
    today = clock.today()
    staff = db.session.scalar(select(Employee).where(Employee.email == "demo-staff@cimahikota.go.id"))
    activities = list(db.session.scalars(select(Activity).where(Activity.employee_id == staff.id)))
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days_off = holidays_between(first, today)
    working = [first + timedelta(days=n) for n in range((today - first).days)
               if not is_weekend(first + timedelta(days=n), 5) and first + timedelta(days=n) not in days_off]
    filed = {activity.activity_date for activity in activities}
    assert len(filed & set(working)) >= len(working) - 1
    per_day = defaultdict(int)
    for activity in activities:
        per_day[activity.activity_date] += 1
    assert all(1 <= count <= 5 for count in per_day.values())
    assert {activity.status for activity in activities} >= {
        ActivityStatus.APPROVED, ActivityStatus.RETURNED, ActivityStatus.DRAFT}
    assert any(activity.work_mode is WorkMode.DL and "Disdukcapil" in activity.assignment_letter
               for activity in activities)
    latest = max(working)
    assert {a.status for a in activities if a.activity_date == latest} == {ActivityStatus.DRAFT}


def test_seed_demo_twice_adds_no_activity(app, seeded, db):
    counts = (db.session.scalar(select(func.count(Activity.id))), db.session.scalar(select(func.count(Evidence.id))),
              db.session.scalar(select(func.count(OutputUnit.id))))
    db.session.rollback()
    again = app.test_cli_runner().invoke(seed_demo_command)
    assert again.exit_code == 0, again.output
    db.session.rollback()
    assert (db.session.scalar(select(func.count(Activity.id))), db.session.scalar(select(func.count(Evidence.id))),
            db.session.scalar(select(func.count(OutputUnit.id)))) == counts
