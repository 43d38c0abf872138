"""The demo's office duty: Disdukcapil works under a 50% WFO cap (PPKM level 3) since before the demo's two months,
its move-in/move-out service desk is an essential unit, and published rosters cover the demo's two months (one per
month) and this week and the next two. The seeded activities and check-ins follow them (`scheduled_modes`), so
the agency keeps its own cap.

Everything goes through the roster services, as the agency admin would do it, so the roster is the fair one the
rules produce. Nothing happens when the agency already has a cap.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from kinerja.extensions import db
from kinerja.models import Agency, CapReason, Roster, RosterEntry, RosterStatus, Unit, User, WfoCap, WorkMode
from kinerja.roster import caps, services
from kinerja.roster.queries import roster_days

AGENCY_CODE = "DISDUKCAPIL"
ADMIN_USERNAME = "admin.disdukcapil"
ESSENTIAL_UNIT = "02.02"  # Seksi Pindah Datang Penduduk: the counter stays open
CAP_REASON = "Instruksi Wali Kota tentang PPKM level 3: paling banyak 50% pegawai bekerja di kantor."


def seed_roster(today: date) -> bool:
    """Cap, essential unit and published roster of the demo agency; returns True when it created them."""
    agency = db.session.scalar(select(Agency).where(Agency.code == AGENCY_CODE))
    admin = db.session.scalar(select(User).where(User.username == ADMIN_USERNAME))
    if agency is None or admin is None:
        return False
    if db.session.scalar(select(WfoCap.id).where(WfoCap.agency_id == agency.id).limit(1)) is not None:
        return False
    db.session.flush()
    two_months_back = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    caps.set_cap(admin, agency, percent=None, valid_from=two_months_back.replace(day=1), valid_to=None,
                 reason_kind=CapReason.PPKM_3, reason=CAP_REASON)
    unit = db.session.scalar(select(Unit).where(Unit.agency_id == agency.id, Unit.code == ESSENTIAL_UNIT))
    if unit is not None:
        caps.set_unit_essential(admin, unit, True)
    for start, end in roster_periods(today):
        if roster_days(agency, start, end):
            services.publish(admin, services.generate_roster(admin, agency, start, end))
    return True


def roster_periods(today: date) -> list[tuple[date, date]]:
    """One roster per month from the first of last month to the day before this week's Monday, then this week's
    Monday to the first Friday two weeks ahead or later, on whatever day the demo is seeded."""
    monday, two_weeks = today - timedelta(days=today.weekday()), today + timedelta(days=14)
    periods = []
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    while start < monday:
        month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        periods.append((start, min(month_end, monday - timedelta(days=1))))
        start = periods[-1][1] + timedelta(days=1)
    periods.append((monday, two_weeks + timedelta(days=(4 - two_weeks.weekday()) % 7)))
    return periods


def scheduled_modes() -> dict[tuple[int, date], WorkMode]:
    """(employee, day) → mode in the published rosters: what the demo's activities and check-ins follow."""
    return {(employee_id, day): mode for employee_id, day, mode in db.session.execute(
        select(RosterEntry.employee_id, RosterEntry.day, RosterEntry.mode)
        .join(Roster, Roster.id == RosterEntry.roster_id).where(Roster.status == RosterStatus.PUBLISHED))}
