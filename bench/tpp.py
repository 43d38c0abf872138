"""TPP for a whole regency: 10,000 employees with a month of check-ins, check-outs and approved activities.

Generates the regency (bench.generate) on a throwaway database, adds for November 2026 two attendance records per
working day per employee (a few late, a few early, a few days missing) and one approved activity per working
day, then times `kinerja.tpp.month.compute_month` for every agency at once, and for one agency, and counts the
queries each sends (they must not grow with the headcount); then renders the daftar nominatif PDF of one agency
of 500. Targets (issue 18): the regency in at most 30 s, the nominative PDF in at most 20 s.

python -m bench.tpp [--employees N] [--agency-employees N] [--db sqlite|postgresql|mariadb]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from bench.generate import generate
from kinerja import create_app
from kinerja.extensions import db
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    AttendanceKind,
    AttendanceRecord,
    WorkMode,
)
from kinerja.tpp.month import compute_month
from kinerja.tpp.rules import save_rule_set
from tests.querycount import count_queries
from tests.throwaway import throwaway_database

MONTH = date(2026, 11, 1)
TODAY = date(2026, 12, 10)
REGENCY_TARGET_S = 30.0
NOMINATIVE_TARGET_S = 20.0


def fill_month(employees: int, agency_of: dict[int, int]) -> int:
    days = [MONTH + timedelta(days=n) for n in range(30)]
    days = [day for day in days if day.weekday() < 5]
    now = datetime.now(UTC)
    records, activities, count = [], [], 0
    for employee_id in range(1, employees + 1):
        for index, day in enumerate(days):
            if (employee_id + index) % 37 == 0:
                continue  # absent
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            common = {"employee_id": employee_id, "agency_id": agency_of[employee_id], "day": day,
                      "mode": WorkMode.WFO, "latitude": -6.87, "longitude": 107.54, "accuracy_m": 12.0,
                      "within_radius": True, "device_id": "", "user_agent_hash": "", "off_day": False,
                      "created_at": now, "updated_at": now}
            records.append({**common, "kind": AttendanceKind.IN, "at": moment,
                            "late_minutes": (employee_id * 7 + index * 13) % 120 if (employee_id + index) % 5 == 0
                            else 0, "early_minutes": 0})
            records.append({**common, "kind": AttendanceKind.OUT, "at": moment + timedelta(hours=9),
                            "late_minutes": 0, "early_minutes": 20 if (employee_id + index) % 11 == 0 else 0})
            activities.append({"employee_id": employee_id, "activity_date": day, "start_time": datetime.min.time()
                               .replace(hour=8), "end_time": datetime.min.time().replace(hour=12),
                               "duration_minutes": 240 + (employee_id % 3) * 30, "description": "Layanan",
                               "quantity": 1, "unit": "dokumen", "work_mode": WorkMode.WFO,
                               "category": ActivityCategory.MAIN, "status": ActivityStatus.APPROVED,
                               "off_day": False, "version": 1, "created_at": now, "updated_at": now})
        if len(records) > 100_000:
            db.session.execute(insert(AttendanceRecord), records)
            db.session.execute(insert(Activity), activities)
            count += len(records)
            records, activities = [], []
    if records:
        db.session.execute(insert(AttendanceRecord), records)
        db.session.execute(insert(Activity), activities)
        count += len(records)
    db.session.commit()
    return count


def rules(bkd) -> None:
    from kinerja.demo.tpp import example_rules

    save_rule_set(bkd, example_rules(date(2026, 1, 1)))


def run(kind: str, employees: int) -> None:
    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            regency = generate(employees)
            from sqlalchemy import select

            from kinerja.models import Assignment, User

            agency_of = dict(db.session.execute(select(Assignment.employee_id, Assignment.agency_id)).all())
            started = time.perf_counter()
            records = fill_month(regency.employees, agency_of)
            print(f"[{kind}] {regency.employees:,} employees, {records:,} attendance records in "
                  f"{time.perf_counter() - started:.1f} s")
            rules(db.session.scalar(select(User).where(User.username == "bench.bkd")))
            db.session.remove()
        with app.app_context():
            compute_month(MONTH, TODAY, agency_ids=[regency.agency_ids[0]])  # warm the holiday tables
            with count_queries() as statements:
                started = time.perf_counter()
                result = compute_month(MONTH, TODAY)
                elapsed = time.perf_counter() - started
            total = sum(row.result.net for row in result.rows)
            cut = sum(1 for row in result.rows if row.result.discipline_cuts)
            verdict = "ok" if elapsed <= REGENCY_TARGET_S else "SLOW"
            print(f"[{kind}] regency: {len(result.rows):,} employees in {elapsed:.1f} s "
                  f"(target {REGENCY_TARGET_S:.0f} s: {verdict}), {len(statements)} queries, "
                  f"{cut:,} with discipline deductions, net Rp {total:,}")
            with count_queries() as statements:
                started = time.perf_counter()
                one = compute_month(MONTH, TODAY, agency_ids=[regency.agency_ids[3]])
                elapsed = time.perf_counter() - started
            print(f"[{kind}] one agency: {len(one.rows):,} employees in {elapsed * 1000:.0f} ms, "
                  f"{len(statements)} queries")
            db.session.remove()


def pdf_run(kind: str, employees: int) -> None:
    """The daftar nominatif of one agency of `employees` people, rendered as the job does."""
    from kinerja.models import Agency
    from kinerja.tpp.documents import agency_list, nominative_pdf

    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            regency = generate(employees, agencies=1, units_per_agency=10)
            from sqlalchemy import select

            from kinerja.models import Assignment, User

            agency_of = dict(db.session.execute(select(Assignment.employee_id, Assignment.agency_id)).all())
            fill_month(regency.employees, agency_of)
            rules(db.session.scalar(select(User).where(User.username == "bench.bkd")))
            agency = db.session.get(Agency, regency.agency_ids[0])
            started = time.perf_counter()
            listing = agency_list(agency, MONTH, TODAY)
            content = nominative_pdf(listing, TODAY)
            elapsed = time.perf_counter() - started
            verdict = "ok" if elapsed <= NOMINATIVE_TARGET_S else "SLOW"
            print(f"[{kind}] nominative PDF of {len(listing.rows):,} employees: {elapsed:.1f} s "
                  f"(target {NOMINATIVE_TARGET_S:.0f} s: {verdict}), {len(content) // 1024} KB")
            db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--agency-employees", type=int, default=500, help="people in the nominative list's agency")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql", "mariadb"])
    args, _unknown = parser.parse_known_args()
    print("TPP of a month (kinerja.tpp.month.compute_month)")
    run(args.db, args.employees)
    pdf_run(args.db, args.agency_employees)


if __name__ == "__main__":
    main()
