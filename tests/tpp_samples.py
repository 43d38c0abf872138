"""Sample TPP rules and a month of records for the TPP and attendance-correction tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kinerja.identity import EmploymentType
from kinerja.models import (
    ActivityStatus,
    Assignment,
    AttendanceKind,
    AttendanceRecord,
    BracketKind,
    Criterion,
    LeaveKind,
    Predikat,
    WorkMode,
)
from kinerja.tpp.rules import RuleSetInput
from tests import factories

NOVEMBER = date(2026, 11, 1)
AFTER_NOVEMBER = date(2026, 12, 10)
WORKING_DAYS = [NOVEMBER + timedelta(days=n) for n in range(30) if (NOVEMBER + timedelta(days=n)).weekday() < 5]


def example_rules(**changes) -> RuleSetInput:
    data = RuleSetInput(
        valid_from=date(2026, 1, 1), valid_to=None, reference="Perbup Uji No. 1 Tahun 2026",
        kinerja_share=6000, discipline_share=4000, no_check_in=250, no_check_out=250, absent=300,
        factors={EmploymentType.PNS: 10_000, EmploymentType.CPNS: 8000, EmploymentType.PPPK: 10_000,
                 EmploymentType.NON_ASN: 0},
        ceilings={(6, None, Criterion.WORKLOAD): 4_000_000, (6, None, Criterion.CONDITIONS): 1_000_000,
                  (9, None, Criterion.WORKLOAD): 7_500_000},
        brackets={BracketKind.LATE: [(1, 30, 50), (31, 60, 100), (61, 90, 125), (91, None, 150)],
                  BracketKind.EARLY: [(1, 30, 50), (31, 60, 100), (61, 90, 125), (91, None, 150)]},
        predikat_rates={predikat: 10_000 for predikat in Predikat},
        leave_rules={LeaveKind.CUTI: (True, False, 10_000), LeaveKind.SAKIT: (True, True, 10_000),
                     LeaveKind.DINAS_LUAR: (True, True, 10_000), LeaveKind.TUGAS_BELAJAR: (True, False, 5000)})
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def present(employee, days=WORKING_DAYS, *, late=None, early=None, skip=(), no_out=()):
    """Check-ins and check-outs on the days (a check-in on the late days `late` minutes late)."""
    agency_id = db_assignment(employee).agency_id
    late, early = late or {}, early or {}
    from kinerja.extensions import db

    for day in days:
        if day in skip:
            continue
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        common = {"employee_id": employee.id, "agency_id": agency_id, "day": day, "mode": WorkMode.WFO,
                  "latitude": -6.87, "longitude": 107.54, "accuracy_m": 10.0}
        db.session.add(AttendanceRecord(kind=AttendanceKind.IN, at=moment, late_minutes=late.get(day, 0), **common))
        if day not in no_out:
            db.session.add(AttendanceRecord(kind=AttendanceKind.OUT, at=moment + timedelta(hours=8),
                                            early_minutes=early.get(day, 0), **common))
    db.session.commit()


def db_assignment(employee) -> Assignment:
    from kinerja.extensions import db

    return db.session.query(Assignment).filter_by(employee_id=employee.id).order_by(Assignment.valid_from.desc()) \
        .first()


def approve_minutes(employee, minutes_per_day, days=WORKING_DAYS):
    for day in days:
        factories.ActivityFactory(employee=employee, activity_date=day, start_time=factories.hm("08:00"),
                                  end_time=factories.hm("08:00").replace(hour=8 + minutes_per_day // 60,
                                                                          minute=minutes_per_day % 60),
                                  duration_minutes=minutes_per_day, status=ActivityStatus.APPROVED)
    from kinerja.extensions import db

    db.session.commit()


