"""Generate a large regency straight into the database with Core executemany (≈10,000 employees in seconds).

Layout per agency: a head, then units each with a unit head who appraises the unit's staff; unit heads are
appraised by the agency head, agency heads by the first agency's head (the Sekda).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from kinerja import clock, reference
from kinerja.extensions import db
from kinerja.identity import EmploymentType, Gender
from kinerja.models import Agency, Assignment, Employee, Position, PositionKind, Regency, Role, Unit, User, UserRole

BENCH_PASSWORD = "Bench-Kinerja-2026!"


@dataclass(frozen=True)
class GeneratedRegency:
    agencies: int
    employees: int
    appraiser_ids: list[int]
    agency_ids: list[int]


def nip(n: int) -> str:
    birth = date(1970, 1, 1) + timedelta(days=n % 9000)
    return f"{birth:%Y%m%d}{2000 + n % 20}{n % 12 + 1:02d}{1 + n % 2}{n % 999 + 1:03d}"


def generate(employees: int = 10_000, agencies: int = 40, units_per_agency: int = 10) -> GeneratedRegency:
    """Fill an empty database with a regency of about `employees` people; returns ids to benchmark with."""
    reference.renew_stamp(db.session)  # the row the migrations insert: benchmarks build their schema with create_all
    now = clock.utcnow()
    stamp = {"created_at": now, "updated_at": now}
    session = db.session
    session.execute(insert(Regency), [{"name": "Pemerintah Kabupaten Bench", "signature_city": "Bench",
                                       "timezone": "Asia/Jakarta", **stamp}])
    positions = [("Kepala Dinas", PositionKind.JPT, 14), ("Kepala Bidang", PositionKind.ADMINISTRATOR, 12),
                 ("Penata Layanan Operasional", PositionKind.PELAKSANA, 7)]
    session.execute(insert(Position), [{"id": i + 1, "name": name, "kind": kind, "class_grade": grade, **stamp}
                                       for i, (name, kind, grade) in enumerate(positions)])
    session.execute(insert(Agency), [{"id": a + 1, "code": f"OPD{a + 1:03d}", "name": f"Dinas Bench {a + 1}",
                                      "short_name": f"Dinas {a + 1}", "timezone": "Asia/Jakarta", "work_week": 5,
                                      **stamp} for a in range(agencies)])
    unit_rows = []
    for a in range(agencies):
        for u in range(units_per_agency):
            unit_rows.append({"id": a * units_per_agency + u + 1, "agency_id": a + 1, "code": f"{u + 1:02d}",
                              "name": f"Bidang {u + 1}", **stamp})
    session.execute(insert(Unit), unit_rows)

    units = agencies * units_per_agency
    staff_total = max(units, employees - agencies - units)  # everyone but agency heads and unit heads
    employee_rows, assignment_rows = [], []
    next_id = 1
    appraiser_ids: list[int] = []
    sekda_id = 1

    def add(agency_id: int, unit_id: int, position_id: int, appraiser_id: int | None) -> int:
        nonlocal next_id
        eid = next_id
        next_id += 1
        employee_rows.append({"id": eid, "id_number": nip(eid), "employment_type": EmploymentType.PNS,
                              "name": f"Pegawai {eid}", "front_title": "", "back_title": "", "grade": "III/a",
                              "gender": Gender.MALE if eid % 2 else Gender.FEMALE, "active": True, **stamp})
        assignment_rows.append({"employee_id": eid, "agency_id": agency_id, "unit_id": unit_id,
                                "position_id": position_id, "appraiser_id": appraiser_id,
                                "valid_from": date(2024, 1, 1), **stamp})
        return eid

    for a in range(agencies):
        first_unit = a * units_per_agency + 1
        head = add(a + 1, first_unit, 1, None if a == 0 else sekda_id)
        for u in range(units_per_agency):
            unit_id = first_unit + u
            unit_head = add(a + 1, unit_id, 2, head)
            appraiser_ids.append(unit_head)
            index = a * units_per_agency + u
            for _ in range(staff_total // units + (1 if index < staff_total % units else 0)):
                add(a + 1, unit_id, 3, unit_head)
    session.execute(insert(Employee), employee_rows)
    session.execute(insert(Assignment), assignment_rows)

    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt:1024:8:1")
    session.execute(insert(User), [{"id": row["id"], "employee_id": row["id"], "password_hash": password_hash,
                                    "is_enabled": True, "must_change_password": False,
                                    "session_token": f"bench{row['id']}", **stamp} for row in employee_rows])
    session.execute(insert(UserRole), [{"user_id": row["id"], "role": Role.STAFF} for row in employee_rows])
    admin_id = len(employee_rows) + 1
    session.execute(insert(User), [{"id": admin_id, "username": "bench.bkd", "password_hash": password_hash,
                                    "is_enabled": True, "must_change_password": False,
                                    "session_token": "benchbkd", **stamp}])
    session.execute(insert(UserRole), [{"user_id": admin_id, "role": Role.BKD_ADMIN}])
    session.commit()
    return GeneratedRegency(agencies, len(employee_rows), appraiser_ids, list(range(1, agencies + 1)))
