"""BKD's holiday calendar: the national list of a year with the regency's corrections.

National holidays and cuti bersama come from the `holidays` package (kinerja.workcalendar); a HolidayEntry
holds only what BKD changed on a day: a regional holiday added, a listed holiday renamed, or a listed holiday
cancelled (the day becomes a working day). Each service checks, changes one day, audits and commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kinerja import audit
from kinerja.admin.master_data import require_global
from kinerja.database import finish
from kinerja.errors import Conflict, ValidationFailed
from kinerja.extensions import db
from kinerja.i18n import format_date
from kinerja.models import HolidayEntry, HolidayKind, User
from kinerja.workcalendar import Holiday, package_holidays

PACKAGE, BKD = "package", "bkd"
WORKING_DAY = "working_day"  # the audit's state of a cancelled holiday
NAME_LENGTH = 120
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class CalendarRow:
    """One day of the year's list: what the package says, what BKD changed, and the result."""

    day: date
    name: str
    kind: HolidayKind
    source: str  # PACKAGE or BKD
    listed: Holiday | None  # the package's holiday on the day, if any
    entry: HolidayEntry | None

    @property
    def cancelled(self) -> bool:
        """A listed holiday BKD turned into a working day."""
        return self.entry is not None and not self.entry.is_day_off

    @property
    def weekday(self) -> bool:
        return self.day.weekday() < 5


def year_calendar(year: int) -> list[CalendarRow]:
    """Every listed or BKD-entered day of the year in date order (one query)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    listed = package_holidays(year)
    entries = {entry.day: entry for entry in db.session.scalars(
        select(HolidayEntry).where(HolidayEntry.day.between(first, last)))}
    rows = []
    for day in sorted(set(listed) | set(entries)):
        holiday, entry = listed.get(day), entries.get(day)
        if entry is not None and entry.is_day_off:
            rows.append(CalendarRow(day, entry.name, entry.kind, BKD, holiday, entry))
        elif holiday is not None:
            rows.append(CalendarRow(day, holiday.name, holiday.kind, PACKAGE, holiday, entry))
        else:  # a cancellation of a day the package no longer lists
            rows.append(CalendarRow(day, entry.name, entry.kind, BKD, None, entry))
    return rows


def weekday_days_off(rows: list[CalendarRow]) -> int:
    """Holidays and cuti bersama in force on Monday–Friday: the working days the list takes away."""
    return sum(1 for row in rows if row.weekday and not row.cancelled)


def clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Wajib diisi."), field=field)
    if len(name) > NAME_LENGTH:
        raise ValidationFailed(_("Paling banyak %(n)d karakter.", n=NAME_LENGTH), field=field)
    return name


def check_year(day: date, field: str = "day") -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationFailed(_("Pilih tanggal antara tahun %(first)d dan %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR), field=field)


def taken_message(day: date, name: str) -> str:
    return _("Tanggal %(date)s sudah ada di kalender: %(name)s.", date=format_date(day, "d MMMM y"), name=name)


def flush_new(entry: HolidayEntry) -> None:
    """Insert the day's entry; another admin's entry saved meanwhile on the same day becomes a clear refusal."""
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("Tanggal %(date)s baru saja diisi admin lain. Muat ulang halaman.",
                         date=format_date(entry.day, "d MMMM y")), field="day") from error


def entry_on(day: date) -> HolidayEntry | None:
    return db.session.scalar(select(HolidayEntry).where(HolidayEntry.day == day))


def add_regional_holiday(actor: User, day: date, name: str) -> HolidayEntry:
    """Add a regional holiday (libur daerah) on a day the calendar does not list yet."""
    require_global(actor)
    check_year(day)
    name = clean_name(name)
    existing, listed = entry_on(day), package_holidays(day.year).get(day)
    if existing is not None:
        raise Conflict(taken_message(day, existing.name), field="day")
    if listed is not None:
        raise Conflict(taken_message(day, listed.name), field="day")
    entry = HolidayEntry(day=day, name=name, kind=HolidayKind.REGIONAL, is_day_off=True)
    flush_new(entry)
    audit.record(actor, audit.Change("holiday", entry.id, "add_holiday", None, HolidayKind.REGIONAL.value,
                                     reason=f"{day.isoformat()} {name}"))
    finish()
    return entry


def cancel_listed_holiday(actor: User, day: date, reason: str) -> HolidayEntry:
    """Turn a national holiday or cuti bersama into a working day for the regency, with the reason."""
    require_global(actor)
    reason = clean_name(reason, "reason")
    listed = package_holidays(day.year).get(day)
    if listed is None:
        raise ValidationFailed(_("Tanggal ini bukan libur nasional atau cuti bersama."), field="day")
    entry = entry_on(day)
    if entry is None:
        entry = HolidayEntry(day=day, name=listed.name, kind=listed.kind, is_day_off=False)
        flush_new(entry)
    elif not entry.is_day_off:
        raise Conflict(_("Libur ini sudah dibatalkan."), field="day")
    else:  # BKD had renamed it: the cancellation replaces the rename
        entry.name, entry.kind, entry.is_day_off = listed.name, listed.kind, False
    audit.record(actor, audit.Change("holiday", entry.id, "cancel_holiday", listed.kind.value, WORKING_DAY,
                                     reason=f"{day.isoformat()} {listed.name}: {reason}"))
    finish()
    return entry


def rename_holiday(actor: User, day: date, name: str) -> HolidayEntry | None:
    """Correct the name of a day off: a BKD entry, or a listed holiday (kept as BKD's correction); returns the
    entry holding the name (None when a listed holiday keeps its own name)."""
    require_global(actor)
    name = clean_name(name)
    entry, listed = entry_on(day), package_holidays(day.year).get(day)
    if entry is not None and not entry.is_day_off:
        raise Conflict(_("Libur ini dibatalkan; pulihkan dulu sebelum mengganti namanya."), field="name")
    if entry is None and listed is None:
        raise ValidationFailed(_("Tanggal ini tidak ada di kalender."), field="name")
    before = entry.name if entry is not None else listed.name
    if before == name:
        return entry
    if entry is None:
        entry = HolidayEntry(day=day, name=name, kind=listed.kind, is_day_off=True)
        flush_new(entry)
    else:
        entry.name = name
    audit.record(actor, audit.Change("holiday", entry.id, "rename_holiday", entry.kind.value, entry.kind.value,
                                     reason=f"{day.isoformat()} {before} → {name}"))
    finish()
    return entry


def remove_entry(actor: User, entry: HolidayEntry) -> str:
    """Drop BKD's entry: a regional holiday is deleted, a cancelled or renamed listed holiday is restored.
    Returns the audit action taken ("delete_holiday" or "restore_holiday")."""
    require_global(actor)
    listed = package_holidays(entry.day.year).get(entry.day)
    action = "restore_holiday" if listed is not None else "delete_holiday"
    before = entry.kind.value if entry.is_day_off else WORKING_DAY
    after = listed.kind.value if listed is not None else None
    audit.record(actor, audit.Change("holiday", entry.id, action, before, after,
                                     reason=f"{entry.day.isoformat()} {entry.name}"))
    db.session.delete(entry)
    finish()
    return action

