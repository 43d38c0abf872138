"""Foundation pages against a regency of 10,000 employees in 40 agencies (test client, no network).

python -m bench.foundation [--employees N] [--db sqlite|postgresql|mariadb]
"""

from __future__ import annotations

import argparse
import time

from bench.generate import BENCH_PASSWORD, generate
from bench.timing import measure, report
from kinerja import create_app
from kinerja.extensions import db
from kinerja.models import Employee
from tests.throwaway import throwaway_database

PAGE_TARGET_MS = 100


def run(kind: str, employees: int, repeat: int) -> None:
    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            regency = generate(employees)
            print(f"[{kind}] generated {regency.employees:,} employees in {regency.agencies} agencies "
                  f"in {time.perf_counter() - started:.1f} s")
            appraiser_nip = db.session.get(Employee, regency.appraiser_ids[5]).id_number
            db.session.remove()

        bkd, appraiser_client = app.test_client(), app.test_client()
        bkd.post("/masuk", data={"identifier": "bench.bkd", "password": BENCH_PASSWORD})
        appraiser_client.post("/masuk", data={"identifier": appraiser_nip, "password": BENCH_PASSWORD})
        agency = regency.agency_ids[3]

        def page(client, url):
            def fetch() -> None:
                status = client.get(url).status_code
                if status != 200:
                    raise AssertionError(f"{url} answered {status}")

            return fetch

        rows = [
            ("BKD home: every agency with staff counts", *measure(page(bkd, "/"), repeat), PAGE_TARGET_MS),
            ("agency page: units + first page of staff", *measure(page(bkd, f"/opd/{agency}"), repeat),
             PAGE_TARGET_MS),
            ("agency page: search by name", *measure(page(bkd, f"/opd/{agency}?q=Pegawai+12"), repeat),
             PAGE_TARGET_MS),
            ("appraiser home: ~25 subordinates", *measure(page(appraiser_client, "/"), repeat), PAGE_TARGET_MS),
        ]
        print(f"[{kind}] {regency.employees:,} employees, {repeat} requests each")
        report(rows)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb"], action="append")
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    for kind in args.db or ["sqlite", "postgresql"]:
        run(kind, args.employees, args.repeat)


if __name__ == "__main__":
    main()
