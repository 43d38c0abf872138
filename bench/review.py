"""Review at scale, through the Flask test client (no network).

(a) Guarded bulk approval of 100 and of 1,000 submitted items in ONE request (every id also in flagged_ok, so
    none is left out): time per request, and its SQL statements, which must not grow with the number of items.
(b) The inbox and a subordinate's month page for an appraiser with 60 subordinates × 22 working days × 5
    activities (all waiting), against one with 10 subordinates: p50/p95 and statements per page, which must
    not grow with the number of subordinates.

python -m bench.review [--db sqlite|postgresql|mariadb] [--repeat N]

The data is one agency inserted with Core: a head, two appraisers and their 60 and 10 subordinates, filling
the most recent past month that has 22 working days (explicitly reopened for review, so the automatic
REVIEW_LOCK_DAY closing never refuses the decisions).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as hour
from decimal import Decimal

from sqlalchemy import event, func, insert, select, update
from werkzeug.security import generate_password_hash

from bench.generate import BENCH_PASSWORD, nip
from bench.timing import measure, percentiles, report
from kinerja import clock, create_app
from kinerja.extensions import db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    Agency,
    Assignment,
    Employee,
    MonthLock,
    Position,
    PositionKind,
    Regency,
    Role,
    Unit,
    User,
    UserRole,
    WorkMode,
)
from kinerja.workcalendar import is_weekend, month_days, package_holidays
from tests.throwaway import throwaway_database

BULK_TARGET_MS = 1000
PAGE_TARGET_MS = 150
DAYS, PER_DAY = 22, 5
LARGE, SMALL = 60, 10
BULK_SIZES = (100, 1000)
SLOTS = [(hour(7, 30), hour(8, 30)), (hour(8, 30), hour(10, 0)), (hour(10, 0), hour(11, 30)),
         (hour(13, 0), hour(14, 30)), (hour(14, 30), hour(16, 0))]
DESCRIPTIONS = [
    "Melayani perekaman KTP-el pemohon", "Verifikasi berkas permohonan pindah datang",
    "Menginput data hasil pelayanan ke aplikasi", "Menyusun laporan harian pelayanan",
    "Mengarsipkan berkas permohonan yang telah selesai", "Mengagendakan surat masuk",
    "Menyiapkan bahan rapat koordinasi bidang", "Memverifikasi kelengkapan dokumen pemohon",
]


@dataclass(frozen=True)
class ReviewData:
    month: date
    appraisers: dict[int, str]  # number of subordinates → the appraiser's NIP
    first_subordinate: dict[int, int]  # number of subordinates → one of them
    bulk_ids: list[int]  # waiting items of the large appraiser's subordinates, in a stable order


def review_month(today: date) -> tuple[date, list[date]]:
    """The most recent month before today's with at least DAYS working days, and its first DAYS of them."""
    first = today.replace(day=1)
    while True:
        first = (first - timedelta(days=1)).replace(day=1)
        start, end = month_days(first.year, first.month)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        days = [day for day in days if not is_weekend(day, 5) and day not in package_holidays(day.year)]
        if len(days) >= DAYS:
            return first, days[:DAYS]


def build(today: date) -> ReviewData:
    """Insert the agency, its people and their waiting activities with Core; one commit."""
    now = clock.utcnow()
    stamp = {"created_at": now, "updated_at": now}
    session = db.session
    session.execute(insert(Regency), [{"name": "Pemerintah Kabupaten Bench", "signature_city": "Bench",
                                       "timezone": "Asia/Jakarta", **stamp}])
    session.execute(insert(Position), [
        {"id": 1, "name": "Kepala Dinas", "kind": PositionKind.JPT, "class_grade": 14, **stamp},
        {"id": 2, "name": "Kepala Bidang", "kind": PositionKind.ADMINISTRATOR, "class_grade": 12, **stamp},
        {"id": 3, "name": "Penata Layanan Operasional", "kind": PositionKind.PELAKSANA, "class_grade": 7, **stamp},
    ])
    session.execute(insert(Agency), [{"id": 1, "code": "OPD001", "name": "Dinas Bench", "short_name": "Dinas Bench",
                                      "timezone": "Asia/Jakarta", "work_week": 5, **stamp}])
    session.execute(insert(Unit), [{"id": 1, "agency_id": 1, "code": "01", "name": "Bidang Pelayanan", **stamp}])

    employees, assignments = [], []

    def add(appraiser_id: int | None, position_id: int) -> int:
        eid = len(employees) + 1
        employees.append({"id": eid, "id_number": nip(eid), "employment_type": EmploymentType.PNS,
                          "name": f"Pegawai {eid:03d}", "front_title": "", "back_title": "", "grade": "III/a",
                          "gender": Gender.MALE if eid % 2 else Gender.FEMALE, "active": True, **stamp})
        assignments.append({"employee_id": eid, "agency_id": 1, "unit_id": 1, "position_id": position_id,
                            "appraiser_id": appraiser_id, "valid_from": date(2024, 1, 1), **stamp})
        return eid

    head = add(None, 1)
    appraisers = {size: add(head, 2) for size in (LARGE, SMALL)}
    subordinates = {size: [add(appraisers[size], 3) for _ in range(size)] for size in (LARGE, SMALL)}
    session.execute(insert(Employee), employees)
    session.execute(insert(Assignment), assignments)
    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt:1024:8:1")
    session.execute(insert(User), [{"id": row["id"], "employee_id": row["id"], "password_hash": password_hash,
                                    "is_enabled": True, "must_change_password": False,
                                    "session_token": f"bench{row['id']}", **stamp} for row in employees])
    session.execute(insert(UserRole), [{"user_id": row["id"], "role": Role.STAFF} for row in employees])

    month, days = review_month(today)
    session.execute(insert(MonthLock), [{"agency_id": 1, "year": month.year, "month": month.month, "locked": False,
                                         "reason": "Benchmark", **stamp}])
    rows = []
    for employee_id in subordinates[LARGE] + subordinates[SMALL]:
        for d, day in enumerate(days):
            for k, (start, end) in enumerate(SLOTS):
                rows.append({
                    "employee_id": employee_id, "activity_date": day, "start_time": start, "end_time": end,
                    "duration_minutes": (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute),
                    "description": DESCRIPTIONS[(employee_id + d + k) % len(DESCRIPTIONS)] + f" ({d + 1}.{k + 1})",
                    "quantity": Decimal(1 + k), "unit": "berkas", "work_mode": WorkMode.WFO,
                    "category": ActivityCategory.MAIN, "status": ActivityStatus.SUBMITTED, "off_day": False,
                    "submitted_at": now, "version": 1, **stamp,
                })
    session.execute(insert(Activity), rows)
    session.commit()
    bulk_ids = list(session.scalars(
        select(Activity.id).where(Activity.employee_id.in_(subordinates[LARGE]))
        .order_by(Activity.employee_id, Activity.activity_date, Activity.start_time)
    ))
    session.remove()
    return ReviewData(month, {size: nip(eid) for size, eid in appraisers.items()},
                      {size: ids[0] for size, ids in subordinates.items()}, bulk_ids)


class StatementCounter:
    """SELECT/INSERT/UPDATE/DELETE statements sent while `counting` is active (an engine event on each engine)."""

    def __init__(self, *engines) -> None:
        self.active, self.count = False, 0
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.active and statement.lstrip()[:6].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        self.active, self.count = True, 0
        try:
            yield self
        finally:
            self.active = False


def reset(app, ids: list[int]) -> None:
    """Put the items back to waiting, outside the measured request."""
    with app.app_context():
        db.session.execute(update(Activity).where(Activity.id.in_(ids))
                           .values(status=ActivityStatus.SUBMITTED, reviewed_at=None, reviewer_id=None))
        db.session.commit()
        db.session.remove()


def approved(app, ids: list[int]) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Activity)
                                  .where(Activity.id.in_(ids), Activity.status == ActivityStatus.APPROVED))
        db.session.remove()
        return count


def bulk_approval(app, client, counter: StatementCounter, ids: list[int], repeat: int) -> tuple[float, float, int]:
    """p50 and p95 (ms) of one bulk approval request of the ids, and its statement count."""
    samples, statements = [], set()
    for run in range(repeat + 1):  # the first run warms up
        reset(app, ids)
        with counter.counting():
            started = time.perf_counter()
            response = client.post("/pemeriksaan/setujui-massal", data={"ids": ids, "flagged_ok": ids})
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302 or approved(app, ids) != len(ids):
            raise AssertionError(f"bulk approval of {len(ids)} items failed ({response.status_code})")
        statements.add(counter.count)
        if run:
            samples.append(elapsed)
    if len(statements) != 1:
        raise AssertionError(f"the statement count varies between identical requests: {sorted(statements)}")
    return *percentiles(samples), statements.pop()


def page_statements(client, counter: StatementCounter, url: str) -> int:
    with counter.counting():
        status = client.get(url).status_code
    if status != 200:
        raise AssertionError(f"{url} answered {status}")
    return counter.count


def run(kind: str, repeat: int) -> None:
    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            data = build(clock.today())
            counter = StatementCounter(db.engine)
        print(f"[{kind}] {LARGE} + {SMALL} subordinates × {DAYS} working days of {data.month:%Y-%m} × {PER_DAY} "
              f"activities = {(LARGE + SMALL) * DAYS * PER_DAY:,} waiting items, built in "
              f"{time.perf_counter() - started:.1f} s")

        clients = {}
        for size, identifier in data.appraisers.items():
            clients[size] = app.test_client()
            if clients[size].post("/masuk", data={"identifier": identifier, "password": BENCH_PASSWORD}).status_code \
                    != 302:
                raise AssertionError(f"sign-in of the appraiser of {size} failed")
        month = data.month.strftime("%Y-%m")
        pages = {
            "inbox": lambda size: "/pemeriksaan/",
            "month": lambda size: f"/pemeriksaan/pegawai/{data.first_subordinate[size]}/{month}",
        }

        def fetch(size: int, name: str):
            def action() -> None:
                status = clients[size].get(pages[name](size)).status_code
                if status != 200:
                    raise AssertionError(f"{pages[name](size)} answered {status}")

            return action

        rows, counts = [], []
        for name, label in (("inbox", "inbox: {n} subordinates, all waiting"),
                            ("month", "subordinate's month: 110 items (appraiser of {n})")):
            statements = {}
            for size in (SMALL, LARGE):
                rows.append((label.format(n=size), *measure(fetch(size, name), repeat), PAGE_TARGET_MS))
                statements[size] = page_statements(clients[size], counter, pages[name](size))
            counts.append((f"{name} page: {SMALL} vs {LARGE} subordinates", statements[SMALL], statements[LARGE]))

        statements = {}
        bulk_repeat = max(3, repeat // 6)
        for size in BULK_SIZES:
            p50, p95, statements[size] = bulk_approval(app, clients[LARGE], counter, data.bulk_ids[:size],
                                                       bulk_repeat)
            rows.append((f"bulk approval: {size:,} items in one request", p50, p95, BULK_TARGET_MS))
        counts.append((f"bulk approval: {BULK_SIZES[0]} vs {BULK_SIZES[1]:,} items", *statements.values()))

        print(f"[{kind}] pages {repeat} requests each, bulk approval {bulk_repeat} requests each")
        report(rows)
        print(f"{'SQL statements per request':<48} {'small':>8} {'large':>8}  verdict")
        for name, small, large in counts:
            print(f"{name:<48} {small:8d} {large:8d}  {'ok' if large <= small else 'GROWS'}")
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb"], action="append")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    for kind in args.db or ["sqlite", "postgresql"]:
        run(kind, args.repeat)


if __name__ == "__main__":
    main()
