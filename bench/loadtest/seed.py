"""Seed a migrated, empty database for the month-end load test, fast, with Core inserts.

The regency comes from bench.generate (agency heads, unit heads who appraise their unit, staff, one BKD admin)
sized so that every simulated staff member has an appraiser and every appraiser about staff/appraisers
subordinates. Everyone gets the month's earlier working days filled (five activities a day, mostly approved,
some still waiting for the appraiser: bench.activities.activity_rows), so calendars, review queues and the export
look like the end of a real month. The days the staff file during the run (the working days inside the
back-dating window) are left empty, so every save of the scenario lands on free time.

All accounts share one password hash made with the production PASSWORD_HASH_METHOD: sign-in costs what it costs
in production, and hashing once keeps the seeding fast.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from bench.activities import analyze, insert_copy, insert_executemany, open_days, working_days
from bench.generate import BENCH_PASSWORD, generate, nip
from bench.loadtest.plan import Plan
from config import ProductionConfig
from kinerja.auth.passwords import hash_password
from kinerja.extensions import db
from kinerja.models import Assignment, User

STAFF_POSITION_ID = 3  # "Penata Layanan Operasional" in bench.generate
ADMIN_USERNAME = "bench.bkd"  # bench.generate's BKD administrator
MIN_SEEDED_DAYS = 5  # fewer earlier working days in the month than this: the previous month is seeded too


@dataclass(frozen=True)
class Seeded:
    plan: Plan
    employees: int
    activities: int
    seeded_days: list[date]
    seconds: float


def regency_shape(staff: int, appraisers: int) -> tuple[int, int, int]:
    """(employees, agencies, units per agency) for `appraisers` unit heads over `staff` staff in all."""
    units_per_agency = 5 if appraisers % 5 == 0 else 1
    agencies = appraisers // units_per_agency
    return staff + appraisers + agencies, agencies, units_per_agency


def days_to_seed(save_days: list[date]) -> list[date]:
    """Working days of the save days' month before the first save day (and of the month before, early on)."""
    first_save = save_days[0]
    start = first_save.replace(day=1)
    if len(working_days(start, first_save - timedelta(days=1))) < MIN_SEEDED_DAYS:
        start = (start - timedelta(days=1)).replace(day=1)
    return working_days(start, first_save - timedelta(days=1))


def seed(kind: str, staff: int, appraisers: int, today: date, export: str, think: dict[str, list[float]]) -> Seeded:
    """Fill the empty, migrated database of the current app context; return the plan for the locust run."""
    started = time.perf_counter()
    save_days = open_days(today)
    if not save_days:
        raise SystemExit("No open working day inside the back-dating window today: nothing to file.")
    employees, agencies, units_per_agency = regency_shape(staff, appraisers)
    regency = generate(employees, agencies, units_per_agency)
    password_hash = hash_password(BENCH_PASSWORD, ProductionConfig.PASSWORD_HASH_METHOD)
    db.session.execute(update(User).values(password_hash=password_hash))
    db.session.commit()

    seeded_days = days_to_seed(save_days)
    loader = insert_copy if kind == "postgresql" else insert_executemany
    activities = loader(list(range(1, regency.employees + 1)), seeded_days) if seeded_days else 0
    analyze()

    staff_ids = list(db.session.scalars(
        select(Assignment.employee_id).where(Assignment.position_id == STAFF_POSITION_ID)
        .order_by(Assignment.employee_id)))
    random.Random(2026).shuffle(staff_ids)  # arrivals mixed across units, the same order every run
    plan = Plan(
        password=BENCH_PASSWORD,
        staff=[nip(employee_id) for employee_id in staff_ids],
        save_days=[day.isoformat() for day in save_days],
        appraisers=[nip(employee_id) for employee_id in regency.appraiser_ids],
        admin=ADMIN_USERNAME,
        month=f"{save_days[-1]:%Y-%m}",
        export=export,
        think=think,
    )
    return Seeded(plan, regency.employees, activities, seeded_days, time.perf_counter() - started)
