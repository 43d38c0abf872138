"""Today's card on the staff home page: the check-in status, the day's activities, and what is still missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from kinerja.activities import queries as activity_queries
from kinerja.attendance import queries as attendance_queries
from kinerja.models import Activity, ActivityStatus


@dataclass(frozen=True)
class TodayCard:
    day: date
    status: attendance_queries.Today
    activities: list[Activity]
    working: bool  # a working day for the person (not a weekend, holiday or leave)
    missing: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(activity.duration_minutes for activity in self.activities)


def today_card(employee_id: int) -> TodayCard:
    """Where the person stands today (the agency's day): a fixed handful of queries."""
    day, status = attendance_queries.today_status(employee_id)
    activities = activity_queries.day_activities(employee_id, day)
    working = activity_queries.day_info(employee_id, day).working
    missing = []
    if working:
        if status.check_in is None:
            missing.append(_("Belum presensi masuk."))
        for state in status.missed:
            missing.append(_("Sesi %(session)s terlewat.", session=state.kind.label.lower()))
        if status.check_in is not None and status.check_out is None:
            missing.append(_("Belum presensi pulang."))
        if not activities:
            missing.append(_("Belum ada kegiatan hari ini."))
    drafts = sum(activity.status is ActivityStatus.DRAFT for activity in activities)
    returned = sum(activity.status is ActivityStatus.RETURNED for activity in activities)
    if drafts:
        missing.append(_("Kegiatan masih draf, belum diajukan: %(n)s.", n=drafts))
    if returned:
        missing.append(_("Kegiatan dikembalikan untuk diperbaiki: %(n)s.", n=returned))
    return TodayCard(day=day, status=status, activities=activities, working=working, missing=missing)
