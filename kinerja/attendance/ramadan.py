"""Ramadan's dates for the working hours: from the Hijri calendar unless BKD corrects them.

By default a day is in Ramadan when its Hijri month is 9 in the Umm al-Qura calendar (the `hijridate` package),
so Ramadan hours apply every year without anyone typing dates. The Government's own start (sidang isbat) can
differ by a day or two; BKD then sets RAMADAN_START and RAMADAN_END (kinerja.settings), and those dates replace
the computed Ramadan they correct, the one starting within CORRECTION_REACH of them. Other years keep the
calendar's dates, so last year's correction never hides this year's Ramadan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from hijridate import Gregorian, Hijri

from kinerja.settings import day_setting

RAMADAN_MONTH = 9
CORRECTION_REACH = timedelta(days=15)  # Ramadans are 354 days apart; a correction moves one by a day or two


@dataclass(frozen=True)
class Ramadan:
    start: date
    end: date
    hijri_year: int | None = None  # None for dates BKD typed

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _hijri(day: date) -> Hijri | None:
    try:
        return Gregorian.fromdate(day).to_hijri()
    except (OverflowError, ValueError):  # outside the calendar's table (1924 to 2077)
        return None


@lru_cache(maxsize=256)
def ramadan_of_hijri_year(year: int) -> Ramadan | None:
    """1 to 29 or 30 Ramadan of a Hijri year, in Gregorian dates (None outside the calendar's table)."""
    try:
        first = Hijri(year, RAMADAN_MONTH, 1)
        start = first.to_gregorian().toordinal()
        end = Hijri(year, RAMADAN_MONTH, first.month_length()).to_gregorian().toordinal()
    except (OverflowError, ValueError):
        return None
    return Ramadan(date.fromordinal(start), date.fromordinal(end), year)  # plain dates, not hijridate's subclass


def computed_ramadan(day: date) -> Ramadan | None:
    """The calendar's Ramadan that holds the day, if any."""
    hijri = _hijri(day)
    return ramadan_of_hijri_year(hijri.year) if hijri and hijri.month == RAMADAN_MONTH else None


def next_computed_ramadan(day: date) -> Ramadan | None:
    """The calendar's Ramadan that holds the day, else the next one to begin."""
    hijri = _hijri(day)
    if hijri is None:
        return None
    return ramadan_of_hijri_year(hijri.year if hijri.month <= RAMADAN_MONTH else hijri.year + 1)


def correction() -> Ramadan | None:
    """BKD's dates (or the configuration's), when both are set."""
    start, end = day_setting("RAMADAN_START"), day_setting("RAMADAN_END")
    return Ramadan(start, end) if start and end else None


def ramadan_on(day: date) -> Ramadan | None:
    """The Ramadan whose working hours apply on the day: BKD's correction, else the calendar's."""
    corrected = correction()
    if corrected is not None and day in corrected:
        return corrected
    computed = computed_ramadan(day)
    if computed is None or (corrected is not None and abs(computed.start - corrected.start) <= CORRECTION_REACH):
        return None
    return computed
