"""Staff import at regency scale: a 10,000-row SIMPEG-style workbook into a regency of 2,000 employees.

Times the dry run, the import (10,000 new employees, assignments and accounts, each account with its own
initial password, and the workbook listing them), importing the same file again (nothing changes) and a file
that moves everyone to another unit from the next day (10,000 assignments closed and opened), each against the
30 s target, through the service functions (no HTTP).

python -m bench.staff_import [--rows N] [--employees N] [--db sqlite|postgresql|mariadb]
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from bench.generate import generate
from kinerja import clock, create_app
from kinerja.admin import staff_import
from kinerja.admin.staff_import_rows import COLUMNS
from kinerja.extensions import db
from kinerja.models import Agency, Assignment, Employee, Unit, User
from tests.throwaway import throwaway_database

TARGET_S = 30.0
SEQUENCED_TABLES = ("employee", "assignment", "user_account", "user_role")


def new_nip(index: int) -> str:
    """NIPs outside bench.generate's range (born 1995–2000, appointed 2020–2023)."""
    birth = date(1995, 1, 1) + timedelta(days=index % 2000)
    gender = 1 + index % 2
    return f"{birth:%Y%m%d}{2020 + index % 4}{index % 12 + 1:02d}{gender}{index // 2000 + 1:03d}"


def workbook(rows: int, shift: int = 0) -> bytes:
    """`rows` new employees in the generated units; every tenth is appraised by an earlier row of the file.

    With `shift`, every row sits `shift` units further on: everyone moves to another unit and appraiser.
    """
    units = db.session.execute(
        select(Agency.code, Unit.name, Employee.id_number)
        .join(Unit, Unit.agency_id == Agency.id)
        .join(Assignment, (Assignment.unit_id == Unit.id) & (Assignment.position_id == 2))
        .join(Employee, Employee.id == Assignment.employee_id)
        .order_by(Unit.id)).all()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Pegawai")
    sheet.append([column.header for column in COLUMNS])
    for index in range(rows):
        agency, unit, head = units[(index + shift) % len(units)]
        appraiser = new_nip(index - 1) if index % 10 == 9 else head
        sheet.append([new_nip(index), f"Pegawai Impor {index}", "", "S.E." if index % 3 else "", "L" if index % 2 == 0
                      else "P", "PNS", "III/a", "Penata Layanan Operasional", "Pelaksana", unit, agency, appraiser,
                      f"pegawai{index}@bench.go.id", f"0812{index:08d}"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def align_sequences(kind: str) -> None:
    """bench.generate inserts explicit ids; PostgreSQL's sequences must move past them."""
    if kind != "postgresql":
        return
    for table in SEQUENCED_TABLES:
        last_id = select(func.coalesce(func.max(db.metadata.tables[table].c.id), 1)).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(table, "id"), last_id)))
    db.session.commit()


def timed(action):
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def run(kind: str, rows: int, employees: int) -> None:
    with throwaway_database(kind) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context(), app.test_request_context():
            db.create_all()
            generate(employees, agencies=20, units_per_agency=10)
            align_sequences(kind)
            actor = db.session.scalar(select(User).where(User.username == "bench.bkd"))
            content, built = timed(lambda: workbook(rows))
            print(f"[{kind}] regency of {employees:,}; workbook of {rows:,} rows ({len(content) / 2**20:.1f} MB) "
                  f"built in {built:.1f} s")
            today = clock.today()
            plan, dry = timed(lambda: staff_import.dry_run(actor, content, today))
            assert plan.ok and len(plan.new) == rows, plan.errors[:5]
            kept: list[bytes] = []
            result, first = timed(lambda: staff_import.import_staff(
                actor, content, today, "bench.xlsx", keep_passwords=lambda workbook: kept.append(workbook) or "kept"))
            assert db.session.scalar(select(func.count(Employee.id))) == employees + rows
            assert len({item.password for item in result.passwords}) == rows
            print(f"initial passwords of {rows:,} accounts: workbook of {len(kept[0]) / 2**20:.1f} MB")
            again, second = timed(lambda: staff_import.import_staff(actor, content, today, "bench.xlsx"))
            assert again.plan.unchanged == rows and not again.plan.new and not again.plan.updated
            moved_content = workbook(rows, shift=1)
            moved, third = timed(lambda: staff_import.import_staff(actor, moved_content, today + timedelta(days=1),
                                                                   "bench-mutasi.xlsx"))
            assert len(moved.plan.updated) == rows
            print(f"{'measurement':<48} {'seconds':>8} {'target':>8}  verdict")
            for name, seconds in ((f"dry run, {rows:,} new rows", dry), (f"import, {rows:,} new rows", first),
                                  (f"import again, {rows:,} unchanged rows", second),
                                  (f"import, {rows:,} rows moved to another unit", third)):
                print(f"{name:<48} {seconds:8.1f} {TARGET_S:8.0f}  {'ok' if seconds <= TARGET_S else 'SLOW'}")
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--employees", type=int, default=2_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb"], action="append")
    args = parser.parse_args()
    for kind in args.db or ["sqlite"]:
        run(kind, args.rows, args.employees)


if __name__ == "__main__":
    main()
