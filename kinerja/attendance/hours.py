"""Working hours of a day (Perpres 21/2023) and the late / early minutes of a check-in or check-out.

By default 37 h 30 min a week, starting 07:30, with a 60-minute break (90 on Friday), so a five-day week
runs 07:30–16:00 Monday to Thursday and 07:30–16:30 on Friday. In Ramadan (from the Hijri calendar, or as BKD
corrects it: kinerja.attendance.ramadan) the week is 32 h 30 min from 08:00 with shorter breaks (08:00–15:00,
Friday 08:00–15:30). Each figure is a setting, as regencies adjust them in their own regulations.

Field duty (DL, dinas luar, under a surat tugas) is not held to the office's hours: a DL check-in is never late
and a DL check-out never early (`lateness`), so no page, export or summary counts TL or PSW for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kinerja.attendance.ramadan import ramadan_on
from kinerja.models import AttendanceKind, WorkMode
from kinerja.settings import clock_setting, setting

FRIDAY = 4


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time
    ramadan: bool


def in_ramadan(day: date) -> bool:
    return ramadan_on(day) is not None


def working_hours(day: date, work_week: int = 5) -> WorkingHours:
    """Start and end of the working day; the day's share of the weekly minutes plus its break."""
    ramadan = in_ramadan(day)
    prefix = "RAMADAN_" if ramadan else ""
    start = clock_setting("RAMADAN_WORK_START" if ramadan else "WORK_START")
    break_key = "FRIDAY_BREAK_MINUTES" if day.weekday() == FRIDAY else "BREAK_MINUTES"
    minutes = setting(f"{prefix}WEEK_MINUTES" if ramadan else "WORK_WEEK_MINUTES") / work_week
    minutes += setting(prefix + break_key)
    end = (datetime.combine(day, start) + timedelta(minutes=minutes)).time()
    return WorkingHours(start, end, ramadan)


def minutes_after(moment: time, boundary: time) -> int:
    """Whole minutes from `boundary` to `moment`; 0 when `moment` is not later."""
    seconds = (moment.hour * 3600 + moment.minute * 60 + moment.second) - \
        (boundary.hour * 3600 + boundary.minute * 60 + boundary.second)
    return max(0, seconds // 60)


def late_minutes(local: datetime, hours: WorkingHours) -> int:
    return minutes_after(local.time(), hours.start)


def early_minutes(local: datetime, hours: WorkingHours) -> int:
    return minutes_after(hours.end, local.time())


def lateness(kind: AttendanceKind, mode: WorkMode, local: datetime, hours: WorkingHours) -> tuple[int, int]:
    """(late, early) minutes of a check-in or check-out on a working day: a check-in counts late minutes, a
    check-out early ones, and neither field duty (DL) nor a session between them (held in its own window)."""
    if mode is WorkMode.DL or kind.is_session:
        return 0, 0
    if kind is AttendanceKind.IN:
        return late_minutes(local, hours), 0
    return 0, early_minutes(local, hours)
