"""The demo regency's TPP: an example rule set (not law: see docs/tpp.md), one disciplinary penalty, and last
month locked for the civil-registry agency so BKD, the agency and its staff see a locked month beside a preview.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.identity import EmploymentType
from kinerja.models import Agency, Assignment, BracketKind, Criterion, Employee, LeaveKind, Predikat, User
from kinerja.tpp.month import months_after
from kinerja.tpp.rules import RuleSetInput, save_rule_set
from kinerja.tpp.services import add_penalty, lock_month

# A monthly ceiling per kelas jabatan, in the range regencies in West Java publish (an example only).
CEILINGS = {17: 32_000_000, 16: 25_000_000, 15: 19_500_000, 14: 15_000_000, 13: 12_000_000, 12: 9_800_000,
            11: 8_000_000, 10: 6_700_000, 9: 5_600_000, 8: 4_800_000, 7: 4_200_000, 6: 3_700_000, 5: 3_300_000,
            4: 3_000_000, 3: 2_700_000, 2: 2_500_000, 1: 2_300_000}
# A share of the ceiling paid for hard working conditions, from kelas 9 down (an example of a split by criterion).
CONDITIONS = {9: 400_000, 8: 350_000, 7: 300_000, 6: 300_000, 5: 250_000}
BRACKETS = [(1, 30, 50), (31, 60, 100), (61, 90, 125), (91, None, 150)]


def example_rules(first: date) -> RuleSetInput:
    ceilings = {(grade, None, Criterion.WORKLOAD): amount - CONDITIONS.get(grade, 0)
                for grade, amount in CEILINGS.items()}
    ceilings |= {(grade, None, Criterion.CONDITIONS): amount for grade, amount in CONDITIONS.items()}
    return RuleSetInput(
        valid_from=first, valid_to=None,
        reference="Contoh: Perwal tentang Pemberian TPP ASN (data demo, bukan peraturan yang berlaku)",
        kinerja_share=6000, discipline_share=4000, minutes_weight=10_000, unrated=0,
        no_check_in=250, no_check_out=250, absent=300, missed_session=50,
        factors={EmploymentType.PNS: 10_000, EmploymentType.CPNS: 8000, EmploymentType.PPPK: 10_000,
                 EmploymentType.NON_ASN: 0},
        ceilings=ceilings, brackets={BracketKind.LATE: BRACKETS, BracketKind.EARLY: BRACKETS},
        predikat_rates={Predikat.VERY_GOOD: 10_000, Predikat.GOOD: 10_000, Predikat.NEEDS_IMPROVEMENT: 8000,
                        Predikat.POOR: 6000, Predikat.VERY_POOR: 4000},
        leave_rules={LeaveKind.CUTI: (True, False, 10_000), LeaveKind.SAKIT: (True, True, 10_000),
                     LeaveKind.DINAS_LUAR: (True, True, 10_000), LeaveKind.TUGAS_BELAJAR: (True, False, 5000)})


def seed_tpp(today: date, bkd_username: str, agency_code: str, demo_staff_id: int) -> None:
    """Rules from January of last year, a penalty on a colleague of the demo staff, last month locked.
    Runs inside seed_demo's one step: the services only flush."""
    bkd = db_one(select(User).where(User.username == bkd_username))
    agency = db_one(select(Agency).where(Agency.code == agency_code))
    this_month = today.replace(day=1)
    save_rule_set(bkd, example_rules(date(today.year - 1, 1, 1)), reason="Data demo")
    colleague = db_one(
        select(Employee).join(Assignment, Assignment.employee_id == Employee.id)
        .where(Assignment.agency_id == agency.id, Assignment.valid_to.is_(None), Employee.id != demo_staff_id,
               Employee.employment_type == EmploymentType.PNS)
        .order_by(Employee.id.desc()).limit(1))
    penalty_from = months_after(this_month, -2)
    add_penalty(bkd, colleague.id_number, f"800.1.6.3/012-BKPSDMD/{today.year}", f"{penalty_from:%Y-%m}", 6, 25,
                "Hukuman disiplin sedang (contoh data demo)")
    lock_month(bkd, agency, months_after(this_month, -1), today, "Data demo")


def db_one(query):
    found = db.session.scalar(query)
    if found is None:
        raise LookupError(f"demo data missing: {query}")
    return found
