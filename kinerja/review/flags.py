"""Warnings an appraiser sees before approving: items a bulk approval leaves out unless ticked one by one."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kinerja.extensions import db
from kinerja.i18n import translated
from kinerja.models import Activity, Agency, Evidence
from kinerja.settings import setting
from kinerja.workcalendar import month_days


class Flag(enum.StrEnum):
    OVERLAP = "overlap"
    LONG_DAY = "long_day"
    OFF_DAY = "off_day"
    NO_EVIDENCE = "no_evidence"
    REPEATED = "repeated"

    @property
    def label(self) -> str:
        return translated(FLAG_LABELS[self])


FLAG_LABELS = {
    Flag.OVERLAP: _l("Waktu bertumpuk"),
    Flag.LONG_DAY: _l("Hari terlalu panjang"),
    Flag.OFF_DAY: _l("Hari libur / akhir pekan"),
    Flag.NO_EVIDENCE: _l("Tanpa bukti dukung"),
    Flag.REPEATED: _l("Uraian berulang"),
}


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def repeat_key(employee_id: int, day: date, description: str) -> tuple[int, int, int, str]:
    """Whose description, in which calendar month: what the "same description on many days" flag counts by."""
    return employee_id, day.year, day.month, normalised(description)


def flags_for(items: Iterable[tuple[Activity, int]]) -> dict[int, set[Flag]]:
    """Flags of each (activity, agency id) pair, in four queries whatever the number of items."""
    items = list(items)
    result: dict[int, set[Flag]] = {activity.id: set() for activity, _agency in items}
    if not items:
        return result
    employees = {activity.employee_id for activity, _ in items}
    first = min(activity.activity_date for activity, _ in items)
    last = max(activity.activity_date for activity, _ in items)

    same_days: dict[tuple[int, date], list] = defaultdict(list)
    for other in db.session.execute(
        select(Activity.id, Activity.employee_id, Activity.activity_date, Activity.start_time, Activity.end_time,
               Activity.duration_minutes)
        .where(Activity.employee_id.in_(employees), Activity.activity_date.between(first, last))
    ):
        same_days[(other.employee_id, other.activity_date)].append(other)

    with_evidence = set(db.session.scalars(
        select(Evidence.activity_id).where(Evidence.activity_id.in_(result)).group_by(Evidence.activity_id)
    ))
    strict_agencies = set(db.session.scalars(
        select(Agency.id).where(Agency.id.in_({agency for _, agency in items}), Agency.requires_evidence.is_(True))
    ))
    # The same description on many days is counted within one calendar month, even when the items span two.
    month_start, _ = month_days(first.year, first.month)
    _, month_end = month_days(last.year, last.month)
    repeated_days: dict[tuple[int, int, int, str], set[date]] = defaultdict(set)
    for employee_id, description, day in db.session.execute(
        select(Activity.employee_id, Activity.description, Activity.activity_date)
        .where(Activity.employee_id.in_(employees), Activity.activity_date.between(month_start, month_end))
    ):
        repeated_days[repeat_key(employee_id, day, description)].add(day)

    limit, repeat_days = setting("FLAG_DAILY_MINUTES"), setting("FLAG_REPEATED_DAYS")
    for activity, agency_id in items:
        flags = result[activity.id]
        day = same_days[(activity.employee_id, activity.activity_date)]
        if any(other.id != activity.id and other.start_time < activity.end_time
               and other.end_time > activity.start_time for other in day):
            flags.add(Flag.OVERLAP)
        if sum(other.duration_minutes for other in day) > limit:
            flags.add(Flag.LONG_DAY)
        if activity.off_day:
            flags.add(Flag.OFF_DAY)
        if agency_id in strict_agencies and activity.id not in with_evidence:
            flags.add(Flag.NO_EVIDENCE)
        same_text_days = repeated_days[repeat_key(activity.employee_id, activity.activity_date, activity.description)]
        if len(same_text_days) >= repeat_days:
            flags.add(Flag.REPEATED)
    return result
