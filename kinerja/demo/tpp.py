"""The demo regency's TPP: an example rule set (not law: see docs/tpp.md) with a third share measured by each
agency's budget absorption, last month's scores of every agency, one disciplinary penalty, and last month locked
for the civil-registry agency so BKD, the agency and its staff see a locked month beside a preview. And a few
attendance corrections waiting for the demo appraiser, filed within the deadline so they can be decided today.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from kinerja.attendance.corrections import CorrectionInput, check_request, earliest_day, request_correction
from kinerja.core.periods import month_closed
from kinerja.errors import ValidationFailed
from kinerja.extensions import db
from kinerja.identity import EmploymentType
from kinerja.models import (
    Agency,
    Assignment,
    BracketKind,
    CorrectionKind,
    Criterion,
    Employee,
    LeaveKind,
    Predikat,
    ThirdMeasure,
    User,
)
from kinerja.tpp.month import months_after
from kinerja.tpp.rules import RuleSetInput, save_rule_set
from kinerja.tpp.services import add_penalty, lock_month, set_agency_scores

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
        kinerja_share=6000, discipline_share=3000, minutes_weight=10_000, unrated=0,
        no_check_in=250, no_check_out=250, absent=300, missed_session=50,
        factors={EmploymentType.PNS: 10_000, EmploymentType.CPNS: 8000, EmploymentType.PPPK: 10_000,
                 EmploymentType.NON_ASN: 0},
        ceilings=ceilings, brackets={BracketKind.LATE: BRACKETS, BracketKind.EARLY: BRACKETS},
        predikat_rates={Predikat.VERY_GOOD: 10_000, Predikat.GOOD: 10_000, Predikat.NEEDS_IMPROVEMENT: 8000,
                        Predikat.POOR: 6000, Predikat.VERY_POOR: 4000},
        leave_rules={LeaveKind.CUTI: (True, False, 10_000), LeaveKind.SAKIT: (True, True, 10_000),
                     LeaveKind.DINAS_LUAR: (True, True, 10_000), LeaveKind.TUGAS_BELAJAR: (True, False, 5000)},
        third_share=1000, third_name="Realisasi anggaran OPD", third_measure=ThirdMeasure.AGENCY_SCORE,
        third_missing=0)


# Last month's budget absorption (realisasi anggaran) per agency, in basis points, by agency code order.
SCORES = (9150, 8425, 7800, 8860, 9525, 7150, 8000, 8975)


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
    last_month = months_after(this_month, -1)
    codes = list(db.session.scalars(select(Agency.id).order_by(Agency.code)))
    set_agency_scores(bkd, last_month, {
        agency_id: (SCORES[index % len(SCORES)], f"LRA {last_month:%m/%Y} (data demo)")
        for index, agency_id in enumerate(codes)})
    lock_month(bkd, agency, last_month, today, "Data demo")


# (kind, check-in, check-out, reason, evidence) of the corrections the demo appraiser finds waiting.
CORRECTIONS = (
    (CorrectionKind.FORGOT_OUT, None, time(16, 10), "Lupa presensi pulang, rapat sampai sore.", ""),
    (CorrectionKind.DEVICE, time(7, 20), None, "Aplikasi tidak dapat membaca lokasi di ruang pelayanan.", ""),
    (CorrectionKind.FIELD_DUTY, None, None, "Pelayanan jemput bola perekaman KTP-el di kelurahan.",
     "800.1.11.1/112-Disdukcapil/2026"),
    (CorrectionKind.FORGOT_IN, time(7, 25), None, "Lupa presensi masuk, langsung melayani antrean.", ""),
)


def seed_corrections(today: date, appraiser_id: int) -> int:
    """A few requests of the appraiser's staff, of different kinds, each on a past working day still within the
    deadline and in a month still open for review, through the same service as the web form."""
    staff = list(db.session.execute(
        select(User, Assignment).join(Assignment, Assignment.employee_id == User.employee_id)
        .where(Assignment.appraiser_id == appraiser_id, Assignment.active_on(today))
        .order_by(Assignment.employee_id)).all())
    if not staff:
        return 0
    agency = db.session.get(Agency, staff[0][1].agency_id)
    days = []
    day = today - timedelta(days=1)
    while day >= earliest_day(today, agency.work_week):
        try:
            check_request(CorrectionInput(day=day, kind=CorrectionKind.DEVICE, check_in=time(7, 20),
                                          reason="-"), agency, today)
        except ValidationFailed:
            pass
        else:
            if not month_closed(agency.id, day, today, "REVIEW_LOCK_DAY"):
                days.append(day)
        day -= timedelta(days=1)
    filed = 0
    for index, (kind, check_in, check_out, reason, evidence) in enumerate(CORRECTIONS):
        if not days or index >= len(staff):
            break
        user, _assignment = staff[index]
        request_correction(user, CorrectionInput(day=days[index % len(days)], kind=kind, check_in=check_in,
                                                 check_out=check_out, reason=reason, evidence=evidence), today)
        filed += 1
    return filed


def db_one(query):
    found = db.session.scalar(query)
    if found is None:
        raise LookupError(f"demo data missing: {query}")
    return found
